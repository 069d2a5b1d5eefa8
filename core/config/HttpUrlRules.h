#pragma once

#include <QString>

#include <optional>

namespace meridian::config {

// Why `text` cannot be an http(s) URL the gateway calls (a region endpoint, a probe target), or
// nullopt. It must start with http:// or https://, parse strictly, name a host, carry no
// credentials (`secretKey` names the key that should hold them instead: "api_key_env"), no
// port 0, no fragment, and a query only where `allowQuery`. The reason never quotes the URL,
// so callers decide whether echoing it is appropriate.
std::optional<QString> httpUrlProblem(const QString &text, bool allowQuery, const QString &secretKey);

} // namespace meridian::config
