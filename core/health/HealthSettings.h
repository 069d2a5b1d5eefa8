#pragma once

// The settings are part of the gateway configuration (core/config reads them from the
// `health:` section); the health module uses them under its own namespace.
#include "core/config/HealthSettings.h"

namespace meridian::health {
using config::HealthSettings;
using config::OutlierSettings;
using config::ProbeSettings;
} // namespace meridian::health
