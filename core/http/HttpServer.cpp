#include "core/http/HttpServer.h"

#include "core/net/TcpListener.h"

namespace meridian::http {

HttpServer::HttpServer(ServerSettings settings, RequestHandler &handler, QObject *parent)
    : QObject(parent), m_settings(std::move(settings)), m_handler(handler), m_server(new net::TcpListener(this))
{
    m_server->onDescriptor = [this](qintptr descriptor) { onNewConnection(descriptor); };
}

HttpServer::~HttpServer()
{
    m_server->close();
    abortConnections();
}

bool HttpServer::listen(const QHostAddress &address, quint16 port, QString *error)
{
    m_address = address;
    if (!m_server->listen(address, port)) {
        if (error)
            *error = m_server->errorString();
        return false;
    }
    m_port = m_server->serverPort();
    return true;
}

bool HttpServer::isListening() const
{
    return m_server->isListening();
}

void HttpServer::stopListening()
{
    m_server->close();
}

bool HttpServer::resume(QString *error)
{
    if (m_server->isListening())
        return true;
    return listen(m_address, m_port, error);
}

void HttpServer::abortConnections()
{
    // abort() re-enters the connection's close path, which deletes it later; copy first.
    const QList<ServerConnection *> open = m_connections.findChildren<ServerConnection *>(Qt::FindDirectChildrenOnly);
    for (ServerConnection *connection : open)
        connection->abort();
}

void HttpServer::onNewConnection(qintptr descriptor)
{
    ++m_accepted;
    ++m_open;
    auto *connection = new ServerConnection(descriptor, m_settings, m_handler, &m_connections);
    connect(connection, &ServerConnection::closed, this, [this] { --m_open; });
    Q_EMIT connectionAccepted();
}

} // namespace meridian::http
