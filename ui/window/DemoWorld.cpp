#include "ui/window/DemoWorld.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTimer>

namespace meridian::ui {

namespace {
constexpr qsizetype kMaxLog = 8 * 1024;
}

DemoWorld::DemoWorld(QObject *parent) : QObject(parent)
{
    m_world.setProcessChannelMode(QProcess::MergedChannels);
    connect(&m_world, &QProcess::readyReadStandardOutput, this, &DemoWorld::readWorld);
    connect(&m_world, &QProcess::errorOccurred, this, [this](QProcess::ProcessError error) {
        if (error == QProcess::FailedToStart)
            Q_EMIT failed(QStringLiteral("cannot start %1: %2").arg(m_options.simBinary, m_world.errorString()));
    });
    connect(&m_world, &QProcess::finished, this, [this](int code, QProcess::ExitStatus) {
        if (m_stopping) {
            checkStopped();
            return;
        }
        Q_EMIT failed(m_ready ? QStringLiteral("the demo world stopped (exit code %1)").arg(code)
                              : QStringLiteral("the demo world did not start (exit code %1): %2").arg(code).arg(m_log.trimmed()));
    });
    m_traffic.setProcessChannelMode(QProcess::MergedChannels);
    m_traffic.setStandardOutputFile(QProcess::nullDevice());
    connect(&m_traffic, &QProcess::finished, this, [this](int code, QProcess::ExitStatus status) {
        if (m_stopping) {
            checkStopped();
            return;
        }
        // A run lasts at most a simulated day (the generator's limit): start the next one.
        if (status == QProcess::NormalExit && code == 0 && !m_trafficUrl.isEmpty()) {
            startTraffic(m_trafficUrl);
            return;
        }
        Q_EMIT trafficStopped(QStringLiteral("the synthetic traffic stopped (exit code %1)").arg(code));
    });
}

DemoWorld::~DemoWorld()
{
    stopNow(1'000);
}

QString DemoWorld::findSibling(const QString &name, const QString &buildSubdir)
{
    const QDir here(QCoreApplication::applicationDirPath());
    for (const QString &candidate : {here.filePath(name), here.filePath(QStringLiteral("../%1/%2").arg(buildSubdir, name))}) {
        const QFileInfo info(candidate);
        if (info.isFile() && info.isExecutable())
            return info.canonicalFilePath();
    }
    const QString onPath = QStandardPaths::findExecutable(name);
    return onPath.isEmpty() ? name : onPath;
}

void DemoWorld::start(const Options &options)
{
    m_options = options;
    m_ready = false;
    m_stopping = false;
    m_stoppedSent = false;
    m_log.clear();
    m_pending.clear();
    m_world.start(m_options.simBinary,
                  {QStringLiteral("--world"), m_options.worldFile, QStringLiteral("--ephemeral-ports"),
                   QStringLiteral("--speed"), QString::number(m_options.speed), QStringLiteral("--gateway-port"),
                   QString::number(m_options.gatewayPort), QStringLiteral("--gateway-config-out"), m_options.configOut});
}

void DemoWorld::readWorld()
{
    m_pending += m_world.readAllStandardOutput();
    static const QRegularExpression adminRe(QStringLiteral("admin API on (http://[^\\s]+)"));
    for (qsizetype nl = m_pending.indexOf('\n'); nl >= 0; nl = m_pending.indexOf('\n')) {
        const QString line = QString::fromUtf8(m_pending.left(nl)).trimmed();
        m_pending.remove(0, nl + 1);
        if (m_log.size() < kMaxLog)
            m_log += line + QLatin1Char('\n');
        if (line.startsWith(QLatin1String("scenario: ")))
            Q_EMIT scenarioLine(line.mid(10));
        if (!m_ready && line.contains(QLatin1String(" ready: "))) {
            const QRegularExpressionMatch m = adminRe.match(line);
            m_adminUrl = m.hasMatch() ? QUrl(m.captured(1)) : QUrl();
            m_ready = true;
            Q_EMIT ready(m_adminUrl);
        }
    }
}

void DemoWorld::startTraffic(const QString &gatewayUrl)
{
    if (m_traffic.state() != QProcess::NotRunning)
        return;
    m_trafficUrl = gatewayUrl;
    m_traffic.start(m_options.simBinary,
                    {QStringLiteral("traffic"), QStringLiteral("--gateway"), gatewayUrl, QStringLiteral("--world"),
                     m_options.worldFile, QStringLiteral("--speed"), QString::number(m_options.speed),
                     QStringLiteral("--duration"), QStringLiteral("24h")});
}

void DemoWorld::stop(int graceMs)
{
    m_stopping = true;
    m_trafficUrl.clear();
    // Only the processes this object started, by their PIDs (QProcess signals its own child).
    for (QProcess *p : {&m_traffic, &m_world}) {
        if (p->state() != QProcess::NotRunning)
            p->terminate();
    }
    QTimer::singleShot(graceMs, this, [this] {
        for (QProcess *p : {&m_traffic, &m_world}) {
            if (p->state() != QProcess::NotRunning)
                p->kill();
        }
    });
    QMetaObject::invokeMethod(this, &DemoWorld::checkStopped, Qt::QueuedConnection);
}

void DemoWorld::checkStopped()
{
    if (m_stopping && !m_stoppedSent && m_traffic.state() == QProcess::NotRunning
        && m_world.state() == QProcess::NotRunning) {
        m_stoppedSent = true;
        Q_EMIT stopped();
    }
}

void DemoWorld::stopNow(int graceMs)
{
    m_stopping = true;
    m_trafficUrl.clear();
    // Only the processes this object started, by their PIDs (QProcess signals its own child).
    for (QProcess *p : {&m_traffic, &m_world}) {
        if (p->state() == QProcess::NotRunning)
            continue;
        p->terminate();
    }
    for (QProcess *p : {&m_traffic, &m_world}) {
        if (p->state() != QProcess::NotRunning && !p->waitForFinished(graceMs)) {
            p->kill();
            p->waitForFinished(500);
        }
    }
}

} // namespace meridian::ui
