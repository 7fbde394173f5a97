/* ---------------------------------------------------------------------------------------------
 * tests/mpi/test_traversal.c — WCC (pointer jumping and label propagation), BFS (push, pull and
 * the engine's switch), SSSP (delta-stepping at several deltas, and Bellman-Ford) and PageRank
 * (push and pull) against the serial references, on graphs this test generates: a long path
 * with scrambled ids, a forest of many small components with random edge directions and self
 * loops, a directed graph with zero-weight cycles and heavy edges, two paths joined only by
 * bridge vertices, and a weighted Kronecker graph; with hash and range partitioning. WCC labels
 * (each local contraction) must equal the reference's (the smallest original id) exactly, and
 * pointer jumping must take O(log n) supersteps on the path; PageRank pushed and pulled must agree
 * to 1e-12. The expected values come from algorithms/ref/, which share no code with the vertex
 * programs. SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#include "core.h"
#include "harness.h"

#include "amls/algorithms.h"
#include "amls/engine.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A bijection of [0, 2^32): ids that are sparse and not in vertex order. */
static amls_vid sid(int64_t i)
{
    return (amls_vid)(((uint64_t)i * 2654435761u) & 0xffffffffu) + 17;
}

static uint64_t rnd(uint64_t i)
{
    uint64_t z = i * 0x9e3779b97f4a7c15ULL + 0x632be59bd9b4e019ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* A weight: 0 in one case of five, else 1..9. */
static double wt(uint64_t i)
{
    return rnd(i) % 5 == 0 ? 0.0 : (double)(1 + rnd(i + 7) % 9);
}

enum { NPATH = 2000 };

/* A path 0 - 1 - ... - NPATH-1 (undirected), ids scrambled. */
static void make_path(amls_raw_graph *r)
{
    for (int64_t i = 0; i + 1 < NPATH; i++)
        amls_raw_graph_push(r, sid(i), sid(i + 1), wt((uint64_t)i));
    r->directed = false;
}

/* Many components: paths, stars and cycles of 1..40 vertices, edges in random directions,
 * a singleton being a self loop. Directed, so WCC must look both ways. */
static void make_forest(amls_raw_graph *r)
{
    int64_t base = 0;
    for (int c = 0; c < 300; c++) {
        int64_t k = 1 + (int64_t)(rnd((uint64_t)c) % 40), kind = c % 3;
        if (k == 1)
            amls_raw_graph_push(r, sid(base), sid(base), 1.0);
        for (int64_t i = 1; i < k; i++) {
            int64_t a = kind == 1 ? base : base + i - 1, b = base + i;
            if (rnd((uint64_t)(base + i)) & 1)
                amls_raw_graph_push(r, sid(a), sid(b), wt((uint64_t)b));
            else
                amls_raw_graph_push(r, sid(b), sid(a), wt((uint64_t)b));
        }
        if (kind == 2 && k > 2)
            amls_raw_graph_push(r, sid(base + k - 1), sid(base), 0.0);
        base += k;
    }
    r->directed = true;
}

/* Directed, 800 vertices, 3200 random arcs: zero-weight cycles, light and heavy weights. */
static void make_zero(amls_raw_graph *r)
{
    for (int64_t e = 0; e < 3200; e++) {
        int64_t a = (int64_t)(rnd((uint64_t)e * 3) % 800),
                b = (int64_t)(rnd((uint64_t)e * 3 + 1) % 800);
        uint64_t k = rnd((uint64_t)e * 3 + 2) % 10;
        double w = k < 3 ? 0.0 : k < 8 ? (double)(1 + k) : 1000.0 + (double)k;
        amls_raw_graph_push(r, sid(a), sid(b), w);
    }
    for (int64_t i = 0; i < 50; i++) /* a zero-weight cycle through the start */
        amls_raw_graph_push(r, sid(i), sid((i + 1) % 50), 0.0);
    r->directed = true;
}

enum { NBRIDGE = 300 };

/* Two paths, ids 0 .. N-1 and 2N .. 3N-1, joined only through the vertices N .. 2N-1, each
 * next to one vertex of either path (N = NBRIDGE). With range partitioning on three ranks the
 * middle rank holds only the bridges, none of its edges local: the big pieces of the outer
 * ranks never meet, and WCC must carry the smallest id across the bridges (undirected). */
static void make_bridges(amls_raw_graph *r)
{
    for (int64_t i = 0; i + 1 < NBRIDGE; i++) {
        amls_raw_graph_push(r, i, i + 1, wt((uint64_t)i));
        amls_raw_graph_push(r, 2 * NBRIDGE + i, 2 * NBRIDGE + i + 1, wt((uint64_t)i + 3));
    }
    for (int64_t i = 0; i < NBRIDGE; i++) {
        amls_raw_graph_push(r, NBRIDGE + i, i, wt((uint64_t)i + 5));
        amls_raw_graph_push(r, NBRIDGE + i, 2 * NBRIDGE + i, wt((uint64_t)i + 11));
    }
    r->directed = false;
}

typedef struct graph_case {
    const char *name;
    void (*make)(amls_raw_graph *r); /* NULL: the generator spec */
    const char *spec;
    amls_vid source;
} graph_case;

static const graph_case cases[] = {
    {"path", make_path, NULL, 17 /* sid(0) */},
    {"forest", make_forest, NULL, 17},
    {"zero", make_zero, NULL, 17},
    {"bridges", make_bridges, NULL, 0},
    {"kron", NULL, "kron:scale=10,edge-factor=8,seed=5,weighted=1", 3},
};

/* Runs p with the given parameter values and direction; gathers the result on rank 0. */
static amls_run *run(amls_graph *g, const amls_vprog *p, const char *const *vals, int direction,
                     double **f, int64_t **i)
{
    amls_run_opts ro = {.quiet = true, .param_values = vals, .direction = direction};
    amls_run *r = NULL;
    int rc = amls_run_program(g, p, &ro, &r);
    CHECK(rc == AMLS_OK, "%s: %s", p->name, amls_last_error());
    *f = NULL;
    *i = NULL;
    if (rc == AMLS_OK)
        CHECK(amls_run_gather(r, 0, f, i) == AMLS_OK, "gather");
    return r;
}

/* Compares a gathered result with the reference on rank 0. */
static void expect(const char *what, const amls_csr *c, amls_rule rule, const double *ef,
                   const int64_t *ei, const double *af, const int64_t *ai)
{
    if (h_rank != 0 || af == NULL)
        return;
    char msg[512];
    int64_t bad = amls_compare(rule, c->n, ef, ei, af, ai, c->orig, msg, sizeof msg);
    CHECK(bad == 0, "%s: %lld of %lld differ: %s", what, (long long)bad, (long long)c->n, msg);
}

/* One algorithm, run as `p` with vals, against the reference of `algo`. */
static void check_algo(amls_graph *g, const amls_csr *c, const char *what, const char *algo,
                       const amls_vprog *p, const char *const *vals, int direction, amls_rule rule,
                       int64_t *supersteps)
{
    const amls_builtin *b = amls_builtin_find(algo);
    const amls_vprog *bp = b->get(); /* the reference takes the algorithm's parameters */
    double *f = NULL, *ef = NULL;
    amls_param_value pv[4] = {0};
    int64_t *i = NULL, *ei = NULL;
    for (int k = 0; k < 4 && k < bp->nparams && vals && vals[k]; k++) {
        if (bp->params[k].type == AMLS_PARAM_FLOAT)
            pv[k].f = strtod(vals[k], NULL);
        else
            pv[k].i = strtoll(vals[k], NULL, 10);
    }
    amls_run *r = run(g, p, vals, direction, &f, &i);
    if (h_rank == 0 && r) {
        ef = malloc(sizeof *ef * (size_t)(c->n + 1));
        ei = malloc(sizeof *ei * (size_t)(c->n + 1));
        CHECK(b->ref(c, pv, ef, ei) == AMLS_OK, "reference %s", algo);
        expect(what, c, rule, ef, ei, f, i);
    }
    if (supersteps)
        *supersteps = r ? r->supersteps : -1;
    free(ef);
    free(ei);
    amls__free(f);
    amls__free(i);
    amls_run_free(&r);
}

/* PageRank pushed and pulled (whole rows, and in column segments of 40 values, as the engine
 * pulls where the values outgrow the cache): each within 1e-12 of the push, and both match the
 * reference. */
static void check_pagerank(amls_graph *g, const amls_csr *c, const char *gname)
{
    const amls_vprog *p = amls_builtin_find("pagerank")->get();
    const char *vals[] = {"0.85", "12", NULL};
    double *fpush = NULL, *fpull = NULL;
    int64_t *i1 = NULL, *i2 = NULL;
    amls_run *a = run(g, p, vals, AMLS_STEP_PUSH, &fpush, &i1);
    for (int seg = 0; seg < 2; seg++) {
        if (seg)
            setenv("AMLS_PULL_WIDTH", "40", 1);
        amls_run *b = run(g, p, vals, AMLS_STEP_PULL, &fpull, &i2);
        unsetenv("AMLS_PULL_WIDTH");
        bool pulled = b && b->steps[0].pull, pushed = a && !a->steps[0].pull;
        CHECK(pulled && pushed, "%s: pagerank ran pull %d / push %d supersteps", gname, pulled,
              pushed);
        for (int64_t v = 0; h_rank == 0 && fpush && fpull && v < c->n; v++)
            CHECK(fabs(fpush[v] - fpull[v]) <= 1e-12 * fabs(fpush[v]),
                  "%s: pagerank %lld: %.17g vs %.17g (segments: %d)", gname, (long long)c->orig[v],
                  fpush[v], fpull[v], seg);
        amls__free(fpull);
        amls__free(i2);
        fpull = NULL;
        i2 = NULL;
        amls_run_free(&b);
    }
    check_algo(g, c, "pagerank", "pagerank", p, vals, AMLS_STEP_AUTO, AMLS_RULE_EPSILON, NULL);
    amls__free(fpush);
    amls__free(i1);
    amls_run_free(&a);
}

static void check_graph(const graph_case *gc, amls_part_method method)
{
    amls_raw_graph raw = {0};
    if (gc->make) {
        if (h_rank == 0)
            gc->make(&raw);
        MPI_Bcast(&raw.directed, 1, MPI_C_BOOL, 0, MPI_COMM_WORLD);
        raw.weighted = true;
    } else {
        amls_gen_spec s;
        CHECK(amls_gen_spec_parse(gc->spec, &s) == AMLS_OK, "spec");
        CHECK(amls_generate(MPI_COMM_WORLD, &s, &raw) == AMLS_OK, "generate");
    }
    amls_build_opts bo = {.method = method, .need_in_edges = true};
    amls_graph *g = NULL;
    amls_csr c = {0};
    CHECK(amls_graph_build(MPI_COMM_WORLD, &raw, &bo, &g) == AMLS_OK, "build %s", gc->name);
    CHECK(amls_graph_gather(g, 0, &c) == AMLS_OK, "gather graph");
    char src[32], name[128];
    snprintf(src, sizeof src, "%lld", (long long)gc->source);
    const char *none[] = {NULL}, *bfs[] = {src, NULL};
    int64_t steps = 0;
    const char *part = method == AMLS_PART_HASH ? "hash" : "range";

    const char *contract[] = {"auto", "full", "sample"};
    for (int k = 0; k < 3; k++) {
        const char *vals[] = {contract[k], NULL};
        snprintf(name, sizeof name, "%s/%s: wcc contract %s", gc->name, part, contract[k]);
        check_algo(g, &c, name, "wcc", amls_builtin_find("wcc")->get(), vals, 0, AMLS_RULE_EXACT,
                   &steps);
        if (!strcmp(gc->name, "path")) /* pointer jumping: O(log n), label propagation: n */
            CHECK(steps <= 60, "%s: %lld supersteps on a %d-vertex path", name, (long long)steps,
                  NPATH);
    }
    snprintf(name, sizeof name, "%s/%s: wcc label", gc->name, part);
    check_algo(g, &c, name, "wcc", amls_variant_find("wcc", "label"), none, 0, AMLS_RULE_EXACT,
               NULL);
    const int dirs[] = {AMLS_STEP_AUTO, AMLS_STEP_PUSH, AMLS_STEP_PULL};
    for (int d = 0; d < 3; d++) {
        snprintf(name, sizeof name, "%s/%s: bfs direction %d", gc->name, part, dirs[d]);
        check_algo(g, &c, name, "bfs", amls_builtin_find("bfs")->get(), bfs, dirs[d],
                   AMLS_RULE_EXACT, NULL);
    }
    const char *deltas[] = {"0", "0.5", "3", "1e9"};
    for (int k = 0; k < 4; k++) {
        const char *vals[] = {src, deltas[k], NULL};
        snprintf(name, sizeof name, "%s/%s: sssp delta %s", gc->name, part, deltas[k]);
        check_algo(g, &c, name, "sssp", amls_builtin_find("sssp")->get(), vals, 0,
                   AMLS_RULE_EPSILON, NULL);
    }
    snprintf(name, sizeof name, "%s/%s: sssp bf", gc->name, part);
    check_algo(g, &c, name, "sssp", amls_variant_find("sssp", "bf"), bfs, 0, AMLS_RULE_EPSILON,
               NULL);
    check_pagerank(g, &c, gc->name);
    amls_csr_free(&c);
    amls_graph_free(&g);
}

int main(int argc, char **argv)
{
    h_init(&argc, &argv);
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        check_graph(&cases[k], AMLS_PART_HASH);
        check_graph(&cases[k], AMLS_PART_RANGE);
    }
    return h_finish("test_traversal");
}
