#pragma once

#include "core/http/HttpHeaders.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <memory>
#include <utility>
#include <vector>

class QThread;

namespace meridian::test {

// A scriptable fake OpenAI-compatible upstream on 127.0.0.1:0, running on its own thread so a
// test may block on client sockets while it serves. Behaviours are set per exact path
// (unknown paths get 404). Every method is thread-safe.
class ScriptedUpstream final {
public:
    struct Options {
        bool tls = false;
        QString certFile;
        QString keyFile;
    };
    struct Seen {
        QByteArray method;
        QByteArray path;
        http::HttpHeaders headers;
        QByteArray body;
    };
    using Headers = std::vector<std::pair<QByteArray, QByteArray>>;

    ScriptedUpstream() : ScriptedUpstream(Options{}) {}
    explicit ScriptedUpstream(Options options);
    ~ScriptedUpstream();
    ScriptedUpstream(const ScriptedUpstream &) = delete;
    ScriptedUpstream &operator=(const ScriptedUpstream &) = delete;

    quint16 port() const;
    QString baseUrl() const; // http://127.0.0.1:PORT, or https://localhost:PORT with tls

    void setJson(const QByteArray &path, int status, const QByteArray &body, const Headers &extra = {});
    // text/event-stream, chunked, one event ("data: <e>\n\n") per chunk. With gateAfter >= 0
    // it stops after that many events until releaseGate(); intervalMs spaces events out.
    void setSse(const QByteArray &path, const QList<QByteArray> &events, int gateAfter = -1, int intervalMs = 0);
    void setRaw(const QByteArray &path, const QByteArray &bytes, bool closeAfter = true);
    void setReset(const QByteArray &path);
    void setHang(const QByteArray &path);
    void setHold(const QByteArray &path, int status, const QByteArray &body); // until releaseHeld()
    void releaseGate();
    void releaseHeld();

    int connectionsAccepted() const;
    int openConnections() const;
    int requestCount(const QByteArray &path = {}) const; // empty: all paths
    int inFlight() const;            // received and not answered yet
    int maxInFlight() const;
    int closedWhileInFlight() const; // the client closed with a request unanswered
    Seen lastRequest(const QByteArray &path) const;

    class Server; // the implementation, living on the fake's thread

private:
    std::unique_ptr<QThread> m_thread;
    Server *m_server = nullptr;
};

} // namespace meridian::test
