/* ---------------------------------------------------------------------------------------------
 * io/util.h — internal helpers shared by every module: error macros, checked allocation,
 * growable arrays, sorting, a counter-based RNG and MPI helpers. Not installed.
 * SPDX-License-Identifier: MIT
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
               AMLS_ERR_NOMEM, "out of memory allocating %zu bytes", (size_t)(n) * sizeof *(ptr))
#define AMLS_CALLOC(ptr, n)                                                                        \
    AMLS_CHECK(((ptr) = amls__calloc((size_t)(n), sizeof *(ptr))) != NULL || (n) == 0,             \
               AMLS_ERR_NOMEM, "out of memory allocating %zu bytes", (size_t)(n) * sizeof *(ptr))

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
/* Sorts int64 values ascending in place and removes duplicates; returns the new length in *m. */
int amls__sort_unique_i64(int64_t *a, size_t n, size_t *m);
/* Index of x in sorted a[0..n) or -1. */
int64_t amls__bsearch_i64(const int64_t *a, int64_t n, int64_t x);
/* Largest i with off[i] <= x, for x in [off[0], off[n]); off has n+1 entries. */
int amls__owner_of(const int64_t *off, int n, int64_t x);

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

/* Output files are written under a temporary name and renamed when complete. amls__tmp_name
 * makes "PATH.tmp-TAG" with a tag every rank agrees on; amls__commit renames it to `path`
 * (rank 0) when every rank reports success (rc), or removes it; returns the agreed status.
 * Both collective. */
void amls__tmp_name(MPI_Comm comm, const char *path, char *tmp, size_t cap);
int amls__commit(MPI_Comm comm, int rc, const char *tmp, const char *path);

/* Wall-clock seconds. */
double amls__now(void);
/* Peak resident set size of this process in bytes (0 if unknown). */
int64_t amls__peak_rss(void);
