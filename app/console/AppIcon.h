#pragma once

#include <QIcon>
#include <QList>

namespace meridian::app {

// The console's application ID: its desktop entry (io.meridian.Console.desktop), its AppStream
// component and its icon's name in the icon theme (installer/desktop/).
inline constexpr char kApplicationId[] = "io.meridian.Console";

// The sizes the embedded icon is rendered at.
QList<int> embeddedIconSizes();

// The icon shipped inside the binary (installer/desktop/icons/io.meridian.Console.svg as a Qt
// resource), rendered by QSvgRenderer to a pixmap per size: no SVG icon-engine plugin is needed.
// Null only if the resource is missing. Needs a QGuiApplication.
QIcon embeddedApplicationIcon();

// The window icon: the icon theme's io.meridian.Console (installed with the package, so it
// follows the user's theme), else the embedded one (run from the build tree).
QIcon applicationIcon();

} // namespace meridian::app
