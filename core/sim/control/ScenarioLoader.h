#pragma once

#include "core/common/Result.h"
#include "core/sim/control/Scenario.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <vector>

namespace meridian::sim {

// Reads scenario YAML files (format: resources/scenarios/README.md). Every problem (syntax,
// unknown key, unknown target or fault kind, bad duration or value, steps out of time order,
// a step after the scenario's end) is reported as "FILE:LINE:COLUMN: message" in
// Error::message, with Error::code "scenario". Never throws. Stateless; any thread.
class ScenarioLoader final {
public:
    // `targets`: the names faults may apply to (regions and Claude stand-ins of the world the
    // scenario will play in). Empty: any name is accepted (tools that have no world loaded).
    explicit ScenarioLoader(QStringList targets);

    Result<Scenario> loadFile(const QString &path) const;
    Result<Scenario> loadText(const QByteArray &yaml, const QString &displayName) const;

private:
    QStringList m_targets;
};

// Every *.yaml file of a directory, loaded in file-name order.
class ScenarioLibrary final {
public:
    // Stops at the first file that fails and returns its FILE:LINE:COLUMN error; refuses two
    // scenarios with the same name. An existing directory without scenario files gives an
    // empty list; a missing one is an error.
    static Result<std::vector<Scenario>> load(const QString &dir, const QStringList &targets);
    static const Scenario *find(const std::vector<Scenario> &scenarios, const QString &name);
};

} // namespace meridian::sim
