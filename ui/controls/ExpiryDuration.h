#pragma once

#include <QString>

// The expiry field of the override dialogs and the countdown of the overrides table. Every
// override ends by itself (Route 53 ARC's zonal shift rule), so the operator types how long
// it lasts; the gateway accepts "90s", "30m", "2h" or seconds, nothing compound, so the console
// parses the friendlier input itself and sends one canonical unit.
namespace meridian::ui {

// The gateway's ceiling for an override (routing::OverrideSettings::maxDurationMs).
inline constexpr qint64 kMaxExpiryMs = 7LL * 24 * 3600 * 1000;

struct ParsedDuration final {
    qint64 ms = 0;
    QString problem; // a plain sentence for the operator; empty when ms is good
    bool ok() const { return problem.isEmpty(); }
};

// "30m", "30 min", "1h30m", "1 h 30 min", "1.5h", "90s", "2d": one or more number+unit parts.
// A bare number is refused rather than guessed (minutes? seconds?).
ParsedDuration parseDuration(const QString &text);

// The gateway's spelling of a duration: the largest unit that divides it ("90m", "2h", "45s").
QString durationForApi(qint64 ms);

// For people: "1 h 30 min", "45 s", "2 d 3 h".
QString durationLabel(qint64 ms);

// A countdown: "29:41", "1:05:00"; a second still started counts ("0:01" until it is over),
// and an expired or negative time shows "0:00".
QString expiryText(qint64 msLeft);

} // namespace meridian::ui
