#pragma once

#include <QString>
#include <QtGlobal>

namespace meridian::config {

// `history:` — the SQLite history store (core/store) the gateway keeps its routing events,
// operator actions, alert transitions, sampled decisions and per-second metrics in.
struct HistorySettings final {
    bool enabled = true;
    QString path; // empty: <user data dir>/meridian/history.sqlite (XDG_DATA_HOME)
    // Share of requests whose routing decision is recorded (0..1). Requests served by other
    // than their first choice, and failed ones, are always recorded.
    double decisionSampleRate = 0.01;
    int queueCapacity = 10'000;  // rows waiting for the writer; beyond it rows are dropped and counted
    qint64 maxSizeBytes = 0;     // cap on the database file; 0: none (the disk is the limit)
    // Retention per kind of row, ms (0: forever).
    qint64 routingEventsMs = 90LL * 24 * 3'600'000;
    qint64 auditMs = 400LL * 24 * 3'600'000;
    qint64 alertsMs = 90LL * 24 * 3'600'000;
    qint64 decisionsMs = 7LL * 24 * 3'600'000;
    qint64 metrics1sMs = 3'600'000;
    qint64 metrics10sMs = 24LL * 3'600'000;
    qint64 metrics1mMs = 30LL * 24 * 3'600'000;
    qint64 metrics1hMs = 400LL * 24 * 3'600'000;
};

} // namespace meridian::config
