#include "app/console/AppIcon.h"

#include <QImage>
#include <QPainter>
#include <QPixmap>
#include <QSvgRenderer>

namespace meridian::app {

QList<int> embeddedIconSizes()
{
    return {16, 22, 24, 32, 48, 64, 128, 256};
}

QIcon embeddedApplicationIcon()
{
    QSvgRenderer renderer(QStringLiteral(":/meridian/icons/%1.svg").arg(QLatin1String(kApplicationId)));
    if (!renderer.isValid())
        return {};
    QIcon icon;
    for (const int size : embeddedIconSizes()) {
        QImage image(size, size, QImage::Format_ARGB32_Premultiplied);
        image.fill(Qt::transparent);
        QPainter painter(&image);
        painter.setRenderHints(QPainter::Antialiasing | QPainter::SmoothPixmapTransform);
        renderer.render(&painter, QRectF(0, 0, size, size));
        painter.end();
        icon.addPixmap(QPixmap::fromImage(image));
    }
    return icon;
}

QIcon applicationIcon()
{
    const QIcon themed = QIcon::fromTheme(QLatin1String(kApplicationId));
    return themed.isNull() ? embeddedApplicationIcon() : themed;
}

} // namespace meridian::app
