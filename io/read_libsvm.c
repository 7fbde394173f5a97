/* ---------------------------------------------------------------------------------------------
 * io/read_libsvm.c — parallel reader for LIBSVM files ("label idx:val idx:val ...", 1-based
 * increasing indices); each rank keeps the rows of its byte range as a local CSR.
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#include "io/textio.h"

#include "amls/io.h"

#include <math.h>

void amls_rows_free(amls_rows *r)
{
    if (r == NULL)
        return;
    amls__free(r->ptr);
    amls__free(r->idx);
    amls__free(r->val);
    amls__free(r->y);
    memset(r, 0, sizeof *r);
}

typedef struct sv_ctx {
    amls__vec ptr, idx, val, y;
    int64_t maxidx;
} sv_ctx;

static int sv_line(sv_ctx *c, char *line, int64_t rel, amls__perr *err)
{
    const char *p = amls__skip_ws(line);
    if (*p == '\0' || *p == '#')
        return 0;
    double label;
    if (amls__parse_f64(&p, &label) != 1 || !isfinite(label))
        return amls__perr_set(err, isfinite(label) ? AMLS_ERR_PARSE : AMLS_ERR_NUMERIC, rel,
                              "expected a finite label first in \"%.40s\"", line);
    int64_t prev = 0;
    for (;;) {
        p = amls__skip_ws(p);
        if (*p == '\0' || *p == '#')
            break;
        char *end = NULL;
        long long k = strtoll(p, &end, 10);
        if (end == p || *end != ':')
            return amls__perr_set(err, AMLS_ERR_PARSE, rel, "expected 'index:value', got \"%.20s\"",
                                  p);
        if (k <= prev || k > INT32_MAX)
            return amls__perr_set(err, AMLS_ERR_PARSE, rel,
                                  "feature index %lld is not increasing or out of range", k);
        prev = k;
        p = end + 1;
        double v;
        if (amls__parse_f64(&p, &v) != 1 || !isfinite(v))
            return amls__perr_set(err, AMLS_ERR_NUMERIC, rel,
                                  "feature %lld: expected a finite value", k);
        int32_t k0 = (int32_t)(k - 1);
        if (amls__vec_push(&c->idx, &k0) < 0 || amls__vec_push_f64(&c->val, v) < 0)
            return amls__perr_set(err, AMLS_ERR_NOMEM, rel, "out of memory");
        if (k > c->maxidx)
            c->maxidx = k;
    }
    int64_t nz = (int64_t)c->idx.len;
    if (amls__vec_push_f64(&c->y, label) < 0 || amls__vec_push_i64(&c->ptr, nz) < 0)
        return amls__perr_set(err, AMLS_ERR_NOMEM, rel, "out of memory");
    return 0;
}

int amls_rows_read(MPI_Comm comm, const char *path, amls_rows *out)
{
    int rc = AMLS_OK;
    amls__lines L;
    amls__perr err = {0};
    sv_ctx c;
    memset(out, 0, sizeof *out);
    amls__vec_init(&c.ptr, sizeof(int64_t));
    amls__vec_init(&c.idx, sizeof(int32_t));
    amls__vec_init(&c.val, sizeof(double));
    amls__vec_init(&c.y, sizeof(double));
    c.maxidx = 0;
    rc = amls__vec_push_i64(&c.ptr, 0);
    rc = amls_agree(comm, rc, NULL);
    if (rc == AMLS_OK)
        rc = amls__lines_open(&L, comm, path, 0);
    if (rc < 0) {
        amls__lines_close(&L);
        goto out;
    }
    {
        char *line;
        size_t len;
        int r = 0, io_rc = AMLS_OK;
        while (err.code == 0 && (r = amls__lines_next(&L, &line, &len)) > 0)
            sv_line(&c, line, L.nlines - 1, &err);
        if (r < 0)
            io_rc = r;
        int64_t before = 0;
        amls__exscan_i64(comm, L.nlines, &before);
        amls__lines_close(&L);
        rc =
            io_rc < 0 ? amls_agree(comm, io_rc, NULL) : amls__perr_finish(comm, &err, path, before);
        if (rc < 0)
            goto out;
    }
    {
        int64_t loc[2] = {(int64_t)c.y.len, c.maxidx}, sum = 0, mx = 0;
        MPI_Allreduce(&loc[0], &sum, 1, MPI_INT64_T, MPI_SUM, comm);
        MPI_Allreduce(&loc[1], &mx, 1, MPI_INT64_T, MPI_MAX, comm);
        out->n_local = (int64_t)c.y.len;
        out->n_global = sum;
        out->nfeat = mx;
        out->nnz = (int64_t)c.idx.len;
        out->ptr = amls__vec_steal(&c.ptr);
        out->idx = amls__vec_steal(&c.idx);
        out->val = amls__vec_steal(&c.val);
        out->y = amls__vec_steal(&c.y);
        if (sum == 0)
            rc = amls_agree(comm, amls_error(AMLS_ERR_FORMAT, "%s: no data rows", path), NULL);
    }
out:
    amls__vec_free(&c.ptr);
    amls__vec_free(&c.idx);
    amls__vec_free(&c.val);
    amls__vec_free(&c.y);
    if (rc < 0)
        amls_rows_free(out);
    return rc;
}
