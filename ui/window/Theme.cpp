#include "ui/window/Theme.h"

#include <QApplication>
#include <QStyle>
#include <QStyleFactory>

namespace meridian::ui {

namespace {

QPalette darkPalette()
{
    QPalette p;
    const QColor window(0x26, 0x29, 0x2e), base(0x1c, 0x1e, 0x22), text(0xe6, 0xe8, 0xeb), mid(0x3a, 0x3e, 0x45);
    p.setColor(QPalette::Window, window);
    p.setColor(QPalette::WindowText, text);
    p.setColor(QPalette::Base, base);
    p.setColor(QPalette::AlternateBase, QColor(0x23, 0x26, 0x2b));
    p.setColor(QPalette::ToolTipBase, QColor(0x31, 0x35, 0x3b));
    p.setColor(QPalette::ToolTipText, text);
    p.setColor(QPalette::PlaceholderText, QColor(0x8b, 0x91, 0x99));
    p.setColor(QPalette::Text, text);
    p.setColor(QPalette::Button, QColor(0x2f, 0x33, 0x39));
    p.setColor(QPalette::ButtonText, text);
    p.setColor(QPalette::BrightText, QColor(0xff, 0x6b, 0x6b));
    p.setColor(QPalette::Mid, mid);
    p.setColor(QPalette::Dark, QColor(0x16, 0x18, 0x1b));
    p.setColor(QPalette::Light, QColor(0x45, 0x4a, 0x52));
    p.setColor(QPalette::Highlight, QColor(0x3d, 0x8b, 0xd9));
    p.setColor(QPalette::HighlightedText, QColor(0xff, 0xff, 0xff));
    p.setColor(QPalette::Link, QColor(0x6c, 0xb4, 0xff));
    for (const QPalette::ColorRole role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText})
        p.setColor(QPalette::Disabled, role, QColor(0x7a, 0x7f, 0x87));
    return p;
}

} // namespace

Theme themeFromName(const QString &name)
{
    if (name == QLatin1String("light"))
        return Theme::Light;
    if (name == QLatin1String("dark"))
        return Theme::Dark;
    return Theme::System;
}

QString themeName(Theme theme)
{
    switch (theme) {
    case Theme::Light:
        return QStringLiteral("light");
    case Theme::Dark:
        return QStringLiteral("dark");
    case Theme::System:
        break;
    }
    return QStringLiteral("system");
}

QPalette paletteFor(Theme theme, const QPalette &system)
{
    switch (theme) {
    case Theme::Dark:
        return darkPalette();
    case Theme::Light:
        if (QStyle *fusion = QStyleFactory::create(QStringLiteral("Fusion"))) {
            const QPalette p = fusion->standardPalette();
            delete fusion;
            return p;
        }
        return system;
    case Theme::System:
        break;
    }
    return system;
}

void applyTheme(Theme theme)
{
    static const QPalette system = QApplication::palette();
    static const QString systemStyle = QApplication::style() ? QApplication::style()->name() : QString();
    if (theme == Theme::System) {
        if (!systemStyle.isEmpty())
            QApplication::setStyle(systemStyle);
        QApplication::setPalette(system);
        return;
    }
    QApplication::setStyle(QStringLiteral("Fusion"));
    QApplication::setPalette(paletteFor(theme, system));
}

bool isDark(const QPalette &palette)
{
    return palette.color(QPalette::Window).lightness() < 128;
}

} // namespace meridian::ui
