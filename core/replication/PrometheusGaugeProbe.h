#pragma once

#include "core/common/Result.h"
#include "core/config/ReplicationSettings.h"
#include "core/replication/LagProbe.h"

#include <QByteArray>
#include <QHash>
#include <QPointer>
#include <QString>

class QNetworkAccessManager;
class QNetworkReply;

namespace meridian::replication {

// The `prometheus` probe: reads a gauge that already is the replication lag (e.g. Milvus
// CDC's milvus_cdc_replicate_tt, in milliseconds) from a page in Prometheus text format,
// parsed by core/health's parsePrometheusText. Per replica: the metric name, label matchers
// (every one must match exactly) and the unit; of several matching samples the largest
// counts (the worst channel). Replicas reading the same URL share one scrape per round.
//
// A missing metric, no sample matching the labels, a NaN or negative value, or a failed
// scrape is an unknown lag with the reason, never 0.
//
// Lives on the monitor's thread; uses the monitor's QNetworkAccessManager.
class PrometheusGaugeProbe final : public LagProbe {
    Q_OBJECT
public:
    PrometheusGaugeProbe(const config::ReplicationSettings &settings, QNetworkAccessManager &nam,
                         QObject *parent = nullptr);
    ~PrometheusGaugeProbe() override;

    void probeOnce() override;
    void shutdown() override;

private:
    void onPage(const QString &url, const Result<QByteArray> &page);

    const config::ReplicationSettings m_settings;
    QNetworkAccessManager &m_nam;
    const QByteArray m_token;
    QHash<QString, QPointer<QNetworkReply>> m_inFlight; // by URL
    bool m_shutDown = false;
};

} // namespace meridian::replication
