#include "core/sim/control/ScenarioLoader.h"

#include "core/config/YamlReader.h"

#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>

#include <exception>
#include <optional>
#include <utility>

namespace meridian::sim {

using config::YamlEntry;
using config::YamlReader;

namespace {

Error scenarioError(const QString &message)
{
    return Error{QStringLiteral("scenario"), message};
}

QString location(const YamlReader &reader, const YAML::Mark &mark)
{
    return reader.displayName() + QLatin1Char(':') + QString::number(std::max(mark.line, 0) + 1) + QLatin1Char(':') +
           QString::number(std::max(mark.column, 0) + 1);
}

// Walks one file. Members rather than lambdas everywhere so each part of the format reads on
// its own; every method returns false after the reader recorded the error.
class Walker final {
public:
    Walker(YamlReader &reader, const QStringList &targets) : m_r(reader), m_targets(targets) {}

    bool walk(const YAML::Node &root, Scenario &out);

private:
    bool readTop(const YamlEntry &e, Scenario &s, std::optional<YamlEntry> &steps, std::optional<YamlEntry> &expect);
    bool readExpectation(const YAML::Node &item, const QString &path, const Scenario &s, Expectation &out);
    bool readStep(const YAML::Node &item, const QString &path, const Scenario &s, ScenarioStep &step);
    bool readInject(const YamlEntry &e, const Scenario &s, ScenarioStep &step);
    bool readClear(const YamlEntry &e, ScenarioStep &step);
    bool readTarget(const YamlEntry &e, QString &out);
    bool readKind(const YamlEntry &e, FaultKind &out);

    YamlReader &m_r;
    const QStringList &m_targets;
};

bool Walker::walk(const YAML::Node &root, Scenario &s)
{
    if (!root.IsDefined() || root.IsNull())
        return m_r.fail(YAML::Mark(), QStringLiteral("empty scenario file"));
    if (!root.IsMap())
        return m_r.fail(root.Mark(), QStringLiteral("a scenario file is a mapping (name, title, briefing, "
                                                    "expected_response, duration, steps), got %1")
                                         .arg(YamlReader::describe(root)));
    std::optional<YamlEntry> steps;
    std::optional<YamlEntry> expect;
    const bool ok = m_r.forEachEntry(root, QString(),
                                     {QLatin1String("name"), QLatin1String("title"), QLatin1String("briefing"),
                                      QLatin1String("expected_response"), QLatin1String("duration"),
                                      QLatin1String("clear_at_end"), QLatin1String("steps"), QLatin1String("expect")},
                                     [&](const YamlEntry &e) { return readTop(e, s, steps, expect); });
    if (!ok)
        return false;
    if (!m_r.requireKeys(root, QString(),
                         {QLatin1String("name"), QLatin1String("title"), QLatin1String("briefing"),
                          QLatin1String("expected_response"), QLatin1String("duration"), QLatin1String("steps")}))
        return false;

    // Steps come last whatever their place in the file: their checks need the duration and
    // the name (the default reason of injected faults).
    const bool stepsOk = m_r.forEachItem(*steps, [&](const YAML::Node &item, const QString &path, int) {
        ScenarioStep step;
        if (!readStep(item, path, s, step))
            return false;
        s.steps.push_back(std::move(step));
        return true;
    });
    if (!stepsOk)
        return false;
    if (s.steps.empty())
        return m_r.fail(steps->valueMark(), QStringLiteral("steps: a scenario needs at least one step"));
    if (!expect)
        return true;
    // Like steps, read last: the windows are checked against the duration.
    return m_r.forEachItem(*expect, [&](const YAML::Node &item, const QString &path, int) {
        Expectation e;
        if (!readExpectation(item, path, s, e))
            return false;
        s.expect.push_back(std::move(e));
        return true;
    });
}

bool Walker::readExpectation(const YAML::Node &item, const QString &path, const Scenario &s, Expectation &out)
{
    if (!item.IsMap())
        return m_r.fail(item.Mark(), QStringLiteral("%1: expected a mapping {action, target, after, within, optional, "
                                                    "note}, got %2")
                                         .arg(path, YamlReader::describe(item)));
    out.line = item.Mark().line + 1;
    std::optional<YamlEntry> after;
    std::optional<YamlEntry> within;
    std::optional<YamlEntry> optionalKey;
    const bool ok = m_r.forEachEntry(
        item, path,
        {QLatin1String("action"), QLatin1String("target"), QLatin1String("after"), QLatin1String("within"),
         QLatin1String("optional"), QLatin1String("note")},
        [&](const YamlEntry &e) {
            if (e.key == QLatin1String("action")) {
                // Same order as ExpectedAction.
                int index = 0;
                if (!m_r.getChoice(e,
                                   {QLatin1String("none"), QLatin1String("drain"), QLatin1String("undrain"),
                                    QLatin1String("pin"), QLatin1String("unpin"), QLatin1String("acknowledge")},
                                   index))
                    return false;
                out.action = static_cast<ExpectedAction>(index);
                return true;
            }
            if (e.key == QLatin1String("target"))
                return readTarget(e, out.target);
            if (e.key == QLatin1String("after")) {
                after = e;
                return m_r.getDurationOrZero(e, out.afterMs);
            }
            if (e.key == QLatin1String("within")) {
                within = e;
                return m_r.getDuration(e, out.withinMs);
            }
            if (e.key == QLatin1String("optional")) {
                optionalKey = e;
                return m_r.getBool(e, out.optional);
            }
            return m_r.getNonEmptyString(e, out.note);
        });
    if (!ok || !m_r.requireKeys(item, path, {QLatin1String("action")}))
        return false;
    // A rule ("touch nothing") is either kept or broken; calling it optional would make it
    // impossible to break, which is never what the author meant.
    if (optionalKey && out.optional && out.action == ExpectedAction::None)
        return m_r.fail(optionalKey->valueMark(),
                        QStringLiteral("%1.optional: \"none\" is a rule, it cannot be optional").arg(path));
    if (after && out.afterMs > s.durationMs)
        return m_r.fail(after->valueMark(),
                        QStringLiteral("%1.after: %2 is after the end of the scenario (duration %3)")
                            .arg(path, formatDurationMs(out.afterMs), formatDurationMs(s.durationMs)));
    if (within && out.afterMs + out.withinMs > s.durationMs)
        return m_r.fail(within->valueMark(),
                        QStringLiteral("%1.within: the window ends at %2, after the end of the scenario (duration %3); "
                                       "actions after the end are not recorded")
                            .arg(path, formatDurationMs(out.afterMs + out.withinMs), formatDurationMs(s.durationMs)));
    return true;
}

bool Walker::readTop(const YamlEntry &e, Scenario &s, std::optional<YamlEntry> &steps, std::optional<YamlEntry> &expect)
{
    if (e.key == QLatin1String("name")) {
        if (!m_r.getNonEmptyString(e, s.name))
            return false;
        // The name travels in URLs and on command lines unquoted.
        static const QRegularExpression re(QStringLiteral("^[a-z0-9][a-z0-9_-]*$"));
        if (!re.match(s.name).hasMatch())
            return m_r.fail(e.valueMark(),
                            QStringLiteral("name: \"%1\" must be lower-case letters, digits, '-' and '_'").arg(s.name));
        s.nameLocation = location(m_r, e.valueMark());
        return true;
    }
    if (e.key == QLatin1String("title"))
        return m_r.getNonEmptyString(e, s.title);
    if (e.key == QLatin1String("briefing") || e.key == QLatin1String("expected_response")) {
        QString text;
        if (!m_r.getNonEmptyString(e, text))
            return false;
        // Block scalars (|) end with a newline that would only clutter the UI and the CLI.
        (e.key == QLatin1String("briefing") ? s.briefing : s.expectedResponse) = text.trimmed();
        return true;
    }
    if (e.key == QLatin1String("duration"))
        return m_r.getDuration(e, s.durationMs);
    if (e.key == QLatin1String("clear_at_end"))
        return m_r.getBool(e, s.clearAtEnd);
    if (!m_r.expectSequence(e))
        return false;
    (e.key == QLatin1String("steps") ? steps : expect) = e;
    return true;
}

bool Walker::readStep(const YAML::Node &item, const QString &path, const Scenario &s, ScenarioStep &step)
{
    if (!item.IsMap())
        return m_r.fail(item.Mark(), QStringLiteral("%1: expected a step (a mapping with at: and inject:, clear: "
                                                    "or note:), got %2")
                                         .arg(path, YamlReader::describe(item)));
    step.line = item.Mark().line + 1;
    std::optional<YamlEntry> at;
    std::optional<YamlEntry> inject;
    std::optional<YamlEntry> clear;
    const bool ok = m_r.forEachEntry(
        item, path, {QLatin1String("at"), QLatin1String("note"), QLatin1String("inject"), QLatin1String("clear")},
        [&](const YamlEntry &e) {
            if (e.key == QLatin1String("at")) {
                at = e;
                return m_r.getDurationOrZero(e, step.atMs);
            }
            if (e.key == QLatin1String("note"))
                return m_r.getNonEmptyString(e, step.note);
            (e.key == QLatin1String("inject") ? inject : clear) = e;
            return true;
        });
    if (!ok || !m_r.requireKeys(item, path, {QLatin1String("at")}))
        return false;
    if (inject && clear)
        return m_r.fail(
            clear->keyNode.Mark(),
            QStringLiteral("%1: a step either injects or clears; use two steps at the same time").arg(path));
    if (!inject && !clear && step.note.isEmpty())
        return m_r.fail(item.Mark(), QStringLiteral("%1: a step needs inject:, clear: or note:").arg(path));

    // Order and range are checked here, where the mark of `at` is at hand. Steps at the same
    // time are fine and play in file order; going back in time is refused because the file
    // would no longer read as the timeline it plays.
    if (s.durationMs > 0 && step.atMs > s.durationMs)
        return m_r.fail(at->valueMark(), QStringLiteral("%1.at: %2 is after the end of the scenario (duration %3)")
                                             .arg(path, formatDurationMs(step.atMs), formatDurationMs(s.durationMs)));
    if (!s.steps.empty() && step.atMs < s.steps.back().atMs)
        return m_r.fail(at->valueMark(),
                        QStringLiteral("%1.at: %2 comes before the previous step (%3); steps must be in time order")
                            .arg(path, formatDurationMs(step.atMs), formatDurationMs(s.steps.back().atMs)));
    if (inject)
        return readInject(*inject, s, step);
    if (clear)
        return readClear(*clear, step);
    step.action = StepAction::Note;
    return true;
}

bool Walker::readTarget(const YamlEntry &e, QString &out)
{
    if (!m_r.getNonEmptyString(e, out))
        return false;
    if (!m_targets.isEmpty() && !m_targets.contains(out))
        return m_r.fail(e.valueMark(), QStringLiteral("%1: unknown target \"%2\" (targets: %3)")
                                           .arg(e.path, out, m_targets.join(QStringLiteral(", "))));
    return true;
}

bool Walker::readKind(const YamlEntry &e, FaultKind &out)
{
    QString name;
    if (!m_r.getNonEmptyString(e, name))
        return false;
    const std::optional<FaultKind> kind = faultKindFromName(name);
    if (!kind)
        return m_r.fail(e.valueMark(), QStringLiteral("%1: unknown fault kind \"%2\" (kinds: %3)")
                                           .arg(e.path, name, faultKindNames().join(QStringLiteral(", "))));
    out = *kind;
    return true;
}

bool Walker::readInject(const YamlEntry &inject, const Scenario &s, ScenarioStep &step)
{
    if (!inject.value.IsMap())
        return m_r.fail(inject.valueMark(),
                        QStringLiteral("%1: expected a mapping {target, kind, value, duration, ramp, reason}, got %2")
                            .arg(inject.path, YamlReader::describe(inject.value)));
    step.action = StepAction::Inject;
    std::optional<YamlEntry> value;
    std::optional<YamlEntry> ramp;
    const bool ok = m_r.forEachEntry(inject.value, inject.path,
                                     {QLatin1String("target"), QLatin1String("kind"), QLatin1String("value"),
                                      QLatin1String("duration"), QLatin1String("ramp"), QLatin1String("reason")},
                                     [&](const YamlEntry &e) {
                                         if (e.key == QLatin1String("target"))
                                             return readTarget(e, step.target);
                                         if (e.key == QLatin1String("kind"))
                                             return readKind(e, step.fault.kind);
                                         if (e.key == QLatin1String("duration"))
                                             return m_r.getDuration(e, step.durationMs);
                                         if (e.key == QLatin1String("ramp")) {
                                             ramp = e;
                                             return m_r.getDurationOrZero(e, step.fault.rampMs);
                                         }
                                         if (e.key == QLatin1String("reason"))
                                             return m_r.getNonEmptyString(e, step.fault.reason);
                                         value = e; // read once the kind is known: its unit depends on it
                                         return true;
                                     });
    if (!ok || !m_r.requireKeys(inject.value, inject.path, {QLatin1String("target"), QLatin1String("kind")}))
        return false;

    const FaultKind kind = step.fault.kind;
    const QString kindName = faultKindName(kind);
    if (value && !faultKindTakesValue(kind))
        return m_r.fail(value->keyNode.Mark(), QStringLiteral("%1: %2 takes no value").arg(value->path, kindName));
    if (!value && faultKindTakesValue(kind))
        return m_r.fail(inject.value.Mark(),
                        QStringLiteral("%1: missing required key \"value\" (%2 needs one)").arg(inject.path, kindName));
    if (value) {
        std::optional<double> v;
        if (value->value.IsScalar())
            v = parseFaultValue(kind, YamlReader::fromStd(value->value.Scalar()));
        if (!v)
            return m_r.fail(value->valueMark(),
                            QStringLiteral("%1: expected %2, got %3")
                                .arg(value->path,
                                     faultValueIsDuration(kind) ? QStringLiteral("milliseconds or a duration (45s)")
                                                                : QStringLiteral("a number"),
                                     YamlReader::describe(value->value)));
        step.fault.value = *v;
    }
    if (ramp && step.fault.rampMs > 0 && kind != FaultKind::ReplicationLag)
        return m_r.fail(ramp->keyNode.Mark(),
                        QStringLiteral("%1: only replication_lag takes a ramp, not %2").arg(ramp->path, kindName));
    if (step.fault.reason.isEmpty())
        step.fault.reason = QStringLiteral("scenario %1").arg(s.name);
    Result<Fault> valid = validateFault(step.fault);
    if (!valid)
        return m_r.fail(value ? value->valueMark() : inject.value.Mark(),
                        inject.path + QStringLiteral(": ") + valid.error().message);
    step.fault = std::move(valid).value();
    return true;
}

bool Walker::readClear(const YamlEntry &clear, ScenarioStep &step)
{
    if (clear.value.IsScalar() && clear.value.Scalar() == "all") {
        step.action = StepAction::ClearAll;
        return true;
    }
    if (!clear.value.IsMap())
        return m_r.fail(clear.valueMark(), QStringLiteral("%1: expected \"all\" or a mapping {target, kind}, got %2")
                                               .arg(clear.path, YamlReader::describe(clear.value)));
    step.action = StepAction::Clear;
    const bool ok = m_r.forEachEntry(clear.value, clear.path, {QLatin1String("target"), QLatin1String("kind")},
                                     [&](const YamlEntry &e) {
                                         if (e.key == QLatin1String("target"))
                                             return readTarget(e, step.target);
                                         FaultKind kind = FaultKind::Down;
                                         if (!readKind(e, kind))
                                             return false;
                                         step.kind = kind;
                                         return true;
                                     });
    return ok && m_r.requireKeys(clear.value, clear.path, {QLatin1String("target")});
}

} // namespace

ScenarioLoader::ScenarioLoader(QStringList targets) : m_targets(std::move(targets))
{
}

Result<Scenario> ScenarioLoader::loadFile(const QString &path) const
{
    Result<QByteArray> data = config::readConfigFile(path);
    if (!data)
        return scenarioError(data.error().message);
    return loadText(data.value(), path);
}

Result<Scenario> ScenarioLoader::loadText(const QByteArray &yaml, const QString &displayName) const
{
    YamlReader reader(displayName, QFileInfo(displayName).absolutePath());
    YAML::Node root;
    if (!reader.parseDocument(yaml, root))
        return scenarioError(reader.error());
    Scenario scenario;
    scenario.source = displayName;
    try {
        Walker walker(reader, m_targets);
        if (!walker.walk(root, scenario))
            return scenarioError(reader.error());
    } catch (const std::exception &e) {
        // yaml-cpp may throw on odd trees (aliases to themselves ...); never let it escape.
        reader.failFromException(e);
        return scenarioError(reader.error());
    }
    return scenario;
}

Result<std::vector<Scenario>> ScenarioLibrary::load(const QString &dir, const QStringList &targets)
{
    const QDir directory(dir);
    if (!QFileInfo(dir).isDir())
        return scenarioError(dir + QStringLiteral(": not a directory"));
    const QStringList files = directory.entryList({QStringLiteral("*.yaml")}, QDir::Files | QDir::Readable, QDir::Name);
    const ScenarioLoader loader(targets);
    std::vector<Scenario> out;
    for (const QString &file : files) {
        Result<Scenario> s = loader.loadFile(directory.filePath(file));
        if (!s)
            return s.error();
        if (const Scenario *other = find(out, s.value().name))
            return scenarioError(
                s.value().nameLocation +
                QStringLiteral(": scenario \"%1\" is already defined in %2").arg(s.value().name, other->source));
        out.push_back(std::move(s).value());
    }
    return out;
}

const Scenario *ScenarioLibrary::find(const std::vector<Scenario> &scenarios, const QString &name)
{
    for (const Scenario &s : scenarios) {
        if (s.name == name)
            return &s;
    }
    return nullptr;
}

} // namespace meridian::sim
