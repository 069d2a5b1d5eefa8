// store_crash_writer <database>: appends routing events and audit rows to a history store as
// fast as it can and prints every acknowledged (committed) sequence number on a line of its
// own, until it is killed (TestStoreCrash sends SIGKILL) or a minute has passed.
#include "core/store/HistoryStore.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QElapsedTimer>

#include <cstdio>

using namespace meridian;
using namespace meridian::store;

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    if (argc != 2) {
        std::fputs("usage: store_crash_writer <database>\n", stderr);
        return 2;
    }
    StoreOptions options;
    options.path = QString::fromLocal8Bit(argv[1]);
    options.queueCapacity = 512;
    options.maxBatchRows = 64;
    auto opened = HistoryStore::open(options);
    if (!opened) {
        std::fprintf(stderr, "%s\n", qPrintable(opened.error().message));
        return 1;
    }
    HistoryStore &store = *opened.value();
    // Printed on the writer thread right after COMMIT returned: a line on stdout is a promise
    // that the row survives a crash.
    QObject::connect(
        &store, &HistoryStore::committed, &store,
        [](qint64 first, qint64 last) {
            QByteArray lines;
            for (qint64 s = first; s <= last; ++s)
                lines += QByteArray::number(s) + '\n';
            std::fwrite(lines.constData(), 1, static_cast<size_t>(lines.size()), stdout);
            std::fflush(stdout);
        },
        Qt::DirectConnection);

    QElapsedTimer alive;
    alive.start();
    // Rows carry the real time: the test's store, on the system clock, keeps them.
    const qint64 start = QDateTime::currentMSecsSinceEpoch();
    for (qint64 i = 0; alive.elapsed() < 60'000; ++i) {
        HistoryRow row;
        if (i % 4 == 3) {
            AuditRow a;
            a.timeMs = start + i;
            a.actor = QStringLiteral("crash-test");
            a.action = QStringLiteral("drain");
            a.target = QStringLiteral("eu-west-1");
            a.reason = QStringLiteral("row %1").arg(i);
            row = a;
        } else {
            RoutingEventRow e;
            e.timeMs = start + i;
            e.kind = QStringLiteral("failover");
            e.from = QStringLiteral("us-east-1");
            e.to = QStringLiteral("us-west-2");
            e.reason = QStringLiteral("row %1").arg(i);
            row = e;
        }
        if (!store.append(std::move(row)))
            store.flush(1'000); // the queue is full: wait for the writer, do not spin
    }
    return 0;
}
