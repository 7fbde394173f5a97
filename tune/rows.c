/* ---------------------------------------------------------------------------------------------
 * tune/rows.c — LIBSVM rows for model selection: copying the whole data set onto every group
 * of ranks, and cutting fold subsets.
 * SPDX-License-Identifier: MIT
 *
 * The file is read once over all ranks (each rank its byte range, so rows are in global order
 * by rank). Task parallelism needs every group to hold all rows, spread over its members: one
 * exchange over world (amls_rows_exchange) sends each row to the member of every group whose
 * block of global row indices holds it (a row travels once per group). Rows arrive from lower
 * world ranks first, so each member keeps global order, and a row's global index — which fixes
 * its fold — is the member's first index plus its position.
 * ------------------------------------------------------------------------------------------- */
#include "tune_internal.h"

/* Member of group g (of world `gr`) whose block holds global row i, as a world rank. */
static int member_of_row(const amls__groups *gr, int g, int64_t n, int64_t i)
{
    int lo = amls__group_first(g, gr->ngroups, gr->nranks);
    int s = amls__group_first(g + 1, gr->ngroups, gr->nranks) - lo;
    /* Largest j with floor(n j / s) <= i; floor(i s / n) is never above it. */
    int j = (int)amls__muldiv(i, s, n);
    while (j + 1 < s && amls__muldiv(n, j + 1, s) <= i)
        j++;
    return lo + j;
}

int amls__rows_to_group(const amls__groups *gr, const amls_rows *X, amls_rows *out, int64_t *first)
{
    int rc = AMLS_OK;
    int64_t mine = 0, n = X->n_global, m = (int64_t)gr->ngroups * X->n_local, *row = NULL;
    int *dest = NULL;
    memset(out, 0, sizeof *out);
    AMLS_TRY(amls__exscan_i64(gr->world, X->n_local, &mine));
    row = amls__malloc((size_t)m + 1, sizeof *row);
    dest = amls__malloc((size_t)m + 1, sizeof *dest);
    AMLS_AGREE(gr->world, amls__alloc_status(row && dest));
    for (int g = 0, j = 0; g < gr->ngroups; g++)
        for (int64_t i = 0; i < X->n_local; i++, j++) {
            row[j] = i;
            dest[j] = member_of_row(gr, g, n, mine + i);
        }
    AMLS_TRY(amls_rows_exchange(gr->world, X, m, row, dest, NULL, out, NULL));
    out->n_global = n;
    AMLS_TRY(amls__exscan_i64(gr->comm, out->n_local, first));
cleanup:
    amls__free(row);
    amls__free(dest);
    if (rc < 0)
        amls_rows_free(out);
    return rc;
}

int amls__rows_subset(const amls_rows *X, const uint8_t *fold, int f, bool keep, amls_rows *out)
{
    int rc = AMLS_OK;
    int64_t rows = 0, nnz = 0;
    for (int64_t i = 0; i < X->n_local; i++)
        if ((fold[i] == f) == keep) {
            rows++;
            nnz += X->ptr[i + 1] - X->ptr[i];
        }
    /* n_global is not known locally; the solvers count rows themselves. */
    AMLS_TRY(amls_rows_alloc(rows, nnz, X->nfeat, out));
    for (int64_t i = 0, r = 0; i < X->n_local; i++) {
        if ((fold[i] == f) != keep)
            continue;
        int64_t a = X->ptr[i], nz = X->ptr[i + 1] - a, at = out->ptr[r];
        memcpy(out->idx + at, X->idx + a, (size_t)nz * sizeof *out->idx);
        memcpy(out->val + at, X->val + a, (size_t)nz * sizeof *out->val);
        out->y[r] = X->y[i];
        out->ptr[++r] = at + nz;
    }
cleanup:
    return rc;
}
