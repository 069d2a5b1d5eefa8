// The admin bearer token file: created once (0600, directory 0700, atomically), read back on
// later runs, refused when others can read it or when it does not hold a token; the default
// path follows XDG; the comparison is exact and constant-time.
#include "core/gateway/AdminToken.h"

#include <QDir>
#include <QFile>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

#include <sys/stat.h>

using namespace meridian;
namespace admintoken = meridian::gateway::admintoken;

namespace {

// The permission bits of `path` (owner, group, other; no file type), or -1.
int modeOf(const QString &path)
{
    struct stat st {};
    if (::stat(QFile::encodeName(path).constData(), &st) != 0)
        return -1;
    return static_cast<int>(st.st_mode & 07777);
}

QString writeFile(const QString &path, const QByteArray &content, int mode)
{
    QFile f(path);
    if (f.open(QIODevice::WriteOnly))
        f.write(content);
    f.close();
    ::chmod(QFile::encodeName(path).constData(), static_cast<mode_t>(mode));
    return path;
}

// Sets an environment variable for one test and puts the old value back afterwards.
class EnvOverride final {
public:
    EnvOverride(const char *name, const QByteArray &value)
        : m_name(name), m_had(qEnvironmentVariableIsSet(name)), m_old(qgetenv(name))
    {
        if (value.isNull())
            qunsetenv(name);
        else
            qputenv(name, value);
    }
    ~EnvOverride()
    {
        if (m_had)
            qputenv(m_name, m_old);
        else
            qunsetenv(m_name);
    }
    EnvOverride(const EnvOverride &) = delete;
    EnvOverride &operator=(const EnvOverride &) = delete;

private:
    const char *m_name;
    bool m_had;
    QByteArray m_old;
};

} // namespace

class TestAdminToken final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void createsThenReloadsTheSameToken()
    {
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        const QString dir = tmp.filePath(QStringLiteral("conf/meridian"));
        const QString path = dir + QStringLiteral("/admin-token");

        const Result<QByteArray> first = admintoken::loadOrCreate(path);
        QVERIFY2(first.ok(), qPrintable(first.ok() ? QString() : first.error().message));
        QCOMPARE(first.value().size(), 64); // 32 bytes, hex
        QVERIFY(
            QRegularExpression(QStringLiteral("^[0-9a-f]{64}$")).match(QString::fromLatin1(first.value())).hasMatch());

        QCOMPARE(modeOf(path), 0600);
        QCOMPARE(modeOf(dir), 0700);
        QCOMPARE(modeOf(tmp.filePath(QStringLiteral("conf"))), 0700); // every directory it had to make
        // Nothing left behind but the token.
        QCOMPARE(QDir(dir).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot),
                 QStringList{QStringLiteral("admin-token")});

        const Result<QByteArray> again = admintoken::loadOrCreate(path);
        QVERIFY(again.ok());
        QCOMPARE(again.value(), first.value());
        const Result<QByteArray> readOnly = admintoken::load(path);
        QVERIFY(readOnly.ok());
        QCOMPARE(readOnly.value(), first.value());

        // A second token file is a fresh secret.
        const Result<QByteArray> other = admintoken::loadOrCreate(dir + QStringLiteral("/other-token"));
        QVERIFY(other.ok());
        QVERIFY(other.value() != first.value());
    }

    void existingDirectoryKeepsItsMode()
    {
        QTemporaryDir tmp;
        ::chmod(QFile::encodeName(tmp.path()).constData(), 0755);
        const QString path = tmp.filePath(QStringLiteral("admin-token"));
        QVERIFY(admintoken::loadOrCreate(path).ok());
        QCOMPARE(modeOf(path), 0600);
        QCOMPARE(modeOf(tmp.path()), 0755);
    }

    void acceptsAHandWrittenToken()
    {
        QTemporaryDir tmp;
        const QString path = writeFile(tmp.filePath(QStringLiteral("t")), "  correct-horse-battery-staple\n\n", 0600);
        const Result<QByteArray> r = admintoken::load(path);
        QVERIFY(r.ok());
        QCOMPARE(r.value(), QByteArray("correct-horse-battery-staple"));
        QCOMPARE(admintoken::loadOrCreate(path).value(), QByteArray("correct-horse-battery-staple"));
    }

    void refusesAFileOthersCanRead_data()
    {
        QTest::addColumn<int>("mode");
        QTest::newRow("0644") << 0644;
        QTest::newRow("0640") << 0640;
        QTest::newRow("0604") << 0604;
        QTest::newRow("0660") << 0660;
        QTest::newRow("0601") << 0601;
    }

    void refusesAFileOthersCanRead()
    {
        QFETCH(int, mode);
        QTemporaryDir tmp;
        const QString path = writeFile(tmp.filePath(QStringLiteral("admin-token")), QByteArray(64, 'a'), mode);
        for (const Result<QByteArray> &r : {admintoken::load(path), admintoken::loadOrCreate(path)}) {
            QVERIFY(!r.ok());
            QCOMPARE(r.error().code, QStringLiteral("admin"));
            QCOMPARE(r.error().message, path + QStringLiteral(" is readable by others; run: chmod 600 ") + path);
        }
        QCOMPARE(modeOf(path), mode); // refused, not "fixed" behind the user's back
    }

    void refusesEmptyAndGarbage_data()
    {
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<QString>("expected");
        QTest::newRow("empty") << QByteArray() << QStringLiteral("is empty");
        QTest::newRow("whitespace") << QByteArray(" \n\t\n") << QStringLiteral("is empty");
        QTest::newRow("too short") << QByteArray("abc123") << QStringLiteral("does not hold a token");
        QTest::newRow("15 chars") << QByteArray(15, 'x') << QStringLiteral("does not hold a token");
        QTest::newRow("too long") << QByteArray(257, 'x') << QStringLiteral("does not hold a token");
        QTest::newRow("inner space") << QByteArray("abcdefgh ijklmnopq") << QStringLiteral("does not hold a token");
        QTest::newRow("two lines") << QByteArray("abcdefghijklmnop\nqrstuvwxyz012345")
                                   << QStringLiteral("does not hold a token");
        QTest::newRow("binary") << QByteArray("abcdefghijklmnop\x01qrs", 20) << QStringLiteral("does not hold a token");
        QTest::newRow("nul") << QByteArray("abcdefghijklmnop\0qrs", 20) << QStringLiteral("does not hold a token");
        QTest::newRow("utf-8") << QByteArray("abcdefghijklmnop\xc3\xa9") << QStringLiteral("does not hold a token");
        QTest::newRow("huge") << QByteArray(100'000, 'x') << QStringLiteral("too large");
    }

    void refusesEmptyAndGarbage()
    {
        QFETCH(QByteArray, content);
        QFETCH(QString, expected);
        QTemporaryDir tmp;
        const QString path = writeFile(tmp.filePath(QStringLiteral("admin-token")), content, 0600);
        for (const Result<QByteArray> &r : {admintoken::load(path), admintoken::loadOrCreate(path)}) {
            QVERIFY(!r.ok());
            QCOMPARE(r.error().code, QStringLiteral("admin"));
            QVERIFY2(r.error().message.contains(path), qPrintable(r.error().message));
            QVERIFY2(r.error().message.contains(expected), qPrintable(r.error().message));
        }
        // loadOrCreate never replaces a bad file with a new token.
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(f.readAll(), content);
    }

    void boundaryLengthsAreAccepted()
    {
        QTemporaryDir tmp;
        QCOMPARE(admintoken::load(writeFile(tmp.filePath(QStringLiteral("a")), QByteArray(16, '!'), 0600)).value(),
                 QByteArray(16, '!'));
        QCOMPARE(admintoken::load(writeFile(tmp.filePath(QStringLiteral("b")), QByteArray(256, '~'), 0400)).value(),
                 QByteArray(256, '~'));
    }

    void refusesADirectory()
    {
        QTemporaryDir tmp;
        ::chmod(QFile::encodeName(tmp.path()).constData(), 0700);
        const Result<QByteArray> r = admintoken::load(tmp.path());
        QVERIFY(!r.ok());
        QVERIFY2(r.error().message.contains(QStringLiteral("not a regular file")), qPrintable(r.error().message));
    }

    void loadOfAMissingFileNamesThePath()
    {
        QTemporaryDir tmp;
        const QString path = tmp.filePath(QStringLiteral("nope/admin-token"));
        const Result<QByteArray> r = admintoken::load(path);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, QStringLiteral("admin"));
        QVERIFY2(r.error().message.contains(path), qPrintable(r.error().message));
        QVERIFY(!QFileInfo::exists(path));                                 // load() never creates
        QVERIFY(!QFileInfo::exists(tmp.filePath(QStringLiteral("nope")))); // … not even the directory
    }

    void matches()
    {
        QVERIFY(admintoken::matches("0123456789abcdef", "0123456789abcdef"));
        QVERIFY(!admintoken::matches("0123456789abcdeF", "0123456789abcdef"));
        QVERIFY(!admintoken::matches("1123456789abcdef", "0123456789abcdef"));
        QVERIFY(!admintoken::matches("0123456789abcde", "0123456789abcdef"));   // prefix
        QVERIFY(!admintoken::matches("0123456789abcdef0", "0123456789abcdef")); // longer
        QVERIFY(!admintoken::matches(QByteArrayView("0123456789abcdef\0", 17), "0123456789abcdef"));
        QVERIFY(!admintoken::matches("", "0123456789abcdef"));
        QVERIFY(!admintoken::matches("0123456789abcdef", ""));
        QVERIFY(!admintoken::matches("", "")); // an empty expected token never matches
        const QByteArray big(256, 'z');
        QVERIFY(admintoken::matches(big, QByteArray(256, 'z')));
    }

    void defaultPathHonoursXdgConfigHome()
    {
        QTemporaryDir tmp;
        const EnvOverride xdg("XDG_CONFIG_HOME", tmp.path().toUtf8());
        QCOMPARE(admintoken::defaultPath(), tmp.path() + QStringLiteral("/meridian/admin-token"));

        const Result<QByteArray> created = admintoken::loadOrCreate(admintoken::defaultPath());
        QVERIFY(created.ok());
        QVERIFY(QFileInfo::exists(tmp.filePath(QStringLiteral("meridian/admin-token"))));
        QCOMPARE(modeOf(tmp.filePath(QStringLiteral("meridian"))), 0700);
    }

    void defaultPathFallsBackToHome()
    {
        QTemporaryDir tmp;
        const EnvOverride home("HOME", tmp.path().toUtf8());
        {
            const EnvOverride xdg("XDG_CONFIG_HOME", QByteArray());
            QCOMPARE(admintoken::defaultPath(), tmp.path() + QStringLiteral("/.config/meridian/admin-token"));
        }
        {
            const EnvOverride xdg("XDG_CONFIG_HOME", QByteArray("")); // set but empty: unset per XDG
            QCOMPARE(admintoken::defaultPath(), tmp.path() + QStringLiteral("/.config/meridian/admin-token"));
        }
        {
            const EnvOverride xdg("XDG_CONFIG_HOME", QByteArray("relative/dir")); // invalid per XDG
            QCOMPARE(admintoken::defaultPath(), tmp.path() + QStringLiteral("/.config/meridian/admin-token"));
        }
    }
};

QTEST_GUILESS_MAIN(TestAdminToken)
#include "TestAdminToken.moc"
