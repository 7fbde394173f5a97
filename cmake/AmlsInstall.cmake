# Install layout (GNUInstallDirs, relative to the prefix):
#   bin/amls-graph                          the command line
#   LIBDIR/libamls_graph.so.X.Y.Z           the shared library (SONAME libamls_graph.so.AMLS_SOVERSION)
#   include/amls/*.h                        its public headers, with the generated version.h
#   LIBDIR/cmake/amls-graph/                the CMake package: find_package(amls-graph)
#   LIBDIR/pkgconfig/amls-graph.pc          the pkg-config file
#   share/amls-graph/python/                the Python package (pip install PREFIX/share/amls-graph/python)
#   share/doc/amls-graph/                   LICENSE, CHANGELOG.md
include(CMakePackageConfigHelpers)
file(STRINGS include/amls/vprog.h _abi REGEX "^#define AMLS_ABI_MAJOR ")
string(REGEX REPLACE ".* ([0-9]+)$" "\\1" AMLS_ABI_MAJOR "${_abi}")
set(AMLS_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/amls-graph)

install(TARGETS amls_graph EXPORT amls-graphTargets
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY include/amls DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} FILES_MATCHING PATTERN "*.h")
install(FILES ${PROJECT_BINARY_DIR}/include/amls/version.h
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/amls)
install(EXPORT amls-graphTargets NAMESPACE amls-graph:: DESTINATION ${AMLS_CMAKE_DIR})
configure_package_config_file(cmake/amls-graphConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/amls-graphConfig.cmake
                              INSTALL_DESTINATION ${AMLS_CMAKE_DIR}
                              PATH_VARS CMAKE_INSTALL_BINDIR CMAKE_INSTALL_INCLUDEDIR)
# Before 1.0 the ABI may change with every minor version: a package matches its MAJOR.MINOR.
if(PROJECT_VERSION_MAJOR EQUAL 0)
  set(_compat SameMinorVersion)
else()
  set(_compat SameMajorVersion)
endif()
write_basic_package_version_file(${PROJECT_BINARY_DIR}/amls-graphConfigVersion.cmake
                                 COMPATIBILITY ${_compat})
install(FILES ${PROJECT_BINARY_DIR}/amls-graphConfig.cmake
              ${PROJECT_BINARY_DIR}/amls-graphConfigVersion.cmake
        DESTINATION ${AMLS_CMAKE_DIR})

# pkg-config: the public flags are the library's and MPI's (the headers include mpi.h); the
# libraries the shared library itself depends on are listed under Libs.private.
function(amls_pc_libs out)
  set(flags "")
  foreach(lib ${ARGN})
    if(lib MATCHES "^-")
      list(APPEND flags ${lib})
    elseif(EXISTS "${lib}")
      get_filename_component(dir "${lib}" DIRECTORY)
      get_filename_component(name "${lib}" NAME_WE)
      string(REGEX REPLACE "^lib" "" name "${name}")
      if(NOT dir MATCHES "^(/usr)?/lib(64)?(/${CMAKE_LIBRARY_ARCHITECTURE})?$")
        list(APPEND flags "-L${dir}")
      endif()
      list(APPEND flags "-l${name}")
    elseif(lib)
      list(APPEND flags "-l${lib}")
    endif()
  endforeach()
  list(REMOVE_DUPLICATES flags)
  string(REPLACE ";" " " flags "${flags}")
  set(${out} "${flags}" PARENT_SCOPE)
endfunction()
set(_mpi_cflags "")
foreach(dir ${MPI_C_INCLUDE_DIRS})
  string(APPEND _mpi_cflags " -I${dir}")
endforeach()
amls_pc_libs(AMLS_PC_MPI_LIBS ${MPI_C_LIBRARIES})
amls_pc_libs(AMLS_PC_PRIVATE ${HDF5_C_LIBRARIES} ${METIS_LIBRARY} ${PTSCOTCH_LIBRARY}
             ${PTSCOTCHERR_LIBRARY} ${SCOTCH_LIBRARY} ${SCOTCHERR_LIBRARY} ${LAPACKE_LIBRARY}
             ${LAPACK_LIBRARIES} ${BLAS_LIBRARIES} ${ZLIB_LIBRARIES} cjson ${CMAKE_DL_LIBS} m)
set(AMLS_PC_MPI_CFLAGS "${_mpi_cflags}")
configure_file(cmake/amls-graph.pc.in ${PROJECT_BINARY_DIR}/amls-graph.pc.in @ONLY)
install(CODE "
  set(_prefix \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}\")
  file(READ \"${PROJECT_BINARY_DIR}/amls-graph.pc.in\" _pc)
  string(REPLACE \"%AMLS_PREFIX%\" \"\${CMAKE_INSTALL_PREFIX}\" _pc \"\${_pc}\")
  file(WRITE \"\${_prefix}/${CMAKE_INSTALL_LIBDIR}/pkgconfig/amls-graph.pc\" \"\${_pc}\")
  message(STATUS \"Installing: \${_prefix}/${CMAKE_INSTALL_LIBDIR}/pkgconfig/amls-graph.pc\")")

# The Python package, with a note of where the library and this version are.
set(AMLS_PY_DIR ${CMAKE_INSTALL_DATADIR}/amls-graph/python)
install(DIRECTORY python/ DESTINATION ${AMLS_PY_DIR}
        PATTERN "__pycache__" EXCLUDE PATTERN "*.egg-info" EXCLUDE PATTERN "build" EXCLUDE)
install(CODE "
  file(WRITE \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/${AMLS_PY_DIR}/amls_graph/_build.py\"
\"# Written by cmake --install: where this copy's library is, and its version.
LIBDIR = '\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_LIBDIR}'
VERSION = '${PROJECT_VERSION}'
\")")
install(FILES LICENSE CHANGELOG.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
