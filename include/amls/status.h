/* ---------------------------------------------------------------------------------------------
 * include/amls/status.h — status codes, error text and error agreement across ranks.
 * SPDX-License-Identifier: MIT
 *
 * Every fallible amls call returns an int: 0 (AMLS_OK) on success, a negative code on error and
 * a positive code for information. Codes are grouped by module. The text of the last error on
 * this thread is kept by the library (like dlerror) and read with amls_last_error().
 * ------------------------------------------------------------------------------------------- */
#pragma once

#include <mpi.h>

#ifdef __cplusplus
extern "C" {
#endif

enum amls_status {
    AMLS_OK = 0,
    /* Positive values: information, never failures. */
    AMLS_INFO_NOT_CONVERGED = 1,
    AMLS_INFO_HALTED = 2,
    AMLS_INFO_STOPPED = 3, /* stopped on request after writing a checkpoint (resume from it) */

    /* Generic errors, -1 .. -99. */
    AMLS_ERR_NOMEM = -1,
    AMLS_ERR_INVALID = -2,     /* a caller passed a bad argument */
    AMLS_ERR_MPI = -3,         /* an MPI call failed */
    AMLS_ERR_REMOTE = -4,      /* another rank failed; its message is on that rank */
    AMLS_ERR_UNSUPPORTED = -5, /* valid request this build cannot do */
    AMLS_ERR_INTERNAL = -99,   /* a bug: an invariant did not hold */

    /* io, -100 .. -199. */
    AMLS_ERR_IO = -100,     /* open/read/write/rename failed */
    AMLS_ERR_PARSE = -101,  /* malformed input line */
    AMLS_ERR_FORMAT = -102, /* unknown or wrong file format */
    AMLS_ERR_RANGE = -103,  /* a value (vertex id, index) does not fit or is out of range */
    AMLS_ERR_HEADER = -104, /* a header that lies or is missing */

    /* engine, -200 .. -299. */
    AMLS_ERR_PARTITION = -200, /* partitioner failure or bad partition file */
    AMLS_ERR_METIS = -201,     /* METIS returned an error */
    AMLS_ERR_PARAM = -202,     /* unknown parameter or value of the wrong type */
    AMLS_ERR_VPROG = -203,     /* a vertex program is malformed or failed */
    AMLS_ERR_VERIFY = -204,    /* --verify found a mismatch */
    AMLS_ERR_NOT_FOUND = -205, /* a named vertex, algorithm or file does not exist */

    /* linalg, -300 .. -399. */
    AMLS_ERR_DIM = -300,      /* dimension mismatch, non-square matrix */
    AMLS_ERR_NOT_SPD = -301,  /* matrix is not symmetric positive definite */
    AMLS_ERR_NUMERIC = -302,  /* NaN/Inf in input or breakdown */
    AMLS_ERR_DIVERGED = -303, /* solver did not converge and --strict asked for an error */

    /* plugins, -400 .. -499. */
    AMLS_ERR_PLUGIN = -400, /* dlopen failed, entry point missing, init failed */
    AMLS_ERR_ABI = -401,    /* ABI version mismatch */
};

/* Maximum length of an error message, including the terminating NUL. */
#define AMLS_MSG_LEN 1024

/* Returns a static, human-readable name for a status code. Local; cannot fail. */
const char *amls_strerror(int code);

/* Returns the message recorded by the last failing amls call on this thread (empty if none).
 * The library owns the string; it stays valid until the next failing call. Local. */
const char *amls_last_error(void);

/* Clears the last error message on this thread. Local. */
void amls_clear_error(void);

/* Records an error message for this thread and returns `code`. printf-style. Local. */
int amls_error(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Error agreement. Collective on comm: every rank passes its own status and every rank
 * returns the same one: the most negative code (the first in rank order on ties). When
 * `who` is not NULL it receives the rank that reported that code (-1 if all were OK).
 * A rank that was fine but learns of a failure elsewhere gets that rank's code. */
int amls_agree(MPI_Comm comm, int rc, int *who);

/* The rank that reported the first failure seen by amls_agree on this thread since the last
 * amls_clear_error(), or -1. That rank holds the message; later agreements on the same,
 * already-propagated code would otherwise name rank 0. Local. */
int amls_error_rank(void);

#ifdef __cplusplus
}
#endif
