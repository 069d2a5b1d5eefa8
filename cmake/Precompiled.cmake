# Precompiled headers. Most of a Meridian compile is parsing Qt's headers: a test file takes
# about 6 s, and -O0 or -O2 hardly changes that. So the common headers (cmake/pch/) are parsed
# once per kind of target and reused:
#   meridian_core                 → the core's own files and the simulator's libraries (Core.h)
#   meridian_test_support         → every core and app test (Tests.h)
#   meridian_ui_facade            → the console's libraries (Ui.h)
#   meridian_ui_test_support      → the console's tests (UiTests.h)
# GCC uses a precompiled header only when the macros defined on the command line are the same,
# and CMake asks it to say so (-Winvalid-pch), which -Werror makes a build error: a target that
# links another Qt module than its host must opt out (meridian_add_test's NO_PCH). Qt Test
# defines each test target's own directories, so they are set once for the whole project below,
# and every console target links Qt Charts so the console's targets share one set of Qt macros.
option(MERIDIAN_PCH "Precompile the common Qt and standard headers" ON)

function(meridian_pch_host target header)
  if(MERIDIAN_PCH)
    target_precompile_headers(${target} PRIVATE "${PROJECT_SOURCE_DIR}/${header}")
  endif()
endfunction()

function(meridian_pch_reuse target host)
  if(MERIDIAN_PCH)
    target_precompile_headers(${target} REUSE_FROM ${host})
  endif()
endfunction()

# QT_TESTCASE_BUILDDIR / _SOURCEDIR (for QFINDTESTDATA, which Meridian's tests do not use:
# they find data through MERIDIAN_SOURCE_DIR) are the same for every test.
macro(meridian_uniform_qt_test_defines)
  if(TARGET Qt6::Test)
    set_property(TARGET Qt6::Test PROPERTY INTERFACE_COMPILE_DEFINITIONS
      QT_TESTLIB_LIB "QT_TESTCASE_BUILDDIR=\"${PROJECT_BINARY_DIR}\"" "QT_TESTCASE_SOURCEDIR=\"${PROJECT_SOURCE_DIR}\"")
  endif()
endmacro()
