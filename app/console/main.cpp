// meridian: the operations console. Wiring only; the work is in ui/ and core/.
//
// Exit codes: 0 closed normally (or the screenshot was written), 1 runtime failure (the demo
// world or the gateway did not start, no display), 2 usage error.

#include "app/common/ResourcePaths.h"
#include "app/common/SignalWatcher.h"
#include "app/console/AppIcon.h"
#include "ui/facade/ConsoleBackend.h"
#include "ui/window/ConsoleSession.h"
#include "ui/window/MainWindow.h"
#include "ui/window/Theme.h"

#include <QApplication>
#include <QSettings>
#include <QTemporaryDir>

#include <cstdio>
#include <cstdlib>

namespace {

constexpr int kExitRuntime = 1;
constexpr int kExitUsage = 2;

bool hasDisplay()
{
    return qEnvironmentVariableIsSet("DISPLAY") || qEnvironmentVariableIsSet("WAYLAND_DISPLAY")
           || qEnvironmentVariableIsSet("QT_QPA_PLATFORM");
}

} // namespace

int main(int argc, char *argv[])
{
    QStringList args;
    for (int i = 0; i < argc; ++i)
        args << QString::fromLocal8Bit(argv[i]);
    // The shipped world is looked up once the application exists (next to the binary).
    const meridian::ui::ParsedOptions parsed = meridian::ui::parseConsoleOptions(args, QString());
    if (!parsed.options) {
        std::fputs(qPrintable(parsed.isError ? QStringLiteral("meridian: %1\n").arg(parsed.message) : parsed.message),
                   parsed.isError ? stderr : stdout);
        return parsed.isError ? kExitUsage : 0;
    }
    meridian::ui::ConsoleOptions options = *parsed.options;
    const bool screenshot = !options.screenshotFile.isEmpty();
    if (screenshot && !hasDisplay())
        qputenv("QT_QPA_PLATFORM", "offscreen"); // a screenshot needs no screen
    if (!hasDisplay()) {
        std::fputs("meridian: no display found (DISPLAY and WAYLAND_DISPLAY are unset). Run the headless gateway "
                   "instead: meridian-gateway, or scripts/run, which does so on the demo world.\n",
                   stderr);
        return kExitRuntime;
    }

    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("Meridian"));
    QApplication::setApplicationName(QStringLiteral("meridian"));
    QApplication::setApplicationDisplayName(QStringLiteral("Meridian"));
    QApplication::setApplicationVersion(QStringLiteral(MERIDIAN_VERSION));
    // The desktop entry (installer/desktop/): on Wayland the app_id, which ties the window to it.
    QApplication::setDesktopFileName(QLatin1String(meridian::app::kApplicationId));
    QApplication::setWindowIcon(meridian::app::applicationIcon());
    if (options.worldFile.isEmpty())
        options.worldFile = meridian::app::findResource(QStringLiteral("world.yaml"));

    // A screenshot shows the default layout and theme, whatever this user has arranged.
    QTemporaryDir screenshotSettings;
    if (screenshot) {
        QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, screenshotSettings.path());
        meridian::ui::applyTheme(meridian::ui::Theme::Light);
    } else {
        meridian::ui::applyTheme(meridian::ui::themeFromName(QSettings().value(QStringLiteral("ui/theme")).toString()));
    }

    meridian::app::SignalWatcher signals;
    meridian::ui::ConsoleSession session(options);
    QObject::connect(&signals, &meridian::app::SignalWatcher::terminationRequested, &session,
                     &meridian::ui::ConsoleSession::shutdown);
    int exitCode = 0;
    QObject::connect(&session, &meridian::ui::ConsoleSession::finished, &app, [&](int code, const QString &message) {
        if (!message.isEmpty())
            std::fprintf(code == 0 ? stdout : stderr, "meridian: %s\n", qPrintable(message));
        exitCode = code;
        QApplication::exit(code);
    });
    QObject::connect(&session, &meridian::ui::ConsoleSession::ready, &app, [&] {
        std::printf("meridian %s: console up, gateway at %s\n", MERIDIAN_VERSION,
                    qPrintable(session.backend()->snapshot()->gateway.baseUrl));
        std::fflush(stdout);
    });
    // Closing the last window ends the session through MainWindow::closeRequested.
    QApplication::setQuitOnLastWindowClosed(false);
    session.start();
    app.exec();
    return exitCode;
}
