#pragma once

#include <QSocketNotifier>

namespace meridian::eventloop {

// A socket notifier whose activation is a plain function call under EpollEventDispatcher:
// no QEvent through QCoreApplication::notify(), no activated() signal. The data path's
// streams (net::TcpStream) are woken twice per relayed request, and that detour cost about
// 700 instructions each time (docs/benchmarks.md). Under any other dispatcher it is an
// ordinary notifier whose activated() signal calls the same handler.
//
// The handler runs on the notifier's thread, only while the notifier is enabled, exactly
// where the signal would have; it may disable or delete the notifier.
class DirectSocketNotifier final : public QSocketNotifier {
public:
    template <class Receiver, void (Receiver::*Handler)()>
    static DirectSocketNotifier *make(qintptr socket, Type type, Receiver *receiver, QObject *parent)
    {
        auto *n = new DirectSocketNotifier(type, parent);
        n->m_receiver = receiver;
        n->m_call = [](void *r) { (static_cast<Receiver *>(r)->*Handler)(); };
        connect(n, &QSocketNotifier::activated, n, &DirectSocketNotifier::fire);
        // Registered only now, complete: the dispatcher tells a direct notifier by its type.
        n->setSocket(socket);
        n->setEnabled(true);
        return n;
    }

    void fire() { m_call(m_receiver); }

private:
    DirectSocketNotifier(Type type, QObject *parent) : QSocketNotifier(type, parent) {}

    void *m_receiver = nullptr;
    void (*m_call)(void *) = nullptr;
};

} // namespace meridian::eventloop
