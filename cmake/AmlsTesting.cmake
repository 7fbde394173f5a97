# Test helpers. amls_add_mpi_test(NAME name COMMAND exe args... NP 1 2 3 4 [LABELS ...]):
# one ctest per rank count, run under mpiexec with the environment Open MPI needs as root.
set(AMLS_MPI_ENV
  "OMPI_ALLOW_RUN_AS_ROOT=1;OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1;OMPI_MCA_rmaps_base_oversubscribe=1;OMPI_MCA_btl_vader_single_copy_mechanism=none;OMPI_MCA_mpi_yield_when_idle=1;OPENBLAS_NUM_THREADS=1;HWLOC_COMPONENTS=-x86;OMPI_MCA_odls_base_sigkill_timeout=0")

if(AMLS_SANITIZE)
  # Open MPI's own leaks are suppressed; ours are reported. The slow unwinder is needed for
  # the suppressions to match frames in dlopened MCA components.
  list(APPEND AMLS_MPI_ENV
    "ASAN_OPTIONS=fast_unwind_on_malloc=0:malloc_context_size=40:abort_on_error=0"
    "LSAN_OPTIONS=suppressions=${PROJECT_SOURCE_DIR}/tests/lsan-mpi.supp:print_suppressions=0"
    "UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1")
  # Programs that are not instrumented themselves (Python, an outside program) but load the
  # instrumented libamls_graph need the sanitizer runtimes preloaded.
  execute_process(COMMAND ${CMAKE_C_COMPILER} -print-file-name=libasan.so
                  OUTPUT_VARIABLE _asan OUTPUT_STRIP_TRAILING_WHITESPACE)
  execute_process(COMMAND ${CMAKE_C_COMPILER} -print-file-name=libubsan.so
                  OUTPUT_VARIABLE _ubsan OUTPUT_STRIP_TRAILING_WHITESPACE)
  set(AMLS_SAN_PRELOAD "${_asan}:${_ubsan}")
endif()

function(amls_add_mpi_test)
  cmake_parse_arguments(T "" "NAME;TIMEOUT" "COMMAND;NP;LABELS" ${ARGN})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 300)
  endif()
  foreach(np ${T_NP})
    add_test(NAME ${T_NAME}_np${np}
             COMMAND ${MPIEXEC_EXECUTABLE} ${MPIEXEC_NUMPROC_FLAG} ${np} --oversubscribe
                     ${MPIEXEC_PREFLAGS} ${T_COMMAND})
    set_tests_properties(${T_NAME}_np${np} PROPERTIES PROCESSORS ${np} TIMEOUT ${T_TIMEOUT}
                         ENVIRONMENT "${AMLS_MPI_ENV}" LABELS "mpi;${T_LABELS}")
  endforeach()
endfunction()
