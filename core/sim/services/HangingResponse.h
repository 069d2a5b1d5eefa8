#pragma once

#include "core/http/ServerConnection.h"

namespace meridian::sim {

// The answer of a hung service: holds the exchange open and never writes a byte, until the
// client gives up (the connection then deletes it).
class HangingResponse final : public http::PendingResponse {
    Q_OBJECT
public:
    using http::PendingResponse::PendingResponse;
};

} // namespace meridian::sim
