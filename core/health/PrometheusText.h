#pragma once

#include "core/common/Result.h"

#include <QByteArray>
#include <QByteArrayView>

#include <utility>
#include <vector>

namespace meridian::health {

struct MetricSample final {
    QByteArray name;
    std::vector<std::pair<QByteArray, QByteArray>> labels; // in the order given
    double value = 0;

    QByteArray label(QByteArrayView name) const; // empty when absent
};

// Parses the Prometheus text exposition format (version 0.0.4), as vLLM and dcgm-exporter
// serve it: comment, HELP and TYPE lines are skipped; a sample is a name, optional
// {labels} with \" \\ \n escapes, a value (with NaN, +Inf, -Inf) and an optional timestamp.
// A malformed line is an Error naming its line number; more than `maxSamples` samples is
// an error too, so a misbehaving target cannot make a scrape unbounded. Pure; any thread.
Result<std::vector<MetricSample>> parsePrometheusText(QByteArrayView text, qsizetype maxSamples = 200'000);

} // namespace meridian::health
