// meridian_render_icon: renders the application icon's SVG to a square PNG at build time, so the
// packages ship the hicolor PNG sizes without a converter (rsvg, Inkscape) in the build deps.
//
//   meridian_render_icon SVG SIZE OUTPUT.png
//
// Qt's SVG renderer (SVG Tiny 1.2) draws it, the same renderer the console uses for its
// embedded fallback icon, so the PNGs and the window icon look alike. No display is needed: the
// offscreen platform is used unless QT_QPA_PLATFORM says otherwise.
// Exit codes: 0 written, 1 unreadable SVG or unwritable PNG, 2 usage error.

#include <QDir>
#include <QFileInfo>
#include <QGuiApplication>
#include <QImage>
#include <QPainter>
#include <QSvgRenderer>

#include <cstdio>

int main(int argc, char *argv[])
{
    if (!qEnvironmentVariableIsSet("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QGuiApplication app(argc, argv);
    const QStringList args = QGuiApplication::arguments();
    bool sizeOk = false;
    const int size = args.size() == 4 ? args.at(2).toInt(&sizeOk) : 0;
    if (!sizeOk || size < 1 || size > 4096) {
        std::fputs("usage: meridian_render_icon SVG SIZE OUTPUT.png (SIZE from 1 to 4096)\n", stderr);
        return 2;
    }
    const QString svgFile = args.at(1);
    const QString pngFile = args.at(3);

    QSvgRenderer renderer(svgFile);
    if (!renderer.isValid()) {
        std::fprintf(stderr, "meridian_render_icon: %s: not a readable SVG\n", qPrintable(svgFile));
        return 1;
    }
    QImage image(size, size, QImage::Format_ARGB32_Premultiplied);
    image.fill(Qt::transparent);
    {
        QPainter painter(&image);
        painter.setRenderHints(QPainter::Antialiasing | QPainter::SmoothPixmapTransform);
        renderer.render(&painter, QRectF(0, 0, size, size));
    }
    if (!QDir().mkpath(QFileInfo(pngFile).absolutePath()) || !image.save(pngFile, "PNG")) {
        std::fprintf(stderr, "meridian_render_icon: cannot write %s\n", qPrintable(pngFile));
        return 1;
    }
    return 0;
}
