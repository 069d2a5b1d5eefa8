#include "ui/training/Debrief.h"

#include <QStringList>

#include <algorithm>
#include <limits>
#include <optional>
#include <vector>

namespace meridian::ui::training {

namespace {

bool isTrafficChange(const QString &action)
{
    return action == QLatin1String("drain") || action == QLatin1String("undrain") || action == QLatin1String("pin") ||
           action == QLatin1String("unpin");
}

qint64 windowEnd(const Expectation &e)
{
    return e.withinMs > 0 ? e.afterMs + e.withinMs : std::numeric_limits<qint64>::max();
}

QString windowText(const Expectation &e)
{
    if (e.withinMs > 0)
        return QStringLiteral("between %1 and %2").arg(formatScenarioTime(e.afterMs), formatScenarioTime(windowEnd(e)));
    if (e.afterMs > 0)
        return QStringLiteral("after %1").arg(formatScenarioTime(e.afterMs));
    return QString();
}

QString actionText(const TraineeAction &a)
{
    QString out = a.action;
    if (!a.target.isEmpty())
        out += QLatin1Char(' ') + a.target;
    out += QStringLiteral(" at ") + formatScenarioTime(a.atMs);
    return out;
}

QString expectationText(const Expectation &e)
{
    QString out;
    if (e.action == QLatin1String("none"))
        out = e.target.isEmpty() ? QStringLiteral("no manual drain, undrain, pin or unpin")
                                 : QStringLiteral("no manual drain, undrain, pin or unpin of %1").arg(e.target);
    else
        out = e.target.isEmpty() ? e.action : e.action + QLatin1Char(' ') + e.target;
    const QString window = windowText(e);
    if (!window.isEmpty())
        out += QLatin1Char(' ') + window;
    return out;
}

} // namespace

QString verdictLabel(DebriefItem::Verdict verdict)
{
    switch (verdict) {
    case DebriefItem::Verdict::Met:
        return QStringLiteral("met");
    case DebriefItem::Verdict::Missed:
        return QStringLiteral("missed");
    case DebriefItem::Verdict::Kept:
        return QStringLiteral("kept");
    case DebriefItem::Verdict::Broken:
        return QStringLiteral("broken");
    case DebriefItem::Verdict::Taken:
        return QStringLiteral("optional, taken");
    case DebriefItem::Verdict::NotTaken:
        return QStringLiteral("optional, not taken");
    case DebriefItem::Verdict::Unexpected:
        return QStringLiteral("not expected");
    case DebriefItem::Verdict::Noted:
        return QStringLiteral("noted");
    }
    return {};
}

DebriefReport makeDebrief(const ScenarioInfo &scenario, const QList<TraineeAction> &actionsIn, qint64 endedAtMs,
                          bool stopped)
{
    DebriefReport report;
    report.scenarioTitle = scenario.title.isEmpty() ? scenario.name : scenario.title;
    report.ending =
        QStringLiteral("%1 at %2")
            .arg(stopped ? QStringLiteral("stopped") : QStringLiteral("finished"), formatScenarioTime(endedAtMs));
    report.expectedResponse = scenario.expectedResponse;

    std::vector<TraineeAction> actions(actionsIn.begin(), actionsIn.end());
    for (TraineeAction &a : actions)
        a.action = normalisedAction(a.action);
    std::stable_sort(actions.begin(), actions.end(),
                     [](const TraineeAction &a, const TraineeAction &b) { return a.atMs < b.atMs; });
    std::vector<bool> claimed(actions.size(), false);
    const auto targetMatches = [](const Expectation &e, const TraineeAction &a) {
        return e.target.isEmpty() || e.target == a.target;
    };

    // Items in the scenario's order; actions are claimed by action expectations first so a
    // "none" rule next to an optional drain does not count that drain against the trainee.
    std::vector<DebriefItem> byExpectation(static_cast<size_t>(scenario.expectations.size()));
    for (qsizetype i = 0; i < scenario.expectations.size(); ++i) {
        const Expectation &e = scenario.expectations.at(i);
        if (e.action == QLatin1String("none"))
            continue;
        DebriefItem &item = byExpectation[static_cast<size_t>(i)];
        item.what = expectationText(e);
        item.note = e.note;
        std::optional<size_t> inWindow;
        std::optional<size_t> outside;
        for (size_t k = 0; k < actions.size(); ++k) {
            const TraineeAction &a = actions[k];
            if (claimed[k] || a.action != e.action || !targetMatches(e, a))
                continue;
            if (a.atMs >= e.afterMs && a.atMs <= windowEnd(e)) {
                inWindow = k;
                break;
            }
            if (!outside)
                outside = k;
        }
        if (inWindow) {
            claimed[*inWindow] = true;
            item.verdict = e.optional ? DebriefItem::Verdict::Taken : DebriefItem::Verdict::Met;
            item.atMs = actions[*inWindow].atMs;
            item.detail = QStringLiteral("done at %1").arg(formatScenarioTime(item.atMs));
        } else if (outside && !e.optional) {
            claimed[*outside] = true;
            item.verdict = DebriefItem::Verdict::Missed;
            item.atMs = actions[*outside].atMs;
            item.detail = QStringLiteral("done at %1, outside the window").arg(formatScenarioTime(item.atMs));
        } else {
            item.verdict = e.optional ? DebriefItem::Verdict::NotTaken : DebriefItem::Verdict::Missed;
            item.detail = QStringLiteral("not done");
        }
    }
    for (qsizetype i = 0; i < scenario.expectations.size(); ++i) {
        const Expectation &e = scenario.expectations.at(i);
        if (e.action != QLatin1String("none"))
            continue;
        DebriefItem &item = byExpectation[static_cast<size_t>(i)];
        item.what = expectationText(e);
        item.note = e.note;
        QStringList breaches;
        for (size_t k = 0; k < actions.size(); ++k) {
            const TraineeAction &a = actions[k];
            if (claimed[k] || !isTrafficChange(a.action) || !targetMatches(e, a) || a.atMs < e.afterMs ||
                a.atMs > windowEnd(e))
                continue;
            claimed[k] = true;
            breaches.append(actionText(a));
            if (item.atMs < 0)
                item.atMs = a.atMs;
        }
        item.verdict = breaches.isEmpty() ? DebriefItem::Verdict::Kept : DebriefItem::Verdict::Broken;
        item.detail =
            breaches.isEmpty() ? QStringLiteral("nothing changed by hand") : breaches.join(QStringLiteral(", "));
    }

    for (qsizetype i = 0; i < scenario.expectations.size(); ++i) {
        const DebriefItem &item = byExpectation[static_cast<size_t>(i)];
        if (!scenario.expectations.at(i).optional)
            ++report.required;
        if (item.verdict == DebriefItem::Verdict::Met || item.verdict == DebriefItem::Verdict::Kept)
            ++report.met;
        report.items.append(item);
    }
    for (size_t k = 0; k < actions.size(); ++k) {
        if (claimed[k])
            continue;
        const TraineeAction &a = actions[k];
        DebriefItem item;
        item.verdict = isTrafficChange(a.action) ? DebriefItem::Verdict::Unexpected : DebriefItem::Verdict::Noted;
        item.what = actionText(a);
        item.detail = a.reason.isEmpty() ? QString() : QStringLiteral("reason: \"%1\"").arg(a.reason);
        item.atMs = a.atMs;
        if (item.verdict == DebriefItem::Verdict::Unexpected)
            ++report.unexpected;
        report.items.append(item);
    }
    return report;
}

QString DebriefReport::text() const
{
    QString out = QStringLiteral("Debrief: %1 (%2)\n").arg(scenarioTitle, ending);
    if (required == 0 && items.isEmpty())
        out += QStringLiteral("This scenario states no checkable expectations; compare with the expected response.\n");
    else
        out += QStringLiteral("%1 of %2 expectations met; %3 action%4 not expected.\n")
                   .arg(QString::number(met), QString::number(required), QString::number(unexpected),
                        unexpected == 1 ? QString() : QStringLiteral("s"));
    out += QLatin1Char('\n');
    for (const DebriefItem &item : items) {
        QString line = QStringLiteral("[%1] %2").arg(verdictLabel(item.verdict), item.what);
        if (!item.detail.isEmpty())
            line += QStringLiteral(": ") + item.detail;
        if (!item.note.isEmpty())
            line += QStringLiteral(" (") + item.note + QLatin1Char(')');
        out += line + QLatin1Char('\n');
    }
    if (!expectedResponse.isEmpty())
        out += QStringLiteral("\nExpected response:\n") + expectedResponse + QLatin1Char('\n');
    return out;
}

} // namespace meridian::ui::training
