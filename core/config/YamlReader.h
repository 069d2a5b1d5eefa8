#pragma once

#include "core/common/Result.h"
#include "core/config/GatewayConfig.h"

#include <QByteArray>
#include <QLatin1String>
#include <QString>
#include <QStringList>

#include <exception>
#include <initializer_list>
#include <optional>
#include <string>
#include <yaml-cpp/yaml.h>

namespace meridian::config {

// One key/value pair of a mapping, with the dotted path used in messages.
struct YamlEntry final {
    QString key;  // "timeouts"
    QString path; // dotted path for messages, "regions[2].timeouts"
    YAML::Node keyNode;
    YAML::Node value;

    // An empty value's mark points at whatever follows it (often the next line), so this is
    // the key's mark when the value is null.
    YAML::Mark valueMark() const;
};

using YamlKeys = std::initializer_list<QLatin1String>;

// Walks a YAML tree, stopping at the first problem; every get*/expect* returns false after
// recording "DISPLAYNAME:LINE:COLUMN: message" (1-based) in error(), so callers just propagate.
// A get* leaves its `out` untouched when it fails, so defaults survive a refused value.
class YamlReader final {
public:
    // `displayName` starts every message (usually the file's path); relative paths read with
    // getPath() resolve against `baseDir`.
    YamlReader(QString displayName, QString baseDir);

    // Parses a whole document; on a syntax error records file:line:col and returns false.
    // Refuses a stream of several documents. An empty document (nothing, or only comments)
    // gives a null `root` and true: whether that is an error is the caller's call.
    // Never throws.
    bool parseDocument(const QByteArray &yaml, YAML::Node &root);

    // Records "DISPLAYNAME:LINE:COLUMN: message" and returns false. A null mark gives 1:1.
    bool fail(const YAML::Mark &mark, const QString &message);
    // Records an exception thrown while walking a tree (yaml-cpp's carry a mark) and returns
    // false; for callers that wrap their own walk in try/catch.
    bool failFromException(const std::exception &e);
    const QString &error() const { return m_error; }
    const QString &displayName() const { return m_displayName; }
    const QString &baseDir() const { return m_baseDir; }

    // Calls handle(const YamlEntry &) -> bool for each pair of `map` (a mapping, or null for
    // none; check with expectMapping() first), stopping at the first false. `context` is the
    // map's own path ("" at the top level). Unknown keys get "unknown key ... (allowed: ...);
    // did you mean ...?"; duplicates are refused.
    template <typename Handler>
    bool forEachEntry(const YAML::Node &map, const QString &context, YamlKeys allowed, Handler &&handle);
    // Same for a sequence: calls handle(const YAML::Node &item, const QString &itemPath
    // /* "regions[3]" */, int index) -> bool. Fails unless `e` is a sequence (null = empty).
    template <typename Handler> bool forEachItem(const YamlEntry &e, Handler &&handle);

    bool expectMapping(const YamlEntry &e);  // mapping or null
    bool expectSequence(const YamlEntry &e); // sequence or null
    // "regions[1]: missing required key \"name\"" at the map's mark, for the first of
    // `required` (in that order) that `map` lacks. Call after forEachEntry() so that a
    // misspelt key is reported as such rather than as missing.
    bool requireKeys(const YAML::Node &map, const QString &context, YamlKeys required);

    bool getString(const YamlEntry &e, QString &out); // null reads as ""
    bool getNonEmptyString(const YamlEntry &e, QString &out);
    bool getBool(const YamlEntry &e, bool &out); // true/false/yes/no/on/off (yaml-cpp's rules)
    bool getInteger(const YamlEntry &e, qint64 min, qint64 max, qint64 &out);
    bool getInt(const YamlEntry &e, int min, int max, int &out);
    bool getReal(const YamlEntry &e, double min, double max, double &out); // max = DBL_MAX: ">= min"
    bool getFraction(const YamlEntry &e, double &out);        // a number in (0, 1]
    // One of `choices` (case-sensitive); `index` is its position. A near miss gets a
    // "did you mean" hint, as unknown keys do.
    bool getChoice(const YamlEntry &e, YamlKeys choices, int &index);
    bool getSize(const YamlEntry &e, qint64 &out);            // positive; "10MiB", "64KiB", "512B", "1GiB", bytes
    bool getDuration(const YamlEntry &e, qint64 &out);        // ms; positive only (parseDurationMs, ConfigLoader.h)
    bool getDurationOrZero(const YamlEntry &e, qint64 &out);  // ms; also allows "0s"/"0"
    bool getEnvVarName(const YamlEntry &e, QString &out);     // [A-Za-z_][A-Za-z0-9_]* or empty
    bool getPath(const YamlEntry &e, QString &out);           // relative to baseDir; null reads as ""
    bool getStringList(const YamlEntry &e, QStringList &out); // sequence of non-empty scalars (null = empty)
    bool getGeoPoint(const YamlEntry &e, GeoPoint &out);      // {lat: -90..90, lon: -180..180}, both required

    static QString describe(const YAML::Node &node); // "a mapping", "\"text\"", ...
    static QString fromStd(const std::string &s);
    // Strict decimal integer: no sign other than a leading '-', no spaces, no hex, no exponent.
    static std::optional<qint64> toInteger(const std::string &s);

private:
    // Checks one key of forEachEntry(): a scalar, allowed, not seen before.
    bool acceptKey(const YAML::Node &keyNode, const QString &context, YamlKeys allowed, QStringList &seen,
                   QString &key);
    bool readDuration(const YamlEntry &e, bool allowZero, qint64 &out);
    static QString childPath(const QString &context, const QString &key);
    static QString itemPath(const QString &path, int index);

    QString m_displayName;
    QString m_baseDir;
    QString m_error;
};

// Reads a config-sized file (cap 4 MiB), refusing directories, unreadable and oversize files
// with "PATH: cannot read: reason". Error::code "config".
Result<QByteArray> readConfigFile(const QString &path);

template <typename Handler>
bool YamlReader::forEachEntry(const YAML::Node &map, const QString &context, YamlKeys allowed, Handler &&handle)
{
    QStringList seen;
    for (auto it = map.begin(); it != map.end(); ++it) {
        QString key;
        if (!acceptKey(it->first, context, allowed, seen, key))
            return false;
        const YamlEntry entry{key, childPath(context, key), it->first, it->second};
        if (!handle(entry))
            return false;
    }
    return true;
}

template <typename Handler> bool YamlReader::forEachItem(const YamlEntry &e, Handler &&handle)
{
    if (!expectSequence(e))
        return false;
    int index = 0;
    for (const YAML::Node &item : e.value) {
        if (!handle(item, itemPath(e.path, index), index))
            return false;
        ++index;
    }
    return true;
}

} // namespace meridian::config
