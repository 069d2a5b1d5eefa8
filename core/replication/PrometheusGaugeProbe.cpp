#include "core/replication/PrometheusGaugeProbe.h"

#include "core/health/PrometheusText.h"
#include "core/replication/ProbeHttp.h"

#include <QNetworkReply>
#include <QStringList>
#include <QUrl>

#include <cmath>
#include <optional>

namespace meridian::replication {
namespace {

constexpr qint64 kMaxPageBytes = 8 * 1024 * 1024;

QString selector(const config::ReplicaSettings &r)
{
    QStringList matchers;
    for (const auto &[name, value] : r.labels)
        matchers << QStringLiteral("%1=\"%2\"").arg(name, value);
    return matchers.isEmpty() ? r.metric
                              : r.metric + QLatin1Char('{') + matchers.join(QLatin1Char(',')) + QLatin1Char('}');
}

} // namespace

PrometheusGaugeProbe::PrometheusGaugeProbe(const config::ReplicationSettings &settings, QNetworkAccessManager &nam,
                                           QObject *parent)
    : LagProbe(parent), m_settings(settings), m_nam(nam), m_token(readSecret(settings.tokenFile, settings.tokenEnv))
{
}

PrometheusGaugeProbe::~PrometheusGaugeProbe()
{
    shutdown();
}

void PrometheusGaugeProbe::shutdown()
{
    m_shutDown = true;
    const auto replies = m_inFlight.values();
    for (const QPointer<QNetworkReply> &reply : replies) {
        if (reply)
            reply->abort();
    }
    m_inFlight.clear();
}

void PrometheusGaugeProbe::probeOnce()
{
    if (m_shutDown)
        return;
    for (const config::ReplicaSettings &r : m_settings.replicas) {
        if (m_inFlight.value(r.url))
            continue; // this page's previous scrape is still running (bounded by the timeout)
        const QString url = r.url;
        m_inFlight.insert(url, sendProbeRequest(this, m_nam, QUrl(url), nullptr, m_token, m_settings.timeoutMs,
                                                kMaxPageBytes, [this, url](Result<QByteArray> page) {
                                                    if (m_shutDown)
                                                        return;
                                                    m_inFlight.remove(url);
                                                    onPage(url, page);
                                                }));
    }
}

void PrometheusGaugeProbe::onPage(const QString &url, const Result<QByteArray> &page)
{
    std::optional<Result<std::vector<health::MetricSample>>> samples;
    if (page)
        samples.emplace(health::parsePrometheusText(page.value()));
    for (const config::ReplicaSettings &r : m_settings.replicas) {
        if (r.url != url)
            continue;
        if (!page) {
            Q_EMIT replicaMeasured(r.name, std::nullopt, QStringLiteral("scrape failed: ") + page.error().message);
            continue;
        }
        if (!samples->ok()) {
            Q_EMIT replicaMeasured(r.name, std::nullopt,
                                   QStringLiteral("scrape unreadable: ") + samples->error().message);
            continue;
        }
        const QByteArray metric = r.metric.toUtf8();
        bool metricSeen = false;
        std::optional<double> worst;
        bool badValue = false;
        for (const health::MetricSample &s : samples->value()) {
            if (s.name != metric)
                continue;
            metricSeen = true;
            bool match = true;
            for (const auto &[name, value] : r.labels) {
                // A label the sample lacks reads as "" (Prometheus semantics).
                if (QString::fromUtf8(s.label(name.toUtf8())) != value) {
                    match = false;
                    break;
                }
            }
            if (!match)
                continue;
            if (!std::isfinite(s.value) || s.value < 0) {
                badValue = true;
                continue;
            }
            if (!worst || s.value > *worst)
                worst = s.value;
        }
        if (worst) {
            Q_EMIT replicaMeasured(r.name, *worst * r.secondsPerUnit, QString());
        } else if (badValue) {
            Q_EMIT replicaMeasured(r.name, std::nullopt,
                                   QStringLiteral("%1 is not a finite non-negative number").arg(selector(r)));
        } else if (!metricSeen) {
            Q_EMIT replicaMeasured(r.name, std::nullopt,
                                   QStringLiteral("metric %1 not found at %2").arg(r.metric, url));
        } else {
            Q_EMIT replicaMeasured(r.name, std::nullopt,
                                   QStringLiteral("no sample of %1 matches %2").arg(r.metric, selector(r)));
        }
    }
}

} // namespace meridian::replication
