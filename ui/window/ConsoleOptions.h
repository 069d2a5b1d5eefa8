#pragma once

#include <QSize>
#include <QString>

#include <optional>

#include <QStringList>

namespace meridian::ui {

// How `meridian` was asked to run (its command line).
struct ConsoleOptions final {
    QString configFile;       // a real gateway config: the console runs it instead of the demo world
    QString worldFile;        // the demo world (default: the shipped resources/world.yaml)
    double speed = 1.0;       // the demo world's simulated seconds per real second
    quint16 port = 8000;      // where the embedded gateway listens (127.0.0.1); taken: a free one
    bool traffic = true;      // send the demo world's synthetic clients through the gateway
    QString historyFile;      // overrides the history database's path
    // --screenshot FILE [--scenario NAME --at SECONDS] [--size WxH]
    QString screenshotFile;
    QString scenario;
    double atSeconds = 20;    // simulated seconds of the demo world (or of the scenario) before the shot
    QSize size{1600, 1000};

    bool demo() const { return configFile.isEmpty(); }
};

// Parses the arguments (argv without the program name is fine too). Errors are plain sentences;
// `helpText` receives the usage text for --help.
struct ParsedOptions final {
    std::optional<ConsoleOptions> options; // empty: print `message` and exit
    QString message;
    bool isError = false;
};
ParsedOptions parseConsoleOptions(const QStringList &arguments, const QString &defaultWorld);

} // namespace meridian::ui
