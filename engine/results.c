/* ---------------------------------------------------------------------------------------------
 * engine/results.c — per-vertex values as "original-id value" text in original-id order, and
 * gathered on one rank; the run wrappers over them.
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#include "run_internal.h"

#include <math.h>
#include <stdio.h>

static int format_typed(amls_type type, const void *elem, char *buf, size_t cap)
{
    if (type == AMLS_TYPE_F64) {
        double x;
        memcpy(&x, elem, sizeof x);
        if (isinf(x))
            return snprintf(buf, cap, "%s", x > 0 ? "infinity" : "-infinity");
        return snprintf(buf, cap, "%.14e", x); /* 15 significant digits */
    }
    int64_t i;
    memcpy(&i, elem, sizeof i);
    return snprintf(buf, cap, "%lld", (long long)i);
}

int amls_values_format(const amls_values *v, const void *elem, char *buf, size_t cap)
{
    return v->format ? v->format(elem, buf, cap) : format_typed(v->type, elem, buf, cap);
}

int amls_format_value(const amls_vprog *p, const void *state, char *buf, size_t cap)
{
    return p->format ? p->format(state, buf, cap) : format_typed(p->result_type, state, buf, cap);
}

amls_values amls_run_values(const amls_run *r)
{
    return (amls_values){r->g, r->state, r->p->state_size, r->p->result_type, r->p->format};
}

/* "id value" lines for this rank's directory block (values and ids in dense order). Local. */
static int format_lines(const amls_values *v, int64_t nb, const char *vals, const amls_vid *ids,
                        amls__vec *txt)
{
    int rc = AMLS_OK;
    AMLS_TRY(amls__vec_reserve(txt, (size_t)nb * 32 + 64));
    for (int64_t i = 0; i < nb; i++) {
        char line[512];
        int n = snprintf(line, sizeof line, "%lld ", (long long)ids[i]);
        int m = amls_values_format(v, vals + (size_t)i * v->stride, line + n,
                                   sizeof line - (size_t)n - 1);
        if (m < 0 || (size_t)(n + m) >= sizeof line - 1)
            m = (int)(sizeof line - (size_t)n - 2);
        line[n + m] = '\n';
        AMLS_TRY(amls__vec_append(txt, line, (size_t)(n + m + 1)));
    }
cleanup:
    return rc;
}

int amls_values_write(const amls_values *v, const char *path, bool as_dir)
{
    int rc = AMLS_OK;
    const amls_graph *g = v->g;
    char *ordered = NULL;
    amls_vid *ids = NULL;
    amls__vec txt;
    amls__vec_init(&txt, 1);
    AMLS_TRY(amls__to_dense_order(g, v->data, v->stride, (void **)&ordered));
    AMLS_TRY(amls__to_dense_order(g, g->orig, sizeof *ids, (void **)&ids));
    AMLS_AGREE(g->comm,
               format_lines(v, g->dir_off[g->rank + 1] - g->dir_off[g->rank], ordered, ids, &txt));
    AMLS_TRY(amls_write_text(g->comm, path, txt.data, txt.len, as_dir));
cleanup:
    amls__free(ordered);
    amls__free(ids);
    amls__vec_free(&txt);
    return rc;
}

/* Root: the gathered 8-byte values as doubles and integers. */
static void convert(amls_type type, int64_t n, const int64_t *all, double *af, int64_t *ai)
{
    for (int64_t i = 0; i < n; i++) {
        if (type == AMLS_TYPE_F64) {
            memcpy(&af[i], &all[i], sizeof af[i]);
            ai[i] = (int64_t)af[i];
        } else {
            ai[i] = all[i];
            af[i] = (double)ai[i];
        }
    }
}

int amls_values_gather(const amls_values *v, int root, double **f64, int64_t **i64)
{
    int rc = AMLS_OK;
    const amls_graph *g = v->g;
    int64_t *first = NULL, *all = NULL, *ai = NULL;
    double *af = NULL;
    if (f64)
        *f64 = NULL;
    if (i64)
        *i64 = NULL;
    /* The value is the first 8 bytes; root's output arrays are allocated before the gather so
     * that every rank agrees on a failure. */
    first = amls__malloc((size_t)g->n_local + 1, sizeof *first);
    if (g->rank == root) {
        af = amls__malloc((size_t)g->n + 1, sizeof *af);
        ai = amls__malloc((size_t)g->n + 1, sizeof *ai);
    }
    AMLS_AGREE(g->comm, amls__alloc_status(first && (g->rank != root || (af && ai))));
    for (int64_t i = 0; i < g->n_local; i++)
        memcpy(&first[i], (const char *)v->data + (size_t)i * v->stride, sizeof *first);
    AMLS_TRY(amls__gather_dense(g, root, first, sizeof *first, (void **)&all));
    if (g->rank != root)
        goto cleanup;
    convert(v->type, g->n, all, af, ai);
    if (f64) {
        *f64 = af;
        af = NULL;
    }
    if (i64) {
        *i64 = ai;
        ai = NULL;
    }
cleanup:
    amls__free(first);
    amls__free(all);
    amls__free(af);
    amls__free(ai);
    return rc;
}

int amls_run_write(const amls_run *r, const char *path, bool as_dir)
{
    amls_values v = amls_run_values(r);
    return amls_values_write(&v, path, as_dir);
}

int amls_run_gather(const amls_run *r, int root, double **f64, int64_t **i64)
{
    amls_values v = amls_run_values(r);
    return amls_values_gather(&v, root, f64, i64);
}

int amls_run_write_h5(const amls_run *r, const char *path, const amls_provenance *pv)
{
    amls_values v = amls_run_values(r);
    amls_provenance p = {0};
    if (pv)
        p = *pv;
    p.algorithm = r->p->name;
    p.parameters = r->params;
    p.supersteps = r->supersteps;
    p.seconds = r->seconds;
    return amls_values_write_h5(&v, path, &p);
}
