/* ---------------------------------------------------------------------------------------------
 * tune/rows.c — LIBSVM rows for model selection: copying the whole data set onto every group
 * of ranks, and cutting fold subsets.
 * SPDX-License-Identifier: MIT
 *
 * The file is read once over all ranks (each rank its byte range, so rows are in global order
 * by rank). Task parallelism needs every group to hold all rows, spread over its members: one
 * all-to-all over world sends each row to the member of every group whose block of global row
 * indices holds it (a row travels once per group). Rows arrive from lower world ranks first,
 * so each member keeps global order, and a row's global index — which fixes its fold — is the
 * member's first index plus its position.
 * ------------------------------------------------------------------------------------------- */
#include "tune/tune_internal.h"

/* Bytes of one packed row: nnz, label, then nnz (index, value) pairs. */
static size_t row_bytes(const amls_rows *X, int64_t i)
{
    return 2 * sizeof(int64_t) + (size_t)(X->ptr[i + 1] - X->ptr[i]) * (sizeof(int32_t) + 8);
}

static char *pack_row(const amls_rows *X, int64_t i, char *p)
{
    int64_t nz = X->ptr[i + 1] - X->ptr[i];
    memcpy(p, &nz, 8);
    memcpy(p + 8, &X->y[i], 8);
    p += 16;
    memcpy(p, X->idx + X->ptr[i], (size_t)nz * sizeof(int32_t));
    p += (size_t)nz * sizeof(int32_t);
    memcpy(p, X->val + X->ptr[i], (size_t)nz * 8);
    return p + (size_t)nz * 8;
}

int amls__rows_first(MPI_Comm comm, const amls_rows *X, int64_t *first)
{
    int64_t n = X->n_local;
    *first = 0;
    int mrc = MPI_Exscan(&n, first, 1, MPI_INT64_T, MPI_SUM, comm);
    int rank = 0;
    MPI_Comm_rank(comm, &rank);
    if (rank == 0)
        *first = 0; /* MPI_Exscan leaves rank 0's result undefined */
    return mrc == MPI_SUCCESS ? AMLS_OK : amls_error(AMLS_ERR_MPI, "MPI_Exscan failed");
}

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

/* An empty CSR with room for `rows` rows and `nnz` entries. */
static int rows_alloc(int64_t rows, int64_t nnz, int64_t nfeat, int64_t n_global, amls_rows *out)
{
    int rc = AMLS_OK;
    memset(out, 0, sizeof *out);
    AMLS_CALLOC(out->ptr, rows + 1);
    AMLS_ALLOC(out->idx, nnz + 1);
    AMLS_ALLOC(out->val, nnz + 1);
    AMLS_ALLOC(out->y, rows + 1);
    out->n_local = rows;
    out->n_global = n_global;
    out->nnz = nnz;
    out->nfeat = nfeat;
cleanup:
    if (rc < 0)
        amls_rows_free(out);
    return rc;
}

static int unpack_rows(const char *buf, int64_t bytes, int64_t nfeat, int64_t n, amls_rows *out)
{
    int64_t rows = 0, nnz = 0;
    for (int64_t at = 0; at < bytes; rows++) {
        int64_t nz;
        memcpy(&nz, buf + at, 8);
        nnz += nz;
        at += 16 + nz * (int64_t)(sizeof(int32_t) + 8);
    }
    int rc = rows_alloc(rows, nnz, nfeat, n, out);
    if (rc < 0)
        return rc;
    const char *p = buf;
    for (int64_t i = 0; i < rows; i++) {
        int64_t nz, at = out->ptr[i];
        memcpy(&nz, p, 8);
        memcpy(&out->y[i], p + 8, 8);
        p += 16;
        memcpy(out->idx + at, p, (size_t)nz * sizeof(int32_t));
        p += (size_t)nz * sizeof(int32_t);
        memcpy(out->val + at, p, (size_t)nz * 8);
        p += (size_t)nz * 8;
        out->ptr[i + 1] = at + nz;
    }
    return AMLS_OK;
}

int amls__rows_to_group(const amls__groups *gr, const amls_rows *X, amls_rows *out, int64_t *first)
{
    int rc = AMLS_OK;
    int P = gr->nranks;
    int64_t *scnt = NULL, *rcnt = NULL, *pos = NULL, mine = 0, n = X->n_global, nrecv = 0;
    char *send = NULL, *recv = NULL;
    memset(out, 0, sizeof *out);
    AMLS_TRY(amls__rows_first(gr->world, X, &mine));
    AMLS_CALLOC(scnt, P);
    AMLS_CALLOC(rcnt, P);
    AMLS_CALLOC(pos, P + 1);
    for (int g = 0; g < gr->ngroups; g++)
        for (int64_t i = 0; i < X->n_local; i++)
            scnt[member_of_row(gr, g, n, mine + i)] += (int64_t)row_bytes(X, i);
    for (int p = 0; p < P; p++)
        pos[p + 1] = pos[p] + scnt[p];
    AMLS_ALLOC(send, pos[P] + 1);
    for (int g = 0; g < gr->ngroups; g++)
        for (int64_t i = 0; i < X->n_local; i++) {
            int p = member_of_row(gr, g, n, mine + i);
            pos[p] = pack_row(X, i, send + pos[p]) - send;
        }
cleanup:
    rc = amls_agree(gr->world, rc, NULL);
    if (rc == AMLS_OK)
        rc = amls__alltoallv_bytes(gr->world, send, scnt, (void **)&recv, rcnt, &nrecv);
    if (rc == AMLS_OK)
        rc = amls_agree(gr->world, unpack_rows(recv, nrecv, X->nfeat, n, out), NULL);
    if (rc == AMLS_OK)
        rc = amls__rows_first(gr->comm, out, first);
    amls__free(scnt);
    amls__free(rcnt);
    amls__free(pos);
    amls__free(send);
    amls__free(recv);
    if (rc < 0)
        amls_rows_free(out);
    return rc;
}

int amls__rows_subset(const amls_rows *X, const uint8_t *fold, int f, bool keep, amls_rows *out)
{
    int64_t rows = 0, nnz = 0;
    memset(out, 0, sizeof *out);
    for (int64_t i = 0; i < X->n_local; i++)
        if ((fold[i] == f) == keep) {
            rows++;
            nnz += X->ptr[i + 1] - X->ptr[i];
        }
    /* n_global is not known locally; the solvers count rows themselves. */
    int rc = rows_alloc(rows, nnz, X->nfeat, -1, out);
    if (rc < 0)
        return rc;
    for (int64_t i = 0, r = 0; i < X->n_local; i++) {
        if ((fold[i] == f) != keep)
            continue;
        int64_t a = X->ptr[i], nz = X->ptr[i + 1] - a, at = out->ptr[r];
        memcpy(out->idx + at, X->idx + a, (size_t)nz * sizeof *out->idx);
        memcpy(out->val + at, X->val + a, (size_t)nz * sizeof *out->val);
        out->y[r] = X->y[i];
        out->ptr[++r] = at + nz;
    }
    return AMLS_OK;
}
