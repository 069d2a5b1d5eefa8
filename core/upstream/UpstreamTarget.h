#pragma once

#include "core/common/Result.h"
#include "core/config/GatewayConfig.h"

#include <QByteArray>
#include <QSslConfiguration>
#include <QString>

namespace meridian::upstream {

// Where and how to reach one region's server. Built once at start-up (reading CA files is
// disk I/O, which the workers never do) and shared read-only by every worker.
struct UpstreamTarget final {
    QString regionName;
    bool tls = false;
    QString host;
    quint16 port = 0;
    QByteArray basePath;   // prefix prepended to request paths, without a trailing slash
    QByteArray hostHeader; // host[:port] as sent in the Host header
    QByteArray originKey;  // scheme://host:port — the connection-pool key
    QSslConfiguration ssl; // with the extra CAs and peer verification; unused for http
    config::UpstreamTimeouts timeouts;
    QByteArray authorization; // "Bearer …" from the region's api_key_env, or empty
};

// Parses an endpoint URL and loads the CA files. `globalCaFile` applies to every https
// target, the region's own `ca_file` in addition. Errors name the region.
Result<UpstreamTarget> makeUpstreamTarget(const config::RegionConfig &region, const QString &globalCaFile,
                                          const QByteArray &apiKey);

} // namespace meridian::upstream
