#include "ui/training/TrainingTypes.h"

#include <QJsonArray>

#include <algorithm>

namespace meridian::ui::training {

namespace {

qint64 integer(const QJsonObject &o, const char *key)
{
    return o.value(QLatin1String(key)).toInteger();
}

QString text(const QJsonObject &o, const char *key)
{
    return o.value(QLatin1String(key)).toString();
}

} // namespace

ScenarioInfo scenarioFromJson(const QJsonObject &o)
{
    ScenarioInfo s;
    s.name = text(o, "name");
    s.title = text(o, "title");
    s.briefing = text(o, "briefing");
    s.expectedResponse = text(o, "expected_response");
    s.durationMs = integer(o, "duration_ms");
    const QJsonArray timeline = o.value(QLatin1String("timeline")).toArray();
    for (const QJsonValue v : timeline) {
        const QJsonObject step = v.toObject();
        s.steps.append(TimelineStep{static_cast<int>(integer(step, "index")), integer(step, "at_ms"),
                                    text(step, "action"), text(step, "description"), text(step, "target"),
                                    text(step, "kind"), integer(step, "duration_ms")});
    }
    const QJsonArray expect = o.value(QLatin1String("expect")).toArray();
    for (const QJsonValue v : expect) {
        const QJsonObject e = v.toObject();
        s.expectations.append(Expectation{text(e, "action"), text(e, "target"), integer(e, "after_ms"),
                                          integer(e, "within_ms"), e.value(QLatin1String("optional")).toBool(),
                                          text(e, "note")});
    }
    return s;
}

QList<ScenarioInfo> scenariosFromJson(const QJsonObject &body)
{
    QList<ScenarioInfo> out;
    const QJsonArray list = body.value(QLatin1String("scenarios")).toArray();
    for (const QJsonValue v : list) {
        ScenarioInfo s = scenarioFromJson(v.toObject());
        if (!s.name.isEmpty())
            out.append(std::move(s));
    }
    return out;
}

ScenarioStatus statusFromJson(const QJsonObject &o)
{
    ScenarioStatus s;
    const QString state = text(o, "state");
    if (state.isEmpty() || state == QLatin1String("idle"))
        return s;
    s.state = state;
    s.name = text(o, "name");
    s.title = text(o, "title");
    s.paused = o.value(QLatin1String("paused")).toBool();
    s.elapsedMs = integer(o, "elapsed_ms");
    s.durationMs = integer(o, "duration_ms");
    s.stepsDone = static_cast<int>(integer(o, "steps_done"));
    s.stepsTotal = static_cast<int>(integer(o, "steps_total"));
    const QJsonArray log = o.value(QLatin1String("log")).toArray();
    for (const QJsonValue v : log) {
        const QJsonObject e = v.toObject();
        s.log.append(PlayedStep{static_cast<int>(integer(e, "index")), integer(e, "at_ms"), integer(e, "played_ms"),
                                text(e, "description"), e.value(QLatin1String("skipped")).toBool()});
    }
    return s;
}

QString normalisedAction(const QString &action)
{
    const QString a = action.trimmed().toLower();
    if (a == QLatin1String("ack") || a == QLatin1String("acknowledged") || a == QLatin1String("acknowledge"))
        return QStringLiteral("acknowledge");
    for (const char *word : {"undrain", "drain", "unpin", "pin"}) {
        const QLatin1String base(word);
        const QStringView rest = QStringView(a).mid(base.size());
        if (a.startsWith(base) && (rest.isEmpty() || rest == u"ed" || rest == u"ned"))
            return QString(base);
    }
    return a;
}

QString formatScenarioTime(qint64 ms)
{
    const qint64 s = std::max<qint64>(ms, 0) / 1000;
    if (s < 60)
        return QString::number(s) + QLatin1Char('s');
    return QStringLiteral("%1m%2s").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
}

} // namespace meridian::ui::training
