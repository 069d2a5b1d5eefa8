#pragma once

#include "core/common/Result.h"
#include "core/config/GatewayConfig.h"
#include "core/http/HttpHeaders.h"
#include "core/routing/RouteDecision.h"

#include <QByteArray>
#include <QHostAddress>
#include <QString>

#include <memory>
#include <optional>
#include <vector>

namespace meridian::gateway {

// Where a request comes from and what residency it needs, for the router (issue 4, "What a
// request brings"). In order:
//   1. the first trusted geography header present (config `client_geo.trusted_headers`),
//      believed only when the peer address is inside a `trusted_proxies` CIDR. Values: an
//      ISO 3166-1 alpha-2 country ("DE", any case), an ISO 3166-2 subdivision ("US-CA": its
//      country, located at the subdivision's centre when resources/subdivision-centroids.csv
//      lists it, so a US West client is not placed at the US centroid), or "EU" (EU residency,
//      located at the EU's centre). Cloudflare's "XX" (unknown) and "T1" (Tor) count as absent;
//   2. the MaxMind-format database (`client_geo.maxmind_db`), when configured: country, and
//      the location when the database has one (City databases);
//   3. nothing: the router uses its default country.
// Residency: the residency header ("eu", any case) asks for EU residency from anyone (it only
// narrows where a request may go); an EU/EEA country implies it anyway (the router checks).
// Tenant: the tenant header from a trusted peer; else "key-" + the first 12 hex digits of the
// SHA-256 of the bearer token (never the token itself); else empty.
// A geography or tenant header sent more than once is not believed: a proxy that appends
// instead of replacing would otherwise let the client's own copy through. Trusted proxies
// must strip every configured header they do not set themselves.
//
// Built once at gateway start (opens the database: disk I/O), then immutable: resolve() is
// const and thread-safe, allocation-light, and never touches the disk.
class ClientGeography final {
public:
    // Errors (code "config"): a malformed CIDR, a database that cannot be opened.
    static Result<std::shared_ptr<const ClientGeography>> create(const config::ClientGeoSettings &settings);
    ~ClientGeography();

    struct Resolved final {
        routing::CountryCode country = 0;             // 0: unknown (the router's default applies)
        std::optional<config::GeoPoint> location;
        routing::Residency residency = routing::Residency::None;
        QString tenant;
        QByteArray source; // "header:cf-ipcountry", "maxmind", "default" — for x-meridian-route and explain
    };

    Resolved resolve(const QHostAddress &peer, const http::HttpHeaders &headers) const;
    bool trusted(const QHostAddress &peer) const;

    // The value parser shared with /admin/explain?geo=…: "DE", "us-ca" (with the subdivision's
    // centre as the location when the built-in table knows it), "EU". False for anything else
    // (XX and ZZ, "unknown", included); the outputs are written only on true. Thread-safe; the
    // first call (or create()) parses the built-in subdivision table.
    static bool parseGeo(QByteArrayView value, routing::CountryCode &country, std::optional<config::GeoPoint> &location,
                         routing::Residency &residency);

private:
    ClientGeography() = default;
    struct MaxMind;

    config::ClientGeoSettings m_settings;
    std::vector<QByteArray> m_headers;       // lower-case
    std::vector<QByteArray> m_headerSources; // "header:<name>", built once so resolve() does not allocate it
    std::vector<std::pair<QHostAddress, int>> m_trusted;
    QByteArray m_residencyHeader;
    QByteArray m_tenantHeader;
    std::unique_ptr<MaxMind> m_maxmind;
};

} // namespace meridian::gateway
