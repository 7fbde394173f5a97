/* ---------------------------------------------------------------------------------------------
 * core/core.h — the one internal header every module builds on: the error idiom, checked
 * allocation, growable arrays, sorting, a counter-based RNG, MPI helpers and the exchange
 * primitive that routes records to ranks. Not installed.
 * SPDX-License-Identifier: MIT
 *
 * The error idiom. Every fallible function returns a status (amls/status.h). Inside a function,
 * AMLS_TRY, AMLS_CHECK and AMLS_MPI_TRY record a failure in `rc` and jump to the one `cleanup:`
 * label, which frees. A collective function keeps its local work in phases and ends each phase
 * with AMLS_AGREE(comm, status): every rank learns whether any rank failed and all jump to
 * cleanup together, so a failure on one rank never leaves the others waiting in a collective.
 * ------------------------------------------------------------------------------------------- */
#pragma once

#include "amls/status.h"

#include <mpi.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* AMLS_TRY(expr): evaluate a call returning a status; on error set rc and jump to cleanup.
 * Requires `int rc` and a `cleanup:` label in the enclosing function. */
#define AMLS_TRY(expr)                                                                             \
    do {                                                                                           \
        int amls_try_rc_ = (expr);                                                                 \
        if (amls_try_rc_ < 0) {                                                                    \
            rc = amls_try_rc_;                                                                     \
            goto cleanup;                                                                          \
        }                                                                                          \
    } while (0)

/* AMLS_CHECK(cond, code, fmt, ...): a check a caller or an input can fail; always compiled. */
#define AMLS_CHECK(cond, code, ...)                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            rc = amls_error((code), __VA_ARGS__);                                                  \
            goto cleanup;                                                                          \
        }                                                                                          \
    } while (0)

/* AMLS_MPI_TRY(call): an MPI call whose failure is an error (not an abort). */
#define AMLS_MPI_TRY(call)                                                                         \
    do {                                                                                           \
        int amls_mpi_rc_ = (call);                                                                 \
        if (amls_mpi_rc_ != MPI_SUCCESS) {                                                         \
            rc = amls__mpi_error(amls_mpi_rc_, #call, __FILE__, __LINE__);                         \
            goto cleanup;                                                                          \
        }                                                                                          \
    } while (0)

/* AMLS_AGREE(comm, status): the end of a local phase in a collective function. Every rank
 * passes its own status; all ranks get the agreed one and jump to cleanup together on error. */
#define AMLS_AGREE(comm, status) AMLS_TRY(amls_agree((comm), (status), NULL))

/* AMLS_ASSERT: internal invariants; compiled out under NDEBUG. */
#ifdef NDEBUG
#define AMLS_ASSERT(cond) ((void)0)
#else
#define AMLS_ASSERT(cond)                                                                          \
    do {                                                                                           \
        if (!(cond))                                                                               \
            amls__assert_fail(#cond, __FILE__, __LINE__);                                          \
    } while (0)
#endif

/* 128-bit integers for a*b/c without overflow (GCC/Clang extension). */
__extension__ typedef __int128 amls__i128;
static inline int64_t amls__muldiv(int64_t a, int64_t b, int64_t c)
{
    return (int64_t)((amls__i128)a * b / c);
}

#define AMLS_MIN(a, b) ((a) < (b) ? (a) : (b))
#define AMLS_MAX(a, b) ((a) > (b) ? (a) : (b))

int amls__mpi_error(int mpi_rc, const char *what, const char *file, int line);
/* A count of the error messages recorded on this thread (amls_error): a caller compares it
 * before and after a call to know whether the call explained its failure. Local. */
uint64_t amls__error_serial(void);
void amls__assert_fail(const char *cond, const char *file, int line);

/* ---- Allocation. All return NULL on failure (and on n*size overflow). A test hook can make
 * the k-th allocation from now fail, to exercise cleanup paths. -------------------------- */
void *amls__malloc(size_t n, size_t size);
void *amls__calloc(size_t n, size_t size);
void *amls__realloc(void *p, size_t n, size_t size);
char *amls__strdup(const char *s);
void amls__free(void *p);
/* Test hook: fail the allocation after `k` more succeed (k < 0 disables). */
void amls__malloc_fail_after(int64_t k);

/* Allocate or fail with AMLS_ERR_NOMEM through AMLS_CHECK. */
#define AMLS_ALLOC(ptr, n)                                                                         \
    AMLS_CHECK(((ptr) = amls__malloc((size_t)(n), sizeof *(ptr))) != NULL || (n) == 0,             \
               AMLS_ERR_NOMEM, "out of memory allocating %zu bytes in %s",                         \
               (size_t)(n) * sizeof *(ptr), __func__)
#define AMLS_CALLOC(ptr, n)                                                                        \
    AMLS_CHECK(((ptr) = amls__calloc((size_t)(n), sizeof *(ptr))) != NULL || (n) == 0,             \
               AMLS_ERR_NOMEM, "out of memory allocating %zu bytes in %s",                         \
               (size_t)(n) * sizeof *(ptr), __func__)
/* The status of an allocation already made: OK, or AMLS_ERR_NOMEM with a message naming the
 * function that allocated and the size of the request that failed. */
int amls__alloc_status_in(bool ok, const char *func);
#define amls__alloc_status(ok) amls__alloc_status_in((ok), __func__)
/* The size of the last allocation request that failed on this thread (0: none). */
size_t amls__alloc_failed_bytes(void);

/* ---- Growable arrays of fixed-size elements. ------------------------------------------- */
typedef struct amls__vec {
    void *data;
    size_t len; /* elements */
    size_t cap; /* elements */
    size_t esz; /* bytes per element */
} amls__vec;

void amls__vec_init(amls__vec *v, size_t esz);
int amls__vec_reserve(amls__vec *v, size_t cap);
int amls__vec_push(amls__vec *v, const void *elem);
/* Appends n elements (bytes for a byte vector) growing geometrically. */
int amls__vec_append(amls__vec *v, const void *elems, size_t n);
void amls__vec_free(amls__vec *v);
/* Hands the buffer to the caller (who frees it with amls__free) and resets v. */
void *amls__vec_steal(amls__vec *v);

/* Fast path for pushing one int64/double into a vector of that element type. */
static inline int amls__vec_push_i64(amls__vec *v, int64_t x)
{
    if (v->len == v->cap) {
        int rc = amls__vec_reserve(v, v->cap ? 2 * v->cap : 1024);
        if (rc < 0)
            return rc;
    }
    ((int64_t *)v->data)[v->len++] = x;
    return AMLS_OK;
}
static inline int amls__vec_push_f64(amls__vec *v, double x)
{
    if (v->len == v->cap) {
        int rc = amls__vec_reserve(v, v->cap ? 2 * v->cap : 1024);
        if (rc < 0)
            return rc;
    }
    ((double *)v->data)[v->len++] = x;
    return AMLS_OK;
}

/* ---- Sorting. ------------------------------------------------------------------------- */
/* Sorts keys ascending (LSD radix, stable); `vals` (may be NULL) is permuted along. `tmp`
 * work space is allocated internally. Returns AMLS_ERR_NOMEM on failure. */
int amls__sort_u64(uint64_t *keys, uint64_t *vals, size_t n);
/* Sorts signed keys ascending with `vals` (may be NULL) permuted along. */
int amls__sort_i64(int64_t *keys, int64_t *vals, size_t n);
/* Sorts int64 values ascending in place and removes duplicates; returns the new length in *m. */
int amls__sort_unique_i64(int64_t *a, size_t n, size_t *m);
/* Index of x in sorted a[0..n) or -1. */
int64_t amls__bsearch_i64(const int64_t *a, int64_t n, int64_t x);
/* Largest i with off[i] <= x, for x in [off[0], off[n]); off has n+1 entries. Inline: the
 * loader and the exchanges route every record through it. */
static inline int amls__owner_of(const int64_t *off, int n, int64_t x)
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

/* Bit i of a bitmap of 64-bit words: read, set, clear. */
static inline bool amls__bit(const uint64_t *b, int64_t i)
{
    return (b[i >> 6] >> (i & 63)) & 1u;
}
static inline void amls__bit_set(uint64_t *b, int64_t i)
{
    b[i >> 6] |= (uint64_t)1 << (i & 63);
}
static inline void amls__bit_clear(uint64_t *b, int64_t i)
{
    b[i >> 6] &= ~((uint64_t)1 << (i & 63));
}

/* Set bits of x, without the library call __builtin_popcountll becomes on baseline x86-64. */
static inline int amls__popcount64(uint64_t x)
{
    x = x - ((x >> 1) & 0x5555555555555555ULL);
    x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
    x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
    return (int)((x * 0x0101010101010101ULL) >> 56);
}

/* ---- Cache-blocked pull (core/pull.c). ------------------------------------------------------
 * The columns of a CSR pattern are cut into segments of `width` columns (owned columns, below
 * nrows, first, then the others) and the nonzeros regrouped segment by segment, each segment a
 * list of (row, run of columns) (CSR segmenting, Zhang et al. 2017; the pull counterpart of
 * Beamer et al.'s propagation blocking, IPDPS'17). A product visits one segment at a time, so
 * the part of x it reads stays in cache. */
typedef struct amls__csr {
    const int64_t *ptr; /* nrows + 1 */
    const uint32_t *col;
    int64_t nrows, ncols;
} amls__csr;
typedef struct amls__pull {
    int64_t nrows;
    int nseg, nseg_owned;
    int64_t *seg_ent; /* nseg+1: segment s holds row entries [seg_ent[s], seg_ent[s+1]) */
    int64_t *seg_col; /* nseg+1: and columns [seg_col[s], seg_col[s+1]) */
    uint32_t *row;    /* row of each entry */
    uint32_t *len;    /* columns of each entry (consecutive in col) */
    uint32_t *col;
} amls__pull;

/* Regroups the pattern A into segments of `width` columns (0: AMLS_PULL_WIDTH from the
 * environment, else sized for the second-level cache with values of vsz bytes). Local. */
int amls__pull_new(const amls__csr *A, int64_t width, size_t vsz, amls__pull **out);
/* The default segment width for values of vsz bytes. */
int64_t amls__pull_width(size_t vsz);
void amls__pull_free(amls__pull **p);
/* Segment s: y[row] += the sum of x over the entry's columns, for each of its entries. */
void amls__pull_seg_f64(const amls__pull *p, int s, const double *x, double *y);
void amls__pull_seg_f32(const amls__pull *p, int s, const float *x, double *y);

/* ---- Random numbers: counter-based, so results do not depend on the rank count. ------- */
static inline uint64_t amls__mix64(uint64_t z)
{
    z += 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}
/* The i-th random 64-bit number of stream `stream` under `seed`. */
static inline uint64_t amls__rand64(uint64_t seed, uint64_t stream, uint64_t i)
{
    return amls__mix64(amls__mix64(seed ^ amls__mix64(stream)) + i);
}
/* Uniform double in [0,1) from a 64-bit random number. */
static inline double amls__u01(uint64_t r)
{
    return (double)(r >> 11) * 0x1.0p-53;
}

/* ---- MPI helpers. --------------------------------------------------------------------- */
/* This process's rank and the size of comm, checked. Local. */
int amls__comm_rank(MPI_Comm comm, int *rank, int *nranks);

/* All-to-all of variable byte counts with 64-bit counts and displacements; splits into
 * rounds when a count exceeds INT_MAX. recvcounts is filled in here (an Alltoall of counts);
 * *recvbuf is allocated (caller frees with amls__free). Collective; errors agreed. */
int amls__alltoallv_bytes(MPI_Comm comm, const void *sendbuf, const int64_t *sendcounts,
                          void **recvbuf, int64_t *recvcounts, int64_t *recv_total);
/* Same, into a caller-supplied buffer whose layout (recvcounts) is already known. */
int amls__alltoallv_into(MPI_Comm comm, const void *sendbuf, const int64_t *sendcounts,
                         void *recvbuf, const int64_t *recvcounts);

/* Sum (or op) of count doubles over all ranks with a result that is bitwise identical on
 * every rank (reduce to rank 0, then broadcast), so that decisions taken on it (stopping
 * tests) cannot differ between ranks. In place. Collective. */
int amls__allreduce_same(MPI_Comm comm, double *buf, int count, MPI_Op op);
/* In-place allreduce of count int64 values (checked). Collective. */
int amls__allreduce_i64(MPI_Comm comm, int64_t *buf, int count, MPI_Op op);
/* Exclusive prefix sum of `count` over ranks (0 on rank 0). Collective. */
int amls__exscan_i64(MPI_Comm comm, int64_t count, int64_t *before);

/* Output files are written under a temporary name and renamed when complete. amls__tmp_name
 * makes "PATH.tmp-TAG" with a random tag (not a pid: nobody can plant a link there in advance)
 * that every rank agrees on; the writer creates it exclusively. amls__commit renames it to
 * `path` (rank 0) when every rank reports success (rc), or removes it; returns the agreed
 * status. Both collective. */
int amls__tmp_name(MPI_Comm comm, const char *path, char *tmp, size_t cap);
int amls__commit(MPI_Comm comm, int rc, const char *tmp, const char *path);

/* ---- Files (core/file.c). Local. ----------------------------------------------------------
 * amls__open_read opens an input for reading, refusing anything but a regular file before a
 * read can block (FIFOs, devices, sockets, directories); amls__check_regular does the same
 * and closes it. amls__create_excl creates a new file, failing if anything (a file, a link)
 * exists at path. amls__write_all writes every byte or fails naming path (a full disk);
 * amls__close_synced flushes to disk and closes, failing as a full disk would. */
int amls__open_read(const char *path, int *fd);
int amls__check_regular(const char *path);
int amls__create_excl(const char *path, int *fd);
int amls__write_all(int fd, const void *buf, size_t len, const char *path);
int amls__close_synced(int fd, const char *path);
/* len (<= 64) random characters [a-z0-9] and a NUL into buf (len + 1 bytes). */
void amls__random_tag(char *buf, size_t len);

/* Reproducible sums (core/rsum.c): p = amls__rsum_plan(B, n) with B >= |every term| and n >=
 * the number of terms of any one sum, both the same on every rank; accumulate each term into its
 * pair (s[k], s[m + k]) with amls__rsum_add; amls__rsum_reduce sums the pairs over the ranks and
 * leaves the result in s[0..m). The result does not depend on the order of the terms or on the
 * number of ranks. */
typedef struct amls__rsum {
    double m1, m2; /* 1.5 * 2^k: adding and subtracting rounds to the level's quantum */
} amls__rsum;

amls__rsum amls__rsum_plan(double bound, int64_t n);
static inline void amls__rsum_add(const amls__rsum *p, double x, double *hi, double *lo)
{
    double q1 = (x + p->m1) - p->m1;
    double r = x - q1;
    *hi += q1;
    *lo += (r + p->m2) - p->m2;
}
/* Sums the 2m accumulators over comm and folds them into s[0..m). Collective. */
int amls__rsum_reduce(MPI_Comm comm, double *s, int m);
/* *x = the maximum of x over comm (exact, so the same on every rank). Collective. */
int amls__max_same(MPI_Comm comm, double *x);

/* Wall-clock seconds. */
double amls__now(void);
/* Peak resident set size of this process in bytes (0 if unknown). */
int64_t amls__peak_rss(void);

/* Progress lines for long loads (core/progress.c): amls__progress_enable starts the clock of a
 * load and turns the lines on (rank 0 of comm) or off; amls__progress(phase, done) reports that
 * the fraction `done` of `phase` is finished (call it with 0 when a phase starts). Local. */
void amls__progress_enable(MPI_Comm comm, bool on);
void amls__progress(const char *phase, double done);

/* ---- Exchange: routing records to ranks. ------------------------------------------------
 * One exchange moves records from every rank to every rank in four steps:
 *   1. count:  amls__xchg_count(x, dest, bytes) once per record (local);
 *   2. pack:   amls__xchg_pack(x) allocates the send buffer; amls__xchg_put(x, dest, bytes)
 *              then returns where the next record for `dest` goes. Records for one rank keep
 *              the order in which they were put (local);
 *   3. move:   amls__xchg_run(x, rc) agrees on rc (the status of the local steps: a rank that
 *              failed to count or pack still takes part), exchanges the counts and the bytes.
 *              amls__xchg_run_into does the same into a buffer whose layout the caller knows
 *              (a communication plan), without exchanging counts (collective);
 *   4. unpack: amls__xchg_each(x, rec, fn, ud) calls fn(ud, src, record) for every received
 *              record of `rec` bytes, in source-rank order; variable-sized data is read per
 *              source as amls__xchg_from(x, src, &len).
 * amls__xchg_free releases the buffers; it accepts a zeroed, failed or finished exchange. A
 * one-rank exchange moves nothing: the packed buffer becomes the received one. ------------ */
typedef struct amls__xchg {
    MPI_Comm comm;
    int nranks;
    int64_t *scnt; /* nranks: bytes to each rank */
    int64_t *soff; /* nranks+1: where each rank's bytes start in `send` */
    int64_t *fill; /* nranks: pack cursors */
    int64_t *rcnt; /* nranks: bytes from each rank */
    int64_t *roff; /* nranks+1: where each rank's bytes start in `recv` */
    char *send;    /* soff[nranks] bytes */
    char *recv;    /* roff[nranks] bytes */
    bool recv_ext; /* recv belongs to the caller (amls__xchg_run_into) */
    int64_t nrecv; /* bytes received */
    /* Kept across rounds by amls__xchg_clear / amls__xchg_pack_keep / amls__xchg_run_p2p. */
    int64_t send_cap, recv_cap;
    MPI_Request *req;
    int req_cap;
} amls__xchg;

typedef void (*amls__xchg_fn)(void *ud, int src, const void *rec);

/* Prepares an exchange over comm: counts are zero. Local (AMLS_ERR_NOMEM). */
int amls__xchg_init(amls__xchg *x, MPI_Comm comm);
/* Same for a given number of ranks without asking MPI (comm is set by the caller); for serial
 * use and tests. Local. */
int amls__xchg_setup(amls__xchg *x, MPI_Comm comm, int nranks);
static inline void amls__xchg_count(amls__xchg *x, int dest, int64_t bytes)
{
    x->scnt[dest] += bytes;
}
/* Offsets from the counts and the send buffer. Local. */
int amls__xchg_pack(amls__xchg *x);
static inline void *amls__xchg_put(amls__xchg *x, int dest, int64_t bytes)
{
    char *at = x->send + x->fill[dest];
    x->fill[dest] += bytes;
    return at;
}
/* Collective: see above. rc is this rank's status so far; returns the agreed status. The send
 * buffer is released once the bytes have moved. */
int amls__xchg_run(amls__xchg *x, int rc);
int amls__xchg_run_into(amls__xchg *x, int rc, void *recv, const int64_t *rcnt);
/* Completes a one-rank exchange without MPI (what was packed is what is received). Local. */
int amls__xchg_local(amls__xchg *x);
/* Bytes received from src and where they start. */
static inline const char *amls__xchg_from(const amls__xchg *x, int src, int64_t *len)
{
    *len = x->rcnt[src];
    return x->recv + x->roff[src];
}
static inline void amls__xchg_each(const amls__xchg *x, size_t rec, amls__xchg_fn fn, void *ud)
{
    for (int p = 0; p < x->nranks; p++) {
        const char *at = x->recv + x->roff[p], *end = at + x->rcnt[p];
        for (; at + rec <= end; at += rec)
            fn(ud, p, at);
    }
}
/* ---- Point-to-point rounds with buffers kept (the superstep's exchanges). ------------------
 * A round between ranks that know who sends to whom (from an earlier reduction) costs one
 * message per pair that has something to say, instead of all-to-all collectives:
 *   amls__xchg_clear(x)      counts to zero, buffers kept (after amls__xchg_setup);
 *   amls__xchg_count/_put    as above, with amls__xchg_pack_keep to lay out the send buffer
 *                            (grown, never shrunk);
 *   amls__xchg_run_p2p(x, to, from, tag) sends scnt[q] bytes to every q with to[q] (an empty
 *                            message when there is nothing: the receiver was promised one),
 *                            and receives from every q with from[q]; what this rank sends to
 *                            itself is copied. Received bytes are read with amls__xchg_from.
 * A payload above the chunk size (1 GiB) travels as several messages: every chunk but the last
 * is exactly one chunk long. Collective over the ranks named; errors are local (a rank that
 * fails still completes its sends and receives, so that no peer waits forever). */
void amls__xchg_clear(amls__xchg *x);
int amls__xchg_pack_keep(amls__xchg *x);
int amls__xchg_run_p2p(amls__xchg *x, const uint8_t *to, const uint8_t *from, int tag);
/* Test hook: the chunk size in bytes (<= 0 restores the default). */
void amls__xchg_set_chunk(int64_t bytes);

/* Prepares `ans`, the reply to the requests received in `req`: one answer of `ans_rec` bytes
 * per request of `req_rec` bytes, back to the rank that asked, in the order asked. Pack the
 * answers with amls__xchg_put in request order, then amls__xchg_run_reply. Local. */
int amls__xchg_reply(const amls__xchg *req, size_t req_rec, size_t ans_rec, amls__xchg *ans);
/* Moves the answers; on return the answers to this rank's requests to rank p start at
 * ans->recv + ans->roff[p], in the order the requests were packed. Collective. */
int amls__xchg_run_reply(amls__xchg *ans, int rc);
void amls__xchg_free(amls__xchg *x);

/* The four steps for n fixed-size records in one call: record i (rec bytes, written by
 * pack(ud, i, buf)) goes to rank dest(ud, i), or nowhere when that is negative. On return x
 * holds what this rank received (amls__xchg_each); free it with amls__xchg_free. rc is this
 * rank's status so far. Collective; returns the agreed status. */
typedef int (*amls__dest_fn)(const void *ud, int64_t i);
typedef void (*amls__pack_fn)(const void *ud, int64_t i, void *rec);
/* Counts and packs the n records (inline, so that the callbacks are inlined too). Local. */
static inline int amls__xchg_route_pack(amls__xchg *x, MPI_Comm comm, int64_t n, size_t rec,
                                        amls__dest_fn dest, amls__pack_fn pack, const void *ud)
{
    int rc = AMLS_OK;
    AMLS_TRY(amls__xchg_init(x, comm));
    for (int64_t i = 0; i < n; i++) {
        int d = dest(ud, i);
        if (d >= 0)
            amls__xchg_count(x, d, (int64_t)rec);
    }
    AMLS_TRY(amls__xchg_pack(x));
    for (int64_t i = 0; i < n; i++) {
        int d = dest(ud, i);
        if (d >= 0)
            pack(ud, i, amls__xchg_put(x, d, (int64_t)rec));
    }
cleanup:
    return rc;
}
static inline int amls__xchg_route(amls__xchg *x, MPI_Comm comm, int rc, int64_t n, size_t rec,
                                   amls__dest_fn dest, amls__pack_fn pack, const void *ud)
{
    x->comm = comm;
    return amls__xchg_run(x, rc < 0 ? rc : amls__xchg_route_pack(x, comm, n, rec, dest, pack, ud));
}

/* Routed lookups: out[i] (ans_size bytes) = answer(actx, keys[i], out + i) evaluated on rank
 * route(rctx, keys[i]). Collective; errors agreed. */
typedef int (*amls__route_fn)(const void *ctx, int64_t key);
typedef void (*amls__answer_fn)(const void *ctx, int64_t key, void *out);
int amls__xchg_lookup(MPI_Comm comm, const int64_t *keys, int64_t n, amls__route_fn route,
                      const void *rctx, amls__answer_fn answer, const void *actx, size_t ans_size,
                      void *out);
