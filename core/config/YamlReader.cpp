#include "core/config/YamlReader.h"

#include "core/config/ConfigLoader.h" // declares parseDurationMs, defined here

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <system_error>
#include <utility>
#include <vector>

namespace meridian::config {
namespace {

// A config file is a few kilobytes; the cap keeps a mistaken path (/dev/zero, a log file)
// from eating memory before the parser can complain.
constexpr qint64 kMaxConfigBytes = qint64{4} * 1024 * 1024;

// Anything larger is a typo, and staying well below 2^53 keeps the double → integer
// conversions in the duration parser exact.
constexpr double kMaxDurationMs = 1e15;

std::optional<double> toReal(const std::string &s)
{
    double v = 0;
    const char *end = s.data() + s.size();
    const auto [ptr, ec] = std::from_chars(s.data(), end, v);
    if (s.empty() || ec != std::errc() || ptr != end || !std::isfinite(v))
        return std::nullopt;
    return v;
}

// "10MiB", "64KiB", "512B", "1GiB" or a bare byte count.
std::optional<qint64> parseSizeBytes(const QString &text)
{
    static const QRegularExpression re(QStringLiteral("^([0-9]+)\\s*(B|KiB|MiB|GiB)?$"));
    const QRegularExpressionMatch m = re.match(text.trimmed());
    if (!m.hasMatch())
        return std::nullopt;
    const std::optional<qint64> count = YamlReader::toInteger(m.captured(1).toStdString());
    if (!count)
        return std::nullopt;
    const QString unit = m.captured(2);
    int shift = 0;
    if (unit == QLatin1String("KiB"))
        shift = 10;
    else if (unit == QLatin1String("MiB"))
        shift = 20;
    else if (unit == QLatin1String("GiB"))
        shift = 30;
    if (*count > (std::numeric_limits<qint64>::max() >> shift))
        return std::nullopt;
    return *count << shift;
}

// Levenshtein distance, for "did you mean" hints on misspelt keys.
int editDistance(const QString &a, const QString &b)
{
    std::vector<int> prev(static_cast<size_t>(b.size()) + 1);
    std::vector<int> cur(prev.size());
    for (size_t j = 0; j < prev.size(); ++j)
        prev[j] = static_cast<int>(j);
    for (qsizetype i = 1; i <= a.size(); ++i) {
        cur[0] = static_cast<int>(i);
        for (qsizetype j = 1; j <= b.size(); ++j) {
            const auto uj = static_cast<size_t>(j);
            const int subst = prev[uj - 1] + (a.at(i - 1) == b.at(j - 1) ? 0 : 1);
            cur[uj] = std::min({prev[uj] + 1, cur[uj - 1] + 1, subst});
        }
        std::swap(prev, cur);
    }
    return prev.back();
}

// The closest of `candidates` to `key`, if it is a near miss; empty otherwise.
QString nearMiss(const QString &key, YamlKeys candidates)
{
    QString suggestion;
    int best = 3; // suggest only near misses
    for (const QLatin1String k : candidates) {
        const QString candidate = QString(k);
        const int d = editDistance(key, candidate);
        if (d < best) {
            best = d;
            suggestion = candidate;
        }
    }
    return suggestion;
}

bool isEnvVarName(const QString &name)
{
    static const QRegularExpression re(QStringLiteral("^[A-Za-z_][A-Za-z0-9_]*$"));
    return re.match(name).hasMatch();
}

Error configError(const QString &message)
{
    return Error{QStringLiteral("config"), message};
}

} // namespace

YAML::Mark YamlEntry::valueMark() const
{
    return value.IsNull() ? keyNode.Mark() : value.Mark();
}

YamlReader::YamlReader(QString displayName, QString baseDir)
    : m_displayName(std::move(displayName)), m_baseDir(std::move(baseDir))
{
}

bool YamlReader::parseDocument(const QByteArray &yaml, YAML::Node &root)
{
    try {
        const std::vector<YAML::Node> docs =
            YAML::LoadAll(std::string(yaml.constData(), static_cast<size_t>(yaml.size())));
        if (docs.empty()) {
            root.reset();
            return true;
        }
        // A null first document comes back as is even with more after it, so the caller's
        // "empty" message wins over "only one document".
        if (!docs.front().IsNull() && docs.size() > 1)
            return fail(docs[1].Mark(), QStringLiteral("only one YAML document is allowed"));
        root.reset(docs.front());
        return true;
    } catch (const std::exception &e) {
        return failFromException(e);
    }
}

bool YamlReader::fail(const YAML::Mark &mark, const QString &message)
{
    // A null mark (-1) only comes from nodes the parser did not read; 1:1 keeps the format.
    const int line = std::max(mark.line, 0) + 1;
    const int column = std::max(mark.column, 0) + 1;
    m_error = m_displayName + QLatin1Char(':') + QString::number(line) + QLatin1Char(':') + QString::number(column) +
              QStringLiteral(": ") + message;
    return false;
}

bool YamlReader::failFromException(const std::exception &e)
{
    if (const auto *yamlError = dynamic_cast<const YAML::Exception *>(&e))
        return fail(yamlError->mark, fromStd(yamlError->msg));
    return fail(YAML::Mark(), QString::fromLocal8Bit(e.what()));
}

bool YamlReader::acceptKey(const YAML::Node &keyNode, const QString &context, YamlKeys allowed, QStringList &seen,
                           QString &key)
{
    const QString where = context.isEmpty() ? QStringLiteral("at the top level") : QStringLiteral("in ") + context;
    if (!keyNode.IsScalar())
        return fail(keyNode.Mark(), QStringLiteral("expected a key name %1, got %2").arg(where, describe(keyNode)));
    key = fromStd(keyNode.Scalar());
    const QString &name = key;
    const bool known = std::any_of(allowed.begin(), allowed.end(), [&name](QLatin1String k) { return name == k; });
    if (!known) {
        QStringList names;
        for (const QLatin1String k : allowed)
            names.append(QString(k));
        const QString suggestion = nearMiss(key, allowed);
        QString msg =
            QStringLiteral("unknown key \"%1\" %2 (allowed: %3)").arg(key, where, names.join(QStringLiteral(", ")));
        if (!suggestion.isEmpty())
            msg += QStringLiteral("; did you mean \"%1\"?").arg(suggestion);
        return fail(keyNode.Mark(), msg);
    }
    if (seen.contains(key))
        return fail(keyNode.Mark(), QStringLiteral("duplicate key \"%1\" %2").arg(key, where));
    seen.append(key);
    return true;
}

QString YamlReader::childPath(const QString &context, const QString &key)
{
    return context.isEmpty() ? key : context + QLatin1Char('.') + key;
}

QString YamlReader::itemPath(const QString &path, int index)
{
    return path + QLatin1Char('[') + QString::number(index) + QLatin1Char(']');
}

bool YamlReader::expectMapping(const YamlEntry &e)
{
    if (e.value.IsMap() || e.value.IsNull())
        return true;
    return fail(e.valueMark(), QStringLiteral("%1: expected a mapping, got %2").arg(e.path, describe(e.value)));
}

bool YamlReader::expectSequence(const YamlEntry &e)
{
    if (e.value.IsSequence() || e.value.IsNull())
        return true;
    return fail(e.valueMark(), QStringLiteral("%1: expected a sequence, got %2").arg(e.path, describe(e.value)));
}

bool YamlReader::requireKeys(const YAML::Node &map, const QString &context, YamlKeys required)
{
    for (const QLatin1String key : required) {
        bool present = false;
        for (auto it = map.begin(); it != map.end() && !present; ++it)
            present = it->first.IsScalar() && fromStd(it->first.Scalar()) == key;
        if (!present) {
            const QString message = QStringLiteral("missing required key \"%1\"").arg(key);
            return fail(map.Mark(), context.isEmpty() ? message : context + QStringLiteral(": ") + message);
        }
    }
    return true;
}

bool YamlReader::getString(const YamlEntry &e, QString &out)
{
    // An empty value (`key:`) reads as "", so a section commented out leaves a valid file.
    if (e.value.IsNull()) {
        out.clear();
        return true;
    }
    if (!e.value.IsScalar())
        return fail(e.valueMark(), QStringLiteral("%1: expected a string, got %2").arg(e.path, describe(e.value)));
    out = fromStd(e.value.Scalar());
    return true;
}

bool YamlReader::getNonEmptyString(const YamlEntry &e, QString &out)
{
    if (!e.value.IsScalar() || e.value.Scalar().empty())
        return fail(e.valueMark(),
                    QStringLiteral("%1: expected a non-empty string, got %2").arg(e.path, describe(e.value)));
    out = fromStd(e.value.Scalar());
    return true;
}

bool YamlReader::getBool(const YamlEntry &e, bool &out)
{
    bool v = false;
    if (!e.value.IsScalar() || !YAML::convert<bool>::decode(e.value, v))
        return fail(e.valueMark(), QStringLiteral("%1: expected true or false, got %2").arg(e.path, describe(e.value)));
    out = v;
    return true;
}

bool YamlReader::getInteger(const YamlEntry &e, qint64 min, qint64 max, qint64 &out)
{
    const QString range = QStringLiteral("an integer in %1..%2").arg(QString::number(min), QString::number(max));
    std::optional<qint64> v;
    if (e.value.IsScalar())
        v = toInteger(e.value.Scalar());
    if (!v || *v < min || *v > max)
        return fail(e.valueMark(), QStringLiteral("%1: expected %2, got %3").arg(e.path, range, describe(e.value)));
    out = *v;
    return true;
}

bool YamlReader::getInt(const YamlEntry &e, int min, int max, int &out)
{
    qint64 v = 0;
    if (!getInteger(e, min, max, v))
        return false;
    out = static_cast<int>(v);
    return true;
}

bool YamlReader::getReal(const YamlEntry &e, double min, double max, double &out)
{
    const QString range = max == std::numeric_limits<double>::max()
                              ? QStringLiteral("a number >= %1").arg(min)
                              : QStringLiteral("a number in [%1, %2]").arg(min).arg(max);
    std::optional<double> v;
    if (e.value.IsScalar())
        v = toReal(e.value.Scalar());
    if (!v || *v < min || *v > max)
        return fail(e.valueMark(), QStringLiteral("%1: expected %2, got %3").arg(e.path, range, describe(e.value)));
    out = *v;
    return true;
}

bool YamlReader::getFraction(const YamlEntry &e, double &out)
{
    std::optional<double> v;
    if (e.value.IsScalar())
        v = toReal(e.value.Scalar());
    if (!v || *v <= 0 || *v > 1)
        return fail(e.valueMark(),
                    QStringLiteral("%1: expected a fraction in (0, 1], got %2").arg(e.path, describe(e.value)));
    out = *v;
    return true;
}

bool YamlReader::getChoice(const YamlEntry &e, YamlKeys choices, int &index)
{
    QStringList names;
    for (const QLatin1String c : choices)
        names.append(QString(c));
    if (e.value.IsScalar()) {
        const qsizetype found = names.indexOf(fromStd(e.value.Scalar()));
        if (found >= 0) {
            index = static_cast<int>(found);
            return true;
        }
    }
    QString msg = QStringLiteral("%1: expected one of %2, got %3")
                      .arg(e.path, names.join(QStringLiteral(", ")), describe(e.value));
    if (e.value.IsScalar()) {
        const QString suggestion = nearMiss(fromStd(e.value.Scalar()), choices);
        if (!suggestion.isEmpty())
            msg += QStringLiteral("; did you mean \"%1\"?").arg(suggestion);
    }
    return fail(e.valueMark(), msg);
}

bool YamlReader::getSize(const YamlEntry &e, qint64 &out)
{
    std::optional<qint64> v;
    if (e.value.IsScalar())
        v = parseSizeBytes(fromStd(e.value.Scalar()));
    if (!v || *v <= 0)
        return fail(e.valueMark(),
                    QStringLiteral("%1: expected a positive size (bytes, or e.g. 512B, 64KiB, 10MiB, 1GiB), got %2")
                        .arg(e.path, describe(e.value)));
    out = *v;
    return true;
}

bool YamlReader::readDuration(const YamlEntry &e, bool allowZero, qint64 &out)
{
    std::optional<qint64> v;
    if (e.value.IsScalar())
        v = parseDurationMs(fromStd(e.value.Scalar()));
    if (v && (*v > 0 || (allowZero && *v == 0))) {
        out = *v;
        return true;
    }
    if (allowZero)
        return fail(e.valueMark(),
                    QStringLiteral("%1: expected a duration (e.g. 0s, 250ms, 5s, 2m, 1h, or seconds), got %2")
                        .arg(e.path, describe(e.value)));
    return fail(e.valueMark(),
                QStringLiteral("%1: expected a positive duration (e.g. 250ms, 5s, 2m, 1h, or seconds), got %2")
                    .arg(e.path, describe(e.value)));
}

bool YamlReader::getDuration(const YamlEntry &e, qint64 &out)
{
    // A zero deadline would fail every exchange at once; there is no "unlimited" spelling.
    return readDuration(e, false, out);
}

bool YamlReader::getDurationOrZero(const YamlEntry &e, qint64 &out)
{
    return readDuration(e, true, out);
}

bool YamlReader::getEnvVarName(const YamlEntry &e, QString &out)
{
    QString name;
    if (!getString(e, name))
        return false;
    if (!name.isEmpty() && !isEnvVarName(name))
        return fail(
            e.valueMark(),
            QStringLiteral("%1: expected the name of an environment variable ([A-Za-z_][A-Za-z0-9_]*), not a value")
                .arg(e.path));
    out = std::move(name);
    return true;
}

bool YamlReader::getPath(const YamlEntry &e, QString &out)
{
    QString path;
    if (!getString(e, path))
        return false;
    out = path.isEmpty() ? path : QDir::cleanPath(QDir(m_baseDir).filePath(path));
    return true;
}

bool YamlReader::getStringList(const YamlEntry &e, QStringList &out)
{
    QStringList items;
    const bool ok = forEachItem(e, [&](const YAML::Node &item, const QString &path, int) {
        // An empty item's mark points at the next one; the sequence's is less misleading.
        if (!item.IsScalar() || item.Scalar().empty())
            return fail(item.IsNull() ? e.value.Mark() : item.Mark(),
                        QStringLiteral("%1: expected a non-empty string, got %2").arg(path, describe(item)));
        items.append(fromStd(item.Scalar()));
        return true;
    });
    if (!ok)
        return false;
    out = std::move(items);
    return true;
}

QString YamlReader::describe(const YAML::Node &node)
{
    switch (node.Type()) {
    case YAML::NodeType::Map:
        return QStringLiteral("a mapping");
    case YAML::NodeType::Sequence:
        return QStringLiteral("a sequence");
    case YAML::NodeType::Scalar:
        return QLatin1Char('"') + fromStd(node.Scalar()) + QLatin1Char('"');
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
        break;
    }
    return QStringLiteral("nothing");
}

QString YamlReader::fromStd(const std::string &s)
{
    return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size()));
}

std::optional<qint64> YamlReader::toInteger(const std::string &s)
{
    qint64 v = 0;
    const char *end = s.data() + s.size();
    const auto [ptr, ec] = std::from_chars(s.data(), end, v);
    if (s.empty() || ec != std::errc() || ptr != end)
        return std::nullopt;
    return v;
}

Result<QByteArray> readConfigFile(const QString &path)
{
    QFile file(path);
    if (QFileInfo(path).isDir())
        return configError(path + QStringLiteral(": cannot read: is a directory"));
    if (!file.open(QIODevice::ReadOnly))
        return configError(path + QStringLiteral(": cannot read: ") + file.errorString());
    QByteArray data = file.read(kMaxConfigBytes + 1);
    if (file.error() != QFileDevice::NoError)
        return configError(path + QStringLiteral(": cannot read: ") + file.errorString());
    if (data.size() > kMaxConfigBytes)
        return configError(path + QStringLiteral(": cannot read: larger than %1 bytes").arg(kMaxConfigBytes));
    return data;
}

std::optional<qint64> parseDurationMs(const QString &text)
{
    static const QRegularExpression re(QStringLiteral("^([0-9]+(?:\\.[0-9]+)?)(ms|s|m|h|d)?$"));
    const QRegularExpressionMatch m = re.match(text.trimmed());
    if (!m.hasMatch())
        return std::nullopt;
    const std::optional<double> number = toReal(m.captured(1).toStdString());
    if (!number)
        return std::nullopt;
    const QString unit = m.captured(2);
    double factor = 1000; // bare number: seconds
    if (unit == QLatin1String("ms"))
        factor = 1;
    else if (unit == QLatin1String("m"))
        factor = 60'000;
    else if (unit == QLatin1String("h"))
        factor = 3'600'000;
    else if (unit == QLatin1String("d"))
        factor = 86'400'000;
    const double ms = *number * factor;
    if (ms > kMaxDurationMs)
        return std::nullopt;
    return static_cast<qint64>(std::llround(ms));
}

bool YamlReader::getGeoPoint(const YamlEntry &e, GeoPoint &out)
{
    static const YamlKeys kLocationKeys = {QLatin1String("lat"), QLatin1String("lon")};
    if (!e.value.IsMap())
        return fail(e.valueMark(), QStringLiteral("%1: expected a mapping {lat: ..., lon: ...}, got %2").arg(e.path, describe(e.value)));
    GeoPoint point;
    const bool ok = forEachEntry(e.value, e.path, kLocationKeys, [&](const YamlEntry &c) {
        if (c.key == QLatin1String("lat"))
            return getReal(c, -90, 90, point.lat);
        return getReal(c, -180, 180, point.lon);
    });
    if (!ok || !requireKeys(e.value, e.path, kLocationKeys))
        return false;
    out = point;
    return true;
}

} // namespace meridian::config
