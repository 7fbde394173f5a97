# Test helpers. amls_add_mpi_test(NAME name COMMAND exe args... NP 1 2 3 4 [LABELS ...]):
# one ctest per rank count, run under mpiexec with the environment Open MPI needs as root.
# The tests run on one node, so Open MPI's ob1 point-to-point layer (shared memory) is chosen
# outright: probing for UCX costs about 0.22 s per process start (0.35 s -> 0.12 s for a small
# run at 2 ranks), and the suite starts a few thousand.
set(AMLS_MPI_ENV
  "OMPI_MCA_pml=ob1;OMPI_ALLOW_RUN_AS_ROOT=1;OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1;OMPI_MCA_rmaps_base_oversubscribe=1;OMPI_MCA_btl_vader_single_copy_mechanism=none;OMPI_MCA_mpi_yield_when_idle=1;OPENBLAS_NUM_THREADS=1;HWLOC_COMPONENTS=-x86;OMPI_MCA_odls_base_sigkill_timeout=0")

if(AMLS_SANITIZE)
  # Open MPI's own leaks are suppressed; ours are reported. The slow unwinder is needed for
  # the suppressions to match frames in dlopened MCA components.
  # AMLS_SANITIZER_LOGS=DIR: every report also goes to a file in DIR (a test that expects a
  # failure cannot hide one then: look for files in DIR after the run).
  set(AMLS_SANITIZER_LOGS "" CACHE PATH "directory for sanitizer report files (empty: stderr)")
  set(_log "")
  if(AMLS_SANITIZER_LOGS)
    file(MAKE_DIRECTORY ${AMLS_SANITIZER_LOGS})
    set(_log ":log_path=${AMLS_SANITIZER_LOGS}/report")
  endif()
  list(APPEND AMLS_MPI_ENV
    "ASAN_OPTIONS=fast_unwind_on_malloc=0:malloc_context_size=40:abort_on_error=0${_log}"
    "LSAN_OPTIONS=suppressions=${PROJECT_SOURCE_DIR}/tests/lsan-mpi.supp:print_suppressions=0"
    "UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1${_log}")
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

# amls_fields(CASE VAR...): splits a "a|b|c" table row into the named variables, in order (a
# missing field leaves its variable empty).
function(amls_fields case)
  string(REPLACE "|" ";" parts "${case}")
  list(LENGTH parts n)
  set(i 0)
  foreach(var ${ARGN})
    set(v "")
    if(i LESS n)
      list(GET parts ${i} v)
    endif()
    set(${var} "${v}" PARENT_SCOPE)
    math(EXPR i "${i} + 1")
  endforeach()
endfunction()

# The dataset tier. The suite runs on inputs the project writes itself (tests/fixtures, built
# into ${AMLS_FIXTURES}); the shared datasets (AMLS_DATA_DIR) add one ctest per dataset that
# runs every check on it in turn: amls_data_check(DATASET COMMAND...) adds a check to the
# dataset's test, amls_data_tests() creates the tests. Without the datasets each reports
# Skipped, with the reason.
set_property(GLOBAL PROPERTY AMLS_DATA_SETS "")
function(amls_data_check dataset)
  set(line "")
  foreach(a ${ARGN})
    string(APPEND line " '${a}'")
  endforeach()
  get_property(sets GLOBAL PROPERTY AMLS_DATA_SETS)
  if(NOT dataset IN_LIST sets)
    set_property(GLOBAL APPEND PROPERTY AMLS_DATA_SETS ${dataset})
  endif()
  set_property(GLOBAL APPEND PROPERTY AMLS_DATA_CHECKS_${dataset} "${line}")
endfunction()

function(amls_data_tests)
  get_property(sets GLOBAL PROPERTY AMLS_DATA_SETS)
  foreach(ds ${sets})
    get_property(checks GLOBAL PROPERTY AMLS_DATA_CHECKS_${ds})
    string(REPLACE ";" "\n" content "${checks}")
    file(GENERATE OUTPUT ${PROJECT_BINARY_DIR}/tests/data/${ds}.checks CONTENT "${content}\n")
    add_test(NAME data_${ds}
             COMMAND ${PROJECT_SOURCE_DIR}/tests/run_checks.sh
                     ${PROJECT_BINARY_DIR}/tests/data/${ds}.checks ${AMLS_DATA_DIR})
    set_tests_properties(data_${ds} PROPERTIES PROCESSORS 4 TIMEOUT 900 SKIP_RETURN_CODE 77
                         ENVIRONMENT "${AMLS_MPI_ENV}" LABELS "data")
  endforeach()
endfunction()
