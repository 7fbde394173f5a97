/* ---------------------------------------------------------------------------------------------
 * tests/mpi/test_la_algos.c — the graph algorithms of the linear-algebra path, every variant,
 * against the serial references, on graphs the test builds itself: long paths (hundreds of BFS
 * levels and SSSP buckets), many components (pairs, triangles, stars, barbells, vertices with
 * only a self loop, isolated Kronecker vertices), zero-weight edges, sparse scrambled ids, directed
 * and undirected, with METIS and hash partitions. Also: the neighbour exchange in both wire modes,
 * direction-optimising BFS really running bottom-up steps, and negative weights refused.
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#include "core.h"
#include "harness.h"
#include "la_algos.h"
#include "la_internal.h"

#include "amls/algorithms.h"
#include "amls/engine.h"
#include "amls/linalg.h"

#include <math.h>
#include <stdlib.h>

enum { PATHS = 4, PATH_LEN = 400, SMALL = 300, LOOPS = 100, BARBELLS = 20 };

/* Sparse, order-scrambling original ids: a bijection of [0, 1000003). */
static amls_vid sid(int64_t x)
{
    return (amls_vid)((x * 7919) % 1000003) + 1;
}

/* Weights 0..9, a fifth of them zero. */
static double wt(int64_t a, int64_t b)
{
    return (double)(amls__mix64((uint64_t)(a * 1000003 + b)) % 10) * ((a + b) % 5 != 0);
}

/* Rank 0 pushes the long paths and the small components. */
static void push_paths(amls_raw_graph *r, bool negative)
{
    int64_t x = 0;
    for (int p = 0; p < PATHS; p++, x += PATH_LEN)
        for (int64_t i = 0; i + 1 < PATH_LEN; i++)
            amls_raw_graph_push(r, sid(x + i), sid(x + i + 1), wt(x + i, p));
    for (int c = 0; c < SMALL; c++, x += 4) {
        amls_raw_graph_push(r, sid(x), sid(x + 1), wt(x, 1));
        if (c % 3 >= 1)
            amls_raw_graph_push(r, sid(x + 1), sid(x + 2), wt(x, 2));
        if (c % 3 == 2)
            amls_raw_graph_push(r, sid(x + 2), sid(x), wt(x, 3)); /* triangle */
        if (c % 5 == 0)
            amls_raw_graph_push(r, sid(x), sid(x + 3), wt(x, 4)); /* star */
    }
    for (int l = 0; l < LOOPS; l++, x++)
        amls_raw_graph_push(r, sid(x), sid(x), 1.0);
    /* barbells: two stars whose centres are joined by the last edge of both rows (ids in order),
     * an edge that no vertex's first two neighbours cover */
    for (amls_vid b = 2000000; b < 2000000 + 10 * BARBELLS; b += 10) {
        for (int l = 0; l < 3; l++) {
            amls_raw_graph_push(r, b + 6, b + l, 1.0);
            amls_raw_graph_push(r, b + 7, b + 3 + l, 1.0);
        }
        amls_raw_graph_push(r, b + 6, b + 7, 2.0);
    }
    /* a shortcut between two paths, so that one component has two long arms */
    amls_raw_graph_push(r, sid(PATH_LEN - 1), sid(2 * PATH_LEN + 7), negative ? -1.0 : 0.0);
}

/* The graph of a case: "paths" (un)directed, or a small weighted Kronecker graph. */
static amls_graph *build(const char *kind, bool directed, amls_part_method m, bool negative)
{
    amls_raw_graph r = {0};
    if (strcmp(kind, "kron") == 0) {
        amls_gen_spec s;
        amls_gen_spec_parse("kron:scale=11,edge-factor=8,seed=5,weighted=1", &s);
        CHECK(amls_generate(MPI_COMM_WORLD, &s, &r) == AMLS_OK, "generate");
    } else if (h_rank == 0) {
        push_paths(&r, negative);
    }
    r.directed = directed;
    r.weighted = true;
    amls_build_opts bo = {.method = m, .need_in_edges = true};
    amls_graph *g = NULL;
    CHECK(amls_graph_build(MPI_COMM_WORLD, &r, &bo, &g) == AMLS_OK, "build %s", kind);
    amls_raw_graph_free(&r);
    return g;
}

/* Runs one table entry and compares its values with the serial reference on rank 0; tol < 0:
 * integers, exact. Returns the iterations reported. */
static int64_t check_algo(amls_graph *g, const amls_csr *c, const char *name, const char *variant,
                          const amls_param_value *params, const amls_param_value *refparams,
                          double tol, const char *what)
{
    const amls_la_algorithm *la = amls_la_find(name);
    const amls_builtin *b = amls_builtin_find(name);
    void *vals = calloc((size_t)g->n_local + 1, 8);
    int64_t it = 0;
    double spi = 0;
    CHECK(la->run(g, params, variant, vals, &it, &spi) == AMLS_OK, "%s %s %s: run", what, name,
          variant ? variant : "default");
    amls_values v = {g, vals, 8, la->type, NULL};
    double *af = NULL, *ef = NULL;
    int64_t *ai = NULL, *ei = NULL;
    CHECK(amls_values_gather(&v, 0, &af, &ai) == AMLS_OK, "gather");
    if (h_rank == 0) {
        ef = calloc((size_t)c->n + 1, sizeof *ef);
        ei = calloc((size_t)c->n + 1, sizeof *ei);
        CHECK(b->ref(c, refparams, ef, ei) == AMLS_OK, "reference");
        int64_t bad = 0, first = -1;
        for (int64_t i = 0; i < c->n; i++) {
            bool ok = tol < 0 ? ai[i] == ei[i]
                              : (af[i] == ef[i] || fabs(af[i] - ef[i]) <= tol * fabs(ef[i]));
            if (!ok && first < 0)
                first = i;
            bad += !ok;
        }
        CHECK(bad == 0, "%s %s %s: %lld of %lld vertices differ (first: id %lld: %g vs %g)", what,
              name, variant ? variant : "default", (long long)bad, (long long)c->n,
              first >= 0 ? (long long)c->orig[first] : -1LL,
              first >= 0 ? (tol < 0 ? (double)ai[first] : af[first]) : 0.0,
              first >= 0 ? (tol < 0 ? (double)ei[first] : ef[first]) : 0.0);
    }
    free(vals);
    free(ef);
    free(ei);
    amls__free(af);
    amls__free(ai);
    return it;
}

/* Every algorithm and variant on one graph. */
static void check_graph(amls_graph *g, const char *what, amls_vid src)
{
    amls_csr c = {0};
    CHECK(amls_graph_gather(g, 0, &c) == AMLS_OK, "gather csr");
    amls_param_value pr[2] = {{.f = 0.85}, {.i = 25}}, s1[2] = {{.i = src}, {.f = 0}};
    static const char *pv[] = {"blocked", "fp32", "plain"};
    for (int k = 0; k < 3; k++)
        check_algo(g, &c, "pagerank", pv[k], pr, pr, k == 1 ? 2e-6 : 1e-12, what);
    static const char *wv[] = {"fastsv", "frontier", "dense"};
    for (int k = 0; k < 3; k++)
        check_algo(g, &c, "wcc", wv[k], NULL, NULL, -1, what);
    static const char *bv[] = {"diropt", "push", "spmspv"};
    for (int k = 0; k < 3; k++)
        check_algo(g, &c, "bfs", bv[k], s1, s1, -1, what);
    static const double deltas[] = {0, 0.5, 3, 1e-3, 1e9};
    for (int k = 0; k < 5; k++) {
        amls_param_value p[2] = {{.i = src}, {.f = deltas[k]}};
        check_algo(g, &c, "sssp", NULL, p, s1, 1e-12, what);
    }
    check_algo(g, &c, "sssp", "bellman-ford", s1, s1, 1e-12, what);
    amls_csr_free(&c);
}

typedef struct nbx_check {
    const amls_graph *g;
    int64_t *got, bad;
} nbx_check;

static void nbx_seen(void *ud, uint32_t v, const void *val)
{
    nbx_check *c = ud;
    int64_t x;
    memcpy(&x, val, sizeof x);
    c->got[v]++;
    c->bad += x != 2 * c->g->orig[v];
}

/* The neighbour exchange: every rank pushes to the ghosts whose original id is a multiple of
 * `mod`; each owner must receive exactly one value (the id times 2) per peer that holds the
 * vertex as a ghost and nothing else. `mod` 2 must produce bitmaps, 97 position lists. */
static void check_nbx(amls_graph *g, int mod)
{
    amls__nbx *x = NULL;
    CHECK(amls__nbx_new(g, 8, &x) == AMLS_OK, "nbx_new");
    for (int64_t k = 0; k < g->n_ghost; k++)
        if (g->ghost_orig[k] % mod == 0)
            amls__nbx_min_i64(x, k, 2 * g->ghost_orig[k]);
    CHECK(amls__nbx_push(x) == AMLS_OK, "push");
    nbx_check c = {g, calloc((size_t)g->n_local + 1, sizeof(int64_t)), 0};
    amls__nbx_recv_each(x, nbx_seen, &c);
    for (int64_t k = 0; k < g->send_off[g->nranks]; k++)
        c.got[g->send_idx[k]] -= g->orig[g->send_idx[k]] % mod == 0;
    int64_t wrong = c.bad, modes = 0;
    for (int64_t v = 0; v < g->n_local; v++)
        wrong += c.got[v] != 0;
    for (int i = 0; i < x->np; i++) {
        amls__nbx_hdr h;
        memcpy(&h, x->in[i], sizeof h);
        modes +=
            x->got[i] && h.nset > 0 && h.mode == (mod == 2 ? AMLS__NBX_BITMAP : AMLS__NBX_PAIRS);
    }
    MPI_Allreduce(MPI_IN_PLACE, &modes, 1, MPI_INT64_T, MPI_SUM, MPI_COMM_WORLD);
    CHECK(wrong == 0, "nbx mod %d: %lld vertices received a wrong count or value", mod,
          (long long)wrong);
    CHECK(g->nranks == 1 || modes > 0, "nbx mod %d: no message used the %s mode", mod,
          mod == 2 ? "bitmap" : "pairs");
    free(c.got);
    amls__nbx_free(&x);
}

/* Direction-optimising BFS must take bottom-up steps on a Kronecker graph, push-only none. */
static void check_bottom_up(amls_graph *g, amls_vid src)
{
    int64_t gid = -1, lv = 0, nbu = 0, *d = calloc((size_t)g->n_local + 1, sizeof *d);
    CHECK(amls_graph_find(g, src, &gid) == AMLS_OK && gid >= 0, "find source");
    CHECK(amls__la_bfs(g, gid, AMLS__BFS_DIROPT, d, &lv, &nbu) == AMLS_OK, "bfs diropt");
    CHECK(nbu > 0, "direction-optimising BFS took no bottom-up step (%lld levels)", (long long)lv);
    CHECK(amls__la_bfs(g, gid, AMLS__BFS_PUSH, d, &lv, &nbu) == AMLS_OK && nbu == 0, "bfs push");
    free(d);
}

/* A negative weight is refused by delta-stepping, on every rank. */
static void check_negative(amls_part_method m)
{
    amls_graph *g = build("paths", true, m, true);
    double *d = calloc((size_t)g->n_local + 1, sizeof *d);
    int64_t rounds = 0;
    int rc = amls_la_sssp(g, sid(5), 0, d, &rounds);
    CHECK(rc == AMLS_ERR_INVALID, "negative weight: status %d", rc);
    free(d);
    amls_graph_free(&g);
}

int main(int argc, char **argv)
{
    h_init(&argc, &argv);
    amls_part_method ms[] = {AMLS_PART_HASH, AMLS_PART_METIS};
    const char *pn[] = {"hash", "metis"};
    for (int m = 0; m < 2; m++) {
        char what[64];
        for (int d = 0; d < 2; d++) {
            amls_graph *g = build("paths", d == 1, ms[m], false);
            snprintf(what, sizeof what, "paths %s %s", d ? "directed" : "undirected", pn[m]);
            check_graph(g, what, sid(5));
            amls_graph_free(&g);
        }
        amls_graph *g = build("kron", false, ms[m], false);
        snprintf(what, sizeof what, "kron %s", pn[m]);
        check_graph(g, what, 3);
        check_bottom_up(g, 3);
        check_nbx(g, 2);
        check_nbx(g, 97);
        amls_graph_free(&g);
        check_negative(ms[m]);
    }
    return h_finish("test_la_algos");
}
