#include "core/sim/services/MilvusFilter.h"
#include "core/sim/services/ReplicationLog.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using meridian::sim::MilvusFilter;
using meridian::sim::ReplicatedRow;
using meridian::sim::ReplicationLog;

namespace {

QJsonObject row(const char *json)
{
    return QJsonDocument::fromJson(QByteArray(json)).object();
}

} // namespace

class TestMilvusFilter : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void matches_data()
    {
        QTest::addColumn<QString>("expression");
        QTest::addColumn<bool>("expected");
        // The row every case is checked against.
        QTest::newRow("empty") << QString() << true;
        QTest::newRow("blank") << QStringLiteral("   ") << true;
        QTest::newRow("id ==") << QStringLiteral("id == 42") << true;
        QTest::newRow("id == other") << QStringLiteral("id == 41") << false;
        QTest::newRow("id !=") << QStringLiteral("id != 41") << true;
        QTest::newRow("id >") << QStringLiteral("id > 41") << true;
        QTest::newRow("id > self") << QStringLiteral("id > 42") << false;
        QTest::newRow("id >=") << QStringLiteral("id >= 42") << true;
        QTest::newRow("id <") << QStringLiteral("id < 43") << true;
        QTest::newRow("id <=") << QStringLiteral("id<=41") << false;
        QTest::newRow("no spaces") << QStringLiteral("id>=42&&ts<=1700000000001") << true;
        QTest::newRow("ts int64 exact") << QStringLiteral("ts >= 1700000000001") << true;
        QTest::newRow("ts int64 one above") << QStringLiteral("ts >= 1700000000002") << false;
        QTest::newRow("float field") << QStringLiteral("score > 0.5") << true;
        QTest::newRow("float literal vs int") << QStringLiteral("id < 42.5") << true;
        QTest::newRow("negative") << QStringLiteral("delta > -10") << true;
        QTest::newRow("and") << QStringLiteral("id > 10 and ts >= 1700000000000") << true;
        QTest::newRow("AND upper") << QStringLiteral("id > 10 AND id < 20") << false;
        QTest::newRow("or") << QStringLiteral("id < 10 or region == \"eu-west\"") << true;
        QTest::newRow("and binds tighter") << QStringLiteral("id == 1 and id == 2 or id == 42") << true;
        QTest::newRow("parens") << QStringLiteral("(id == 1 or id == 42) and region == 'eu-west'") << true;
        QTest::newRow("not") << QStringLiteral("not id == 42") << false;
        QTest::newRow("bang") << QStringLiteral("!(id == 1)") << true;
        QTest::newRow("in") << QStringLiteral("id in [1, 2, 42]") << true;
        QTest::newRow("in miss") << QStringLiteral("id in [1, 2]") << false;
        QTest::newRow("in empty") << QStringLiteral("id in []") << false;
        QTest::newRow("not in") << QStringLiteral("id not in [1, 2]") << true;
        QTest::newRow("in strings") << QStringLiteral("region in [\"us-east\", \"eu-west\"]") << true;
        QTest::newRow("string ==") << QStringLiteral("region == \"eu-west\"") << true;
        QTest::newRow("string escape") << QStringLiteral("quote == \"say \\\"hi\\\"\"") << true;
        QTest::newRow("like prefix") << QStringLiteral("region like \"eu-%\"") << true;
        QTest::newRow("like miss") << QStringLiteral("region like \"us-%\"") << false;
        QTest::newRow("like infix") << QStringLiteral("region like \"%-we%\"") << true;
        QTest::newRow("bool") << QStringLiteral("ok == true") << true;
        QTest::newRow("missing field") << QStringLiteral("nope > 1") << false;
        QTest::newRow("missing field !=") << QStringLiteral("nope != 1") << false;
        QTest::newRow("type mismatch") << QStringLiteral("region > 1") << false;
    }

    void matches()
    {
        QFETCH(QString, expression);
        QFETCH(bool, expected);
        const QJsonObject r = row("{\"id\": 42, \"ts\": 1700000000001, \"score\": 0.75, \"delta\": -3,"
                                  " \"region\": \"eu-west\", \"ok\": true, \"quote\": \"say \\\"hi\\\"\"}");
        const auto filter = MilvusFilter::parse(expression);
        QVERIFY2(filter.ok(), qPrintable(filter.ok() ? QString() : filter.error().message));
        QCOMPARE(filter.value().matches(r), expected);
    }

    void rejects_data()
    {
        QTest::addColumn<QString>("expression");
        QTest::newRow("no operator") << QStringLiteral("id 5");
        QTest::newRow("no literal") << QStringLiteral("id >");
        QTest::newRow("double op") << QStringLiteral("id >> 5");
        QTest::newRow("single =") << QStringLiteral("id = 5");
        QTest::newRow("dangling and") << QStringLiteral("id > 5 and");
        QTest::newRow("leading and") << QStringLiteral("and id > 5");
        QTest::newRow("unbalanced (") << QStringLiteral("(id > 5");
        QTest::newRow("unbalanced )") << QStringLiteral("id > 5)");
        QTest::newRow("unterminated string") << QStringLiteral("region == \"eu");
        QTest::newRow("in without list") << QStringLiteral("id in 5");
        QTest::newRow("in unclosed") << QStringLiteral("id in [1, 2");
        QTest::newRow("in trailing comma") << QStringLiteral("id in [1,]");
        QTest::newRow("not without in") << QStringLiteral("id not 5");
        QTest::newRow("like number") << QStringLiteral("region like 5");
        QTest::newRow("field vs field") << QStringLiteral("id > ts");
        QTest::newRow("bad char") << QStringLiteral("id > 5 ; drop");
        QTest::newRow("keyword as field") << QStringLiteral("and == 1");
        QTest::newRow("too deep") << QString(QString(200, QLatin1Char('(')) + QStringLiteral("id > 1") + QString(200, QLatin1Char(')')));
        QTest::newRow("too long") << QString(QStringLiteral("id > 1") + QString(70'000, QLatin1Char(' ')));
    }

    void rejects()
    {
        QFETCH(QString, expression);
        const auto filter = MilvusFilter::parse(expression);
        QVERIFY(!filter.ok());
        QCOMPARE(filter.error().code, QStringLiteral("invalid_filter"));
        QVERIFY(!filter.error().message.isEmpty());
    }

    void longAndChainIsBounded()
    {
        // A chain of thousands of "and"s is refused rather than recursed through.
        QStringList parts;
        for (int i = 0; i < 2000; ++i)
            parts.append(QStringLiteral("id != %1").arg(i));
        QVERIFY(!MilvusFilter::parse(parts.join(QStringLiteral(" and "))).ok());
        parts.resize(100);
        QVERIFY(MilvusFilter::parse(parts.join(QStringLiteral(" and "))).ok());
    }

    void logAssignsIdsAndBoundsRows()
    {
        ReplicationLog log(5);
        auto ids = log.insert(QJsonArray{QJsonObject{{QStringLiteral("ts"), 1}}, QJsonObject{{QStringLiteral("id"), 10}},
                                         QJsonObject{}},
                              100);
        QVERIFY(ids.ok());
        QCOMPARE(ids.value(), (std::vector<qint64>{1, 10, 11}));
        // A bad row rejects the whole batch.
        auto bad = log.insert(QJsonArray{QJsonObject{}, QJsonObject{{QStringLiteral("id"), QStringLiteral("x")}}}, 200);
        QVERIFY(!bad.ok());
        QVERIFY(bad.error().message.contains(QStringLiteral("row 1")));
        QVERIFY(!log.insert(QJsonArray{1}, 200).ok());
        QVERIFY(!log.insert(QJsonArray{QJsonObject{{QStringLiteral("id"), 1.5}}}, 200).ok());
        QCOMPARE(log.size(), 3);

        QVERIFY(log.insert(QJsonArray{QJsonObject{}, QJsonObject{}, QJsonObject{}}, 300).ok());
        QCOMPARE(log.size(), 5); // bounded: the oldest row went
        QCOMPARE(log.dropped(), 1);
        QCOMPARE(log.countVisible(99), 0);
        QCOMPARE(log.countVisible(100), 2);
        QCOMPARE(log.countVisible(299), 2);
        QCOMPARE(log.countVisible(300), 5);
        std::vector<qint64> seen;
        log.forEachVisible(300, [&](const ReplicatedRow &r) {
            seen.push_back(r.id);
            return seen.size() < 4;
        });
        QCOMPARE(seen, (std::vector<qint64>{10, 11, 12, 13}));
    }
};

QTEST_GUILESS_MAIN(TestMilvusFilter)
#include "TestMilvusFilter.moc"
