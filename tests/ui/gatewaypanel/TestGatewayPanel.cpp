// The gateway panel: address, base URL and snippets from the snapshot, copy buttons, the
// pausable request log, and the route explainer against a real in-process gateway.
#include "tests/support/ConsoleFixture.h"
#include "ui/facade/ConsoleBackend.h"
#include "ui/gatewaypanel/GatewayPanel.h"
#include "ui/gatewaypanel/RequestLogModel.h"
#include "ui/gatewaypanel/RouteExplainer.h"

#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QGuiApplication>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTest>

using namespace meridian;
using namespace meridian::test;
using meridian::ui::ConsoleSnapshot;
using meridian::ui::GatewayPanel;
using meridian::ui::RouteExplainer;

namespace {

std::shared_ptr<ConsoleSnapshot> handSnapshot()
{
    auto s = std::make_shared<ConsoleSnapshot>();
    s->gateway.running = true;
    s->gateway.listenHost = QStringLiteral("127.0.0.1");
    s->gateway.port = 8123;
    s->gateway.baseUrl = QStringLiteral("http://127.0.0.1:8123/v1");
    s->gateway.workers = 2;
    s->gateway.models = {QStringLiteral("llama-3-8b"), QStringLiteral("qwen")};
    ui::RequestView r;
    r.requestId = QStringLiteral("req-1");
    r.geo = QStringLiteral("DE");
    r.model = QStringLiteral("llama-3-8b");
    r.target = QStringLiteral("eu-west-1");
    r.reason = QStringLiteral("nearest");
    r.status = 200;
    s->recent.push_back(r);
    return s;
}

} // namespace

class TestGatewayPanel final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void showsAddressAndSnippets();
    void copiesToTheClipboard();
    void pauseFreezesTheLog();
    void explainQueryIsEncoded();
    void explainerRefusesBadGeographyPlainly();
    void explainerShowsCandidatesFromTheGateway();
};

void TestGatewayPanel::showsAddressAndSnippets()
{
    GatewayPanel panel(nullptr);
    panel.setSnapshot(handSnapshot());
    QCOMPARE(panel.listenText(), QStringLiteral("127.0.0.1:8123"));
    QCOMPARE(panel.baseUrlEdit()->text(), QStringLiteral("http://127.0.0.1:8123/v1"));
    QVERIFY(panel.baseUrlEdit()->isReadOnly());
    for (const QString &key :
         {QStringLiteral("curl"), QStringLiteral("curl-eu"), QStringLiteral("python"), QStringLiteral("node")}) {
        QPlainTextEdit *edit = panel.snippetEdit(key);
        QVERIFY2(edit, qPrintable(key));
        QVERIFY(edit->isReadOnly());
        QVERIFY2(edit->toPlainText().contains(QStringLiteral("http://127.0.0.1:8123/v1")), qPrintable(key));
        QVERIFY2(edit->toPlainText().contains(QStringLiteral("llama-3-8b")), qPrintable(key)); // the first model
    }
    QVERIFY(panel.snippetEdit(QStringLiteral("curl-eu"))->toPlainText().contains(QStringLiteral("CF-IPCountry: DE")));
    QCOMPARE(panel.requestLog()->rowCount(), 1);
    QCOMPARE(panel.explainer()->modelCombo()->count(), 2);

    // The same snapshot again leaves the snippet editors alone (a selection survives).
    QPlainTextEdit *before = panel.snippetEdit(QStringLiteral("python"));
    panel.setSnapshot(handSnapshot());
    QCOMPARE(panel.snippetEdit(QStringLiteral("python")), before);

    // A new address rebuilds them.
    auto moved = handSnapshot();
    moved->gateway.port = 9000;
    moved->gateway.baseUrl = QStringLiteral("http://127.0.0.1:9000/v1");
    panel.setSnapshot(moved);
    QVERIFY(panel.snippetEdit(QStringLiteral("python"))->toPlainText().contains(QStringLiteral(":9000/v1")));
}

void TestGatewayPanel::copiesToTheClipboard()
{
    GatewayPanel panel(nullptr);
    panel.setSnapshot(handSnapshot());
    QClipboard *clipboard = QGuiApplication::clipboard();
    QVERIFY(clipboard);
    auto *copyNode = panel.findChild<QPushButton *>(QStringLiteral("copy-node"));
    QVERIFY(copyNode);
    copyNode->click();
    QCOMPARE(clipboard->text(), panel.snippetEdit(QStringLiteral("node"))->toPlainText());
}

void TestGatewayPanel::pauseFreezesTheLog()
{
    GatewayPanel panel(nullptr);
    auto s = handSnapshot();
    panel.setSnapshot(s);
    panel.pauseButton()->click();
    QVERIFY(panel.requestLog()->paused());
    auto more = handSnapshot();
    ui::RequestView r = more->recent.front();
    r.requestId = QStringLiteral("req-2");
    more->recent.insert(more->recent.begin(), r);
    panel.setSnapshot(more);
    QCOMPARE(panel.requestLog()->rowCount(), 1);
    panel.pauseButton()->click();
    QVERIFY(!panel.requestLog()->paused());
    QCOMPARE(panel.requestLog()->rowCount(), 2);
}

void TestGatewayPanel::explainQueryIsEncoded()
{
    QCOMPARE(RouteExplainer::explainQuery(QStringLiteral("DE"), QStringLiteral("m"), false),
             QByteArray("geo=DE&model=m"));
    QCOMPARE(RouteExplainer::explainQuery(QStringLiteral("US-CA"), QStringLiteral("a b&c=d"), true),
             QByteArray("geo=US-CA&model=a%20b%26c%3Dd&residency=eu"));
    QCOMPARE(RouteExplainer::explainQuery(QStringLiteral("FR"), QString(), false), QByteArray("geo=FR"));
    QCOMPARE(RouteExplainer::normalizedGeo(QStringLiteral(" de ")), std::optional<QString>(QStringLiteral("DE")));
    QCOMPARE(RouteExplainer::normalizedGeo(QStringLiteral("us-ca")), std::optional<QString>(QStringLiteral("US-CA")));
    QVERIFY(!RouteExplainer::normalizedGeo(QStringLiteral("Germany")));
    QVERIFY(!RouteExplainer::normalizedGeo(QStringLiteral("D")));
    QVERIFY(!RouteExplainer::normalizedGeo(QStringLiteral("US-CALI")));
}

void TestGatewayPanel::explainerRefusesBadGeographyPlainly()
{
    RouteExplainer explainer(nullptr);
    QSignalSpy explained(&explainer, &RouteExplainer::explained);
    explainer.geoCombo()->setEditText(QStringLiteral("Germany"));
    explainer.explain();
    QCOMPARE(explained.count(), 1);
    QVERIFY2(explainer.messageText().contains(QStringLiteral("not a geography")), qPrintable(explainer.messageText()));
    QCOMPARE(explainer.candidatesTable()->rowCount(), 0);
}

void TestGatewayPanel::explainerShowsCandidatesFromTheGateway()
{
    ConsoleFixture fixture(ConsoleFixture::threeRegions());
    QVERIFY2(fixture.ok(), qPrintable(fixture.error()));
    fixture.backend().refresh();
    GatewayPanel panel(&fixture.backend());
    RouteExplainer *explainer = panel.explainer();
    QCOMPARE(explainer->modelCombo()->currentText(), QStringLiteral("m"));
    QVERIFY(panel.baseUrlEdit()->text().contains(QString::number(fixture.port())));

    QSignalSpy explained(explainer, &RouteExplainer::explained);
    explainer->geoCombo()->setEditText(QStringLiteral("de"));
    explainer->explain();
    QVERIFY(explained.wait(5000));
    QTableWidget *table = explainer->candidatesTable();
    QVERIFY2(table->rowCount() >= 3, qPrintable(explainer->messageText()));
    QCOMPARE(table->item(0, RouteExplainer::Position)->text(), QStringLiteral("1"));
    // From Germany the Irish region is nearest.
    QCOMPARE(table->item(0, RouteExplainer::Target)->text(), QStringLiteral("eu-west-1"));
    QCOMPARE(table->item(0, RouteExplainer::Kind)->text(), QStringLiteral("region"));
    QVERIFY(!table->item(0, RouteExplainer::DistanceKm)->text().isEmpty());
    QVERIFY2(explainer->messageText().contains(QStringLiteral("DE")), qPrintable(explainer->messageText()));

    // A well-formed code the gateway does not know: its refusal, in plain words.
    explainer->geoCombo()->setEditText(QStringLiteral("ZZ"));
    explainer->explain();
    QVERIFY(explained.wait(5000));
    QVERIFY2(explainer->messageText().contains(QStringLiteral("could not explain")),
             qPrintable(explainer->messageText()));
    QCOMPARE(table->rowCount(), 0);

    // With EU residency only EU targets may serve.
    explainer->geoCombo()->setEditText(QStringLiteral("DE"));
    explainer->residencyCheck()->setChecked(true);
    explainer->explain();
    QVERIFY(explained.wait(5000));
    QVERIFY(table->rowCount() >= 1);
    QCOMPARE(table->item(0, RouteExplainer::Target)->text(), QStringLiteral("eu-west-1"));
}

QTEST_MAIN(TestGatewayPanel)
#include "TestGatewayPanel.moc"
