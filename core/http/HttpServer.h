#pragma once

#include "core/http/ServerConnection.h"

#include <QHostAddress>
#include <QObject>
#include <QString>

namespace meridian::net {
class TcpListener;
}

namespace meridian::http {

// A listening socket whose connections are served by ServerConnection and one handler, all on
// the thread that owns this object. For servers whose load fits one event loop (the simulator,
// test fixtures); the gateway spreads connections over workers instead.
//
// The listener can be closed and reopened on the same port (a simulated outage refuses
// connections, then comes back where clients expect it).
class HttpServer final : public QObject {
    Q_OBJECT
public:
    HttpServer(ServerSettings settings, RequestHandler &handler, QObject *parent = nullptr);
    ~HttpServer() override; // aborts every open connection

    // Port 0 picks a free port; later calls to resume() reuse the port first chosen.
    bool listen(const QHostAddress &address, quint16 port, QString *error = nullptr);
    bool isListening() const;
    quint16 port() const { return m_port; }
    QHostAddress address() const { return m_address; }

    // Stop accepting (clients see "connection refused"); open connections are untouched.
    void stopListening();
    // Listen again on the same address and port.
    bool resume(QString *error = nullptr);
    // Drop every open connection at once.
    void abortConnections();
    int openConnections() const { return m_open; }
    qint64 connectionsAccepted() const { return m_accepted; }

Q_SIGNALS:
    void connectionAccepted();

private:
    void onNewConnection(qintptr descriptor);

    ServerSettings m_settings;
    RequestHandler &m_handler;
    net::TcpListener *m_server;
    QObject m_connections; // parent of every ServerConnection
    QHostAddress m_address;
    quint16 m_port = 0;
    int m_open = 0;
    qint64 m_accepted = 0;
};

} // namespace meridian::http
