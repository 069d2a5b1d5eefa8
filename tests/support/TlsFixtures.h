#pragma once

#include <QString>
#include <QTemporaryDir>

namespace meridian::test {

// A private CA and a server certificate for localhost / 127.0.0.1 signed by it, made with the
// openssl CLI in a temporary folder (removed with the object). Made at test time, so they
// never expire in the repository.
class TlsFixtures final {
public:
    TlsFixtures();
    bool ok() const { return m_error.isEmpty(); }
    const QString &error() const { return m_error; }
    QString caFile() const { return m_dir.filePath(QStringLiteral("ca.pem")); }
    QString certFile() const { return m_dir.filePath(QStringLiteral("server.pem")); }
    QString keyFile() const { return m_dir.filePath(QStringLiteral("server.key")); }

private:
    bool openssl(const QStringList &args);

    QTemporaryDir m_dir;
    QString m_error;
};

} // namespace meridian::test
