// The console's desktop integration (installer/desktop/): the icon rendered at build time, the
// icon embedded in the console, and the names that tie the desktop entry, the AppStream
// metainfo, the icon theme and the binary together. The validators run as separate tests.

#include "app/console/AppIcon.h"

#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QImageReader>
#include <QSvgRenderer>
#include <QTest>
#include <QXmlStreamReader>

#include <optional>

namespace {

const QString kAppId = QStringLiteral(MERIDIAN_TEST_APP_ID);

// Width and height from a PNG's IHDR chunk, which the format puts first, right after the
// signature.
std::optional<QSize> pngHeaderSize(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return std::nullopt;
    const QByteArray head = file.read(24);
    if (head.size() != 24 || !head.startsWith("\x89PNG\r\n\x1a\n") || head.mid(12, 4) != "IHDR")
        return std::nullopt;
    const auto be32 = [&](int at) {
        quint32 value = 0;
        for (int i = 0; i < 4; ++i)
            value = (value << 8) | static_cast<quint8>(head.at(at + i));
        return static_cast<int>(value);
    };
    return QSize(be32(16), be32(20));
}

// The [Desktop Entry] group of a desktop file: key → value (no locale variants needed here).
QHash<QString, QString> desktopEntry(const QString &path)
{
    QHash<QString, QString> entry;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text))
        return entry;
    bool inGroup = false;
    while (!file.atEnd()) {
        const QString line = QString::fromUtf8(file.readLine()).trimmed();
        if (line.startsWith(QLatin1Char('[')))
            inGroup = line == QLatin1String("[Desktop Entry]");
        else if (inGroup && !line.startsWith(QLatin1Char('#')) && line.contains(QLatin1Char('=')))
            entry.insert(line.section(QLatin1Char('='), 0, 0).trimmed(), line.section(QLatin1Char('='), 1).trimmed());
    }
    return entry;
}

struct Metainfo
{
    QString id;
    QString launchable;
    QStringList binaries;
    QString homepage;
    QString releaseVersion;
    QStringList screenshotUrls;
    QList<QSize> screenshotSizes;
};

Metainfo readMetainfo(const QString &path)
{
    Metainfo m;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return m;
    QXmlStreamReader xml(&file);
    QStringList open;
    while (!xml.atEnd()) {
        xml.readNext();
        if (xml.isEndElement()) {
            open.removeLast();
            continue;
        }
        if (!xml.isStartElement())
            continue;
        const QString name = xml.name().toString();
        const QXmlStreamAttributes attributes = xml.attributes();
        const QString parent = open.isEmpty() ? QString() : open.last();
        open << name;
        if (name == QLatin1String("id") && parent == QLatin1String("component")) {
            m.id = xml.readElementText();
            open.removeLast();
        } else if (name == QLatin1String("launchable") && attributes.value(QLatin1String("type")) == QLatin1String("desktop-id")) {
            m.launchable = xml.readElementText();
            open.removeLast();
        } else if (name == QLatin1String("binary") && parent == QLatin1String("provides")) {
            m.binaries << xml.readElementText();
            open.removeLast();
        } else if (name == QLatin1String("url") && attributes.value(QLatin1String("type")) == QLatin1String("homepage")) {
            m.homepage = xml.readElementText();
            open.removeLast();
        } else if (name == QLatin1String("release") && m.releaseVersion.isEmpty()) {
            m.releaseVersion = attributes.value(QLatin1String("version")).toString();
        } else if (name == QLatin1String("image") && parent == QLatin1String("screenshot")) {
            m.screenshotSizes << QSize(attributes.value(QLatin1String("width")).toInt(),
                                       attributes.value(QLatin1String("height")).toInt());
            m.screenshotUrls << xml.readElementText();
            open.removeLast();
        }
    }
    if (xml.hasError())
        qWarning("%s: %s", qPrintable(path), qPrintable(xml.errorString()));
    return m;
}

} // namespace

class TestDesktopIntegration : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void renderedPng_data();
    void renderedPng();
    void svgIsSquareAndValid();
    void embeddedIconHasEverySize();
    void applicationIconFallsBackToEmbedded();
    void desktopEntryNamesTheIconAndTheBinary();
    void metainfoNamesTheDesktopEntryAndTheBinaries();
    void screenshotsMatchTheRepository();
};

void TestDesktopIntegration::renderedPng_data()
{
    QTest::addColumn<int>("size");
    const QStringList sizes = QStringLiteral(MERIDIAN_TEST_ICON_SIZES).split(QLatin1Char(','));
    QVERIFY(sizes.size() >= 9);
    for (const QString &size : sizes)
        QTest::newRow(qPrintable(size + QLatin1String(" px"))) << size.toInt();
}

void TestDesktopIntegration::renderedPng()
{
    QFETCH(int, size);
    const QString path = QStringLiteral("%1/%2x%2/apps/%3.png").arg(QStringLiteral(MERIDIAN_TEST_ICON_BUILD_DIR)).arg(size).arg(kAppId);
    QVERIFY2(QFileInfo::exists(path), qPrintable(path + QLatin1String(" was not rendered (target meridian_icons)")));
    const std::optional<QSize> header = pngHeaderSize(path);
    QVERIFY2(header.has_value(), qPrintable(path + QLatin1String(" has no PNG signature and IHDR")));
    QCOMPARE(*header, QSize(size, size));

    QImage image(path);
    QVERIFY(!image.isNull());
    QVERIFY(image.hasAlphaChannel());
    image = image.convertToFormat(QImage::Format_ARGB32);
    const int last = size - 1;
    for (const QPoint corner : {QPoint(0, 0), QPoint(last, 0), QPoint(0, last), QPoint(last, last)})
        QVERIFY2(qAlpha(image.pixel(corner)) == 0,
                 qPrintable(QStringLiteral("corner (%1, %2) is not transparent").arg(corner.x()).arg(corner.y())));
    QCOMPARE(qAlpha(image.pixel(size / 2, size / 2)), 255);
    // Not a blank or single-colour render: the globe, its rim and the arcs give several colours.
    QSet<QRgb> colours;
    for (int y = 0; y < size; ++y)
        for (int x = 0; x < size; ++x)
            if (qAlpha(image.pixel(x, y)) == 255)
                colours.insert(image.pixel(x, y));
    QVERIFY2(colours.size() >= 4, qPrintable(QStringLiteral("only %1 opaque colours").arg(colours.size())));
}

void TestDesktopIntegration::svgIsSquareAndValid()
{
    QSvgRenderer renderer(QStringLiteral(MERIDIAN_TEST_ICON_SVG));
    QVERIFY(renderer.isValid());
    QCOMPARE(renderer.viewBoxF().width(), renderer.viewBoxF().height());
    QCOMPARE(QFileInfo(QStringLiteral(MERIDIAN_TEST_ICON_SVG)).completeBaseName(), kAppId);
}

void TestDesktopIntegration::embeddedIconHasEverySize()
{
    QCOMPARE(QLatin1String(meridian::app::kApplicationId), kAppId);
    const QIcon icon = meridian::app::embeddedApplicationIcon();
    QVERIFY2(!icon.isNull(), "the SVG resource is missing from meridian_console_icon");
    const QList<QSize> available = icon.availableSizes();
    for (const int size : {16, 22, 24, 32, 48, 64, 128, 256}) {
        QVERIFY2(available.contains(QSize(size, size)), qPrintable(QStringLiteral("no %1 px pixmap").arg(size)));
        const QImage image = icon.pixmap(size).toImage().convertToFormat(QImage::Format_ARGB32);
        QCOMPARE(image.size(), QSize(size, size));
        QCOMPARE(qAlpha(image.pixel(0, 0)), 0);
        QCOMPARE(qAlpha(image.pixel(size / 2, size / 2)), 255);
    }
}

void TestDesktopIntegration::applicationIconFallsBackToEmbedded()
{
    // The test environment has no icon theme with io.meridian.Console (XDG_DATA_HOME is the
    // build's test home), so the window icon is the embedded one.
    const QIcon icon = meridian::app::applicationIcon();
    QVERIFY(!icon.isNull());
    QVERIFY(!icon.pixmap(32).isNull());
}

void TestDesktopIntegration::desktopEntryNamesTheIconAndTheBinary()
{
    const QString path = QStringLiteral(MERIDIAN_TEST_DESKTOP_FILE);
    QCOMPARE(QFileInfo(path).fileName(), kAppId + QLatin1String(".desktop"));
    const QHash<QString, QString> entry = desktopEntry(path);
    QVERIFY2(!entry.isEmpty(), qPrintable(path));
    // The icon theme name under which installer/desktop installs the PNGs and the SVG.
    QCOMPARE(entry.value(QStringLiteral("Icon")), kAppId);
    // The console's binary, with no file argument: it takes none (--config FILE only).
    QCOMPARE(entry.value(QStringLiteral("Exec")), QStringLiteral(MERIDIAN_TEST_CONSOLE_BINARY));
    // X11's WM_CLASS class is the application name, which main.cpp sets to the binary's name.
    QCOMPARE(entry.value(QStringLiteral("StartupWMClass")), QStringLiteral(MERIDIAN_TEST_CONSOLE_BINARY));
    QCOMPARE(entry.value(QStringLiteral("Type")), QStringLiteral("Application"));
    QCOMPARE(entry.value(QStringLiteral("Terminal")), QStringLiteral("false"));
}

void TestDesktopIntegration::metainfoNamesTheDesktopEntryAndTheBinaries()
{
    const QString path = QStringLiteral(MERIDIAN_TEST_METAINFO_FILE);
    QCOMPARE(QFileInfo(path).fileName(), kAppId + QLatin1String(".metainfo.xml"));
    const Metainfo m = readMetainfo(path);
    QCOMPARE(m.id, kAppId);
    QCOMPARE(m.launchable, QFileInfo(QStringLiteral(MERIDIAN_TEST_DESKTOP_FILE)).fileName());
    QVERIFY2(m.binaries.contains(QStringLiteral(MERIDIAN_TEST_CONSOLE_BINARY)), qPrintable(m.binaries.join(QLatin1Char(' '))));
    QVERIFY2(m.binaries.contains(QStringLiteral(MERIDIAN_TEST_SIM_BINARY)), qPrintable(m.binaries.join(QLatin1Char(' '))));
    QCOMPARE(m.releaseVersion, QStringLiteral(MERIDIAN_VERSION));
    QCOMPARE(m.homepage, QStringLiteral(MERIDIAN_TEST_HOMEPAGE_URL));
}

void TestDesktopIntegration::screenshotsMatchTheRepository()
{
    // Each screenshot is one of docs/screenshots/ (published under the homepage), with its size.
    const Metainfo m = readMetainfo(QStringLiteral(MERIDIAN_TEST_METAINFO_FILE));
    QCOMPARE(m.screenshotUrls.size(), 3);
    for (int i = 0; i < m.screenshotUrls.size(); ++i) {
        const QString &url = m.screenshotUrls.at(i);
        const QString prefix = QStringLiteral(MERIDIAN_TEST_HOMEPAGE_URL "/screenshots/");
        QVERIFY2(url.startsWith(prefix), qPrintable(url));
        const QString local = QStringLiteral(MERIDIAN_SOURCE_DIR_PATH "/docs/screenshots/") + url.mid(prefix.size());
        const std::optional<QSize> size = pngHeaderSize(local);
        QVERIFY2(size.has_value(), qPrintable(local + QLatin1String(" is not in the repository")));
        QCOMPARE(m.screenshotSizes.at(i), *size);
    }
}

QTEST_MAIN(TestDesktopIntegration)
#include "TestDesktopIntegration.moc"
