#pragma once

#include "core/http/ResponseParser.h"
#include "core/net/ByteStream.h"
#include "core/upstream/UpstreamFailure.h"
#include "core/upstream/UpstreamTarget.h"

#include <QObject>

namespace meridian::upstream {

// One keep-alive HTTP/1.1 connection to an upstream, plain or TLS. Carries one exchange at a
// time for its current user; between exchanges it rests in the ConnectionPool.
// Lives on one worker thread. Plain targets use a TcpStream, https ones an SslStream.
class UpstreamConnection final : public QObject, private http::ResponseParser::Listener, private net::StreamListener {
    Q_OBJECT
public:
    class User {
    public:
        virtual ~User() = default;
        virtual void onConnectionReady() = 0;
        virtual void onHead(int status, const http::HttpHeaders &headers) = 0;
        virtual void onBody(QByteArrayView data) = 0;
        virtual void onComplete(bool reusable) = 0;
        virtual void onFailed(UpstreamFailure failure, const QByteArray &message) = 0;
    };

    UpstreamConnection(const UpstreamTarget &target, QObject *parent);
    ~UpstreamConnection() override;

    void open();
    bool isReady() const { return m_ready; }
    bool wasUsed() const { return m_exchanges > 0; }
    void attach(User *user);
    // The user is done with it. Reading resumes if the user had paused it: a connection must
    // never rest in the pool, or reach its next user, paused.
    void detach();
    void send(const QByteArray &head, const QByteArray &body);
    void setReadingPaused(bool paused);
    bool receivedResponseBytes() const { return m_gotBytes; }
    const QByteArray &originKey() const { return m_originKey; }

Q_SIGNALS:
    // Closed or broken while no user held it (the pool forgets it).
    void lostWhileIdle(meridian::upstream::UpstreamConnection *self);

private:
    // net::StreamListener
    void onStreamConnected() override;
    void onStreamReadable() override;
    void onStreamEnded(net::StreamEnd end, const QByteArray &message) override;

    void onPeerClosed();
    void deliverComplete();
    void fail(UpstreamFailure failure, const QByteArray &message);

    void onResponseHead(int status, const http::HttpHeaders &headers) override;
    void onResponseBody(const char *data, qsizetype len) override;
    void onResponseComplete() override;

    const UpstreamTarget &m_target;
    QByteArray m_originKey;
    net::ByteStream *m_stream = nullptr;
    http::ResponseParser m_parser;
    User *m_user = nullptr;
    bool m_ready = false;
    bool m_busy = false;
    bool m_broken = false;
    bool m_gotBytes = false;
    bool m_completed = false;
    bool m_extraBytes = false; // the upstream sent more than the response
    int m_exchanges = 0;
};

} // namespace meridian::upstream
