/* ---------------------------------------------------------------------------------------------
 * linalg/dmat.c — distributed vectors, SpMV over semirings and SpMSpV over sparse frontiers.
 * SPDX-License-Identifier: MIT
 *
 * SpMV pulls: each row combines the values of its columns, after the ghost entries of x have
 * been refreshed along the communication plan. SpMSpV pushes: each nonzero of the frontier
 * updates the rows of its out-edges; updates to remote rows are combined on the sender into
 * one value per remote vertex and shipped to the owner as (position in the plan, value) pairs.
 * ------------------------------------------------------------------------------------------- */
#include "la_internal.h"

#include <cblas.h>
#include <math.h>

amls_dmat amls_dmat_view(const amls_graph *g, amls_mat_view which)
{
    amls_dmat A = {.g = g, .nrows = g->n_local, .ncols = g->n_local + g->n_ghost};
    if (which == AMLS_MAT_IN && g->in_ptr != NULL) {
        A.ptr = g->in_ptr;
        A.col = g->in_col;
        A.val = g->in_w;
    } else {
        A.ptr = g->out_ptr;
        A.col = g->out_col;
        A.val = g->out_w;
    }
    return A;
}

double *amls_dvec_new(const amls_graph *g)
{
    return amls__calloc((size_t)(g->n_local + g->n_ghost) + 1, sizeof(double));
}

int64_t *amls_ivec_new(const amls_graph *g)
{
    return amls__calloc((size_t)(g->n_local + g->n_ghost) + 1, sizeof(int64_t));
}

void amls_vec_free(void *v)
{
    amls__free(v);
}

int amls_dvec_sync(const amls_graph *g, double *x)
{
    return amls_graph_sync_ghosts(g, x, sizeof *x);
}

int amls_ivec_sync(const amls_graph *g, int64_t *x)
{
    return amls_graph_sync_ghosts(g, x, sizeof *x);
}

int amls_spmv(const amls_dmat *A, const amls_semiring *sr, void *xv, void *yv)
{
    int rc = sr->kind == AMLS_SR_MIN_SELECT2ND || sr->kind == AMLS_SR_MAX_SELECT2ND
                 ? amls_ivec_sync(A->g, xv)
                 : amls_dvec_sync(A->g, xv);
    if (rc < 0)
        return rc;
    const int64_t *ptr = A->ptr;
    const uint32_t *col = A->col;
    const double *val = A->val;
    switch (sr->kind) {
    case AMLS_SR_PLUS_TIMES: {
        const double *x = xv;
        double *y = yv;
        for (int64_t i = 0; i < A->nrows; i++) {
            double s = 0.0;
            if (val)
                for (int64_t j = ptr[i]; j < ptr[i + 1]; j++)
                    s += val[j] * x[col[j]];
            else
                for (int64_t j = ptr[i]; j < ptr[i + 1]; j++)
                    s += x[col[j]];
            y[i] = s;
        }
        break;
    }
    case AMLS_SR_MIN_PLUS:
    case AMLS_SR_MAX_TIMES: {
        const double *x = xv;
        double *y = yv;
        bool minplus = sr->kind == AMLS_SR_MIN_PLUS;
        for (int64_t i = 0; i < A->nrows; i++) {
            double s = minplus ? INFINITY : -INFINITY;
            for (int64_t j = ptr[i]; j < ptr[i + 1]; j++) {
                double a = val ? val[j] : 1.0;
                double t = minplus ? a + x[col[j]] : a * x[col[j]];
                s = minplus ? fmin(s, t) : fmax(s, t);
            }
            y[i] = s;
        }
        break;
    }
    case AMLS_SR_MIN_SELECT2ND:
    case AMLS_SR_MAX_SELECT2ND: {
        const int64_t *x = xv;
        int64_t *y = yv;
        bool mn = sr->kind == AMLS_SR_MIN_SELECT2ND;
        for (int64_t i = 0; i < A->nrows; i++) {
            int64_t s = mn ? INT64_MAX : INT64_MIN;
            for (int64_t j = ptr[i]; j < ptr[i + 1]; j++) {
                int64_t t = x[col[j]];
                s = mn ? (t < s ? t : s) : (t > s ? t : s);
            }
            y[i] = s;
        }
        break;
    }
    case AMLS_SR_USER: {
        const double *x = xv;
        double *y = yv;
        for (int64_t i = 0; i < A->nrows; i++) {
            double s = sr->identity;
            for (int64_t j = ptr[i]; j < ptr[i + 1]; j++)
                s = sr->add(s, sr->mul(val ? val[j] : 1.0, x[col[j]]));
            y[i] = s;
        }
        break;
    }
    default:
        return amls_error(AMLS_ERR_INVALID, "unknown semiring %d", (int)sr->kind);
    }
    return AMLS_OK;
}

int amls_dot(const amls_graph *g, const double *x, const double *y, double *out)
{
    double loc = 0.0;
    if (g->n_local > INT32_MAX)
        for (int64_t i = 0; i < g->n_local; i++)
            loc += x[i] * y[i];
    else if (g->n_local > 0)
        loc = cblas_ddot((int)g->n_local, x, 1, y, 1);
    int rc = amls__allreduce_same(g->comm, &loc, 1, MPI_SUM);
    *out = loc;
    return rc;
}

int amls_norm2(const amls_graph *g, const double *x, double *out)
{
    double d = 0;
    int rc = amls_dot(g, x, x, &d);
    *out = sqrt(d);
    return rc;
}

/* ---- SpMSpV ------------------------------------------------------------------------------- */

int amls__spmspv_ws_new(const amls_graph *g, amls__spmspv_ws **out)
{
    int rc = AMLS_OK;
    amls__spmspv_ws *ws = NULL;
    int64_t nt = g->n_local + g->n_ghost;
    *out = NULL;
    AMLS_CALLOC(ws, 1);
    ws->g = g;
    AMLS_ALLOC(ws->slot, 8 * (size_t)nt + 8);
    AMLS_CALLOC(ws->has, nt + 1);
    AMLS_ALLOC(ws->touched, nt + 1);
    AMLS_ALLOC(ws->ghost_owner, g->n_ghost + 1);
    for (int q = 0; q < g->nranks; q++)
        for (int64_t k = g->recv_off[q]; k < g->recv_off[q + 1]; k++)
            ws->ghost_owner[k] = q;
    *out = ws;
    ws = NULL;
cleanup:
    amls__spmspv_ws_free(&ws);
    return rc;
}

void amls__spmspv_ws_free(amls__spmspv_ws **wp)
{
    if (wp == NULL || *wp == NULL)
        return;
    amls__spmspv_ws *ws = *wp;
    amls__free(ws->slot);
    amls__free(ws->has);
    amls__free(ws->touched);
    amls__free(ws->ghost_owner);
    amls__free(ws);
    *wp = NULL;
}

/* Combines v into slot t under the semiring. */
static inline void put(amls__spmspv_ws *ws, amls_semiring_kind k, int64_t t, const void *v)
{
    char *s = ws->slot + 8 * (size_t)t;
    if (!ws->has[t]) {
        memcpy(s, v, 8);
        ws->has[t] = 1;
        ws->touched[ws->ntouched++] = t;
        return;
    }
    if (k == AMLS_SR_MIN_SELECT2ND) {
        int64_t a, b;
        memcpy(&a, s, 8);
        memcpy(&b, v, 8);
        if (b < a)
            memcpy(s, &b, 8);
    } else {
        double a, b;
        memcpy(&a, s, 8);
        memcpy(&b, v, 8);
        a = k == AMLS_SR_PLUS_TIMES ? a + b : fmin(a, b);
        memcpy(s, &a, 8);
    }
}

int amls__spmspv(amls__spmspv_ws *ws, const amls_semiring *sr, const int64_t *xi, const void *xv,
                 int64_t nx, int64_t **yi_out, void **yv_out, int64_t *ny_out)
{
    return amls__spmspv_dir(ws, sr, xi, xv, nx, false, yi_out, yv_out, ny_out);
}

/* Pushes the frontier along the out-edges (and in-edges when `both`) into the slots. */
static void push_frontier(amls__spmspv_ws *ws, amls_semiring_kind k, const int64_t *xi,
                          const void *xv, int64_t nx, bool both)
{
    const amls_graph *g = ws->g;
    int ndir = both && g->directed && g->in_ptr ? 2 : 1;
    for (int dir = 0; dir < ndir; dir++) {
        const int64_t *ptr = dir ? g->in_ptr : g->out_ptr;
        const uint32_t *col = dir ? g->in_col : g->out_col;
        const double *w = dir ? g->in_w : g->out_w;
        for (int64_t q = 0; q < nx; q++) {
            int64_t u = xi[q];
            const char *xu = (const char *)xv + 8 * q;
            for (int64_t j = ptr[u]; j < ptr[u + 1]; j++) {
                int64_t t = col[j];
                if (k == AMLS_SR_MIN_SELECT2ND) {
                    put(ws, k, t, xu);
                } else {
                    double a = w ? w[j] : 1.0, x;
                    memcpy(&x, xu, 8);
                    double v = k == AMLS_SR_PLUS_TIMES ? a * x : a + x;
                    put(ws, k, t, &v);
                }
            }
        }
    }
}

/* Ghost slots go to their owners as (position in the owner's send list, value). Local. */
static int pack_ghosts(amls__spmspv_ws *ws, amls__xchg *x)
{
    int rc = AMLS_OK;
    const amls_graph *g = ws->g;
    AMLS_TRY(amls__xchg_init(x, g->comm));
    for (int64_t q = 0; q < ws->ntouched; q++)
        if (ws->touched[q] >= g->n_local)
            amls__xchg_count(x, ws->ghost_owner[ws->touched[q] - g->n_local], 12);
    AMLS_TRY(amls__xchg_pack(x));
    for (int64_t q = 0; q < ws->ntouched; q++) {
        int64_t t = ws->touched[q];
        if (t < g->n_local)
            continue;
        int64_t kk = t - g->n_local;
        int p = ws->ghost_owner[kk];
        uint32_t at = (uint32_t)(kk - g->recv_off[p]);
        char *r = amls__xchg_put(x, p, 12);
        memcpy(r, &at, 4);
        memcpy(r + 4, ws->slot + 8 * (size_t)t, 8);
        ws->has[t] = 0;
    }
cleanup:
    return rc;
}

/* The local half of a product: the frontier into the slots, the ghost slots packed. Local. */
static int push(amls__spmspv_ws *ws, amls_semiring_kind k, const int64_t *xi, const void *xv,
                int64_t nx, bool both, amls__xchg *x)
{
    int rc = AMLS_OK;
    AMLS_CHECK(k == AMLS_SR_MIN_SELECT2ND || k == AMLS_SR_PLUS_TIMES || k == AMLS_SR_MIN_PLUS,
               AMLS_ERR_INVALID, "SpMSpV supports plus-times, min-plus and min-select2nd");
    push_frontier(ws, k, xi, xv, nx, both);
    AMLS_TRY(pack_ghosts(ws, x));
cleanup:
    return rc;
}

typedef struct spmspv_recv {
    amls__spmspv_ws *ws;
    amls_semiring_kind k;
} spmspv_recv;

static void combine_received(void *ud, int src, const void *rec)
{
    spmspv_recv *r = ud;
    const amls_graph *g = r->ws->g;
    uint32_t at;
    memcpy(&at, rec, 4);
    put(r->ws, r->k, g->send_idx[g->send_off[src] + at], (const char *)rec + 4);
}

/* The owned slots touched are the result; every flag is cleared. Local. */
static int collect(amls__spmspv_ws *ws, int64_t **yi, char **yv, int64_t *ny)
{
    int rc = AMLS_OK;
    const amls_graph *g = ws->g;
    int64_t n = 0, m = 0;
    for (int64_t q = 0; q < ws->ntouched; q++)
        n += ws->touched[q] < g->n_local && ws->has[ws->touched[q]];
    *yi = amls__malloc((size_t)n + 1, sizeof **yi);
    *yv = amls__malloc(8 * (size_t)n + 8, 1);
    rc = amls__alloc_status(*yi && *yv);
    for (int64_t q = 0; q < ws->ntouched; q++) {
        int64_t t = ws->touched[q];
        if (t < g->n_local && ws->has[t] && rc == AMLS_OK) {
            (*yi)[m] = t;
            memcpy(*yv + 8 * m, ws->slot + 8 * (size_t)t, 8);
            m++;
        }
        ws->has[t] = 0;
    }
    *ny = m;
    return rc;
}

int amls__spmspv_dir(amls__spmspv_ws *ws, const amls_semiring *sr, const int64_t *xi,
                     const void *xv, int64_t nx, bool both, int64_t **yi_out, void **yv_out,
                     int64_t *ny_out)
{
    int rc = AMLS_OK;
    const amls_graph *g = ws->g;
    amls_semiring_kind k = sr->kind;
    amls__xchg x = {0};
    int64_t *yi = NULL, ny = 0;
    char *yv = NULL;
    *yi_out = NULL;
    *yv_out = NULL;
    *ny_out = 0;
    ws->ntouched = 0;
    x.comm = g->comm;
    AMLS_TRY(amls__xchg_run(&x, push(ws, k, xi, xv, nx, both, &x)));
    spmspv_recv r = {ws, k};
    amls__xchg_each(&x, 12, combine_received, &r);
    AMLS_AGREE(g->comm, collect(ws, &yi, &yv, &ny));
    *yi_out = yi;
    *yv_out = yv;
    *ny_out = ny;
    yi = NULL;
    yv = NULL;
cleanup:
    amls__xchg_free(&x);
    amls__free(yi);
    amls__free(yv);
    return rc;
}

int amls_spmspv(const amls_graph *g, const amls_semiring *sr, const int64_t *xi, const void *xv,
                int64_t nx, int64_t **yi, void **yv, int64_t *ny)
{
    int rc = AMLS_OK;
    amls__spmspv_ws *ws = NULL;
    AMLS_AGREE(g->comm, amls__spmspv_ws_new(g, &ws));
    AMLS_TRY(amls__spmspv(ws, sr, xi, xv, nx, yi, yv, ny));
cleanup:
    amls__spmspv_ws_free(&ws);
    return rc;
}
