// The real `meridian` binary: it renders itself to a PNG after the demo world has run
// (offscreen), plays a scenario first when asked, refuses bad arguments plainly, and without a
// display says so instead of crashing.
#include "tests/support/ProcessRun.h"
#include "tests/support/TestPaths.h"

#include <QImage>
#include <QProcess>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

using namespace meridian::test;

class TestConsoleBinary final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void screenshotOfTheDemoWorld();
    void screenshotDuringAScenario();
    void badArgumentsArePlainErrors();
    void withoutADisplayItSaysSo();

private:
    static QString console() { return binaryDir() + QStringLiteral("/app/console/meridian"); }
    // Distinct colours in a coarse sample: a blank or failed render has a handful.
    static int colourCount(const QImage &image)
    {
        QSet<QRgb> colours;
        for (int y = 0; y < image.height(); y += 7) {
            for (int x = 0; x < image.width(); x += 7)
                colours.insert(image.pixel(x, y));
        }
        return static_cast<int>(colours.size());
    }
};

void TestConsoleBinary::screenshotOfTheDemoWorld()
{
    QTemporaryDir dir;
    const QString png = dir.filePath(QStringLiteral("overview.png"));
    const ProcessRun run = runProcess(console(),
                                      {QStringLiteral("--screenshot"), png, QStringLiteral("--at"), QStringLiteral("6"),
                                       QStringLiteral("--speed"), QStringLiteral("3"), QStringLiteral("--port"),
                                       QStringLiteral("0"), QStringLiteral("--size"), QStringLiteral("1200x800"),
                                       QStringLiteral("--history"), dir.filePath(QStringLiteral("history.sqlite"))},
                                      90'000);
    QVERIFY2(run.exitCode == 0, run.err.constData());
    QVERIFY(run.out.contains("screenshot written to"));
    QImage image(png);
    QVERIFY(!image.isNull());
    QCOMPARE(image.size(), QSize(1200, 800));
    const int colours = colourCount(image);
    QVERIFY2(colours > 40, qPrintable(QString::number(colours)));
    // The console's history holds what the gateway saw while the world ran.
    QVERIFY(QFileInfo::exists(dir.filePath(QStringLiteral("history.sqlite"))));
}

void TestConsoleBinary::screenshotDuringAScenario()
{
    QTemporaryDir dir;
    const QString png = dir.filePath(QStringLiteral("outage.png"));
    const ProcessRun run = runProcess(console(),
                                      {QStringLiteral("--screenshot"), png, QStringLiteral("--scenario"),
                                       QStringLiteral("regional-outage"), QStringLiteral("--at"), QStringLiteral("40"),
                                       QStringLiteral("--speed"), QStringLiteral("20"), QStringLiteral("--port"),
                                       QStringLiteral("0"), QStringLiteral("--history"),
                                       dir.filePath(QStringLiteral("history.sqlite"))},
                                      90'000);
    QVERIFY2(run.exitCode == 0, run.err.constData());
    QVERIFY(!QImage(png).isNull());

    const ProcessRun unknown = runProcess(console(),
                                          {QStringLiteral("--screenshot"), dir.filePath(QStringLiteral("x.png")),
                                           QStringLiteral("--scenario"), QStringLiteral("no-such-scenario"),
                                           QStringLiteral("--port"), QStringLiteral("0"), QStringLiteral("--history"),
                                           dir.filePath(QStringLiteral("history2.sqlite"))},
                                          90'000);
    QCOMPARE(unknown.exitCode, 2);
    QVERIFY2(unknown.err.contains("no-such-scenario"), unknown.err.constData());
    QVERIFY(!QFileInfo::exists(dir.filePath(QStringLiteral("x.png"))));
}

void TestConsoleBinary::badArgumentsArePlainErrors()
{
    const ProcessRun run = runProcess(console(), {QStringLiteral("--speed"), QStringLiteral("fast")});
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.startsWith("meridian: --speed fast"), run.err.constData());
    const ProcessRun version = runProcess(console(), {QStringLiteral("--version")});
    QCOMPARE(version.exitCode, 0);
    QVERIFY(version.out.startsWith("meridian "));
}

void TestConsoleBinary::withoutADisplayItSaysSo()
{
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("DISPLAY"));
    env.remove(QStringLiteral("WAYLAND_DISPLAY"));
    env.remove(QStringLiteral("QT_QPA_PLATFORM"));
    p.setProcessEnvironment(env);
    p.start(console(), {});
    QVERIFY(p.waitForFinished(20'000));
    QCOMPARE(p.exitCode(), 1);
    const QByteArray err = p.readAllStandardError();
    QVERIFY2(err.contains("no display found") && err.contains("meridian-gateway"), err.constData());
}

QTEST_MAIN(TestConsoleBinary)
#include "TestConsoleBinary.moc"
