#pragma once

#include <QByteArrayView>

namespace meridian::upstream {

// Why an upstream exchange failed. The gateway maps these to statuses (and, with the routing
// engine, to retry decisions: everything before the first response byte is retryable).
enum class UpstreamFailure {
    ConnectFailed,    // refused, unreachable, DNS, TLS handshake or certificate
    ConnectTimeout,   // no connection (or no pooled slot) within the connect timeout
    PoolExhausted,    // the per-upstream pending queue is full
    Reset,            // the connection broke after the request was sent
    Protocol,         // the upstream sent something that is not HTTP
    FirstByteTimeout, // no response head within the first-byte timeout
    IdleTimeout,      // a streaming body stalled longer than the idle timeout
    TotalTimeout,     // the whole exchange took longer than the total timeout
};

QByteArrayView failureName(UpstreamFailure f);

} // namespace meridian::upstream
