/* ---------------------------------------------------------------------------------------------
 * io/read_libsvm.c — parallel reader for LIBSVM files ("label idx:val idx:val ...", 1-based
 * increasing indices); each rank keeps the rows of its byte range as a local CSR.
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#include "io_internal.h"

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

static int sv_line(void *ud, char *line, int64_t rel, amls__perr *err)
{
    sv_ctx *c = ud;
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

static void sv_free(sv_ctx *c)
{
    amls__vec_free(&c->ptr);
    amls__vec_free(&c->idx);
    amls__vec_free(&c->val);
    amls__vec_free(&c->y);
}

int amls_rows_read(MPI_Comm comm, const char *path, amls_rows *out)
{
    int rc = AMLS_OK;
    sv_ctx c = {.maxidx = 0};
    memset(out, 0, sizeof *out);
    amls__vec_init(&c.ptr, sizeof(int64_t));
    amls__vec_init(&c.idx, sizeof(int32_t));
    amls__vec_init(&c.val, sizeof(double));
    amls__vec_init(&c.y, sizeof(double));
    AMLS_AGREE(comm, amls__vec_push_i64(&c.ptr, 0));
    AMLS_TRY(amls__read_body(comm, path, 0, 0, sv_line, &c, NULL));
    int64_t sum = (int64_t)c.y.len, mx = c.maxidx;
    AMLS_TRY(amls__allreduce_i64(comm, &sum, 1, MPI_SUM));
    AMLS_TRY(amls__allreduce_i64(comm, &mx, 1, MPI_MAX));
    AMLS_CHECK(sum > 0, AMLS_ERR_FORMAT, "%s: no data rows", path);
    out->n_local = (int64_t)c.y.len;
    out->n_global = sum;
    out->nfeat = mx;
    out->nnz = (int64_t)c.idx.len;
    out->ptr = amls__vec_steal(&c.ptr);
    out->idx = amls__vec_steal(&c.idx);
    out->val = amls__vec_steal(&c.val);
    out->y = amls__vec_steal(&c.y);
cleanup:
    sv_free(&c);
    if (rc < 0)
        amls_rows_free(out);
    return rc;
}
