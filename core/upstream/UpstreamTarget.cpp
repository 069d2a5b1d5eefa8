#include "core/upstream/UpstreamTarget.h"

#include <QSslCertificate>
#include <QStringBuilder>
#include <QUrl>

namespace meridian::upstream {

namespace {

Result<QList<QSslCertificate>> loadCaFile(const QString &path, const QString &region)
{
    if (path.isEmpty())
        return QList<QSslCertificate>{};
    const auto certs = QSslCertificate::fromPath(path, QSsl::Pem);
    if (certs.isEmpty())
        return Error{QStringLiteral("tls"),
                     QStringLiteral("region %1: no PEM certificate could be read from CA file %2").arg(region, path)};
    return certs;
}

} // namespace

Result<UpstreamTarget> makeUpstreamTarget(const config::RegionConfig &region, const QString &globalCaFile,
                                          const QByteArray &apiKey)
{
    const QUrl url(region.endpoint, QUrl::StrictMode);
    const QString scheme = url.scheme().toLower();
    if (!url.isValid() || url.host().isEmpty() || (scheme != QLatin1String("http") && scheme != QLatin1String("https")))
        return Error{QStringLiteral("config"),
                     QStringLiteral("region %1: endpoint %2 is not an http(s) URL").arg(region.name, region.endpoint)};

    UpstreamTarget t;
    t.regionName = region.name;
    t.tls = scheme == QLatin1String("https");
    t.host = url.host();
    t.port = static_cast<quint16>(url.port(t.tls ? 443 : 80));
    QByteArray path = url.path(QUrl::FullyEncoded).toUtf8();
    while (path.endsWith('/'))
        path.chop(1);
    t.basePath = path;
    const bool defaultPort = url.port() < 0;
    const QByteArray hostPart = url.host().contains(u':') ? QByteArray("[") + url.host().toUtf8() + "]" : url.host().toUtf8();
    t.hostHeader = defaultPort ? hostPart : hostPart + ':' + QByteArray::number(t.port);
    t.originKey = scheme.toUtf8() + "://" + hostPart + ':' + QByteArray::number(t.port);
    t.timeouts = region.timeouts;
    if (!apiKey.isEmpty())
        t.authorization = QByteArray("Bearer ") + apiKey;

    if (t.tls) {
        t.ssl = QSslConfiguration::defaultConfiguration();
        t.ssl.setPeerVerifyMode(QSslSocket::VerifyPeer);
        t.ssl.setProtocol(QSsl::SecureProtocols);
        auto cas = t.ssl.caCertificates();
        for (const QString &file : {globalCaFile, region.caFile}) {
            auto loaded = loadCaFile(file, region.name);
            if (!loaded)
                return loaded.error();
            cas += loaded.value();
        }
        t.ssl.setCaCertificates(cas);
    }
    return t;
}

} // namespace meridian::upstream
