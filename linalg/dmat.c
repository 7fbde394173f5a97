/* ---------------------------------------------------------------------------------------------
 * linalg/dmat.c — distributed vectors, SpMV over semirings and SpMSpV over sparse frontiers.
 * SPDX-License-Identifier: MIT
 *
 * SpMV pulls: each row combines the values of its columns, after the ghost entries of x have
 * been refreshed along the communication plan. SpMSpV pushes: each nonzero of the frontier
 * updates the rows of its out-edges; updates to remote rows are combined on the sender into
 * one value per remote vertex and shipped to the owner through the neighbour exchange
 * (la_nbx.c): a bitmap over the plan positions and the values of the set bits, or (position,
 * value) lists when few are set, whichever is smaller; no vertex ids travel.
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
    amls__spmspv_ws *ws = amls__calloc(1, sizeof *ws);
    amls__nbx *nbx = NULL;
    *out = NULL;
    AMLS_TRY(amls__nbx_new(g, 8, &nbx));
    AMLS_CHECK(ws != NULL, AMLS_ERR_NOMEM, "out of memory");
    ws->g = g;
    ws->nbx = nbx;
    nbx = NULL;
    AMLS_ALLOC(ws->slot, 8 * (size_t)g->n_local + 8);
    AMLS_CALLOC(ws->has, g->n_local + 1);
    AMLS_ALLOC(ws->touched, g->n_local + 1);
cleanup:
    rc = amls_agree(g->comm, rc, NULL);
    if (rc == AMLS_OK) {
        *out = ws;
        ws = NULL;
    }
    amls__nbx_free(&nbx);
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
    amls__nbx_free(&ws->nbx);
    amls__free(ws);
    *wp = NULL;
}

/* Combines v into the slot of owned vertex t under the semiring. */
static inline void put_owned(amls__spmspv_ws *ws, amls_semiring_kind k, int64_t t, const void *v)
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

/* Combines v into local index t: an owned slot or a ghost slot of the exchange. */
static inline void put(amls__spmspv_ws *ws, amls_semiring_kind k, int64_t t, const void *v)
{
    int64_t nl = ws->g->n_local;
    if (t < nl) {
        put_owned(ws, k, t, v);
    } else if (k == AMLS_SR_MIN_SELECT2ND) {
        int64_t b;
        memcpy(&b, v, 8);
        amls__nbx_min_i64(ws->nbx, t - nl, b);
    } else {
        double b;
        memcpy(&b, v, 8);
        if (k == AMLS_SR_PLUS_TIMES)
            amls__nbx_add_f64(ws->nbx, t - nl, b);
        else
            amls__nbx_min_f64(ws->nbx, t - nl, b);
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
    for (int dir = 0; dir < amls__la_ndir(g, both); dir++) {
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

typedef struct spmspv_recv {
    amls__spmspv_ws *ws;
    amls_semiring_kind k;
} spmspv_recv;

static void combine_received(void *ud, uint32_t v, const void *val)
{
    spmspv_recv *r = ud;
    put_owned(r->ws, r->k, v, val);
}

/* The owned slots touched are the result; every flag is cleared. Local. */
static int collect(amls__spmspv_ws *ws, int64_t **yi, char **yv, int64_t *ny)
{
    int rc = AMLS_OK;
    int64_t n = ws->ntouched, m = 0;
    *yi = amls__malloc((size_t)n + 1, sizeof **yi);
    *yv = amls__malloc(8 * (size_t)n + 8, 1);
    rc = amls__alloc_status(*yi && *yv);
    for (int64_t q = 0; q < ws->ntouched; q++) {
        int64_t t = ws->touched[q];
        if (rc == AMLS_OK) {
            (*yi)[m] = t;
            memcpy(*yv + 8 * m, ws->slot + 8 * (size_t)t, 8);
            m++;
        }
        ws->has[t] = 0;
    }
    ws->ntouched = 0;
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
    int64_t *yi = NULL, ny = 0;
    char *yv = NULL;
    *yi_out = NULL;
    *yv_out = NULL;
    *ny_out = 0;
    ws->ntouched = 0;
    AMLS_AGREE(g->comm,
               k == AMLS_SR_MIN_SELECT2ND || k == AMLS_SR_PLUS_TIMES || k == AMLS_SR_MIN_PLUS
                   ? AMLS_OK
                   : amls_error(AMLS_ERR_INVALID,
                                "SpMSpV supports plus-times, min-plus and min-select2nd"));
    push_frontier(ws, k, xi, xv, nx, both);
    AMLS_TRY(amls__nbx_push(ws->nbx));
    spmspv_recv r = {ws, k};
    amls__nbx_recv_each(ws->nbx, combine_received, &r);
    AMLS_AGREE(g->comm, collect(ws, &yi, &yv, &ny));
    *yi_out = yi;
    *yv_out = yv;
    *ny_out = ny;
    yi = NULL;
    yv = NULL;
cleanup:
    amls__free(yi);
    amls__free(yv);
    return rc;
}

int amls_spmspv(const amls_graph *g, const amls_semiring *sr, const int64_t *xi, const void *xv,
                int64_t nx, int64_t **yi, void **yv, int64_t *ny)
{
    int rc = AMLS_OK;
    amls__spmspv_ws *ws = NULL;
    AMLS_TRY(amls__spmspv_ws_new(g, &ws));
    AMLS_TRY(amls__spmspv(ws, sr, xi, xv, nx, yi, yv, ny));
cleanup:
    amls__spmspv_ws_free(&ws);
    return rc;
}
