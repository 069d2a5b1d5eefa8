#include "core/sim/control/Scenario.h"

#include "core/config/ConfigLoader.h"

#include <QJsonArray>

namespace meridian::sim {

bool faultKindTakesValue(FaultKind kind)
{
    return kind != FaultKind::Down && kind != FaultKind::Hang && kind != FaultKind::BrokenInference;
}

bool faultValueIsDuration(FaultKind kind)
{
    return kind == FaultKind::LatencySpike || kind == FaultKind::ReplicationLag || kind == FaultKind::FlappingHealth;
}

std::optional<double> parseFaultValue(FaultKind kind, const QString &text)
{
    bool ok = false;
    const double number = text.trimmed().toDouble(&ok);
    if (ok)
        return number;
    if (faultValueIsDuration(kind)) {
        if (const std::optional<qint64> ms = config::parseDurationMs(text))
            return static_cast<double>(*ms);
    }
    return std::nullopt;
}

QString formatDurationMs(qint64 ms)
{
    if (ms != 0 && ms % 3'600'000 == 0)
        return QString::number(ms / 3'600'000) + QLatin1Char('h');
    if (ms != 0 && ms % 60'000 == 0)
        return QString::number(ms / 60'000) + QLatin1Char('m');
    if (ms % 1000 == 0)
        return QString::number(ms / 1000) + QLatin1Char('s');
    return QString::number(ms) + QStringLiteral("ms");
}

QString ScenarioStep::describeAction() const
{
    switch (action) {
    case StepAction::Note:
        return QStringLiteral("note");
    case StepAction::Inject: {
        QString text = QStringLiteral("inject %1 on %2").arg(faultKindName(fault.kind), target);
        switch (fault.kind) {
        case FaultKind::Down:
        case FaultKind::Hang:
        case FaultKind::BrokenInference:
            break;
        case FaultKind::LatencySpike:
        case FaultKind::ReplicationLag:
        case FaultKind::FlappingHealth:
            text += QLatin1Char(' ') + formatDurationMs(static_cast<qint64>(fault.value));
            break;
        case FaultKind::ErrorRate:
        case FaultKind::SlowTokens:
        case FaultKind::CapacityCut:
            text += QLatin1Char(' ') + QString::number(fault.value);
            break;
        }
        if (fault.rampMs > 0)
            text += QStringLiteral(" (ramp %1)").arg(formatDurationMs(fault.rampMs));
        if (durationMs > 0)
            text += QStringLiteral(" for %1").arg(formatDurationMs(durationMs));
        return text;
    }
    case StepAction::Clear:
        return kind ? QStringLiteral("clear %1 on %2").arg(faultKindName(*kind), target)
                    : QStringLiteral("clear every fault on %1").arg(target);
    case StepAction::ClearAll:
        return QStringLiteral("clear every fault");
    }
    return {};
}

QString ScenarioStep::describe() const
{
    if (action == StepAction::Note)
        return note;
    if (note.isEmpty())
        return describeAction();
    return note + QStringLiteral(" [") + describeAction() + QLatin1Char(']');
}

QString expectedActionName(ExpectedAction action)
{
    switch (action) {
    case ExpectedAction::None:
        return QStringLiteral("none");
    case ExpectedAction::Drain:
        return QStringLiteral("drain");
    case ExpectedAction::Undrain:
        return QStringLiteral("undrain");
    case ExpectedAction::Pin:
        return QStringLiteral("pin");
    case ExpectedAction::Unpin:
        return QStringLiteral("unpin");
    case ExpectedAction::Acknowledge:
        return QStringLiteral("acknowledge");
    }
    return {};
}

QJsonObject Expectation::toJson() const
{
    QJsonObject out{{QStringLiteral("action"), expectedActionName(action)},
                    {QStringLiteral("after_ms"), afterMs},
                    {QStringLiteral("optional"), optional}};
    if (!target.isEmpty())
        out.insert(QStringLiteral("target"), target);
    if (withinMs > 0)
        out.insert(QStringLiteral("within_ms"), withinMs);
    if (!note.isEmpty())
        out.insert(QStringLiteral("note"), note);
    return out;
}

namespace {

QString stepActionName(StepAction action)
{
    switch (action) {
    case StepAction::Note:
        return QStringLiteral("note");
    case StepAction::Inject:
        return QStringLiteral("inject");
    case StepAction::Clear:
        return QStringLiteral("clear");
    case StepAction::ClearAll:
        return QStringLiteral("clear_all");
    }
    return {};
}

QJsonObject stepJson(const ScenarioStep &step, int index)
{
    QJsonObject out{{QStringLiteral("index"), index},
                    {QStringLiteral("at_ms"), step.atMs},
                    {QStringLiteral("action"), stepActionName(step.action)},
                    {QStringLiteral("description"), step.describe()}};
    if (!step.note.isEmpty())
        out.insert(QStringLiteral("note"), step.note);
    if (!step.target.isEmpty())
        out.insert(QStringLiteral("target"), step.target);
    if (step.action == StepAction::Inject) {
        out.insert(QStringLiteral("kind"), faultKindName(step.fault.kind));
        if (step.durationMs > 0)
            out.insert(QStringLiteral("duration_ms"), step.durationMs);
    } else if (step.action == StepAction::Clear && step.kind) {
        out.insert(QStringLiteral("kind"), faultKindName(*step.kind));
    }
    return out;
}

} // namespace

QJsonObject Scenario::summaryJson() const
{
    QJsonArray timeline;
    for (size_t i = 0; i < steps.size(); ++i)
        timeline.append(stepJson(steps[i], static_cast<int>(i)));
    QJsonArray expectations;
    for (const Expectation &e : expect)
        expectations.append(e.toJson());
    return QJsonObject{{QStringLiteral("name"), name},
                       {QStringLiteral("title"), title},
                       {QStringLiteral("briefing"), briefing},
                       {QStringLiteral("expected_response"), expectedResponse},
                       {QStringLiteral("duration_ms"), durationMs},
                       {QStringLiteral("clear_at_end"), clearAtEnd},
                       {QStringLiteral("steps"), static_cast<qint64>(steps.size())},
                       {QStringLiteral("timeline"), timeline},
                       {QStringLiteral("expect"), expectations}};
}

} // namespace meridian::sim
