#pragma once

#include <QString>
#include <QtGlobal>

namespace meridian {

enum class DurationStyle {
    Compact, // "1h 30m", "2d 4h": messages and logs
    Spaced,  // "1 h 30 min": the console's labels
};

// A duration for people, largest units first, zero units left out; under a second in ms.
// Negative durations read as 0 ms.
QString durationText(qint64 ms, DurationStyle style = DurationStyle::Compact);

} // namespace meridian
