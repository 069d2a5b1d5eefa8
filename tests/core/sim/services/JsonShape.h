#pragma once

#include "tests/support/TestPaths.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonValue>
#include <QStringList>

// Compares the shape of a JSON value with a fixture taken from the published API docs: the
// same field names and the same JSON types, recursively. Values may differ (ids, text,
// counts). Arrays: every element of `actual` is compared with the fixture's first element.
namespace meridian::test::shape {

enum class Keys {
    Exact,   // the same field names
    Superset // at least the fixture's field names (a server may add some)
};

inline QString typeName(const QJsonValue &v)
{
    switch (v.type()) {
    case QJsonValue::Null:
        return QStringLiteral("null");
    case QJsonValue::Bool:
        return QStringLiteral("bool");
    case QJsonValue::Double:
        return QStringLiteral("number");
    case QJsonValue::String:
        return QStringLiteral("string");
    case QJsonValue::Array:
        return QStringLiteral("array");
    case QJsonValue::Object:
        return QStringLiteral("object");
    case QJsonValue::Undefined:
        break;
    }
    return QStringLiteral("undefined");
}

// Empty when the shapes agree, else where and why they differ. A null in the fixture also
// accepts a string (documented "request_id": null next to real ids).
inline QString diff(const QJsonValue &expected, const QJsonValue &actual, Keys keys = Keys::Exact,
                    const QString &path = QStringLiteral("$"))
{
    if (expected.isNull() && (actual.isNull() || actual.isString()))
        return {};
    if (expected.type() != actual.type())
        return path + QStringLiteral(": expected ") + typeName(expected) + QStringLiteral(", got ") + typeName(actual);
    if (expected.isObject()) {
        const QJsonObject e = expected.toObject();
        const QJsonObject a = actual.toObject();
        for (auto it = e.begin(); it != e.end(); ++it) {
            if (!a.contains(it.key()))
                return path + QStringLiteral(": missing field \"") + it.key() + QLatin1Char('"');
            const QString d = diff(it.value(), a.value(it.key()), keys, path + QLatin1Char('.') + it.key());
            if (!d.isEmpty())
                return d;
        }
        if (keys == Keys::Exact) {
            for (auto it = a.begin(); it != a.end(); ++it) {
                if (!e.contains(it.key()))
                    return path + QStringLiteral(": unexpected field \"") + it.key() + QLatin1Char('"');
            }
        }
    } else if (expected.isArray()) {
        const QJsonArray e = expected.toArray();
        const QJsonArray a = actual.toArray();
        if (e.isEmpty())
            return {};
        for (qsizetype i = 0; i < a.size(); ++i) {
            const QString d = diff(e.at(0), a.at(i), keys, path + QLatin1Char('[') + QString::number(i) + QLatin1Char(']'));
            if (!d.isEmpty())
                return d;
        }
    }
    return {};
}

inline QByteArray readFixture(const QString &name)
{
    QFile f(dataFile(QStringLiteral("sim/") + name));
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return f.readAll();
}

inline QJsonObject fixtureObject(const QString &name)
{
    return QJsonDocument::fromJson(readFixture(name)).object();
}

// One Server-Sent Event: its name and its data parsed as a JSON object.
struct SseEvent {
    QString name;
    QJsonObject data;
};

inline std::vector<SseEvent> parseSse(const QByteArray &text)
{
    std::vector<SseEvent> events;
    const QList<QByteArray> blocks = QByteArray(text).replace("\r\n", "\n").split('\n');
    SseEvent current;
    QByteArray data;
    auto flush = [&] {
        if (!current.name.isEmpty() || !data.isEmpty()) {
            current.data = QJsonDocument::fromJson(data).object();
            events.push_back(current);
        }
        current = SseEvent{};
        data.clear();
    };
    for (const QByteArray &line : blocks) {
        if (line.isEmpty()) {
            flush();
        } else if (line.startsWith("event:")) {
            current.name = QString::fromUtf8(line.mid(6).trimmed());
        } else if (line.startsWith("data:")) {
            data += line.mid(5).trimmed();
        }
    }
    flush();
    return events;
}

} // namespace meridian::test::shape
