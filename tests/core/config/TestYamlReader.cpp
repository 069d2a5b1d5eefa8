#include "core/config/YamlReader.h"

#include <QFile>
#include <QList>
#include <QMap>
#include <QTemporaryDir>
#include <QTest>

#include <limits>
#include <stdexcept>
#include <utility>

using namespace meridian;
using namespace meridian::config;

namespace {

constexpr QLatin1String kName("t.yaml");

// Parses `yaml` (a mapping) and hands each top-level entry to `handle`.
template <typename Handler> bool walk(YamlReader &reader, const QByteArray &yaml, YamlKeys allowed, Handler &&handle)
{
    YAML::Node root;
    if (!reader.parseDocument(yaml, root))
        return false;
    return reader.forEachEntry(root, QString(), allowed, std::forward<Handler>(handle));
}

} // namespace

class TestYamlReader final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void syntaxErrorHasPosition();
    void emptyAndMultipleDocuments();
    void exceptions();
    void unknownKeySuggests();
    void nonScalarKey();
    void duplicateKey();
    void integerOutOfRange();
    void realRange();
    void durations();
    void sizes();
    void forEachItemPaths();
    void forEachItemRefusesNonSequence();
    void requireKeys();
    void getBool_data();
    void getBool();
    void strings();
    void stringList();
    void pathRelativeToBaseDir();
    void envVarName();
    void readsConfigFiles();
};

void TestYamlReader::syntaxErrorHasPosition()
{
    YamlReader reader(kName, QString());
    YAML::Node root;
    // yaml-cpp reports an unclosed flow sequence where it gave up looking for "]".
    QVERIFY(!reader.parseDocument("a: 1\nb: [1, 2\nc: 3\n", root));
    QCOMPARE(reader.error(), QStringLiteral("t.yaml:3:2: end of sequence flow not found"));

    QVERIFY(!reader.parseDocument("a: b: c\n", root));
    QCOMPARE(reader.error(), QStringLiteral("t.yaml:1:5: illegal map value"));

    QVERIFY(!reader.parseDocument("a: 1\n\tb: 2\n", root));
    QCOMPARE(reader.error(), QStringLiteral("t.yaml:2:1: illegal tab when looking for indentation"));
}

void TestYamlReader::emptyAndMultipleDocuments()
{
    YamlReader reader(kName, QString());
    YAML::Node root;
    QVERIFY(reader.parseDocument("", root));
    QVERIFY(root.IsNull());
    QVERIFY(reader.parseDocument("# only a comment\n", root));
    QVERIFY(root.IsNull());
    QVERIFY(reader.error().isEmpty());

    QVERIFY(!reader.parseDocument("a: 1\n---\nb: 2\n", root));
    QCOMPARE(reader.error(), QStringLiteral("t.yaml:3:1: only one YAML document is allowed"));

    QVERIFY(reader.parseDocument("a: 1\n", root));
    QVERIFY(root.IsMap());
    QCOMPARE(reader.displayName(), QString(kName));
}

void TestYamlReader::exceptions()
{
    YamlReader reader(kName, QString());
    QVERIFY(!reader.failFromException(std::runtime_error("boom")));
    QCOMPARE(reader.error(), QStringLiteral("t.yaml:1:1: boom"));
    YAML::Mark mark;
    mark.line = 4;
    mark.column = 2;
    QVERIFY(!reader.failFromException(YAML::ParserException(mark, "bad thing")));
    QCOMPARE(reader.error(), QStringLiteral("t.yaml:5:3: bad thing"));
}

void TestYamlReader::unknownKeySuggests()
{
    YamlReader reader(kName, QString());
    const auto ok = [](const YamlEntry &) { return true; };
    QVERIFY(!walk(reader, "regions: 1\ntimeuts: 5s\n", {QLatin1String("timeouts"), QLatin1String("regions")}, ok));
    QCOMPARE(reader.error(), QStringLiteral("t.yaml:2:1: unknown key \"timeuts\" at the top level (allowed: timeouts, "
                                            "regions); did you mean \"timeouts\"?"));

    // Far from every allowed key: no suggestion.
    QVERIFY(!walk(reader, "zzzzzz: 1\n", {QLatin1String("timeouts"), QLatin1String("regions")}, ok));
    QCOMPARE(reader.error(),
             QStringLiteral("t.yaml:1:1: unknown key \"zzzzzz\" at the top level (allowed: timeouts, regions)"));

    // Nested: the context names the enclosing mapping.
    const bool nested = walk(reader, "limits:\n  max_bdy: 1\n", {QLatin1String("limits")}, [&](const YamlEntry &e) {
        return reader.expectMapping(e) && reader.forEachEntry(e.value, e.path, {QLatin1String("max_body")},
                                                              [](const YamlEntry &) { return true; });
    });
    QVERIFY(!nested);
    QCOMPARE(reader.error(), QStringLiteral("t.yaml:2:3: unknown key \"max_bdy\" in limits (allowed: max_body); did "
                                            "you mean \"max_body\"?"));
}

void TestYamlReader::nonScalarKey()
{
    YamlReader reader(kName, QString());
    QVERIFY(!walk(reader, "? [a, b]\n: 1\n", {QLatin1String("a")}, [](const YamlEntry &) { return true; }));
    QCOMPARE(reader.error(), QStringLiteral("t.yaml:1:3: expected a key name at the top level, got a sequence"));
}

void TestYamlReader::duplicateKey()
{
    YamlReader reader(kName, QString());
    QStringList seen;
    QVERIFY(!walk(reader, "a: 1\nb: 2\na: 3\n", {QLatin1String("a"), QLatin1String("b")}, [&](const YamlEntry &e) {
        seen.append(e.path);
        return true;
    }));
    QCOMPARE(reader.error(), QStringLiteral("t.yaml:3:1: duplicate key \"a\" at the top level"));
    QCOMPARE(seen, (QStringList{QStringLiteral("a"), QStringLiteral("b")}));
}

void TestYamlReader::integerOutOfRange()
{
    YamlReader reader(kName, QString());
    int value = 7;
    const auto readN = [&](const YamlEntry &e) {
        return reader.expectMapping(e) &&
               reader.forEachEntry(e.value, e.path, {QLatin1String("n")},
                                   [&](const YamlEntry &c) { return reader.getInt(c, 1, 100, value); });
    };
    QVERIFY(!walk(reader, "limits:\n  n: 500\n", {QLatin1String("limits")}, readN));
    QCOMPARE(reader.error(), QStringLiteral("t.yaml:2:6: limits.n: expected an integer in 1..100, got \"500\""));
    QCOMPARE(value, 7); // untouched on failure

    QVERIFY(!walk(reader, "limits:\n  n: 1.5\n", {QLatin1String("limits")}, readN));
    QCOMPARE(reader.error(), QStringLiteral("t.yaml:2:6: limits.n: expected an integer in 1..100, got \"1.5\""));

    // An empty value points at its key.
    QVERIFY(!walk(reader, "limits:\n  n:\nother: 1\n", {QLatin1String("limits"), QLatin1String("other")}, readN));
    QCOMPARE(reader.error(), QStringLiteral("t.yaml:2:3: limits.n: expected an integer in 1..100, got nothing"));

    QVERIFY(!walk(reader, "limits: 3\n", {QLatin1String("limits")}, readN));
    QCOMPARE(reader.error(), QStringLiteral("t.yaml:1:9: limits: expected a mapping, got \"3\""));

    QVERIFY2(walk(reader, "limits:\n  n: 100\n", {QLatin1String("limits")}, readN), qPrintable(reader.error()));
    QCOMPARE(value, 100);

    qint64 big = 0;
    QVERIFY(walk(reader, "n: -9000000000\n", {QLatin1String("n")},
                 [&](const YamlEntry &e) { return reader.getInteger(e, std::numeric_limits<qint64>::min(), 0, big); }));
    QCOMPARE(big, qint64(-9'000'000'000));
}

void TestYamlReader::realRange()
{
    YamlReader reader(kName, QString());
    double v = 0;
    QVERIFY(walk(reader, "lat: -12.5\n", {QLatin1String("lat")},
                 [&](const YamlEntry &e) { return reader.getReal(e, -90, 90, v); }));
    QCOMPARE(v, -12.5);
    QVERIFY(!walk(reader, "lat: 91\n", {QLatin1String("lat")},
                  [&](const YamlEntry &e) { return reader.getReal(e, -90, 90, v); }));
    QCOMPARE(reader.error(), QStringLiteral("t.yaml:1:6: lat: expected a number in [-90, 90], got \"91\""));
    QVERIFY(!walk(reader, "cost: -1\n", {QLatin1String("cost")},
                  [&](const YamlEntry &e) { return reader.getReal(e, 0, std::numeric_limits<double>::max(), v); }));
    QCOMPARE(reader.error(), QStringLiteral("t.yaml:1:7: cost: expected a number >= 0, got \"-1\""));
}

void TestYamlReader::durations()
{
    YamlReader reader(kName, QString());
    QMap<QString, qint64> got;
    const QByteArray yaml = "zero: 0s\nbare: 0\nfive: 5s\nms: 250ms\n";
    const YamlKeys keys = {QLatin1String("zero"), QLatin1String("bare"), QLatin1String("five"), QLatin1String("ms")};
    QVERIFY2(walk(reader, yaml, keys,
                  [&](const YamlEntry &e) {
                      qint64 ms = -1;
                      if (!reader.getDurationOrZero(e, ms))
                          return false;
                      got.insert(e.key, ms);
                      return true;
                  }),
             qPrintable(reader.error()));
    QCOMPARE(got.value(QStringLiteral("zero")), qint64(0));
    QCOMPARE(got.value(QStringLiteral("bare")), qint64(0));
    QCOMPARE(got.value(QStringLiteral("five")), qint64(5'000));
    QCOMPARE(got.value(QStringLiteral("ms")), qint64(250));

    qint64 ms = 42;
    QVERIFY(!walk(reader, "zero: 0s\n", {QLatin1String("zero")},
                  [&](const YamlEntry &e) { return reader.getDuration(e, ms); }));
    QCOMPARE(reader.error(), QStringLiteral("t.yaml:1:7: zero: expected a positive duration (e.g. 250ms, 5s, 2m, 1h, "
                                            "or seconds), got \"0s\""));
    QCOMPARE(ms, qint64(42));
    QVERIFY(
        walk(reader, "d: 1.5\n", {QLatin1String("d")}, [&](const YamlEntry &e) { return reader.getDuration(e, ms); }));
    QCOMPARE(ms, qint64(1'500));

    QVERIFY(!walk(reader, "d: -1s\n", {QLatin1String("d")},
                  [&](const YamlEntry &e) { return reader.getDurationOrZero(e, ms); }));
    QCOMPARE(
        reader.error(),
        QStringLiteral("t.yaml:1:4: d: expected a duration (e.g. 0s, 250ms, 5s, 2m, 1h, or seconds), got \"-1s\""));
}

void TestYamlReader::sizes()
{
    YamlReader reader(kName, QString());
    qint64 bytes = 0;
    QVERIFY(
        walk(reader, "s: 10MiB\n", {QLatin1String("s")}, [&](const YamlEntry &e) { return reader.getSize(e, bytes); }));
    QCOMPARE(bytes, qint64(10 * 1024 * 1024));
    QVERIFY(
        !walk(reader, "s: 0\n", {QLatin1String("s")}, [&](const YamlEntry &e) { return reader.getSize(e, bytes); }));
    QVERIFY2(reader.error().startsWith(QStringLiteral("t.yaml:1:4: s: expected a positive size")),
             qPrintable(reader.error()));
}

void TestYamlReader::forEachItemPaths()
{
    YamlReader reader(kName, QString());
    QStringList paths;
    QList<int> indexes;
    QStringList values;
    QVERIFY2(walk(reader, "x:\n  - a\n  - b\n", {QLatin1String("x")},
                  [&](const YamlEntry &e) {
                      return reader.forEachItem(e, [&](const YAML::Node &item, const QString &path, int index) {
                          paths.append(path);
                          indexes.append(index);
                          values.append(YamlReader::fromStd(item.Scalar()));
                          return true;
                      });
                  }),
             qPrintable(reader.error()));
    QCOMPARE(paths, (QStringList{QStringLiteral("x[0]"), QStringLiteral("x[1]")}));
    QCOMPARE(indexes, (QList<int>{0, 1}));
    QCOMPARE(values, (QStringList{QStringLiteral("a"), QStringLiteral("b")}));

    // Nested paths and the handler's false stops the walk.
    paths.clear();
    QVERIFY(!walk(reader, "outer:\n  x: [a, b, c]\n", {QLatin1String("outer")}, [&](const YamlEntry &e) {
        return reader.forEachEntry(e.value, e.path, {QLatin1String("x")}, [&](const YamlEntry &c) {
            return reader.forEachItem(c, [&](const YAML::Node &item, const QString &path, int index) {
                paths.append(path);
                return index < 1 || reader.fail(item.Mark(), path + QStringLiteral(": stop"));
            });
        });
    }));
    QCOMPARE(paths, (QStringList{QStringLiteral("outer.x[0]"), QStringLiteral("outer.x[1]")}));
    QCOMPARE(reader.error(), QStringLiteral("t.yaml:2:10: outer.x[1]: stop"));

    // An empty value is an empty sequence.
    int calls = 0;
    QVERIFY(walk(reader, "x:\n", {QLatin1String("x")}, [&](const YamlEntry &e) {
        return reader.forEachItem(e, [&](const YAML::Node &, const QString &, int) { return ++calls > 0; });
    }));
    QCOMPARE(calls, 0);
}

void TestYamlReader::forEachItemRefusesNonSequence()
{
    YamlReader reader(kName, QString());
    const auto items = [&](const YamlEntry &e) {
        return reader.forEachItem(e, [](const YAML::Node &, const QString &, int) { return true; });
    };
    QVERIFY(!walk(reader, "x: 3\n", {QLatin1String("x")}, items));
    QCOMPARE(reader.error(), QStringLiteral("t.yaml:1:4: x: expected a sequence, got \"3\""));
    QVERIFY(!walk(reader, "x: {a: 1}\n", {QLatin1String("x")}, items));
    QCOMPARE(reader.error(), QStringLiteral("t.yaml:1:4: x: expected a sequence, got a mapping"));
}

void TestYamlReader::requireKeys()
{
    YamlReader reader(kName, QString());
    const YamlKeys keys = {QLatin1String("name"), QLatin1String("provider")};
    QVERIFY(
        !walk(reader, "regions:\n  - name: a\n  - provider: b\n", {QLatin1String("regions")}, [&](const YamlEntry &e) {
            return reader.forEachItem(e, [&](const YAML::Node &item, const QString &path, int) {
                return reader.forEachEntry(item, path, keys, [](const YamlEntry &) { return true; }) &&
                       reader.requireKeys(item, path, {QLatin1String("name")});
            });
        }));
    QCOMPARE(reader.error(), QStringLiteral("t.yaml:3:5: regions[1]: missing required key \"name\""));

    // At the top level, the first missing key in the given order, at the document's start.
    YAML::Node root;
    QVERIFY(reader.parseDocument("a: 1\n", root));
    QVERIFY(reader.requireKeys(root, QString(), {QLatin1String("a")}));
    QVERIFY(!reader.requireKeys(root, QString(), {QLatin1String("a"), QLatin1String("c"), QLatin1String("b")}));
    QCOMPARE(reader.error(), QStringLiteral("t.yaml:1:1: missing required key \"c\""));
}

void TestYamlReader::getBool_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<bool>("value");
    QTest::newRow("true") << QByteArray("true") << true << true;
    QTest::newRow("false") << QByteArray("false") << true << false;
    QTest::newRow("yes") << QByteArray("yes") << true << true;
    QTest::newRow("no") << QByteArray("no") << true << false;
    QTest::newRow("on") << QByteArray("on") << true << true;
    QTest::newRow("off") << QByteArray("off") << true << false;
    QTest::newRow("True") << QByteArray("True") << true << true;
    QTest::newRow("OFF") << QByteArray("OFF") << true << false;
    QTest::newRow("maybe") << QByteArray("maybe") << false << false;
    QTest::newRow("1") << QByteArray("1") << false << false;
    QTest::newRow("empty") << QByteArray("") << false << false;
    QTest::newRow("sequence") << QByteArray("[true]") << false << false;
}

void TestYamlReader::getBool()
{
    QFETCH(QByteArray, text);
    QFETCH(bool, ok);
    QFETCH(bool, value);
    YamlReader reader(kName, QString());
    bool out = !value;
    const bool read = walk(reader, "flag: " + text + "\n", {QLatin1String("flag")},
                           [&](const YamlEntry &e) { return reader.getBool(e, out); });
    QCOMPARE(read, ok);
    if (ok) {
        QCOMPARE(out, value);
    } else {
        QVERIFY2(reader.error().startsWith(QStringLiteral("t.yaml:1:")), qPrintable(reader.error()));
        QVERIFY2(reader.error().contains(QStringLiteral(": flag: expected true or false, got ")),
                 qPrintable(reader.error()));
    }
}

void TestYamlReader::strings()
{
    YamlReader reader(kName, QString());
    QString s = QStringLiteral("old");
    QVERIFY(walk(reader, "s:\n", {QLatin1String("s")}, [&](const YamlEntry &e) { return reader.getString(e, s); }));
    QVERIFY(s.isEmpty());
    QVERIFY(
        !walk(reader, "s: [a]\n", {QLatin1String("s")}, [&](const YamlEntry &e) { return reader.getString(e, s); }));
    QCOMPARE(reader.error(), QStringLiteral("t.yaml:1:4: s: expected a string, got a sequence"));

    QVERIFY(walk(reader, "s: héllo\n", {QLatin1String("s")},
                 [&](const YamlEntry &e) { return reader.getNonEmptyString(e, s); }));
    QCOMPARE(s, QStringLiteral("h\u00e9llo"));
    QVERIFY(!walk(reader, "s: \"\"\n", {QLatin1String("s")},
                  [&](const YamlEntry &e) { return reader.getNonEmptyString(e, s); }));
    QCOMPARE(reader.error(), QStringLiteral("t.yaml:1:4: s: expected a non-empty string, got \"\""));
    QVERIFY(!walk(reader, "s:\n", {QLatin1String("s")},
                  [&](const YamlEntry &e) { return reader.getNonEmptyString(e, s); }));
    QCOMPARE(reader.error(), QStringLiteral("t.yaml:1:1: s: expected a non-empty string, got nothing"));
}

void TestYamlReader::stringList()
{
    YamlReader reader(kName, QString());
    QStringList list;
    QVERIFY(walk(reader, "l: [a, b]\n", {QLatin1String("l")},
                 [&](const YamlEntry &e) { return reader.getStringList(e, list); }));
    QCOMPARE(list, (QStringList{QStringLiteral("a"), QStringLiteral("b")}));
    QVERIFY(!walk(reader, "l:\n  - a\n  - [b]\n", {QLatin1String("l")},
                  [&](const YamlEntry &e) { return reader.getStringList(e, list); }));
    QCOMPARE(reader.error(), QStringLiteral("t.yaml:3:5: l[1]: expected a non-empty string, got a sequence"));
    QCOMPARE(list, (QStringList{QStringLiteral("a"), QStringLiteral("b")})); // untouched on failure
}

void TestYamlReader::pathRelativeToBaseDir()
{
    YamlReader reader(kName, QStringLiteral("/etc/meridian"));
    QString path;
    QVERIFY(walk(reader, "p: certs/../ca.pem\n", {QLatin1String("p")},
                 [&](const YamlEntry &e) { return reader.getPath(e, path); }));
    QCOMPARE(path, QStringLiteral("/etc/meridian/ca.pem"));
    QVERIFY(walk(reader, "p: /abs/ca.pem\n", {QLatin1String("p")},
                 [&](const YamlEntry &e) { return reader.getPath(e, path); }));
    QCOMPARE(path, QStringLiteral("/abs/ca.pem"));
}

void TestYamlReader::envVarName()
{
    YamlReader reader(kName, QString());
    QString name;
    QVERIFY(walk(reader, "v: MY_VAR_1\n", {QLatin1String("v")},
                 [&](const YamlEntry &e) { return reader.getEnvVarName(e, name); }));
    QCOMPARE(name, QStringLiteral("MY_VAR_1"));
    QVERIFY(!walk(reader, "v: sk-123\n", {QLatin1String("v")},
                  [&](const YamlEntry &e) { return reader.getEnvVarName(e, name); }));
    QVERIFY2(reader.error().startsWith(QStringLiteral("t.yaml:1:4: v: expected the name of an environment variable")),
             qPrintable(reader.error()));
    QCOMPARE(name, QStringLiteral("MY_VAR_1")); // untouched on failure
}

void TestYamlReader::readsConfigFiles()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());

    const Result<QByteArray> d = config::readConfigFile(dir.path());
    QVERIFY(!d.ok());
    QCOMPARE(d.error().code, QStringLiteral("config"));
    QCOMPARE(d.error().message, dir.path() + QStringLiteral(": cannot read: is a directory"));

    const QString missing = dir.filePath(QStringLiteral("missing.yaml"));
    const Result<QByteArray> m = config::readConfigFile(missing);
    QVERIFY(!m.ok());
    QVERIFY2(m.error().message.startsWith(missing + QStringLiteral(": cannot read: ")), qPrintable(m.error().message));

    const QString small = dir.filePath(QStringLiteral("small.yaml"));
    QFile f(small);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("a: 1\n");
    f.close();
    const Result<QByteArray> s = config::readConfigFile(small);
    QVERIFY(s.ok());
    QCOMPARE(s.value(), QByteArray("a: 1\n"));

    const QString big = dir.filePath(QStringLiteral("big.yaml"));
    QFile b(big);
    QVERIFY(b.open(QIODevice::WriteOnly));
    QVERIFY(b.write(QByteArray(4 * 1024 * 1024 + 1, '#')) == 4 * 1024 * 1024 + 1);
    b.close();
    const Result<QByteArray> o = config::readConfigFile(big);
    QVERIFY(!o.ok());
    QCOMPARE(o.error().message, big + QStringLiteral(": cannot read: larger than 4194304 bytes"));
}

QTEST_GUILESS_MAIN(TestYamlReader)
#include "TestYamlReader.moc"
