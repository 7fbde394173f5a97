/* ---------------------------------------------------------------------------------------------
 * io/util.c — checked allocation, growable arrays, radix sort and MPI exchange helpers.
 * SPDX-License-Identifier: MIT
 *
 * The all-to-all helper takes 64-bit counts: MPI counts are int, so an exchange in which any
 * peer-to-peer message exceeds INT_MAX bytes is split into rounds that every rank agrees on.
 * ------------------------------------------------------------------------------------------- */
#include "io/util.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static _Thread_local int64_t fail_after = -1;

int amls__mpi_error(int mpi_rc, const char *what, const char *file, int line)
{
    char text[MPI_MAX_ERROR_STRING] = "";
    int len = 0;
    MPI_Error_string(mpi_rc, text, &len);
    return amls_error(AMLS_ERR_MPI, "%s failed at %s:%d: %s", what, file, line, text);
}

void amls__assert_fail(const char *cond, const char *file, int line)
{
    fprintf(stderr, "amls-graph: internal assertion failed: %s (%s:%d)\n", cond, file, line);
    abort();
}

void amls__malloc_fail_after(int64_t k)
{
    fail_after = k;
}

static bool injected_failure(void)
{
    if (fail_after < 0)
        return false;
    if (fail_after == 0)
        return true;
    fail_after--;
    return false;
}

void *amls__malloc(size_t n, size_t size)
{
    if (size != 0 && n > SIZE_MAX / size)
        return NULL;
    if (injected_failure())
        return NULL;
    return malloc((n * size) != 0 ? n * size : 1);
}

void *amls__calloc(size_t n, size_t size)
{
    if (injected_failure())
        return NULL;
    return calloc(n ? n : 1, size ? size : 1);
}

void *amls__realloc(void *p, size_t n, size_t size)
{
    if (size != 0 && n > SIZE_MAX / size)
        return NULL;
    if (injected_failure())
        return NULL;
    return realloc(p, (n * size) != 0 ? n * size : 1);
}

char *amls__strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = amls__malloc(n, 1);
    if (d)
        memcpy(d, s, n);
    return d;
}

void amls__free(void *p)
{
    free(p);
}

void amls__vec_init(amls__vec *v, size_t esz)
{
    v->data = NULL;
    v->len = 0;
    v->cap = 0;
    v->esz = esz;
}

int amls__vec_reserve(amls__vec *v, size_t cap)
{
    if (cap <= v->cap)
        return AMLS_OK;
    void *d = amls__realloc(v->data, cap, v->esz);
    if (d == NULL)
        return amls_error(AMLS_ERR_NOMEM, "out of memory growing an array to %zu elements", cap);
    v->data = d;
    v->cap = cap;
    return AMLS_OK;
}

int amls__vec_push(amls__vec *v, const void *elem)
{
    if (v->len == v->cap) {
        int rc = amls__vec_reserve(v, v->cap ? 2 * v->cap : 256);
        if (rc < 0)
            return rc;
    }
    memcpy((char *)v->data + v->len * v->esz, elem, v->esz);
    v->len++;
    return AMLS_OK;
}

void amls__vec_free(amls__vec *v)
{
    amls__free(v->data);
    v->data = NULL;
    v->len = v->cap = 0;
}

void *amls__vec_steal(amls__vec *v)
{
    void *d = v->data;
    v->data = NULL;
    v->len = v->cap = 0;
    return d;
}

/* LSD radix sort on 16-bit digits, skipping digits where every key agrees. */
int amls__sort_u64(uint64_t *keys, uint64_t *vals, size_t n)
{
    if (n < 2)
        return AMLS_OK;
    if (n < 64) {
        for (size_t i = 1; i < n; i++) {
            uint64_t k = keys[i], v = vals ? vals[i] : 0;
            size_t j = i;
            while (j > 0 && keys[j - 1] > k) {
                keys[j] = keys[j - 1];
                if (vals)
                    vals[j] = vals[j - 1];
                j--;
            }
            keys[j] = k;
            if (vals)
                vals[j] = v;
        }
        return AMLS_OK;
    }
    uint64_t all_or = 0, all_and = ~(uint64_t)0;
    for (size_t i = 0; i < n; i++) {
        all_or |= keys[i];
        all_and &= keys[i];
    }
    uint64_t differ = all_or ^ all_and;
    uint64_t *tk = amls__malloc(n, sizeof *tk);
    uint64_t *tv = vals ? amls__malloc(n, sizeof *tv) : NULL;
    size_t *count = amls__malloc(65536, sizeof *count);
    if (tk == NULL || (vals && tv == NULL) || count == NULL) {
        amls__free(tk);
        amls__free(tv);
        amls__free(count);
        return amls_error(AMLS_ERR_NOMEM, "out of memory sorting %zu keys", n);
    }
    uint64_t *sk = keys, *sv = vals, *dk = tk, *dv = tv;
    for (int shift = 0; shift < 64; shift += 16) {
        if (((differ >> shift) & 0xffff) == 0)
            continue;
        memset(count, 0, 65536 * sizeof *count);
        for (size_t i = 0; i < n; i++)
            count[(sk[i] >> shift) & 0xffff]++;
        size_t sum = 0;
        for (size_t d = 0; d < 65536; d++) {
            size_t c = count[d];
            count[d] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++) {
            size_t pos = count[(sk[i] >> shift) & 0xffff]++;
            dk[pos] = sk[i];
            if (vals)
                dv[pos] = sv[i];
        }
        uint64_t *t = sk;
        sk = dk;
        dk = t;
        t = sv;
        sv = dv;
        dv = t;
    }
    if (sk != keys) {
        memcpy(keys, sk, n * sizeof *keys);
        if (vals)
            memcpy(vals, sv, n * sizeof *vals);
    }
    amls__free(tk);
    amls__free(tv);
    amls__free(count);
    return AMLS_OK;
}

int amls__sort_unique_i64(int64_t *a, size_t n, size_t *m)
{
    /* Flip the sign bit so that unsigned order equals signed order. */
    uint64_t *u = (uint64_t *)a;
    for (size_t i = 0; i < n; i++)
        u[i] ^= (uint64_t)1 << 63;
    int rc = amls__sort_u64(u, NULL, n);
    for (size_t i = 0; i < n; i++)
        u[i] ^= (uint64_t)1 << 63;
    if (rc < 0)
        return rc;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (k == 0 || a[k - 1] != a[i])
            a[k++] = a[i];
    *m = k;
    return AMLS_OK;
}

int64_t amls__bsearch_i64(const int64_t *a, int64_t n, int64_t x)
{
    int64_t lo = 0, hi = n;
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (a[mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return (lo < n && a[lo] == x) ? lo : -1;
}

int amls__owner_of(const int64_t *off, int n, int64_t x)
{
    int lo = 0, hi = n - 1;
    while (lo < hi) {
        int mid = (lo + hi + 1) / 2;
        if (off[mid] <= x)
            lo = mid;
        else
            hi = mid - 1;
    }
    return lo;
}

int amls__alltoallv_into(MPI_Comm comm, const void *sendbuf, const int64_t *sendcounts,
                         void *recvbuf, const int64_t *recvcounts)
{
    int rc = AMLS_OK, nranks = 1;
    int *sc = NULL, *sd = NULL, *rcn = NULL, *rd = NULL;
    int64_t *soff = NULL, *roff = NULL;
    MPI_Comm_size(comm, &nranks);
    AMLS_ALLOC(sc, nranks);
    AMLS_ALLOC(sd, nranks);
    AMLS_ALLOC(rcn, nranks);
    AMLS_ALLOC(rd, nranks);
    AMLS_ALLOC(soff, nranks + 1);
    AMLS_ALLOC(roff, nranks + 1);
    int64_t mx = 0;
    soff[0] = roff[0] = 0;
    for (int p = 0; p < nranks; p++) {
        soff[p + 1] = soff[p] + sendcounts[p];
        roff[p + 1] = roff[p] + recvcounts[p];
        mx = AMLS_MAX(mx, AMLS_MAX(sendcounts[p], recvcounts[p]));
    }
    mx = AMLS_MAX(mx, AMLS_MAX(soff[nranks], roff[nranks]));
    int64_t gmx = 0;
    AMLS_MPI_TRY(MPI_Allreduce(&mx, &gmx, 1, MPI_INT64_T, MPI_MAX, comm));
    if (gmx <= INT_MAX) {
        for (int p = 0; p < nranks; p++) {
            sc[p] = (int)sendcounts[p];
            sd[p] = (int)soff[p];
            rcn[p] = (int)recvcounts[p];
            rd[p] = (int)roff[p];
        }
        AMLS_MPI_TRY(MPI_Alltoallv(sendbuf, sc, sd, MPI_BYTE, recvbuf, rcn, rd, MPI_BYTE, comm));
        goto cleanup;
    }
    /* Large path: point-to-point rounds of at most `chunk` bytes per peer; every rank derives
     * the same number of rounds from the agreed maximum. */
    int64_t chunk = AMLS_MAX((int64_t)1, ((int64_t)INT_MAX / 2) / nranks);
    int64_t rounds = (gmx + chunk - 1) / chunk;
    {
        MPI_Request *req = NULL;
        AMLS_ALLOC(req, 2 * (size_t)nranks);
        for (int64_t r = 0; r < rounds; r++) {
            int nreq = 0;
            for (int p = 0; p < nranks; p++) {
                int64_t lo = r * chunk;
                if (recvcounts[p] > lo) {
                    int len = (int)AMLS_MIN(chunk, recvcounts[p] - lo);
                    MPI_Irecv((char *)recvbuf + roff[p] + lo, len, MPI_BYTE, p, 77, comm,
                              &req[nreq++]);
                }
                if (sendcounts[p] > lo) {
                    int len = (int)AMLS_MIN(chunk, sendcounts[p] - lo);
                    MPI_Isend((const char *)sendbuf + soff[p] + lo, len, MPI_BYTE, p, 77, comm,
                              &req[nreq++]);
                }
            }
            int mrc = MPI_Waitall(nreq, req, MPI_STATUSES_IGNORE);
            if (mrc != MPI_SUCCESS) {
                amls__free(req);
                rc = amls__mpi_error(mrc, "MPI_Waitall", __FILE__, __LINE__);
                goto cleanup;
            }
        }
        amls__free(req);
    }
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
    MPI_Comm_size(comm, &nranks);
    AMLS_MPI_TRY(MPI_Alltoall(sendcounts, 1, MPI_INT64_T, recvcounts, 1, MPI_INT64_T, comm));
    int64_t total = 0;
    for (int p = 0; p < nranks; p++)
        total += recvcounts[p];
    buf = amls__malloc((size_t)total, 1);
    int ok = buf != NULL, all_ok = 0;
    AMLS_MPI_TRY(MPI_Allreduce(&ok, &all_ok, 1, MPI_INT, MPI_MIN, comm));
    AMLS_CHECK(ok, AMLS_ERR_NOMEM, "out of memory receiving %lld bytes", (long long)total);
    AMLS_CHECK(all_ok, AMLS_ERR_REMOTE, "out of memory on another rank");
    AMLS_TRY(amls__alltoallv_into(comm, sendbuf, sendcounts, buf, recvcounts));
    *recvbuf = buf;
    buf = NULL;
    if (recv_total)
        *recv_total = total;
cleanup:
    amls__free(buf);
    return rc;
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

int amls__allreduce_same(MPI_Comm comm, double *buf, int count, MPI_Op op)
{
    int rank = 0, rc = AMLS_OK;
    double *tmp = NULL;
    MPI_Comm_rank(comm, &rank);
    if (rank == 0)
        tmp = amls__malloc((size_t)count + 1, sizeof *tmp);
    int ok = rank != 0 || tmp != NULL;
    MPI_Bcast(&ok, 1, MPI_INT, 0, comm);
    if (!ok)
        return amls_error(AMLS_ERR_NOMEM, "out of memory in a reduction");
    AMLS_MPI_TRY(MPI_Reduce(buf, tmp, count, MPI_DOUBLE, op, 0, comm));
    if (rank == 0)
        memcpy(buf, tmp, (size_t)count * sizeof *buf);
    AMLS_MPI_TRY(MPI_Bcast(buf, count, MPI_DOUBLE, 0, comm));
cleanup:
    amls__free(tmp);
    return rc;
}

void amls__tmp_name(MPI_Comm comm, const char *path, char *tmp, size_t cap)
{
    int rank = 0;
    MPI_Comm_rank(comm, &rank);
    long tag = rank == 0 ? (long)getpid() : 0;
    MPI_Bcast(&tag, 1, MPI_LONG, 0, comm);
    snprintf(tmp, cap, "%s.tmp-%ld", path, tag);
}

int amls__commit(MPI_Comm comm, int rc, const char *tmp, const char *path)
{
    int rank = 0;
    MPI_Comm_rank(comm, &rank);
    rc = amls_agree(comm, rc, NULL);
    if (rank == 0) {
        if (rc == AMLS_OK && rename(tmp, path) != 0)
            rc = amls_error(AMLS_ERR_IO, "%s: rename failed: %s", path, strerror(errno));
        if (rc < 0)
            unlink(tmp);
    }
    return amls_agree(comm, rc, NULL);
}
