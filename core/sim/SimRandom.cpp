#include "core/sim/SimRandom.h"

#include <QString>

#include <algorithm>
#include <array>
#include <cmath>

namespace meridian::sim {
namespace {

quint64 fnv1a(QStringView text)
{
    quint64 h = 1469598103934665603ULL;
    for (const QChar c : text) {
        h ^= c.unicode();
        h *= 1099511628211ULL;
    }
    return h;
}

} // namespace

quint64 splitMix64(quint64 x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30U)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27U)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31U);
}

SimRandom::SimRandom(quint64 worldSeed, QStringView stream) : m_engine(splitMix64(worldSeed ^ fnv1a(stream)))
{
}

double SimRandom::uniform()
{
    return std::uniform_real_distribution<double>(0.0, 1.0)(m_engine);
}

bool SimRandom::chance(double probability)
{
    if (probability <= 0)
        return false;
    if (probability >= 1)
        return true;
    return uniform() < probability;
}

int SimRandom::uniformInt(int lo, int hi)
{
    if (hi <= lo)
        return lo;
    return std::uniform_int_distribution<int>(lo, hi)(m_engine);
}

qint64 SimRandom::jittered(qint64 ms, double jitter)
{
    if (ms <= 0)
        return 0;
    const double j = std::clamp(jitter, 0.0, 1.0);
    const double factor = 1.0 + j * (2.0 * uniform() - 1.0);
    return std::max<qint64>(0, std::llround(static_cast<double>(ms) * factor));
}

int SimRandom::length(const LengthDistribution &d)
{
    const int lo = std::max(1, d.min);
    const int hi = std::max(lo, d.max);
    // sigma 0.6 gives the long right tail prompt and output lengths show; mu puts the mean
    // of the unclamped distribution at d.mean.
    constexpr double sigma = 0.6;
    const double mu = std::log(std::max(1, d.mean)) - sigma * sigma / 2.0;
    const double v = std::lognormal_distribution<double>(mu, sigma)(m_engine);
    return std::clamp(static_cast<int>(std::lround(v)), lo, hi);
}

qint64 SimRandom::interArrivalMs(double perSecond)
{
    if (perSecond <= 0)
        return -1;
    const double seconds = std::exponential_distribution<double>(perSecond)(m_engine);
    return std::max<qint64>(1, std::llround(seconds * 1000.0));
}

int approxTokenCount(QStringView text)
{
    int words = 0;
    int chars = 0;
    bool inWord = false;
    for (const QChar c : text) {
        if (c.isSpace()) {
            inWord = false;
            continue;
        }
        ++chars;
        if (!inWord) {
            ++words;
            inWord = true;
        }
    }
    return std::max(words, (chars + 3) / 4);
}

QString syntheticToken(quint64 seed, int index)
{
    static constexpr std::array kWords = {
        "the", "region", "model", "answer", "latency", "request", "token", "cluster", "route",
        "replica", "inference", "queue", "is", "and", "of", "to", "a", "in", "for", "with",
        "healthy", "capacity", "traffic", "data", "user", "fast", "stable", "load", "on", "we",
    };
    const quint64 pick = splitMix64(seed + static_cast<quint64>(index)) % kWords.size();
    QString word = QLatin1String(kWords[pick]);
    if (index == 0 && !word.isEmpty())
        word[0] = word.at(0).toUpper();
    return index == 0 ? word : QLatin1Char(' ') + word;
}

} // namespace meridian::sim
