#include "core/common/Log.h"

Q_LOGGING_CATEGORY(lcConfig, "meridian.config")
Q_LOGGING_CATEGORY(lcHttp, "meridian.http")
Q_LOGGING_CATEGORY(lcGateway, "meridian.gateway")
Q_LOGGING_CATEGORY(lcUpstream, "meridian.upstream")
Q_LOGGING_CATEGORY(lcRouting, "meridian.routing")
Q_LOGGING_CATEGORY(lcTelemetry, "meridian.telemetry")
