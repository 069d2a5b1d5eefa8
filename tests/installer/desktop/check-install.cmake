# Installs the "console" component of installer/desktop/ and app/console/ into a scratch prefix
# (through their own cmake_install.cmake, so the rest of the package need not be built) and
# checks the desktop integration as a system would see it: the desktop entry's Icon= is an
# installed hicolor icon at every size and scalable, its Exec= an installed binary, and the
# metainfo names that desktop entry.
#   cmake -DBINARY_DIR=… -DINSTALL_DIRS=installer/desktop,app/console -DPREFIX=… -DDATADIR=share
#         -DAPP_ID=… -DICON_SIZES=16,22,… -P check-install.cmake
foreach(var BINARY_DIR INSTALL_DIRS PREFIX DATADIR APP_ID ICON_SIZES)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "check-install.cmake: -D${var}=… is required")
  endif()
endforeach()
string(REPLACE "," ";" ICON_SIZES "${ICON_SIZES}")
string(REPLACE "," ";" INSTALL_DIRS "${INSTALL_DIRS}")

file(REMOVE_RECURSE "${PREFIX}")
foreach(dir IN LISTS INSTALL_DIRS)
  execute_process(COMMAND "${CMAKE_COMMAND}" "-DCMAKE_INSTALL_PREFIX=${PREFIX}" -DCMAKE_INSTALL_COMPONENT=console
                          -P "${BINARY_DIR}/${dir}/cmake_install.cmake"
                  RESULT_VARIABLE status OUTPUT_VARIABLE output ERROR_VARIABLE output)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "installing the console component of ${dir} failed (${status}):\n${output}")
  endif()
endforeach()

set(failures)
macro(expect_file path)
  if(NOT EXISTS "${PREFIX}/${path}")
    list(APPEND failures "missing: ${path}")
  endif()
endmacro()

set(desktop "${DATADIR}/applications/${APP_ID}.desktop")
set(metainfo "${DATADIR}/metainfo/${APP_ID}.metainfo.xml")
expect_file("${desktop}")
expect_file("${metainfo}")
if(EXISTS "${PREFIX}/${desktop}")
  file(STRINGS "${PREFIX}/${desktop}" icon_line REGEX "^Icon=")
  file(STRINGS "${PREFIX}/${desktop}" exec_line REGEX "^Exec=")
  string(REGEX REPLACE "^Icon=" "" icon "${icon_line}")
  string(REGEX REPLACE "^Exec=([^ ]*).*" "\\1" exec "${exec_line}")
  if(NOT icon STREQUAL APP_ID)
    list(APPEND failures "Icon=${icon} in ${desktop}: expected ${APP_ID}")
  endif()
  foreach(size IN LISTS ICON_SIZES)
    expect_file("${DATADIR}/icons/hicolor/${size}x${size}/apps/${icon}.png")
  endforeach()
  expect_file("${DATADIR}/icons/hicolor/scalable/apps/${icon}.svg")
  if(NOT IS_ABSOLUTE "${exec}" AND NOT EXISTS "${PREFIX}/bin/${exec}")
    list(APPEND failures "Exec=${exec} in ${desktop} is not an installed binary (bin/${exec})")
  endif()
endif()
if(EXISTS "${PREFIX}/${metainfo}")
  file(READ "${PREFIX}/${metainfo}" xml)
  if(NOT xml MATCHES "<launchable type=\"desktop-id\">${APP_ID}\\.desktop</launchable>")
    list(APPEND failures "${metainfo} does not launch ${APP_ID}.desktop")
  endif()
  if(xml MATCHES "@[A-Z_]+@")
    list(APPEND failures "${metainfo} has an unconfigured ${CMAKE_MATCH_0}")
  endif()
endif()

file(GLOB_RECURSE installed RELATIVE "${PREFIX}" "${PREFIX}/${DATADIR}/icons/*" "${PREFIX}/${DATADIR}/applications/*"
     "${PREFIX}/${DATADIR}/metainfo/*")
list(SORT installed)
list(JOIN installed "\n  " listing)
if(failures)
  list(JOIN failures "\n  " text)
  message(FATAL_ERROR "the console's desktop integration, installed:\n  ${listing}\nproblems:\n  ${text}")
endif()
file(REMOVE_RECURSE "${PREFIX}")
message(STATUS "desktop integration installed as expected:\n  ${listing}")
