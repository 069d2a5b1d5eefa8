#pragma once

#include "core/routing/ApiKind.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

namespace meridian::gateway {

// What the gateway reads from an API request body before it routes it: the model, whether the
// client wants a stream, and whether the body is acceptable at all.
//
// The whole body is validated (syntax, UTF-8, nesting) by simdjson, which builds no document:
// the relayed body is passed on byte for byte, so a QJsonObject is made only where a
// translation needs one (ClientCall::json()). simdjson is stricter than Qt in three corners
// (integers beyond 64 bits, lone UTF-16 surrogates in escapes, raw control characters in
// strings) and laxer in two (a bare value as the document, a number that underflows): a body
// it refuses, or one that may hold what only it accepts, is read again by QJsonDocument, so the
// gateway accepts and refuses exactly what it did with Qt alone, and its error messages (with
// the offset of the fault) are Qt's. Where a key repeats, the last one counts, as in Qt and in Python's json module upstream.
struct RequestInspection final {
    QString model; // empty for the tutorial API
    bool stream = false;
    bool includeUsage = false; // stream_options.include_usage
    QByteArray problem;        // empty when the body is acceptable
    QByteArrayView problemCode; // "invalid_json" or "invalid_request"

    bool ok() const { return problem.isEmpty(); }
};

RequestInspection inspectRequest(routing::ApiKind kind, const QByteArray &body);

} // namespace meridian::gateway
