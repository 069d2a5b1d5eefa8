#pragma once

#include <QTcpServer>

#include <functional>

namespace meridian::net {

// A listening socket that hands each accepted descriptor to a callback instead of wrapping
// it in a QTcpSocket: the connection is adopted by a TcpStream, here or on another thread.
class TcpListener final : public QTcpServer {
    Q_OBJECT
public:
    using QTcpServer::QTcpServer;
    std::function<void(qintptr)> onDescriptor;

protected:
    void incomingConnection(qintptr descriptor) override;
};

} // namespace meridian::net
