# dlbench_tristate(<VAR> <doc>): a cache option taking AUTO (the default: use it if found), ON (fail the configure
# if not found) or OFF; sets <VAR> in the caller to the upper-cased value, and stops the configure on anything else.
# Shared by the toolchains (cmake/cuda.cmake, cmake/mpi.cmake) and every backend's DLBENCH_WITH_<NAME>.
function(dlbench_tristate var doc)
  set(${var} AUTO CACHE STRING "${doc}: AUTO, ON or OFF")
  set_property(CACHE ${var} PROPERTY STRINGS AUTO ON OFF)
  string(TOUPPER "${${var}}" value)
  if(NOT value MATCHES "^(AUTO|ON|OFF)$")
    message(FATAL_ERROR "${var}=${${var}}: expected AUTO, ON or OFF")
  endif()
  set(${var} ${value} PARENT_SCOPE)
endfunction()
