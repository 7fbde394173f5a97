/* ---------------------------------------------------------------------------------------------
 * tests/mpi/test_linalg.c — SpMV over every semiring (including a user-supplied one) and
 * SpMSpV, on a weighted generated graph, against serial computations on the gathered CSR.
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#include "core.h"
#include "harness.h"

#include "amls/linalg.h"

#include <math.h>
#include <stdlib.h>

static double user_add(double a, double b)
{
    return a > b ? a : b; /* max */
}
static double user_mul(double a, double x)
{
    return a - x; /* an unusual "times" to prove the user functions are used */
}

/* x value of a vertex, from its original id (so every rank agrees). */
static double xval(amls_vid id)
{
    return (double)((id * 7919) % 101) / 10.0 - 3.0;
}

static const amls_semiring_kind kinds[] = {AMLS_SR_PLUS_TIMES,    AMLS_SR_MIN_PLUS,
                                           AMLS_SR_MAX_TIMES,     AMLS_SR_MIN_SELECT2ND,
                                           AMLS_SR_MAX_SELECT2ND, AMLS_SR_USER};
static const char *names[] = {"plus-times", "min-plus",   "max-times",
                              "min-select", "max-select", "user"};

/* Row v of the product over semiring kind, computed serially on the gathered CSR. */
static double serial_row(amls_semiring_kind kind, const amls_csr *c, int64_t v)
{
    double want = kind == AMLS_SR_PLUS_TIMES      ? 0
                  : kind == AMLS_SR_MIN_PLUS      ? INFINITY
                  : kind == AMLS_SR_MAX_TIMES     ? -INFINITY
                  : kind == AMLS_SR_MIN_SELECT2ND ? (double)INT64_MAX
                  : kind == AMLS_SR_MAX_SELECT2ND ? (double)INT64_MIN
                                                  : -INFINITY;
    for (int64_t j = c->ptr[v]; j < c->ptr[v + 1]; j++) {
        double a = c->w ? c->w[j] : 1.0, xv = xval(c->orig[c->col[j]]);
        double xiv = (double)((c->orig[c->col[j]] * 31) % 97);
        switch (kind) {
        case AMLS_SR_PLUS_TIMES:
            want += a * xv;
            break;
        case AMLS_SR_MIN_PLUS:
            want = fmin(want, a + xv);
            break;
        case AMLS_SR_MAX_TIMES:
            want = fmax(want, a * xv);
            break;
        case AMLS_SR_MIN_SELECT2ND:
            want = fmin(want, xiv);
            break;
        case AMLS_SR_MAX_SELECT2ND:
            want = fmax(want, xiv);
            break;
        default:
            want = fmax(want, a - xv);
            break;
        }
    }
    return want;
}

/* Gathers (orig, y) pairs on rank 0 and compares every row with the serial product. */
static void check_rows(const amls_graph *g, const amls_csr *c, int k, const double *y,
                       const int64_t *yi, bool ints)
{
    int64_t nl = g->n_local;
    double *pairs = malloc((size_t)(2 * nl + 1) * sizeof *pairs);
    for (int64_t i = 0; i < nl; i++) {
        pairs[2 * i] = (double)g->orig[i];
        pairs[2 * i + 1] = ints ? (double)yi[i] : y[i];
    }
    int cnt = (int)(2 * nl), *cnts = NULL, *disp = NULL, tot = 0;
    double *all = NULL;
    if (g->rank == 0) {
        cnts = malloc((size_t)g->nranks * sizeof *cnts);
        disp = malloc((size_t)g->nranks * sizeof *disp);
    }
    MPI_Gather(&cnt, 1, MPI_INT, cnts, 1, MPI_INT, 0, MPI_COMM_WORLD);
    if (g->rank == 0) {
        for (int p = 0; p < g->nranks; p++) {
            disp[p] = tot;
            tot += cnts[p];
        }
        all = malloc((size_t)tot * sizeof *all);
    }
    MPI_Gatherv(pairs, cnt, MPI_DOUBLE, all, cnts, disp, MPI_DOUBLE, 0, MPI_COMM_WORLD);
    if (g->rank == 0) {
        int64_t bad = 0;
        for (int t = 0; t < tot; t += 2) {
            double want =
                serial_row(kinds[k], c, amls__bsearch_i64(c->orig, c->n, (int64_t)all[t]));
            double got = all[t + 1];
            if (!(got == want || fabs(got - want) <= 1e-9 * fabs(want)))
                bad++;
        }
        CHECK(bad == 0, "%s: %lld rows differ from the serial product", names[k], (long long)bad);
        free(all);
        free(cnts);
        free(disp);
    }
    free(pairs);
}

/* SpMV over every semiring. */
static void check_spmv(amls_graph *g, const amls_csr *c)
{
    double *x = amls_dvec_new(g), *y = amls_dvec_new(g);
    int64_t *xi = amls_ivec_new(g), *yi = amls_ivec_new(g);
    for (int64_t i = 0; i < g->n_local; i++) {
        x[i] = xval(g->orig[i]);
        xi[i] = (g->orig[i] * 31) % 97;
    }
    amls_dmat A = amls_dmat_view(g, AMLS_MAT_OUT);
    for (int k = 0; k < 6; k++) {
        amls_semiring sr = {
            .kind = kinds[k], .add = user_add, .mul = user_mul, .identity = -INFINITY};
        bool ints = kinds[k] == AMLS_SR_MIN_SELECT2ND || kinds[k] == AMLS_SR_MAX_SELECT2ND;
        CHECK(amls_spmv(&A, &sr, ints ? (void *)xi : (void *)x, ints ? (void *)yi : (void *)y) ==
                  AMLS_OK,
              "%s spmv", names[k]);
        check_rows(g, c, k, y, yi, ints);
    }
    amls_vec_free(x);
    amls_vec_free(y);
    amls_vec_free(xi);
    amls_vec_free(yi);
}

/* SpMSpV (min-plus) from a few frontier vertices vs a serial push. */
static void check_spmspv(amls_graph *g)
{
    int64_t nx = 0, *fi = malloc((size_t)(g->n_local + 1) * sizeof *fi);
    double *fv = malloc((size_t)(g->n_local + 1) * sizeof *fv);
    for (int64_t i = 0; i < g->n_local; i++)
        if (g->orig[i] % 5 == 0) {
            fi[nx] = i;
            fv[nx++] = xval(g->orig[i]);
        }
    int64_t *oi = NULL, ny = 0;
    double *ov = NULL;
    amls_semiring mp = {.kind = AMLS_SR_MIN_PLUS};
    CHECK(amls_spmspv(g, &mp, fi, fv, nx, &oi, (void **)&ov, &ny) == AMLS_OK, "spmspv");
    int64_t bad = 0, count = 0;
    amls_dmat In = amls_dmat_view(g, AMLS_MAT_IN);
    for (int64_t q = 0; q < ny; q++) {
        /* Serial check from the in-edges of this row: min over sources in the frontier. */
        int64_t v = oi[q];
        double want = INFINITY;
        for (int64_t j = In.ptr[v]; j < In.ptr[v + 1]; j++) {
            amls_vid u = amls_graph_orig(g, In.col[j]);
            if (u % 5 == 0)
                want = fmin(want, (In.val ? In.val[j] : 1.0) + xval(u));
        }
        bad += !(fabs(ov[q] - want) <= 1e-12 * fabs(want) || ov[q] == want);
    }
    for (int64_t v = 0; v < g->n_local; v++)
        for (int64_t j = In.ptr[v]; j < In.ptr[v + 1]; j++)
            if (amls_graph_orig(g, In.col[j]) % 5 == 0) {
                count++;
                break;
            }
    CHECK(bad == 0, "spmspv: %lld of %lld values differ", (long long)bad, (long long)ny);
    CHECK(count == ny, "spmspv: %lld rows reached, %lld expected", (long long)ny, (long long)count);
    free(fi);
    free(fv);
    amls__free(oi);
    amls__free(ov);
}

int main(int argc, char **argv)
{
    h_init(&argc, &argv);
    amls_gen_spec s;
    amls_gen_spec_parse("uniform:scale=9,edge-factor=6,seed=4,weighted=1", &s);
    amls_raw_graph raw;
    CHECK(amls_generate(MPI_COMM_WORLD, &s, &raw) == AMLS_OK, "generate");
    raw.directed = true; /* treat the edges as arcs: a non-symmetric matrix */
    amls_build_opts bo = {.method = AMLS_PART_HASH, .need_in_edges = true};
    amls_graph *g = NULL;
    CHECK(amls_graph_build(MPI_COMM_WORLD, &raw, &bo, &g) == AMLS_OK, "build");
    amls_csr c;
    CHECK(amls_graph_gather(g, 0, &c) == AMLS_OK, "gather");
    check_spmv(g, &c);
    check_spmspv(g);
    amls_csr_free(&c);
    amls_graph_free(&g);
    return h_finish("test_linalg");
}
