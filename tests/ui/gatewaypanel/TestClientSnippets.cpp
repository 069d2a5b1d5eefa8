// Client snippets are built from the gateway's real base URL and a model it serves.
#include "ui/gatewaypanel/ClientSnippets.h"

#include <QTest>

#include <algorithm>

using namespace meridian::ui;

namespace {

QString snippet(const std::vector<ClientSnippet> &all, const QString &key)
{
    const auto it = std::find_if(all.begin(), all.end(), [&](const ClientSnippet &s) { return s.key == key; });
    return it == all.end() ? QString() : it->text;
}

} // namespace

class TestClientSnippets final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void carryBaseUrlAndModel();
    void curlShowsEuRouting();
    void quotesAwkwardNames();
    void placeholdersWithoutGateway();
};

void TestClientSnippets::carryBaseUrlAndModel()
{
    const auto all = clientSnippets(QStringLiteral("http://127.0.0.1:8123/v1"), QStringLiteral("llama-3-8b"));
    QCOMPARE(all.size(), size_t{4});
    for (const ClientSnippet &s : all) {
        QVERIFY2(s.text.contains(QStringLiteral("http://127.0.0.1:8123/v1")), qPrintable(s.key));
        QVERIFY2(s.text.contains(QStringLiteral("llama-3-8b")), qPrintable(s.key));
        QVERIFY(!s.title.isEmpty());
    }
    QVERIFY(snippet(all, QStringLiteral("curl")).contains(QStringLiteral("http://127.0.0.1:8123/v1/chat/completions")));
    const QString python = snippet(all, QStringLiteral("python"));
    QVERIFY(python.contains(QStringLiteral("from openai import OpenAI")));
    QVERIFY2(python.contains(QStringLiteral("OpenAI(base_url=\"http://127.0.0.1:8123/v1\", api_key=\"unused\")")),
             qPrintable(python));
    const QString node = snippet(all, QStringLiteral("node"));
    QVERIFY(node.contains(QStringLiteral("import OpenAI from \"openai\"")));
    QVERIFY(node.contains(QStringLiteral("baseURL: \"http://127.0.0.1:8123/v1\"")));
}

void TestClientSnippets::curlShowsEuRouting()
{
    const auto all = clientSnippets(QStringLiteral("http://127.0.0.1:8000/v1/"), QStringLiteral("m"));
    const QString plain = snippet(all, QStringLiteral("curl"));
    const QString eu = snippet(all, QStringLiteral("curl-eu"));
    QVERIFY(!plain.contains(QStringLiteral("CF-IPCountry")));
    QVERIFY(eu.contains(QStringLiteral("-H 'CF-IPCountry: DE'")));
    QVERIFY(!eu.contains(QStringLiteral("/v1//chat"))); // the trailing slash is not doubled
    QVERIFY(eu.contains(QStringLiteral("\"model\":\"m\"")));
}

void TestClientSnippets::quotesAwkwardNames()
{
    const auto all = clientSnippets(QStringLiteral("http://h/v1"), QStringLiteral("o'neil\"s"));
    // The shell sees one single-quoted word with the quote escaped as '\''.
    QVERIFY2(snippet(all, QStringLiteral("curl")).contains(QStringLiteral("o'\\''neil")),
             qPrintable(snippet(all, QStringLiteral("curl"))));
    QVERIFY(snippet(all, QStringLiteral("python")).contains(QStringLiteral("model=\"o'neil\\\"s\"")));
}

void TestClientSnippets::placeholdersWithoutGateway()
{
    const auto all = clientSnippets(QString(), QString());
    QVERIFY(snippet(all, QStringLiteral("curl")).contains(QStringLiteral("http://127.0.0.1:8000/v1")));
    QVERIFY(snippet(all, QStringLiteral("python")).contains(QStringLiteral("MODEL")));
}

QTEST_GUILESS_MAIN(TestClientSnippets)
#include "TestClientSnippets.moc"
