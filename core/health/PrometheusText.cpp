#include "core/health/PrometheusText.h"

#include <QString>

#include <charconv>
#include <cmath>
#include <limits>

namespace meridian::health {
namespace {

bool isNameStart(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
}

bool isNameChar(char c)
{
    return isNameStart(c) || (c >= '0' && c <= '9');
}

std::optional<double> parseValue(QByteArrayView text)
{
    if (text == "NaN")
        return std::numeric_limits<double>::quiet_NaN();
    if (text == "+Inf" || text == "Inf")
        return std::numeric_limits<double>::infinity();
    if (text == "-Inf")
        return -std::numeric_limits<double>::infinity();
    double v = 0;
    const char *begin = text.data();
    const char *end = begin + text.size();
    if (!text.isEmpty() && *begin == '+')
        ++begin;
    const auto [ptr, ec] = std::from_chars(begin, end, v);
    if (ec != std::errc() || ptr != end || begin == end)
        return std::nullopt;
    return v;
}

// One sample line; false when it is not well-formed.
bool parseLine(QByteArrayView line, MetricSample &out)
{
    qsizetype i = 0;
    const qsizetype n = line.size();
    if (n == 0 || !isNameStart(line.at(0)))
        return false;
    while (i < n && isNameChar(line.at(i)))
        ++i;
    out.name = line.first(i).toByteArray();
    out.labels.clear();
    if (i < n && line.at(i) == '{') {
        ++i;
        while (true) {
            while (i < n && line.at(i) == ' ')
                ++i;
            if (i < n && line.at(i) == '}') {
                ++i;
                break;
            }
            const qsizetype nameStart = i;
            while (i < n && isNameChar(line.at(i)))
                ++i;
            if (i == nameStart || i + 1 >= n || line.at(i) != '=' || line.at(i + 1) != '"')
                return false;
            QByteArray labelName = line.sliced(nameStart, i - nameStart).toByteArray();
            i += 2;
            QByteArray value;
            bool closed = false;
            while (i < n) {
                const char c = line.at(i++);
                if (c == '"') {
                    closed = true;
                    break;
                }
                if (c == '\\' && i < n) {
                    const char e = line.at(i++);
                    value.append(e == 'n' ? '\n' : e);
                } else {
                    value.append(c);
                }
            }
            if (!closed)
                return false;
            out.labels.emplace_back(std::move(labelName), std::move(value));
            if (i < n && line.at(i) == ',')
                ++i;
            else if (i < n && line.at(i) == '}') {
                ++i;
                break;
            } else {
                return false;
            }
        }
    }
    if (i >= n || (line.at(i) != ' ' && line.at(i) != '\t'))
        return false;
    while (i < n && (line.at(i) == ' ' || line.at(i) == '\t'))
        ++i;
    qsizetype end = i;
    while (end < n && line.at(end) != ' ' && line.at(end) != '\t')
        ++end;
    const std::optional<double> value = parseValue(line.sliced(i, end - i));
    if (!value)
        return false;
    out.value = *value;
    // An optional timestamp (integer milliseconds) may follow; nothing else may.
    while (end < n && (line.at(end) == ' ' || line.at(end) == '\t'))
        ++end;
    if (end < n) {
        qint64 ts = 0;
        const char *b = line.data() + end;
        const char *e = line.data() + n;
        const auto [ptr, ec] = std::from_chars(b, e, ts);
        if (ec != std::errc() || ptr != e)
            return false;
    }
    return true;
}

} // namespace

QByteArray MetricSample::label(QByteArrayView labelName) const
{
    for (const auto &[k, v] : labels) {
        if (k == labelName)
            return v;
    }
    return {};
}

Result<std::vector<MetricSample>> parsePrometheusText(QByteArrayView text, qsizetype maxSamples)
{
    std::vector<MetricSample> samples;
    qsizetype lineNo = 0;
    qsizetype pos = 0;
    while (pos < text.size()) {
        qsizetype eol = text.indexOf('\n', pos);
        if (eol < 0)
            eol = text.size();
        QByteArrayView line = text.sliced(pos, eol - pos);
        pos = eol + 1;
        ++lineNo;
        if (line.endsWith('\r'))
            line.chop(1);
        line = line.trimmed();
        if (line.isEmpty() || line.startsWith('#'))
            continue;
        MetricSample sample;
        if (!parseLine(line, sample))
            return Error{QStringLiteral("metrics"), QStringLiteral("line %1: not a Prometheus sample").arg(lineNo)};
        if (static_cast<qsizetype>(samples.size()) >= maxSamples)
            return Error{QStringLiteral("metrics"), QStringLiteral("more than %1 samples").arg(maxSamples)};
        samples.push_back(std::move(sample));
    }
    return samples;
}

} // namespace meridian::health
