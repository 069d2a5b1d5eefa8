#pragma once

#include "core/sim/Faults.h"
#include "core/sim/SimClock.h"
#include "core/sim/region/RegionServer.h"
#include "tests/support/EventThread.h"
#include "tests/support/HttpTestClient.h"
#include "tests/support/TestPaths.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStringList>

#include <memory>

namespace meridian::test {

inline const QString kRegionModel = QStringLiteral("meta-llama/Llama-3.1-8B-Instruct");
inline const QString kSmallModel = QStringLiteral("small-model");

// A small pool: 1 GPU × 4 sequences, two models. Fast enough at speed 20 that a completion of
// a handful of tokens takes a few real milliseconds.
inline sim::SimRegion testRegion(int gpus = 1, int seqsPerGpu = 4)
{
    sim::SimRegion r;
    r.name = QStringLiteral("eu-test");
    r.provider = QStringLiteral("aws");
    r.gpus = gpus;
    r.maxSeqsPerGpu = seqsPerGpu;
    r.maxWaiting = 50;
    r.rttMs = 20;
    r.jitter = 0.1;
    r.models = {sim::SimModel{kRegionModel, 200, 30, 8192}, sim::SimModel{kSmallModel, 100, 10, 2048}};
    return r;
}

// A RegionServer with its clock and fault board on an event thread of its own.
class RegionHarness final {
public:
    explicit RegionHarness(double speed = 20, sim::SimRegion region = testRegion(),
                           sim::VllmMetricNames names = sim::VllmMetricNames::Current)
        : m_clock(std::make_unique<sim::SimClock>(speed))
    {
        m_thread.call([&] {
            m_faults = new sim::FaultBoard(*m_clock, m_thread.root());
            m_server = new sim::RegionServer(region, names, 42, *m_clock, *m_faults, m_thread.root());
            m_started = m_server->start(QHostAddress::LocalHost, &m_error);
            m_apiPort = m_server->apiPort();
            m_metricsPort = m_server->metricsPort();
        });
    }

    bool started() const { return m_started; }
    QString error() const { return m_error; }
    quint16 apiPort() const { return m_apiPort; }
    quint16 metricsPort() const { return m_metricsPort; }
    const sim::SimClock &clock() const { return *m_clock; }

    void inject(sim::FaultKind kind, double value = 0, qint64 durationMs = 0)
    {
        m_thread.call([&] {
            sim::Fault f;
            f.kind = kind;
            f.value = value;
            m_faults->inject(m_server->config().name, f, durationMs);
        });
    }
    void clear(sim::FaultKind kind)
    {
        m_thread.call([&] { m_faults->clear(m_server->config().name, kind); });
    }
    QJsonObject figures()
    {
        QJsonObject out;
        m_thread.call([&] { out = m_server->figures(); });
        return out;
    }
    int figure(const QString &key) { return figures().value(key).toInt(); }
    QByteArray vllmMetrics()
    {
        QByteArray out;
        m_thread.call([&] { out = m_server->renderVllmMetrics(); });
        return out;
    }

    std::optional<HttpTestClient::Response> post(const QByteArray &path, const QJsonObject &body, int timeoutMs = 10000)
    {
        return HttpTestClient::request(m_apiPort, "POST", path, QJsonDocument(body).toJson(QJsonDocument::Compact),
                                       jsonHeaders(), timeoutMs);
    }
    std::optional<HttpTestClient::Response> get(const QByteArray &path, int timeoutMs = 10000)
    {
        return HttpTestClient::request(m_apiPort, "GET", path, {}, {}, timeoutMs);
    }
    // Opens a connection and sends a request without waiting for the answer.
    bool send(HttpTestClient &client, const QByteArray &path, const QJsonObject &body)
    {
        return client.connectTo(m_apiPort)
            && client.sendRaw(HttpTestClient::formatRequest("POST", path, QJsonDocument(body).toJson(QJsonDocument::Compact),
                                                            jsonHeaders()));
    }

    static http::HttpHeaders jsonHeaders()
    {
        http::HttpHeaders h;
        h.add("Content-Type", "application/json");
        return h;
    }

private:
    std::unique_ptr<sim::SimClock> m_clock; // outlives the thread's objects
    EventThread m_thread;
    sim::FaultBoard *m_faults = nullptr;
    sim::RegionServer *m_server = nullptr;
    bool m_started = false;
    QString m_error;
    quint16 m_apiPort = 0;
    quint16 m_metricsPort = 0;
};

inline QJsonObject chatBody(const QString &model, int maxTokens, bool stream = false, bool includeUsage = false)
{
    QJsonObject body{{QStringLiteral("model"), model},
                     {QStringLiteral("messages"),
                      QJsonArray{QJsonObject{{QStringLiteral("role"), QStringLiteral("user")},
                                             {QStringLiteral("content"), QStringLiteral("What is the capital of France?")}}}}};
    if (maxTokens > 0)
        body.insert(QStringLiteral("max_tokens"), maxTokens);
    if (stream)
        body.insert(QStringLiteral("stream"), true);
    if (includeUsage)
        body.insert(QStringLiteral("stream_options"), QJsonObject{{QStringLiteral("include_usage"), true}});
    return body;
}

inline QByteArray readFixture(const QString &name)
{
    QFile f(dataFile(QStringLiteral("sim/") + name));
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return f.readAll();
}

inline QJsonObject fixtureJson(const QString &name)
{
    return QJsonDocument::fromJson(readFixture(name)).object();
}

// The JSON objects of an SSE body's `data:` events; `done` tells whether `data: [DONE]` ended it.
inline QList<QJsonObject> sseEvents(const QByteArray &body, bool *done)
{
    QList<QJsonObject> events;
    *done = false;
    const QList<QByteArray> blocks = body.split('\n');
    for (const QByteArray &line : blocks) {
        if (!line.startsWith("data: "))
            continue;
        const QByteArray data = line.mid(6);
        if (data == "[DONE]") {
            *done = true;
            continue;
        }
        events.append(QJsonDocument::fromJson(data).object());
    }
    return events;
}

// Empty when `actual` has exactly the fields of `expected`, with the same JSON types, all the
// way down (arrays: their first elements). A null in the fixture accepts null only.
inline QString shapeDiff(const QJsonValue &expected, const QJsonValue &actual, const QString &path = QStringLiteral("$"))
{
    if (expected.type() != actual.type())
        return path + QStringLiteral(": type %1, expected %2").arg(int(actual.type())).arg(int(expected.type()));
    if (expected.isObject()) {
        const QJsonObject e = expected.toObject();
        const QJsonObject a = actual.toObject();
        QStringList ek = e.keys();
        QStringList ak = a.keys();
        if (ek != ak)
            return path + QStringLiteral(": keys [%1], expected [%2]").arg(ak.join(u','), ek.join(u','));
        for (const QString &k : ek) {
            const QString d = shapeDiff(e.value(k), a.value(k), path + QLatin1Char('.') + k);
            if (!d.isEmpty())
                return d;
        }
    }
    if (expected.isArray()) {
        const QJsonArray e = expected.toArray();
        const QJsonArray a = actual.toArray();
        if (e.isEmpty() != a.isEmpty())
            return path + QStringLiteral(": emptiness differs");
        if (!e.isEmpty())
            return shapeDiff(e.first(), a.first(), path + QStringLiteral("[0]"));
    }
    return {};
}

} // namespace meridian::test
