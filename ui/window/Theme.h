#pragma once

#include <QPalette>
#include <QString>

namespace meridian::ui {

// The console's palettes. "system" keeps the platform's (Qt follows a dark desktop theme by
// itself); "light" and "dark" are Fusion palettes for a choice that differs from the desktop.
enum class Theme { System, Light, Dark };

Theme themeFromName(const QString &name); // unknown names: System
QString themeName(Theme theme);
QPalette paletteFor(Theme theme, const QPalette &system);
// Applies the theme to the application (style and palette).
void applyTheme(Theme theme);
bool isDark(const QPalette &palette);

} // namespace meridian::ui
