#pragma once

#include "core/http/HttpServer.h"
#include "core/sim/Faults.h"
#include "core/sim/SimClock.h"
#include "core/sim/control/AdminApi.h"
#include "core/sim/control/ScenarioLoader.h"
#include "core/sim/control/ScenarioPlayer.h"
#include "tests/support/EventThread.h"

#include <QHostAddress>
#include <QJsonObject>

#include <memory>
#include <utility>
#include <vector>

namespace meridian::test {

inline QStringList adminDemoTargets()
{
    return {QStringLiteral("us-east-1"),     QStringLiteral("me-south-1"), QStringLiteral("ap-south-1"),
            QStringLiteral("brazilsouth"),   QStringLiteral("us-west-2"),  QStringLiteral("eu-west-1"),
            QStringLiteral("claude-global"), QStringLiteral("claude-eu")};
}

// Two scenarios for the API tests: "long" injects at once and then waits ten simulated
// minutes (so it is still playing whenever a test looks); "short" does nothing.
inline std::vector<sim::Scenario> adminTestScenarios()
{
    const sim::ScenarioLoader loader(adminDemoTargets());
    std::vector<sim::Scenario> out;
    for (const QByteArray &yaml :
         {QByteArray("name: long\ntitle: Long one\nbriefing: b\nexpected_response: e\nduration: 10m\n"
                     "steps:\n  - {at: 0s, note: begins, inject: {target: eu-west-1, kind: down}}\n"
                     "  - {at: 9m, note: late}\n"),
          QByteArray("name: short\ntitle: Short one\nbriefing: b\nexpected_response: e\nduration: 1s\n"
                     "steps:\n  - {at: 0s, note: hello}\n")}) {
        Result<sim::Scenario> r = loader.loadText(yaml, QStringLiteral("inline.yaml"));
        if (!r.ok())
            qFatal("bad test scenario: %s", qPrintable(r.error().message));
        out.push_back(std::move(r).value());
    }
    return out;
}

// The pieces of the world the admin API touches, all on one thread. Members are destroyed
// in reverse order: the server (and its connections) first, the board last.
class AdminWorld final : public QObject {
public:
    AdminWorld(const sim::SimClock &clock, std::vector<sim::Scenario> scenarios, QObject *parent)
        : QObject(parent), board(clock),
          player(clock, board,
                 [](const QString &target) { return target == QLatin1String("ap-south-1") ? 1800.0 : 0.0; }),
          api(board, player, clock, hooks(std::move(scenarios))), server(http::ServerSettings{}, api)
    {
    }

    sim::FaultBoard board;
    sim::ScenarioPlayer player;
    sim::AdminApi api;
    http::HttpServer server;

private:
    static sim::AdminHooks hooks(std::vector<sim::Scenario> scenarios)
    {
        sim::AdminHooks h;
        h.targets = adminDemoTargets();
        h.liveFigures = [] {
            return QJsonObject{{QStringLiteral("regions"), QJsonObject{{QStringLiteral("us-east-1"),
                                                                        QJsonObject{{QStringLiteral("running"), 3}}}}}};
        };
        h.currentLagMs = [](const QString &target) { return target == QLatin1String("ap-south-1") ? 1800.0 : 0.0; };
        h.scenarios = std::move(scenarios);
        return h;
    }
};

// An admin API on 127.0.0.1:0 served from its own thread, so the test thread can block on
// client sockets. Reads of the world go through onThread().
class AdminFixture final {
public:
    explicit AdminFixture(double speed = 100) : m_clock(std::make_unique<sim::SimClock>(speed))
    {
        m_thread.call([this] {
            m_world = new AdminWorld(*m_clock, adminTestScenarios(), m_thread.root());
            if (m_world->server.listen(QHostAddress(QHostAddress::LocalHost), 0))
                m_port = m_world->server.port();
        });
    }

    quint16 port() const { return m_port; }
    const sim::SimClock &clock() const { return *m_clock; }

    // Runs fn(AdminWorld &) on the server thread and returns its result.
    template <typename Fn> auto onThread(Fn fn)
    {
        using R = decltype(fn(*m_world));
        R result{};
        m_thread.call([&] { result = fn(*m_world); });
        return result;
    }

private:
    std::unique_ptr<sim::SimClock> m_clock; // outlives the thread, which deletes the world
    EventThread m_thread;
    AdminWorld *m_world = nullptr;
    quint16 m_port = 0;
};

} // namespace meridian::test
