/* ---------------------------------------------------------------------------------------------
 * linalg/rows.c — moving LIBSVM rows between ranks: what the parameter server (rows dealt to
 * workers and to server 0) and model selection (a copy of the data on every group of ranks)
 * share.
 * SPDX-License-Identifier: MIT
 *
 * A row travels as one record of the exchange primitive (core/exchange.c): its tag, label and
 * entry count (8 bytes each), then its feature indices (4 bytes each) and values (8 each).
 * ------------------------------------------------------------------------------------------- */
#include "la_internal.h"

enum { ROW_HEAD = 24 };

static int64_t row_bytes(const amls_rows *X, int64_t r)
{
    return ROW_HEAD + (X->ptr[r + 1] - X->ptr[r]) * (int64_t)(sizeof(int32_t) + sizeof(double));
}

static void pack_row(char *at, const amls_rows *X, int64_t r, int64_t tag)
{
    int64_t nz = X->ptr[r + 1] - X->ptr[r];
    memcpy(at, &tag, 8);
    memcpy(at + 8, &X->y[r], 8);
    memcpy(at + 16, &nz, 8);
    at += ROW_HEAD;
    memcpy(at, X->idx + X->ptr[r], (size_t)nz * sizeof(int32_t));
    memcpy(at + (size_t)nz * sizeof(int32_t), X->val + X->ptr[r], (size_t)nz * sizeof(double));
}

int amls_rows_alloc(int64_t rows, int64_t nnz, int64_t nfeat, amls_rows *out)
{
    int rc = AMLS_OK;
    memset(out, 0, sizeof *out);
    AMLS_CALLOC(out->ptr, rows + 1);
    AMLS_ALLOC(out->idx, nnz + 1);
    AMLS_ALLOC(out->val, nnz + 1);
    AMLS_ALLOC(out->y, rows + 1);
    out->n_local = rows;
    out->n_global = -1;
    out->nnz = nnz;
    out->nfeat = nfeat;
cleanup:
    if (rc < 0)
        amls_rows_free(out);
    return rc;
}

/* The received rows of x, in (source rank, send) order, into out and tags. Local. */
static int unpack_rows(const amls__xchg *x, int64_t nfeat, amls_rows *out, int64_t **tags)
{
    int rc = AMLS_OK;
    int64_t n = 0, nnz = 0, *tg = NULL;
    for (int64_t at = 0; at < x->nrecv; n++) {
        int64_t nz = 0;
        memcpy(&nz, x->recv + at + 16, 8);
        nnz += nz;
        at += ROW_HEAD + nz * (int64_t)(sizeof(int32_t) + sizeof(double));
    }
    AMLS_TRY(amls_rows_alloc(n, nnz, nfeat, out));
    if (tags)
        AMLS_ALLOC(tg, n + 1);
    const char *at = x->recv;
    for (int64_t i = 0; i < n; i++) {
        int64_t nz = 0, a = out->ptr[i];
        if (tg)
            memcpy(&tg[i], at, 8);
        memcpy(&out->y[i], at + 8, 8);
        memcpy(&nz, at + 16, 8);
        at += ROW_HEAD;
        memcpy(out->idx + a, at, (size_t)nz * sizeof(int32_t));
        at += (size_t)nz * sizeof(int32_t);
        memcpy(out->val + a, at, (size_t)nz * sizeof(double));
        at += (size_t)nz * sizeof(double);
        out->ptr[i + 1] = a + nz;
    }
    if (tags) {
        *tags = tg;
        tg = NULL;
    }
cleanup:
    amls__free(tg);
    if (rc < 0)
        amls_rows_free(out);
    return rc;
}

/* Counts and packs the n (row, destination) pairs. Local. */
static int pack_rows(amls__xchg *x, const amls_rows *X, int64_t n, const int64_t *row,
                     const int *dest, const int64_t *tag)
{
    int rc = AMLS_OK;
    AMLS_TRY(amls__xchg_init(x, x->comm));
    for (int64_t j = 0; j < n; j++)
        amls__xchg_count(x, dest[j], row_bytes(X, row[j]));
    AMLS_TRY(amls__xchg_pack(x));
    for (int64_t j = 0; j < n; j++)
        pack_row(amls__xchg_put(x, dest[j], row_bytes(X, row[j])), X, row[j], tag ? tag[j] : 0);
cleanup:
    return rc;
}

int amls_rows_exchange(MPI_Comm comm, const amls_rows *X, int64_t n, const int64_t *row,
                       const int *dest, const int64_t *tag, amls_rows *out, int64_t **tags)
{
    int rc = AMLS_OK;
    amls__xchg x = {.comm = comm};
    int64_t nf = X ? X->nfeat : 0;
    memset(out, 0, sizeof *out);
    if (tags)
        *tags = NULL;
    AMLS_TRY(amls__allreduce_i64(comm, &nf, 1, MPI_MAX));
    AMLS_TRY(amls__xchg_run(&x, pack_rows(&x, X, n, row, dest, tag)));
    AMLS_AGREE(comm, unpack_rows(&x, nf, out, tags));
    out->n_global = out->n_local;
    AMLS_TRY(amls__allreduce_i64(comm, &out->n_global, 1, MPI_SUM));
cleanup:
    amls__xchg_free(&x);
    if (rc < 0) {
        amls_rows_free(out);
        if (tags) {
            amls__free(*tags);
            *tags = NULL;
        }
    }
    return rc;
}
