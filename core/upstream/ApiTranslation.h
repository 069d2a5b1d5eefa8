#pragma once

#include "core/config/GatewayConfig.h"
#include "core/http/HttpHeaders.h"
#include "core/routing/ApiKind.h"
#include "core/upstream/UpstreamCall.h"

#include <QByteArray>
#include <QJsonObject>

#include <optional>

namespace meridian::upstream {

// The client's request as far as translation needs it (already validated by the gateway).
struct ClientCall final {
    routing::ApiKind kind = routing::ApiKind::ChatCompletions;
    QByteArray path;       // /v1/chat/completions …
    QByteArray rawBody;    // passed on unchanged where no translation is needed
    QString model;         // empty for the tutorial API
    bool stream = false;
    bool includeUsage = false; // stream_options.include_usage
    QByteArray requestId;

    // The body as an object, parsed on each call: only translations need it, and a relayed
    // request is passed on without one.
    QJsonObject json() const;
};

// A complete response produced by a translation.
struct TranslatedResponse final {
    int status = 200;
    QByteArray contentType = "application/json";
    QByteArray body;
};

// How one (client API, region API) pair travels. Passthrough streams the upstream response
// to the client as it arrives; the others buffer the (small, non-streaming) upstream answer
// and rewrite it.
struct Translation final {
    UpstreamRequest request;
    bool passthrough = true;
    // For non-passthrough: turns the complete upstream answer into the client's answer.
    std::function<TranslatedResponse(int status, const QByteArray &body)> finish;
};

// Builds the upstream request for `call` on `region`. `upstreamModel` is the model to name
// upstream when the client named none (the tutorial API).
Translation translate(const ClientCall &call, const config::RegionConfig &region, const QString &upstreamModel);

// An upstream error body, made OpenAI-shaped if it is not already.
TranslatedResponse normaliseUpstreamError(int status, const QByteArray &body);

} // namespace meridian::upstream
