#include "tests/support/EventThread.h"

#include <QSemaphore>
#include <QThread>

#include <memory>

namespace meridian::test {

EventThread::EventThread() : m_thread(std::make_unique<QThread>())
{
    m_thread->setObjectName(QStringLiteral("EventThread"));
    m_root = new QObject;
    m_root->moveToThread(m_thread.get());
    m_thread->start();
}

EventThread::~EventThread()
{
    QObject *root = m_root;
    call([root] { delete root; });
    m_thread->quit();
    if (!m_thread->wait(10'000))
        qWarning("EventThread: thread did not stop");
}

bool EventThread::call(const std::function<void()> &fn, int timeoutMs)
{
    // The semaphore outlives a timed-out call: the function may still run later.
    auto done = std::make_shared<QSemaphore>();
    auto *context = new QObject;
    context->moveToThread(m_thread.get());
    QMetaObject::invokeMethod(context, [fn, done, context] {
        fn();
        done->release();
        delete context;
    }, Qt::QueuedConnection);
    return done->tryAcquire(1, timeoutMs);
}

} // namespace meridian::test
