#pragma once

#include "core/store/HistoryRows.h"
#include "core/store/SqliteConnection.h"

#include <QString>
#include <QVariant>

// Rows and raw SQL for the history-store tests.
namespace meridian::test {

inline constexpr qint64 kT0 = 1'700'000'000'000; // 2023-11-14T22:13:20Z
inline constexpr qint64 kMinute = 60'000;
inline constexpr qint64 kHour = 3'600'000;
inline constexpr qint64 kDay = 24 * kHour;

inline store::RoutingEventRow eventAt(qint64 timeMs, const QString &from = QStringLiteral("us-east-1"),
                                      const QString &to = QStringLiteral("us-west-2"),
                                      const QString &kind = QStringLiteral("failover"),
                                      const QString &reason = QStringLiteral("unhealthy"))
{
    store::RoutingEventRow e;
    e.timeMs = timeMs;
    e.kind = kind;
    e.from = from;
    e.to = to;
    e.reason = reason;
    e.geo = QStringLiteral("US");
    e.model = QStringLiteral("meta-llama/Llama-3.1-70B-Instruct");
    return e;
}

inline store::AuditRow auditAt(qint64 timeMs, const QString &action = QStringLiteral("drain"),
                               const QString &target = QStringLiteral("eu-west-1"))
{
    store::AuditRow a;
    a.timeMs = timeMs;
    a.actor = QStringLiteral("alice");
    a.action = action;
    a.target = target;
    a.reason = QStringLiteral("kernel upgrade");
    a.untilMs = timeMs + kHour;
    a.result = QStringLiteral("applied");
    return a;
}

inline store::AlertRow alertAt(qint64 timeMs, const QString &rule = QStringLiteral("high_ttft"),
                               const QString &region = QStringLiteral("ap-south-1"),
                               const QString &toState = QStringLiteral("firing"))
{
    store::AlertRow a;
    a.timeMs = timeMs;
    a.rule = rule;
    a.region = region;
    a.fromState = QStringLiteral("pending");
    a.toState = toState;
    a.value = 2.5;
    a.threshold = 2.0;
    a.message = QStringLiteral("TTFT p95 above 2 s for 5 min");
    return a;
}

inline store::DecisionRow decisionAt(qint64 timeMs, const QString &requestId = QStringLiteral("req-1"),
                                     const QString &target = QStringLiteral("us-east-1"))
{
    store::DecisionRow d;
    d.timeMs = timeMs;
    d.requestId = requestId;
    d.geo = QStringLiteral("US");
    d.model = QStringLiteral("meta-llama/Llama-3.1-70B-Instruct");
    d.target = target;
    d.reason = QStringLiteral("nearest");
    d.attempts = 1;
    d.status = 200;
    d.latencyMs = 123.5;
    return d;
}

inline store::MetricSample sampleAt(qint64 timeMs, double value, const QString &region = QStringLiteral("us-east-1"),
                                    const QString &metric = QStringLiteral("vllm:num_requests_running"))
{
    return store::MetricSample{timeMs, region, metric, value};
}

// A value from one SQL statement on a fresh read-only connection ("" on error, with a warning).
inline QVariant sqlValue(const QString &path, const QString &sql)
{
    auto c = store::SqliteConnection::open(path, store::SqliteConnection::Mode::ReadOnly, 2'000);
    if (!c) {
        qWarning("%s", qUtf8Printable(c.error().message));
        return QVariant();
    }
    const Result<QVariant> v = c.value()->scalar(sql);
    if (!v) {
        qWarning("%s", qUtf8Printable(v.error().message));
        return QVariant();
    }
    return v.value();
}

inline qint64 rowCount(const QString &path, const QString &table)
{
    return sqlValue(path, QStringLiteral("SELECT count(*) FROM ") + table).toLongLong();
}

} // namespace meridian::test
