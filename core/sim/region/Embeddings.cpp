#include "core/sim/region/Embeddings.h"

#include "core/sim/SimRandom.h"

#include <algorithm>
#include <cmath>

namespace meridian::sim {

std::vector<double> embeddingVector(const QString &model, const QString &text, int dimension)
{
    const int n = std::max(1, dimension);
    // The stream name carries model and text; the fixed seed keeps it independent of the world.
    SimRandom random(0x656d626564ULL, QString(model + QLatin1Char('\n') + text));
    std::vector<double> v(static_cast<std::size_t>(n));
    double norm = 0;
    for (double &x : v) {
        // Sum of uniforms: roughly Gaussian components, like a real embedding's.
        x = random.uniform() + random.uniform() + random.uniform() - 1.5;
        norm += x * x;
    }
    norm = std::sqrt(norm);
    if (norm <= 0) {
        v.front() = 1.0;
        return v;
    }
    for (double &x : v)
        x /= norm;
    return v;
}

} // namespace meridian::sim
