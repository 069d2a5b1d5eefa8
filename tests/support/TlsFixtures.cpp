#include "tests/support/TlsFixtures.h"

#include <QFile>
#include <QProcess>

namespace meridian::test {

TlsFixtures::TlsFixtures()
{
    if (!m_dir.isValid()) {
        m_error = QStringLiteral("cannot create a temporary folder");
        return;
    }
    const QString ext = m_dir.filePath(QStringLiteral("server.ext"));
    QFile f(ext);
    if (!f.open(QIODevice::WriteOnly)) {
        m_error = QStringLiteral("cannot write %1").arg(ext);
        return;
    }
    f.write("subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n"
            "keyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n");
    f.close();
    const QString caKey = m_dir.filePath(QStringLiteral("ca.key"));
    const QString csr = m_dir.filePath(QStringLiteral("server.csr"));
    openssl({QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"), QStringLiteral("rsa:2048"),
             QStringLiteral("-nodes"), QStringLiteral("-keyout"), caKey, QStringLiteral("-out"), caFile(),
             QStringLiteral("-days"), QStringLiteral("2"), QStringLiteral("-subj"), QStringLiteral("/CN=Meridian Test CA")})
        && openssl({QStringLiteral("req"), QStringLiteral("-newkey"), QStringLiteral("rsa:2048"), QStringLiteral("-nodes"),
                    QStringLiteral("-keyout"), keyFile(), QStringLiteral("-out"), csr, QStringLiteral("-subj"),
                    QStringLiteral("/CN=localhost")})
        && openssl({QStringLiteral("x509"), QStringLiteral("-req"), QStringLiteral("-in"), csr, QStringLiteral("-CA"),
                    caFile(), QStringLiteral("-CAkey"), caKey, QStringLiteral("-CAcreateserial"), QStringLiteral("-out"),
                    certFile(), QStringLiteral("-days"), QStringLiteral("2"), QStringLiteral("-extfile"), ext});
}

bool TlsFixtures::openssl(const QStringList &args)
{
    QProcess p;
    p.start(QStringLiteral("openssl"), args);
    if (!p.waitForFinished(30000) || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0) {
        m_error = QStringLiteral("openssl %1 failed: %2")
                      .arg(args.first(), QString::fromUtf8(p.readAllStandardError()) + p.errorString());
        return false;
    }
    return true;
}

} // namespace meridian::test
