/* ---------------------------------------------------------------------------------------------
 * core/mpi.c — checked MPI helpers: an all-to-all with 64-bit counts, reductions whose result
 * has the same bits on every rank, prefix sums, and committing output files atomically.
 * SPDX-License-Identifier: MIT
 *
 * The all-to-all takes 64-bit counts: MPI counts are int, so an exchange in which any
 * peer-to-peer message exceeds INT_MAX bytes is split into rounds that every rank agrees on.
 * ------------------------------------------------------------------------------------------- */
#include "core.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

int amls__mpi_error(int mpi_rc, const char *what, const char *file, int line)
{
    char text[MPI_MAX_ERROR_STRING] = "";
    int len = 0;
    MPI_Error_string(mpi_rc, text, &len);
    return amls_error(AMLS_ERR_MPI, "%s failed at %s:%d: %s", what, file, line, text);
}

int amls__comm_rank(MPI_Comm comm, int *rank, int *nranks)
{
    int rc = AMLS_OK;
    if (rank)
        AMLS_MPI_TRY(MPI_Comm_rank(comm, rank));
    if (nranks)
        AMLS_MPI_TRY(MPI_Comm_size(comm, nranks));
cleanup:
    return rc;
}

/* Large messages: point-to-point rounds of at most `chunk` bytes per peer; every rank derives
 * the same number of rounds from the agreed maximum `gmx`. */
static int alltoallv_rounds(MPI_Comm comm, int nranks, int64_t gmx, const char *sendbuf,
                            const int64_t *sendcounts, const int64_t *soff, char *recvbuf,
                            const int64_t *recvcounts, const int64_t *roff)
{
    int rc = AMLS_OK;
    MPI_Request *req = NULL;
    int64_t chunk = AMLS_MAX((int64_t)1, ((int64_t)INT_MAX / 2) / nranks);
    int64_t rounds = (gmx + chunk - 1) / chunk;
    AMLS_ALLOC(req, 2 * (size_t)nranks);
    for (int64_t r = 0; r < rounds; r++) {
        int nreq = 0;
        int64_t lo = r * chunk;
        for (int p = 0; p < nranks; p++) {
            if (recvcounts[p] > lo)
                AMLS_MPI_TRY(MPI_Irecv(recvbuf + roff[p] + lo,
                                       (int)AMLS_MIN(chunk, recvcounts[p] - lo), MPI_BYTE, p, 77,
                                       comm, &req[nreq++]));
            if (sendcounts[p] > lo)
                AMLS_MPI_TRY(MPI_Isend(sendbuf + soff[p] + lo,
                                       (int)AMLS_MIN(chunk, sendcounts[p] - lo), MPI_BYTE, p, 77,
                                       comm, &req[nreq++]));
        }
        AMLS_MPI_TRY(MPI_Waitall(nreq, req, MPI_STATUSES_IGNORE));
    }
cleanup:
    amls__free(req);
    return rc;
}

int amls__alltoallv_into(MPI_Comm comm, const void *sendbuf, const int64_t *sendcounts,
                         void *recvbuf, const int64_t *recvcounts)
{
    int rc = AMLS_OK, nranks = 1;
    int *sc = NULL, *sd = NULL, *rcn = NULL, *rd = NULL;
    int64_t *soff = NULL, *roff = NULL, gmx = 0;
    AMLS_TRY(amls__comm_rank(comm, NULL, &nranks));
    sc = amls__malloc((size_t)nranks, sizeof *sc);
    sd = amls__malloc((size_t)nranks, sizeof *sd);
    rcn = amls__malloc((size_t)nranks, sizeof *rcn);
    rd = amls__malloc((size_t)nranks, sizeof *rd);
    soff = amls__malloc((size_t)nranks + 1, sizeof *soff);
    roff = amls__malloc((size_t)nranks + 1, sizeof *roff);
    AMLS_AGREE(comm, amls__alloc_status(sc && sd && rcn && rd && soff && roff));
    soff[0] = roff[0] = 0;
    for (int p = 0; p < nranks; p++) {
        soff[p + 1] = soff[p] + sendcounts[p];
        roff[p + 1] = roff[p] + recvcounts[p];
    }
    int64_t mx = AMLS_MAX(soff[nranks], roff[nranks]);
    AMLS_MPI_TRY(MPI_Allreduce(&mx, &gmx, 1, MPI_INT64_T, MPI_MAX, comm));
    if (gmx > INT_MAX) {
        AMLS_TRY(alltoallv_rounds(comm, nranks, gmx, sendbuf, sendcounts, soff, recvbuf, recvcounts,
                                  roff));
        goto cleanup;
    }
    for (int p = 0; p < nranks; p++) {
        sc[p] = (int)sendcounts[p];
        sd[p] = (int)soff[p];
        rcn[p] = (int)recvcounts[p];
        rd[p] = (int)roff[p];
    }
    AMLS_MPI_TRY(MPI_Alltoallv(sendbuf, sc, sd, MPI_BYTE, recvbuf, rcn, rd, MPI_BYTE, comm));
cleanup:
    amls__free(sc);
    amls__free(sd);
    amls__free(rcn);
    amls__free(rd);
    amls__free(soff);
    amls__free(roff);
    return rc;
}

int amls__alltoallv_bytes(MPI_Comm comm, const void *sendbuf, const int64_t *sendcounts,
                          void **recvbuf, int64_t *recvcounts, int64_t *recv_total)
{
    int rc = AMLS_OK, nranks = 1;
    void *buf = NULL;
    *recvbuf = NULL;
    AMLS_TRY(amls__comm_rank(comm, NULL, &nranks));
    AMLS_MPI_TRY(MPI_Alltoall(sendcounts, 1, MPI_INT64_T, recvcounts, 1, MPI_INT64_T, comm));
    int64_t total = 0;
    for (int p = 0; p < nranks; p++)
        total += recvcounts[p];
    buf = amls__malloc((size_t)total, 1);
    AMLS_AGREE(comm, buf != NULL ? AMLS_OK
                                 : amls_error(AMLS_ERR_NOMEM, "out of memory receiving %lld bytes",
                                              (long long)total));
    AMLS_TRY(amls__alltoallv_into(comm, sendbuf, sendcounts, buf, recvcounts));
    *recvbuf = buf;
    buf = NULL;
    if (recv_total)
        *recv_total = total;
cleanup:
    amls__free(buf);
    return rc;
}

int amls__allreduce_same(MPI_Comm comm, double *buf, int count, MPI_Op op)
{
    int rank = 0, rc = AMLS_OK;
    double *tmp = NULL;
    AMLS_TRY(amls__comm_rank(comm, &rank, NULL));
    if (rank == 0)
        tmp = amls__malloc((size_t)count + 1, sizeof *tmp);
    AMLS_AGREE(comm, amls__alloc_status(rank != 0 || tmp != NULL));
    AMLS_MPI_TRY(MPI_Reduce(buf, tmp, count, MPI_DOUBLE, op, 0, comm));
    if (rank == 0)
        memcpy(buf, tmp, (size_t)count * sizeof *buf);
    AMLS_MPI_TRY(MPI_Bcast(buf, count, MPI_DOUBLE, 0, comm));
cleanup:
    amls__free(tmp);
    return rc;
}

int amls__allreduce_i64(MPI_Comm comm, int64_t *buf, int count, MPI_Op op)
{
    int rc = AMLS_OK;
    AMLS_MPI_TRY(MPI_Allreduce(MPI_IN_PLACE, buf, count, MPI_INT64_T, op, comm));
cleanup:
    return rc;
}

int amls__exscan_i64(MPI_Comm comm, int64_t count, int64_t *before)
{
    int rc = AMLS_OK, rank = 0;
    int64_t b = 0;
    AMLS_TRY(amls__comm_rank(comm, &rank, NULL));
    AMLS_MPI_TRY(MPI_Exscan(&count, &b, 1, MPI_INT64_T, MPI_SUM, comm));
    *before = rank == 0 ? 0 : b;
cleanup:
    return rc;
}

int amls__tmp_name(MPI_Comm comm, const char *path, char *tmp, size_t cap)
{
    int rank = 0, rc = AMLS_OK;
    char tag[17] = "";
    AMLS_TRY(amls__comm_rank(comm, &rank, NULL));
    if (rank == 0)
        amls__random_tag(tag, 16);
    AMLS_MPI_TRY(MPI_Bcast(tag, (int)sizeof tag, MPI_CHAR, 0, comm));
    AMLS_CHECK(strlen(path) + 5 + sizeof tag <= cap, AMLS_ERR_INVALID, "%s: path too long", path);
cleanup:
    snprintf(tmp, cap, "%s.tmp-%s", path, tag);
    return rc;
}

int amls__commit(MPI_Comm comm, int rc, const char *tmp, const char *path)
{
    int rank = 0;
    int mrc = amls__comm_rank(comm, &rank, NULL);
    rc = amls_agree(comm, rc < 0 ? rc : mrc, NULL);
    if (rank == 0) {
        if (rc == AMLS_OK && rename(tmp, path) != 0)
            rc = amls_error(AMLS_ERR_IO, "%s: rename failed: %s", path, strerror(errno));
        if (rc < 0)
            unlink(tmp);
    }
    return amls_agree(comm, rc, NULL);
}

double amls__now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int64_t amls__peak_rss(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return 0;
    return (int64_t)ru.ru_maxrss * 1024;
}
