/* ---------------------------------------------------------------------------------------------
 * core/status.c — status names, the per-thread error message, and error agreement.
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#include "amls/status.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>

uint64_t amls__error_serial(void);

static _Thread_local char last_msg[AMLS_MSG_LEN];
static _Thread_local int first_fail_rank = -1;
static _Thread_local uint64_t error_serial;

const char *amls_strerror(int code)
{
    switch (code) {
    case AMLS_OK:
        return "ok";
    case AMLS_INFO_NOT_CONVERGED:
        return "not converged";
    case AMLS_INFO_HALTED:
        return "halted";
    case AMLS_INFO_STOPPED:
        return "stopped at a checkpoint";
    case AMLS_ERR_NOMEM:
        return "out of memory";
    case AMLS_ERR_INVALID:
        return "invalid argument";
    case AMLS_ERR_MPI:
        return "MPI error";
    case AMLS_ERR_REMOTE:
        return "failure on another rank";
    case AMLS_ERR_UNSUPPORTED:
        return "unsupported";
    case AMLS_ERR_INTERNAL:
        return "internal error";
    case AMLS_ERR_IO:
        return "I/O error";
    case AMLS_ERR_PARSE:
        return "parse error";
    case AMLS_ERR_FORMAT:
        return "wrong or unknown format";
    case AMLS_ERR_RANGE:
        return "value out of range";
    case AMLS_ERR_HEADER:
        return "bad header";
    case AMLS_ERR_PARTITION:
        return "partition error";
    case AMLS_ERR_METIS:
        return "METIS error";
    case AMLS_ERR_PARAM:
        return "bad parameter";
    case AMLS_ERR_VPROG:
        return "vertex program error";
    case AMLS_ERR_VERIFY:
        return "verification failed";
    case AMLS_ERR_NOT_FOUND:
        return "not found";
    case AMLS_ERR_DIM:
        return "dimension mismatch";
    case AMLS_ERR_NOT_SPD:
        return "matrix not SPD";
    case AMLS_ERR_NUMERIC:
        return "numerical error";
    case AMLS_ERR_DIVERGED:
        return "did not converge";
    case AMLS_ERR_PLUGIN:
        return "plugin error";
    case AMLS_ERR_ABI:
        return "ABI mismatch";
    default:
        return "unknown status";
    }
}

const char *amls_last_error(void)
{
    return last_msg;
}

void amls_clear_error(void)
{
    last_msg[0] = '\0';
    first_fail_rank = -1;
}

int amls_error_rank(void)
{
    return first_fail_rank;
}

uint64_t amls__error_serial(void)
{
    return error_serial;
}

int amls_error(int code, const char *fmt, ...)
{
    error_serial++;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_msg, sizeof last_msg, fmt, ap);
    va_end(ap);
    return code;
}

int amls_agree(MPI_Comm comm, int rc, int *who)
{
    int rank = 0;
    if (MPI_Comm_rank(comm, &rank) != MPI_SUCCESS)
        return amls_error(AMLS_ERR_MPI, "MPI_Comm_rank failed during error agreement");
    struct {
        int code;
        int rank;
    } in = {rc < 0 ? rc : 0, rank}, out = {0, 0};
    if (MPI_Allreduce(&in, &out, 1, MPI_2INT, MPI_MINLOC, comm) != MPI_SUCCESS) {
        if (who)
            *who = rank;
        return amls_error(AMLS_ERR_MPI, "MPI_Allreduce failed during error agreement");
    }
    if (out.code < 0 && first_fail_rank < 0)
        first_fail_rank = out.rank;
    if (who)
        *who = out.code < 0 ? first_fail_rank : -1;
    return out.code < 0 ? out.code : rc;
}
