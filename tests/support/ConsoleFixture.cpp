#include "tests/support/ConsoleFixture.h"

#include "tests/support/ChatBodies.h"
#include "tests/support/GatewayHarness.h"
#include "ui/facade/ConsoleBackend.h"

#include "core/gateway/Gateway.h"

#include <QDeadlineTimer>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QSignalSpy>
#include <QTest>

namespace meridian::test {

ConsoleFixture::ConsoleFixture(config::GatewayConfig config) : m_dirPath(m_dir.path())
{
    config.listenHost = QStringLiteral("127.0.0.1");
    config.listenPort = 0;
    if (config.admin.tokenFile.isEmpty())
        config.admin.tokenFile = m_dir.filePath(QStringLiteral("admin-token"));
    if (config.history.enabled && config.history.path.isEmpty())
        config.history.path = m_dir.filePath(QStringLiteral("history.sqlite"));
    m_historyPath = config.history.enabled ? config.history.path : QString();
    m_gateway = std::make_unique<gateway::Gateway>(std::move(config));
    auto started = m_gateway->start();
    if (!started) {
        m_error = started.error().message;
        return;
    }
    m_backend = std::make_unique<ui::ConsoleBackend>(*m_gateway);
    m_backend->setActor(QStringLiteral("test-operator"));
}

ConsoleFixture::~ConsoleFixture()
{
    m_backend.reset();
    m_gateway.reset(); // stops the control thread and joins the workers
}

quint16 ConsoleFixture::port() const
{
    return m_gateway ? m_gateway->port() : 0;
}

bool ConsoleFixture::waitForSnapshot(const std::function<bool(const ui::ConsoleSnapshot &)> &ready, int timeoutMs)
{
    if (!m_backend)
        return false;
    const QDeadlineTimer deadline(timeoutMs);
    while (true) {
        m_backend->refresh();
        if (ready(*m_backend->snapshot()))
            return true;
        if (deadline.hasExpired())
            return false;
        QTest::qWait(20); // runs the event loop for 20 ms: bounded by the deadline above
    }
}

int ConsoleFixture::chat(const QByteArray &country)
{
    QNetworkAccessManager net;
    QNetworkRequest request(QUrl(QStringLiteral("http://127.0.0.1:%1/v1/chat/completions").arg(port())));
    request.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/json"));
    request.setRawHeader("CF-IPCountry", country);
    request.setTransferTimeout(10'000);
    QNetworkReply *reply = net.post(request, kChat);
    QSignalSpy finished(reply, &QNetworkReply::finished);
    const int status = finished.wait(10'000) ? reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() : -1;
    delete reply;
    return status;
}

config::GatewayConfig ConsoleFixture::threeRegions(const QString &model)
{
    const QString dead = QStringLiteral("http://127.0.0.1:%1");
    config::GatewayConfig cfg = GatewayHarness::configFor(
        {dead.arg(GatewayHarness::unusedPort()), dead.arg(GatewayHarness::unusedPort()),
         dead.arg(GatewayHarness::unusedPort())},
        model);
    const struct {
        const char *name;
        double lat, lon;
        const char *jurisdiction;
    } places[] = {{"us-east-1", 38.9, -77.4, "US"}, {"us-west-2", 45.8, -119.7, "US"}, {"eu-west-1", 53.3, -6.3, "EU"}};
    for (size_t i = 0; i < cfg.regions.size(); ++i) {
        cfg.regions[i].name = QString::fromLatin1(places[i].name);
        cfg.regions[i].location = {places[i].lat, places[i].lon};
        cfg.regions[i].jurisdiction = QString::fromLatin1(places[i].jurisdiction);
    }
    return cfg;
}

} // namespace meridian::test
