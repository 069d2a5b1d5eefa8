#include "core/telemetry/PrometheusExposition.h"

#include <QStringBuilder>

#include <initializer_list>
#include <utility>

namespace meridian::telemetry {

namespace {

// The failure kinds in upstream::UpstreamFailure order (telemetry does not depend on upstream).
constexpr std::array<QByteArrayView, kFailureKinds> kFailureNames{
    "connect_failed", "connect_timeout", "pool_exhausted", "reset",
    "protocol",       "first_byte_timeout", "idle_timeout", "total_timeout"};

QByteArray escapeLabel(const QByteArray &v)
{
    QByteArray out;
    out.reserve(v.size());
    for (char c : v) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '"')
            out += "\\\"";
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
    return out;
}

QByteArray number(double v)
{
    return QByteArray::number(v, 'g', 17);
}

class Writer {
public:
    void family(QByteArrayView name, QByteArrayView type, QByteArrayView help)
    {
        m_out += "# HELP ";
        m_out.append(name.constData(), name.size());
        m_out += ' ';
        m_out.append(help.constData(), help.size());
        m_out += "\n# TYPE ";
        m_out.append(name.constData(), name.size());
        m_out += ' ';
        m_out.append(type.constData(), type.size());
        m_out += '\n';
    }

    void sample(QByteArrayView name, std::initializer_list<std::pair<QByteArrayView, QByteArray>> labels,
                const QByteArray &value)
    {
        m_out.append(name.constData(), name.size());
        if (labels.size() > 0) {
            m_out += '{';
            bool first = true;
            for (const auto &[k, v] : labels) {
                if (!first)
                    m_out += ',';
                first = false;
                m_out.append(k.constData(), k.size());
                m_out += "=\"" + escapeLabel(v) + '"';
            }
            m_out += '}';
        }
        m_out += ' ' + value + '\n';
    }

    QByteArray take() { return std::move(m_out); }

private:
    QByteArray m_out;
};

std::vector<const RegionFigures *> allFigures(const GatewaySnapshot &s)
{
    std::vector<const RegionFigures *> out;
    for (const auto &r : s.regions)
        out.push_back(&r);
    out.push_back(&s.local);
    return out;
}

void histogram(Writer &w, QByteArrayView name, const QByteArray &region,
               const std::array<quint64, kLatencyBucketCount> &buckets, double sum)
{
    const QByteArray bucket(name.toByteArray() + "_bucket");
    quint64 cumulative = 0;
    for (size_t b = 0; b < buckets.size(); ++b) {
        cumulative += buckets[b];
        const QByteArray le = b < kLatencyBounds.size() ? number(kLatencyBounds[b]) : QByteArray("+Inf");
        w.sample(bucket, {{"region", region}, {"le", le}}, QByteArray::number(cumulative));
    }
    w.sample(QByteArray(name.toByteArray() + "_sum"), {{"region", region}}, number(sum));
    w.sample(QByteArray(name.toByteArray() + "_count"), {{"region", region}}, QByteArray::number(cumulative));
}

void renderControl(Writer &w, const ControlFigures &c)
{
    w.family("meridian_region_state", "gauge",
             "1 for the state each region is in (drained, draining, ejected, unhealthy, healthy, unknown), 0 for the others.");
    for (const auto &r : c.regions) {
        for (int i = 0; i < static_cast<int>(std::size(kRegionStateNames)); ++i)
            w.sample("meridian_region_state", {{"region", r.name.toUtf8()}, {"state", QByteArray(kRegionStateNames[i])}},
                     i == r.state ? "1" : "0");
    }

    w.family("meridian_failovers_total", "counter",
             "Requests served by other than their first choice (failover, overflow, Claude fallback), by the region "
             "passed over, the target that served them and why.");
    for (const auto &f : c.failovers)
        w.sample("meridian_failovers_total",
                 {{"from", f.from.toUtf8()}, {"to", f.to.toUtf8()}, {"reason", f.reason.toUtf8()}},
                 QByteArray::number(f.count));

    w.family("meridian_replication_lag_seconds", "gauge",
             "Replication lag of the region's vector DB (worst replica); absent while unknown or stale.");
    for (const auto &r : c.regions) {
        if (r.replicationMonitored && r.replicationLagSeconds)
            w.sample("meridian_replication_lag_seconds", {{"region", r.name.toUtf8()}}, number(*r.replicationLagSeconds));
    }
    w.family("meridian_replication_lag_known", "gauge",
             "1 when the region's replication lag is known and fresh, 0 when it is unknown or stale.");
    for (const auto &r : c.regions) {
        if (r.replicationMonitored)
            w.sample("meridian_replication_lag_known", {{"region", r.name.toUtf8()}},
                     r.replicationLagSeconds ? "1" : "0");
    }

    w.family("meridian_alerts", "gauge", "Alert instances pending or firing now (1 each).");
    for (const auto &a : c.alerts)
        w.sample("meridian_alerts",
                 {{"alertname", a.rule.toUtf8()},
                  {"region", a.region.toUtf8()},
                  {"severity", a.severity.toUtf8()},
                  {"state", a.state.toUtf8()}},
                 "1");

    w.family("meridian_store_dropped_rows_total", "counter",
             "History rows lost: the store's queue was full, the disk failed, or the database refused them.");
    w.sample("meridian_store_dropped_rows_total", {}, QByteArray::number(c.history.droppedRows));
    w.family("meridian_store_committed_rows_total", "counter", "History rows committed to the database.");
    w.sample("meridian_store_committed_rows_total", {}, QByteArray::number(c.history.committedRows));
    w.family("meridian_store_writable", "gauge", "1 when the history database can be written, else 0 (also 0 when history is off).");
    w.sample("meridian_store_writable", {}, c.history.writable ? "1" : "0");
}

} // namespace

QByteArray renderPrometheus(const GatewaySnapshot &s, const ControlFigures *control, QByteArrayView version)
{
    Writer w;
    const auto figures = allFigures(s);

    w.family("meridian_build_info", "gauge", "Meridian version; always 1.");
    w.sample("meridian_build_info", {{"version", version.toByteArray()}}, "1");

    w.family("meridian_requests_total", "counter",
             "Responses sent to clients, by serving region (none: answered by the gateway) and status code.");
    for (const auto *r : figures) {
        for (const auto &[code, n] : r->byStatus)
            w.sample("meridian_requests_total", {{"region", r->name.toUtf8()}, {"code", QByteArray::number(code)}},
                     QByteArray::number(n));
    }

    w.family("meridian_request_duration_seconds", "histogram",
             "Time from a complete client request to the last byte of its response.");
    for (const auto *r : figures)
        histogram(w, "meridian_request_duration_seconds", r->name.toUtf8(), r->latencyBuckets, r->latencySecondsSum);

    w.family("meridian_time_to_first_token_seconds", "histogram",
             "Time from sending a request upstream to the first byte of the response: the first token of a stream.");
    for (const auto &r : s.regions)
        histogram(w, "meridian_time_to_first_token_seconds", r.name.toUtf8(), r.firstByteBuckets, r.firstByteSecondsSum);

    w.family("meridian_completion_tokens_total", "counter",
             "Completion tokens of successful answers, by serving region (the usage figure, else one per stream event).");
    for (const auto &r : s.regions)
        w.sample("meridian_completion_tokens_total", {{"region", r.name.toUtf8()}}, QByteArray::number(r.completionTokens));

    w.family("meridian_upstream_attempts_total", "counter", "Upstream exchanges started, by region.");
    for (const auto &r : s.regions)
        w.sample("meridian_upstream_attempts_total", {{"region", r.name.toUtf8()}}, QByteArray::number(r.attempts));

    w.family("meridian_upstream_failures_total", "counter", "Upstream exchanges that failed, by region and kind.");
    for (const auto &r : s.regions) {
        for (size_t f = 0; f < kFailureNames.size(); ++f)
            w.sample("meridian_upstream_failures_total",
                     {{"region", r.name.toUtf8()}, {"kind", kFailureNames[f].toByteArray()}},
                     QByteArray::number(r.failures[f]));
    }

    w.family("meridian_in_flight_requests", "gauge", "Requests being relayed to a region right now.");
    for (const auto &r : s.regions)
        w.sample("meridian_in_flight_requests", {{"region", r.name.toUtf8()}}, QByteArray::number(r.inFlight));

    w.family("meridian_client_connections_accepted_total", "counter", "Client connections accepted.");
    w.sample("meridian_client_connections_accepted_total", {}, QByteArray::number(s.connectionsAccepted));
    w.family("meridian_client_connections", "gauge", "Client connections open now.");
    w.sample("meridian_client_connections", {}, QByteArray::number(s.connectionsOpen));
    w.family("meridian_http_protocol_errors_total", "counter",
             "Client requests refused as malformed, too large or too slow.");
    w.sample("meridian_http_protocol_errors_total", {}, QByteArray::number(s.protocolErrors));
    w.family("meridian_upstream_connections_opened_total", "counter", "Upstream connections opened.");
    w.sample("meridian_upstream_connections_opened_total", {}, QByteArray::number(s.upstreamConnectionsOpened));
    w.family("meridian_upstream_connections_reused_total", "counter",
             "Upstream exchanges carried on an already open keep-alive connection.");
    w.sample("meridian_upstream_connections_reused_total", {}, QByteArray::number(s.upstreamConnectionsReused));
    w.family("meridian_worker_threads", "gauge", "Data-plane worker threads.");
    w.sample("meridian_worker_threads", {}, QByteArray::number(s.workers));
    if (control)
        renderControl(w, *control);
    return w.take();
}

} // namespace meridian::telemetry
