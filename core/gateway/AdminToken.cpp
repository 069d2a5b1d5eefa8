#include "core/gateway/AdminToken.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRandomGenerator>
#include <QStringList>

#include <algorithm>
#include <array>
#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace meridian::gateway::admintoken {
namespace {

constexpr int kTokenBytes = 32;
constexpr qsizetype kMinTokenChars = 16;
constexpr qsizetype kMaxTokenChars = 256;
// A token file is under 300 bytes; reading stops here so a mistaken path (/dev/zero, a log)
// cannot eat memory before the content check complains.
constexpr qsizetype kMaxFileBytes = 4096;

Error adminError(const QString &message)
{
    return Error{QStringLiteral("admin"), message};
}

QString errnoText(int err)
{
    return qt_error_string(err); // strerror() is not thread-safe
}

// Closes a POSIX descriptor on every way out of a scope.
class Fd final {
public:
    explicit Fd(int fd) : m_fd(fd) {}
    ~Fd()
    {
        if (m_fd >= 0)
            ::close(m_fd);
    }
    Fd(const Fd &) = delete;
    Fd &operator=(const Fd &) = delete;
    int get() const { return m_fd; }
    int release()
    {
        const int fd = m_fd;
        m_fd = -1;
        return fd;
    }

private:
    int m_fd;
};

bool isTokenChar(char c)
{
    return c >= 0x21 && c <= 0x7e; // printable ASCII without the space
}

// Creates every missing directory from the first existing ancestor down, each 0700: the XDG
// spec asks for 0700 on a config directory that has to be created, and a token's directory
// should not let others list or swap its files. Existing directories are left as they are.
Result<bool> makeParentDirs(const QString &dirPath)
{
    QStringList missing;
    QString dir = QDir::cleanPath(QFileInfo(dirPath).absoluteFilePath());
    while (!QFileInfo::exists(dir)) {
        missing.prepend(dir);
        const QString up = QFileInfo(dir).absolutePath();
        if (up == dir)
            break;
        dir = up;
    }
    for (const QString &d : std::as_const(missing)) {
        const QByteArray native = QFile::encodeName(d);
        if (::mkdir(native.constData(), 0700) != 0 && errno != EEXIST)
            return adminError(QStringLiteral("cannot create directory %1: %2").arg(d, errnoText(errno)));
        // mkdir's mode passes through the umask; make it exactly 0700 whatever the umask is.
        ::chmod(native.constData(), 0700);
    }
    if (!QFileInfo(dirPath).isDir())
        return adminError(QStringLiteral("%1 is not a directory").arg(dirPath));
    return true;
}

QByteArray newToken()
{
    std::array<quint32, kTokenBytes / sizeof(quint32)> words{};
    QRandomGenerator::system()->generate(words.begin(), words.end());
    const QByteArray raw(reinterpret_cast<const char *>(words.data()), kTokenBytes);
    return raw.toHex();
}

bool writeAll(int fd, const QByteArray &data)
{
    qsizetype done = 0;
    while (done < data.size()) {
        const ssize_t n = ::write(fd, data.constData() + done, static_cast<size_t>(data.size() - done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        done += n;
    }
    return true;
}

// Writes `token` to a temporary file beside `path` (created 0600, never world-readable for a
// moment) and moves it into place. link() rather than rename(): when two processes create the
// token at once, the second finds the first's file and uses it instead of replacing it under
// a client that already read it. rename() is the fallback for file systems without hard links.
Result<bool> createTokenFile(const QString &path, const QByteArray &token)
{
    const QFileInfo info(path);
    const QString dir = info.absolutePath();
    const QString tmp = dir + QStringLiteral("/.") + info.fileName() + QStringLiteral(".tmp-") +
                        QString::number(::getpid()) + u'-' +
                        QString::number(QRandomGenerator::system()->generate(), 16);
    const QByteArray tmpNative = QFile::encodeName(tmp);
    const QByteArray pathNative = QFile::encodeName(path);

    Fd fd(::open(tmpNative.constData(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (fd.get() < 0)
        return adminError(QStringLiteral("cannot create %1: %2").arg(tmp, errnoText(errno)));
    // The umask can only take bits away from 0600; set it exactly so a strange umask (0200)
    // does not leave the owner without read access.
    const bool written = ::fchmod(fd.get(), 0600) == 0 && writeAll(fd.get(), token + '\n') && ::fsync(fd.get()) == 0;
    const int writeErr = errno;
    if (::close(fd.release()) != 0 || !written) {
        ::unlink(tmpNative.constData());
        return adminError(QStringLiteral("cannot write %1: %2").arg(tmp, errnoText(written ? errno : writeErr)));
    }

    if (::link(tmpNative.constData(), pathNative.constData()) == 0) {
        ::unlink(tmpNative.constData());
        return true;
    }
    const int linkErr = errno;
    if (linkErr == EEXIST) { // someone else created it first: theirs wins
        ::unlink(tmpNative.constData());
        return true;
    }
    if (::rename(tmpNative.constData(), pathNative.constData()) == 0)
        return true;
    const int renameErr = errno;
    ::unlink(tmpNative.constData());
    return adminError(QStringLiteral("cannot create %1: %2").arg(path, errnoText(renameErr)));
}

} // namespace

QString defaultPath()
{
    // The XDG base-directory spec says a relative $XDG_CONFIG_HOME is invalid and is ignored.
    const QString xdg = qEnvironmentVariable("XDG_CONFIG_HOME");
    const QString base =
        !xdg.isEmpty() && QDir::isAbsolutePath(xdg) ? xdg : QDir::homePath() + QStringLiteral("/.config");
    return QDir::cleanPath(base) + QStringLiteral("/meridian/admin-token");
}

Result<QByteArray> load(const QString &path)
{
    if (path.isEmpty())
        return adminError(QStringLiteral("no admin token file given"));
    const QByteArray native = QFile::encodeName(path);
    Fd fd(::open(native.constData(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
    if (fd.get() < 0) {
        const int err = errno;
        if (err == ENOENT)
            return adminError(QStringLiteral("admin token file %1 does not exist").arg(path));
        return adminError(QStringLiteral("cannot read admin token file %1: %2").arg(path, errnoText(err)));
    }
    // Judged on the open descriptor, so the file checked is the file read.
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0)
        return adminError(QStringLiteral("cannot read admin token file %1: %2").arg(path, errnoText(errno)));
    if (!S_ISREG(st.st_mode))
        return adminError(QStringLiteral("admin token file %1 is not a regular file").arg(path));
    if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0)
        return adminError(QStringLiteral("%1 is readable by others; run: chmod 600 %1").arg(path));

    QByteArray content(kMaxFileBytes + 1, Qt::Uninitialized);
    qsizetype got = 0;
    while (got < content.size()) {
        const ssize_t n = ::read(fd.get(), content.data() + got, static_cast<size_t>(content.size() - got));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return adminError(QStringLiteral("cannot read admin token file %1: %2").arg(path, errnoText(errno)));
        if (n == 0)
            break;
        got += n;
    }
    content.truncate(got);
    if (got > kMaxFileBytes)
        return adminError(QStringLiteral("admin token file %1 is too large to be a token").arg(path));

    const QByteArray token = content.trimmed();
    if (token.isEmpty())
        return adminError(QStringLiteral("admin token file %1 is empty").arg(path));
    // The message never quotes the content: it may be a token, or half of one.
    if (token.size() < kMinTokenChars || token.size() > kMaxTokenChars ||
        !std::all_of(token.cbegin(), token.cend(), isTokenChar)) {
        return adminError(QStringLiteral("admin token file %1 does not hold a token (expected %2 to %3 printable "
                                         "characters without spaces)")
                              .arg(path)
                              .arg(kMinTokenChars)
                              .arg(kMaxTokenChars));
    }
    return token;
}

Result<QByteArray> loadOrCreate(const QString &path)
{
    if (path.isEmpty())
        return adminError(QStringLiteral("no admin token file given"));
    struct stat st {};
    if (::lstat(QFile::encodeName(path).constData(), &st) == 0)
        return load(path);
    if (errno != ENOENT)
        return adminError(QStringLiteral("cannot read admin token file %1: %2").arg(path, errnoText(errno)));

    const Result<bool> dir = makeParentDirs(QFileInfo(path).absolutePath());
    if (!dir)
        return dir.error();
    const QByteArray token = newToken();
    const Result<bool> created = createTokenFile(path, token);
    if (!created)
        return created.error();
    // Read back through the same checks a later run applies: what was written must pass them
    // (mode, content) before anyone relies on it.
    return load(path);
}

bool matches(QByteArrayView presented, QByteArrayView expected)
{
    // Every byte of the longer input is visited and differences are OR-ed together, so the
    // time taken says nothing about where the first difference is. An empty expected token
    // (a misconfiguration) never matches, not even an empty presented one.
    const qsizetype n = std::max(presented.size(), expected.size());
    unsigned diff = presented.size() == expected.size() ? 0U : 1U;
    for (qsizetype i = 0; i < n; ++i) {
        const auto a = static_cast<unsigned char>(i < presented.size() ? presented[i] : 0);
        const auto b = static_cast<unsigned char>(i < expected.size() ? expected[i] : 0);
        diff |= static_cast<unsigned>(a ^ b);
    }
    return diff == 0 && !expected.isEmpty();
}

} // namespace meridian::gateway::admintoken
