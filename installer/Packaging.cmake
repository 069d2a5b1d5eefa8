# Debian packages from the install(... COMPONENT ...) rules: `cpack -G DEB` in the build folder.
#   meridian-gateway  the headless gateway, meridian-ctl, the systemd service and its
#                     configuration; Qt Core, Network and Sql only.
#   meridian          the console, meridian-sim with the demo world and scenarios, the desktop
#                     entry, icons and AppStream metainfo; installable alone.
# Library dependencies are computed by dpkg-shlibdeps; what it cannot see (Qt plugins loaded at
# run time, the user tools the maintainer scripts call) is named here. Configure with
# -DCMAKE_INSTALL_PREFIX=/usr for packages (scripts/test does).
set(CPACK_GENERATOR "DEB")
set(CPACK_PACKAGE_NAME "meridian")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_VENDOR "The Meridian developers")
set(CPACK_PACKAGE_CONTACT "Meridian developers <packaging@meridian.example>")
set(CPACK_PACKAGING_INSTALL_PREFIX "${CMAKE_INSTALL_PREFIX}")
set(CPACK_PACKAGE_DIRECTORY "${PROJECT_BINARY_DIR}/packages")
set(CPACK_PROJECT_CONFIG_FILE "${CMAKE_CURRENT_LIST_DIR}/CPackProjectConfig.cmake")
set(CPACK_STRIP_FILES ON)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL gateway)
if(MERIDIAN_BUILD_UI)
  list(APPEND CPACK_COMPONENTS_ALL console)
endif()

set(CPACK_DEBIAN_FILE_NAME "DEB-DEFAULT")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_SECTION "net")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "${MERIDIAN_HOMEPAGE_URL}")
set(CPACK_DEBIAN_PACKAGE_SOURCE "meridian")
set(CPACK_DEBIAN_COMPRESSION_TYPE "xz")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

set(CPACK_DEBIAN_GATEWAY_PACKAGE_NAME "meridian-gateway")
set(CPACK_DEBIAN_GATEWAY_PACKAGE_SECTION "net")
# The history is SQLite through Qt's driver plugin; adduser makes the service's user.
set(CPACK_DEBIAN_GATEWAY_PACKAGE_DEPENDS "adduser, libqt6sql6-sqlite")
# The PostgreSQL replication-lag probe loads Qt's PostgreSQL driver when configured.
set(CPACK_DEBIAN_GATEWAY_PACKAGE_SUGGESTS "libqt6sql6-psql")
# HTTPS regions and the Claude fallback verify certificates against the system's CAs.
set(CPACK_DEBIAN_GATEWAY_PACKAGE_RECOMMENDS "ca-certificates")
set(CPACK_DEBIAN_GATEWAY_PACKAGE_CONTROL_EXTRA "${MERIDIAN_DEBIAN_GATEWAY_CONTROL_EXTRA}")
set(CPACK_DEBIAN_GATEWAY_DESCRIPTION
  "multi-region AI-inference gateway (headless, with service)
Meridian's gateway takes OpenAI-compatible requests (chat completions,
completions, embeddings, streaming) and routes each to the best region running
self-hosted models on vLLM, weighing geography, health, load, cost and data
residency. It fails over when a region breaks, overflows when one is saturated,
keeps EU users in the EU and falls back to the Anthropic Claude API when every
region is exhausted.
.
This package holds meridian-gateway, the admin client meridian-ctl (drain, pin,
explain, alerts, history export) and a hardened systemd service running the
gateway as the system user meridian with /etc/meridian/gateway.yaml. The
service listens on 127.0.0.1 only and is not started until enabled.")

if(MERIDIAN_BUILD_UI)
  set(CPACK_DEBIAN_CONSOLE_PACKAGE_NAME "meridian")
  set(CPACK_DEBIAN_CONSOLE_PACKAGE_SECTION "net")
  # The console embeds the gateway and stands alone (apt install ./meridian_*.deb): the
  # headless gateway, meridian-ctl and the service are a suggestion. The SQLite driver is a
  # plugin; Qt's X11 platform plugin ships in libqt6gui6, its Wayland one in qt6-wayland.
  set(CPACK_DEBIAN_CONSOLE_PACKAGE_DEPENDS "libqt6sql6-sqlite")
  set(CPACK_DEBIAN_CONSOLE_PACKAGE_RECOMMENDS "qt6-wayland, ca-certificates")
  set(CPACK_DEBIAN_CONSOLE_PACKAGE_SUGGESTS "meridian-gateway (= ${PROJECT_VERSION})")
  set(CPACK_DEBIAN_CONSOLE_DESCRIPTION
    "operations console for the Meridian AI-inference gateway
Meridian's console runs the gateway inside itself and shows it live: a world
map of regions and traffic, latency P50/P95/P99, GPU, queue and vector-DB
replication-lag charts, alerts and the failover history kept in SQLite.
Operators drain and pin regions from it, with a preview of what would move.
.
It comes with meridian-sim, a simulated world of six vLLM regions with
scripted incidents, on which the console starts by default: trainers run
scenarios (regional outage, EU outage under GDPR, GPU saturation, replication
lag) and get a debrief of the trainee's actions.")
endif()

include(CPack)
