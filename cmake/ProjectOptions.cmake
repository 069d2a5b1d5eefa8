# One INTERFACE target carries the language standard, warnings and Qt defines for every
# Meridian target (the qBittorrent CommonConfig pattern). Link it PRIVATE everywhere.
add_library(meridian_options INTERFACE)
target_compile_features(meridian_options INTERFACE cxx_std_20)
set(CMAKE_CXX_EXTENSIONS OFF)
target_include_directories(meridian_options INTERFACE ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR})
target_compile_definitions(meridian_options INTERFACE
  QT_NO_CAST_FROM_ASCII
  QT_NO_CAST_TO_ASCII
  QT_USE_QSTRINGBUILDER
  QT_NO_NARROWING_CONVERSIONS_IN_CONNECT
  QT_NO_KEYWORDS
  QT_NO_FOREACH
  MERIDIAN_VERSION="${PROJECT_VERSION}")
target_compile_options(meridian_options INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
  -Woverloaded-virtual -Wformat=2 -Wimplicit-fallthrough -Wmissing-declarations)
# Debian's hardening flags (dpkg-buildflags hardening=+all): a stack protector, fortified libc
# calls (they need optimisation, so not in Debug) and full RELRO with immediate binding.
target_compile_options(meridian_options INTERFACE
  -fstack-protector-strong $<$<NOT:$<CONFIG:Debug>>:-U_FORTIFY_SOURCE -D_FORTIFY_SOURCE=2>)
target_link_options(meridian_options INTERFACE -Wl,-z,relro -Wl,-z,now)
if(MERIDIAN_WERROR)
  target_compile_options(meridian_options INTERFACE -Werror)
endif()
if(MERIDIAN_SANITIZE)
  target_compile_options(meridian_options INTERFACE
    -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  target_link_options(meridian_options INTERFACE -fsanitize=address,undefined)
endif()

# The allocator of the programs that carry the data plane (meridian-gateway and the console,
# which embeds the gateway): tcmalloc from gperftools' minimal build (Debian's
# libgoogle-perftools-dev), as Envoy links its own tcmalloc. A relayed request makes about 60
# allocations, and tcmalloc's thread-cache path costs a fraction of glibc's; docs/benchmarks.md
# has the measurement. Off under the sanitizers, which bring their own allocator.
option(MERIDIAN_TCMALLOC "Link meridian-gateway and the console with tcmalloc_minimal" ON)
if(MERIDIAN_TCMALLOC AND MERIDIAN_SANITIZE)
  message(STATUS "MERIDIAN_TCMALLOC is off: the sanitizers replace the allocator")
  set(MERIDIAN_TCMALLOC OFF)
endif()
if(MERIDIAN_TCMALLOC)
  find_library(TCMALLOC_MINIMAL_LIBRARY NAMES tcmalloc_minimal REQUIRED)
endif()

# meridian_fast_allocator(target): links `target` with tcmalloc when MERIDIAN_TCMALLOC is on.
# --no-as-needed keeps the library even though no symbol is asked of it by name: it replaces
# malloc and operator new for the whole process by coming before libc in the lookup order.
function(meridian_fast_allocator target)
  if(MERIDIAN_TCMALLOC)
    target_link_libraries(${target} PRIVATE "-Wl,--push-state,--no-as-needed" "${TCMALLOC_MINIMAL_LIBRARY}"
                                            "-Wl,--pop-state")
  endif()
endfunction()
