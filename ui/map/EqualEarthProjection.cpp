#include "ui/map/EqualEarthProjection.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace meridian::ui {

namespace {

constexpr double A1 = 1.340264;
constexpr double A2 = -0.081106;
constexpr double A3 = 0.000893;
constexpr double A4 = 0.003796;
const double kM = std::sqrt(3.0) / 2.0;
constexpr double kDegToRad = std::numbers::pi / 180.0;

double yOfTheta(double t)
{
    const double t2 = t * t;
    const double t6 = t2 * t2 * t2;
    return t * (A1 + A2 * t2 + t6 * (A3 + A4 * t2));
}

// dy/dθ, also the denominator of x.
double slopeOfTheta(double t)
{
    const double t2 = t * t;
    const double t6 = t2 * t2 * t2;
    return A1 + 3 * A2 * t2 + t6 * (7 * A3 + 9 * A4 * t2);
}

double wrapLongitude(double lon)
{
    if (lon >= -180.0 && lon <= 180.0)
        return lon;
    const double wrapped = std::fmod(lon + 180.0, 360.0);
    return (wrapped < 0 ? wrapped + 360.0 : wrapped) - 180.0;
}

} // namespace

QPointF EqualEarthProjection::forward(double longitudeDeg, double latitudeDeg)
{
    if (!std::isfinite(longitudeDeg) || !std::isfinite(latitudeDeg))
        return {};
    const double lambda = wrapLongitude(longitudeDeg) * kDegToRad;
    const double phi = std::clamp(latitudeDeg, -90.0, 90.0) * kDegToRad;
    const double theta = std::asin(kM * std::sin(phi));
    const double x = lambda * std::cos(theta) / (kM * slopeOfTheta(theta)); // 2√3/3 = 1/kM
    return {x, yOfTheta(theta)};
}

std::optional<QPointF> EqualEarthProjection::inverse(QPointF projected)
{
    const double x = projected.x();
    const double y = projected.y();
    constexpr double kEpsilon = 1e-9;
    if (!std::isfinite(x) || !std::isfinite(y) || std::abs(y) > maxY() + kEpsilon)
        return std::nullopt;
    // Newton on y(θ) = y; y is monotonic and nearly linear, so a few steps converge. Bounded,
    // and θ stays clamped to its range [-π/3, π/3] so a wild step cannot run away.
    constexpr double kThetaMax = std::numbers::pi / 3.0;
    double theta = std::clamp(y / A1, -kThetaMax, kThetaMax);
    for (int i = 0; i < 20; ++i) {
        const double step = (yOfTheta(theta) - y) / slopeOfTheta(theta);
        theta = std::clamp(theta - step, -kThetaMax, kThetaMax);
        if (std::abs(step) < 1e-12)
            break;
    }
    const double lambda = kM * x * slopeOfTheta(theta) / std::cos(theta);
    if (std::abs(lambda) > std::numbers::pi + kEpsilon)
        return std::nullopt;
    const double phi = std::asin(std::clamp(std::sin(theta) / kM, -1.0, 1.0));
    return QPointF(std::clamp(lambda / kDegToRad, -180.0, 180.0), phi / kDegToRad);
}

double EqualEarthProjection::maxX()
{
    static const double value = forward(180.0, 0.0).x();
    return value;
}

double EqualEarthProjection::maxY()
{
    static const double value = forward(0.0, 90.0).y();
    return value;
}

QRectF EqualEarthProjection::bounds()
{
    return {-maxX(), -maxY(), 2 * maxX(), 2 * maxY()};
}

} // namespace meridian::ui
