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

} // namespace

QByteArray renderPrometheus(const GatewaySnapshot &s, QByteArrayView version)
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
    for (const auto *r : figures) {
        const QByteArray region = r->name.toUtf8();
        quint64 cumulative = 0;
        for (size_t b = 0; b < r->latencyBuckets.size(); ++b) {
            cumulative += r->latencyBuckets[b];
            const QByteArray le = b < kLatencyBounds.size() ? number(kLatencyBounds[b]) : QByteArray("+Inf");
            w.sample("meridian_request_duration_seconds_bucket", {{"region", region}, {"le", le}},
                     QByteArray::number(cumulative));
        }
        w.sample("meridian_request_duration_seconds_sum", {{"region", region}}, number(r->latencySecondsSum));
        w.sample("meridian_request_duration_seconds_count", {{"region", region}}, QByteArray::number(cumulative));
    }

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
    return w.take();
}

} // namespace meridian::telemetry
