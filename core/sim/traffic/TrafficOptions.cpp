#include "core/sim/traffic/TrafficOptions.h"

#include <QStringBuilder>
#include <QUrl>

#include <algorithm>
#include <cmath>

namespace meridian::sim {
namespace {

Error optionError(const QString &message)
{
    return Error{QStringLiteral("invalid_traffic_options"), message};
}

} // namespace

Result<bool> TrafficOptions::validate() const
{
    const QUrl url(gatewayUrl, QUrl::StrictMode);
    if (gatewayUrl.trimmed().isEmpty() || !url.isValid())
        return optionError(QStringLiteral("gateway URL \"%1\" is not a valid URL").arg(gatewayUrl));
    if (url.scheme() != QLatin1String("http"))
        return optionError(QStringLiteral("gateway URL \"%1\": only http:// is supported (got scheme \"%2\")")
                               .arg(gatewayUrl, url.scheme()));
    if (url.host().isEmpty())
        return optionError(QStringLiteral("gateway URL \"%1\" has no host").arg(gatewayUrl));
    if (!url.userInfo().isEmpty() || url.hasQuery() || url.hasFragment())
        return optionError(QStringLiteral("gateway URL \"%1\": no user info, query or fragment allowed "
                                          "(pass the API key through --api-key-env)")
                               .arg(gatewayUrl));
    if (durationMs <= 0 || durationMs > kMaxDurationMs)
        return optionError(QStringLiteral("duration must be between 1 ms and 24 h (got %1 ms)").arg(durationMs));
    if (!std::isfinite(maxRequestsPerSecond) || maxRequestsPerSecond < 0 || maxRequestsPerSecond > kMaxRate)
        return optionError(QStringLiteral("max requests per second must be between 0 (no cap) and %1 (got %2)")
                               .arg(kMaxRate)
                               .arg(maxRequestsPerSecond));
    if (maxRequests < 0)
        return optionError(QStringLiteral("max requests must be 0 (no cap) or positive (got %1)").arg(maxRequests));
    if (maxInFlight < 1 || maxInFlight > kMaxInFlightLimit)
        return optionError(
            QStringLiteral("max in flight must be between 1 and %1 (got %2)").arg(kMaxInFlightLimit).arg(maxInFlight));
    if (requestTimeoutMs <= 0 || requestTimeoutMs > kMaxRequestTimeoutMs)
        return optionError(
            QStringLiteral("request timeout must be between 1 ms and 1 h (got %1 ms)").arg(requestTimeoutMs));
    if (!std::isfinite(rateScale) || rateScale <= 0 || rateScale > 10'000)
        return optionError(QStringLiteral("rate scale must be above 0 and at most 10000 (got %1)").arg(rateScale));
    if (progressIntervalMs < 0)
        return optionError(
            QStringLiteral("progress interval must be 0 (off) or positive (got %1 ms)").arg(progressIntervalMs));
    return true;
}

Result<upstream::UpstreamTarget> makeGatewayTarget(const TrafficOptions &options)
{
    if (auto valid = options.validate(); !valid)
        return valid.error();
    const QUrl url(options.gatewayUrl, QUrl::StrictMode);
    upstream::UpstreamTarget t;
    t.regionName = QStringLiteral("gateway");
    t.tls = false;
    t.host = url.host();
    t.port = static_cast<quint16>(url.port(80));
    QByteArray path = url.path(QUrl::FullyEncoded).toUtf8();
    while (path.endsWith('/'))
        path.chop(1);
    // OpenAI SDK base URLs end in /v1; the request path below carries it already.
    if (path.endsWith("/v1"))
        path.chop(3);
    t.basePath = path;
    const bool ipv6 = t.host.contains(QLatin1Char(':'));
    const QByteArray hostPart = ipv6 ? QByteArray('[' + t.host.toUtf8() + ']') : t.host.toUtf8();
    t.hostHeader = t.port == 80 ? hostPart : QByteArray(hostPart + ':' + QByteArray::number(t.port));
    t.originKey = QByteArray("http://" + hostPart + ':' + QByteArray::number(t.port));
    // One deadline for the whole request, as a client sees it; connecting gets at most 5 s
    // of it so a dead gateway shows as connect_failed/timeout quickly.
    t.timeouts.connectMs = std::min<qint64>(5'000, options.requestTimeoutMs);
    t.timeouts.firstByteMs = options.requestTimeoutMs;
    t.timeouts.idleMs = options.requestTimeoutMs;
    t.timeouts.totalMs = options.requestTimeoutMs;
    if (!options.apiKeyEnv.isEmpty()) {
        const QByteArray key = qgetenv(options.apiKeyEnv.toLocal8Bit().constData()).trimmed();
        if (!key.isEmpty())
            t.authorization = QByteArray("Bearer " + key);
    }
    return t;
}

} // namespace meridian::sim
