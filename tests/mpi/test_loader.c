/* ---------------------------------------------------------------------------------------------
 * tests/mpi/test_loader.c — the streamed loader builds exactly the graph a serial reference
 * builds, whatever the partitioner and the shuffle's round size.
 * SPDX-License-Identifier: MIT
 *
 * Every rank generates the same global edge list from a counter-based RNG (with duplicate
 * edges of different weights, self loops and a hub whose rows take the radix path), pushes its
 * share into a raw graph, and the loader builds it. Every rank then recomputes the whole graph
 * serially (a plain sort of all arcs, the smallest weight kept per duplicate) and checks the
 * rows of the vertices it owns, out-edges and in-edges, targets and weights. Cases: undirected
 * weighted with dense ids; directed weighted with in-edges and sparse ids beyond 2^32 (a compact
 * raw graph widened to 64-bit ids, the sorted directory path); directed unweighted from a
 * 64-bit raw graph. Each with every partitioner, in one round and in many tiny rounds, with
 * repeated edges merged before the rows (forced) and without. Also: chunk's edge balance on a
 * Kronecker graph and auto's choices.
 *
 * Repeats: an undirected list with every edge in both directions (the reverse copy with a weight
 * of its own) as well as the repeats and loops above builds the graph of the single listing
 * (the smallest weight of the copies kept), with every partitioner; the loader merges the
 * repeats first there, and its own account of the edge data it held at the peak stays within
 * 24 bytes per distinct edge (48 weighted), where the direct path holds 16 (40) bytes per record
 * read, over 37 (93) per distinct edge here.
 * ------------------------------------------------------------------------------------------- */
#include "core.h"
#include "graph_internal.h"
#include "harness.h"

#include "amls/graph.h"

#include <stdlib.h>

typedef struct arc {
    int64_t u, v;
    double w;
} arc;

typedef struct gcase {
    const char *name;
    int64_t nv, ne; /* ids 0..nv-1 before mapping, edges */
    bool directed, weighted, sparse_ids, compact;
    bool both; /* every edge listed twice, once each way */
} gcase;

static int64_t id_of(const gcase *c, int64_t x)
{
    return c->sparse_ids ? ((int64_t)5 << 32) + x * 7919 : x;
}

/* Edge k of the global list: a hub (vertex 1) on every 4th edge, duplicates of earlier edges
 * with other weights on every 7th, self loops on every 50th. */
static arc edge_k(const gcase *c, int64_t k)
{
    int64_t j = k % 7 == 6 ? k / 2 : k;
    uint64_t r = amls__rand64(42, 1, (uint64_t)j);
    arc a = {(int64_t)(r % (uint64_t)c->nv), (int64_t)((r >> 32) % (uint64_t)c->nv), 1.0};
    if (j % 4 == 1)
        a.u = 1;
    if (k % 50 == 3)
        a.v = a.u;
    if (c->weighted)
        a.w = 1.0 + (double)(amls__rand64(42, 2, (uint64_t)k) % 1000) / 8.0;
    a.u = id_of(c, a.u);
    a.v = id_of(c, a.v);
    return a;
}

/* Records in the list, and record r: edge r, or with `both` edge r/2 one way or the other (the
 * reverse with a weight of its own). */
static int64_t records(const gcase *c)
{
    return c->both ? 2 * c->ne : c->ne;
}

static arc record_r(const gcase *c, int64_t r)
{
    if (!c->both)
        return edge_k(c, r);
    arc a = edge_k(c, r / 2);
    if (r % 2 == 0)
        return a;
    if (c->weighted)
        a.w = 1.0 + (double)(amls__rand64(42, 3, (uint64_t)r) % 1000) / 8.0;
    return (arc){a.v, a.u, a.w};
}

static int cmp_arc(const void *pa, const void *pb)
{
    const arc *a = pa, *b = pb;
    if (a->u != b->u)
        return (a->u > b->u) - (a->u < b->u);
    if (a->v != b->v)
        return (a->v > b->v) - (a->v < b->v);
    return (a->w > b->w) - (a->w < b->w);
}

/* The serial reference: every stored arc (both ways when undirected; reversed for in-edges),
 * sorted, duplicates dropped after the smallest weight. */
static arc *reference(const gcase *c, bool in, int64_t *m)
{
    arc *a = malloc((size_t)(2 * records(c) + 1) * sizeof *a);
    int64_t k = 0;
    for (int64_t e = 0; e < records(c); e++) {
        arc x = record_r(c, e);
        a[k++] = in ? (arc){x.v, x.u, x.w} : x;
        if (!c->directed && x.u != x.v)
            a[k++] = (arc){x.v, x.u, x.w};
    }
    qsort(a, (size_t)k, sizeof *a, cmp_arc);
    int64_t n = 0;
    for (int64_t i = 0; i < k; i++)
        if (n == 0 || a[n - 1].u != a[i].u || a[n - 1].v != a[i].v)
            a[n++] = a[i];
    *m = n;
    return a;
}

/* First arc of vertex u in the sorted reference, or m. */
static int64_t lower(const arc *a, int64_t m, int64_t u)
{
    int64_t lo = 0, hi = m;
    while (lo < hi) {
        int64_t mid = (lo + hi) / 2;
        if (a[mid].u < u)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* This rank's rows (ptr, col, w) against the reference: rows are sorted by engine id, so each
 * is compared as a set, in original-id order. */
static void check_rows(const amls_graph *g, const int64_t *ptr, const uint32_t *col,
                       const double *w, const arc *ref, int64_t m, const char *what)
{
    int64_t bad = 0, arcs = 0, maxd = 0;
    for (int64_t i = 0; i < g->n_local; i++)
        maxd = AMLS_MAX(maxd, ptr[i + 1] - ptr[i]);
    arc *row = malloc((size_t)(maxd + 1) * sizeof *row);
    for (int64_t i = 0; i < g->n_local; i++) {
        int64_t d = ptr[i + 1] - ptr[i], at = lower(ref, m, g->orig[i]);
        for (int64_t j = 0; j < d; j++)
            row[j] =
                (arc){g->orig[i], amls_graph_orig(g, col[ptr[i] + j]), w ? w[ptr[i] + j] : 1.0};
        qsort(row, (size_t)d, sizeof *row, cmp_arc);
        for (int64_t j = 0; j < d; j++, at++)
            if (at >= m || ref[at].u != row[j].u || ref[at].v != row[j].v || ref[at].w != row[j].w)
                bad++;
        if (at < m && ref[at].u == g->orig[i])
            bad++; /* the row is short */
        arcs += d;
    }
    free(row);
    int64_t tot[2] = {bad, arcs};
    MPI_Allreduce(MPI_IN_PLACE, tot, 2, MPI_INT64_T, MPI_SUM, g->comm);
    CHECK(tot[0] == 0, "%s: %lld arcs differ from the reference", what, (long long)tot[0]);
    CHECK(tot[1] == m, "%s: %lld arcs, the reference has %lld", what, (long long)tot[1],
          (long long)m);
}

/* Builds case c from every rank's share of its records; merge is the mode of the merge of
 * repeated edges (-1: as the loader decides, 0: never, 1: always). */
static amls_graph *build(const gcase *c, amls_part_method pm, int64_t round_bytes, int merge,
                         const char *what)
{
    int rank = 0, R = 1;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &R);
    amls_raw_graph raw = {.compact = c->compact, .directed = c->directed};
    int64_t nr = records(c), lo = nr * rank / R, hi = nr * (rank + 1) / R, failed = 0;
    for (int64_t e = lo; e < hi; e++) {
        arc a = record_r(c, e);
        failed += amls_raw_graph_push(&raw, a.u, a.v, a.w) != AMLS_OK;
    }
    CHECK(failed == 0, "%s: push", what);
    raw.weighted = c->weighted;
    raw.edges_read = nr;
    if (c->compact && c->sparse_ids && hi > lo)
        CHECK(raw.src != NULL && raw.src32 == NULL, "%s: ids beyond 2^32 widen", what);
    amls_build_opts bo = {.method = pm, .need_in_edges = true, .round_bytes = round_bytes};
    amls_graph *g = NULL;
    amls__edges_merge_mode(merge);
    CHECK(amls_graph_build(MPI_COMM_WORLD, &raw, &bo, &g) == AMLS_OK, "%s: build: %s", what,
          amls_last_error());
    amls__edges_merge_mode(-1);
    return g;
}

static void run(const gcase *c, amls_part_method pm, int64_t round_bytes, int merge)
{
    char what[160];
    snprintf(what, sizeof what, "%s/%s/round %lld/merge %d", c->name, amls_part_method_name(pm),
             (long long)round_bytes, merge);
    amls_graph *g = build(c, pm, round_bytes, merge, what);
    if (g == NULL)
        return;
    int64_t m = 0;
    arc *out = reference(c, false, &m);
    check_rows(g, g->out_ptr, g->out_col, g->out_w, out, m, what);
    free(out);
    if (c->directed) {
        arc *in = reference(c, true, &m);
        check_rows(g, g->in_ptr, g->in_col, g->in_w, in, m, what);
        free(in);
    }
    CHECK(g->weighted == c->weighted, "%s: weightedness", what);
    CHECK(pm == AMLS_PART_AUTO || g->part_method == pm, "%s: partitioner %s", what,
          amls_part_method_name(g->part_method));
    amls_graph_free(&g);
}

/* An undirected list with every edge both ways builds the graph of the single listing, and the
 * loader holds little more than the distinct edges on the way. */
static void repeats(bool weighted)
{
    const gcase once = {"undirected-once", 3000, 20000, false, weighted, false, true, false};
    gcase both = once;
    both.name = "undirected-both-ways";
    both.both = true;
    amls_graph *g1 = build(&once, AMLS_PART_HASH, 0, -1, once.name);
    amls_graph *g2 = build(&both, AMLS_PART_HASH, 0, -1, both.name);
    int64_t held = amls__held_peak();
    if (g1 && g2) {
        CHECK(g1->n == g2->n && g1->edges == g2->edges && g1->arcs == g2->arcs &&
                  g1->self_loops == g2->self_loops,
              "both ways: %lld vertices, %lld edges, %lld arcs, %lld loops; once: %lld, %lld, "
              "%lld, %lld",
              (long long)g2->n, (long long)g2->edges, (long long)g2->arcs,
              (long long)g2->self_loops, (long long)g1->n, (long long)g1->edges,
              (long long)g1->arcs, (long long)g1->self_loops);
        CHECK(g2->edges_read == 2 * g1->edges_read, "both ways: %lld records read",
              (long long)g2->edges_read);
        MPI_Allreduce(MPI_IN_PLACE, &held, 1, MPI_INT64_T, MPI_SUM, MPI_COMM_WORLD);
        int64_t limit = g2->edges * (weighted ? 48 : 24);
        CHECK(held <= limit,
              "both ways: the loader held %lld bytes of edges at its peak (summed over ranks), "
              "over %lld (%.1f per distinct edge)",
              (long long)held, (long long)limit, (double)held / (double)g2->edges);
    }
    amls_graph_free(&g1);
    amls_graph_free(&g2);
    amls_part_method pms[] = {AMLS_PART_AUTO, AMLS_PART_CHUNK, AMLS_PART_METIS,
                              AMLS_PART_HASH, AMLS_PART_RANGE, AMLS_PART_PTSCOTCH};
    for (int p = 0; p < 6; p++)
        run(&both, pms[p], 0, -1);
    run(&both, AMLS_PART_CHUNK, 200, -1);
}

/* chunk balances stored arcs on a skewed graph, and auto picks it there and METIS on a grid. */
static void balance(void)
{
    const char *specs[] = {"kron:scale=16,edge-factor=16,seed=3", "grid:rows=60,cols=50"};
    amls_part_method want[] = {AMLS_PART_CHUNK, AMLS_PART_METIS};
    for (int i = 0; i < 2; i++) {
        amls_gen_spec s;
        amls_raw_graph raw;
        amls_graph *g = NULL;
        amls_graph_stats st;
        CHECK(amls_gen_spec_parse(specs[i], &s) == AMLS_OK, "spec");
        CHECK(amls_generate(MPI_COMM_WORLD, &s, &raw) == AMLS_OK, "generate");
        amls_build_opts bo = {.method = AMLS_PART_AUTO};
        CHECK(amls_graph_build(MPI_COMM_WORLD, &raw, &bo, &g) == AMLS_OK, "build %s", specs[i]);
        if (g == NULL)
            continue;
        CHECK(amls_graph_stats_get(g, &st) == AMLS_OK, "stats");
        if (g->nranks > 1)
            CHECK(g->part_method == want[i], "%s: auto chose %s", specs[i],
                  amls_part_method_name(g->part_method));
        if (i == 0)
            CHECK(st.edge_imbalance <= 1.05, "%s: edge imbalance %.4f > 1.05", specs[i],
                  st.edge_imbalance);
        amls_graph_free(&g);
    }
}

int main(int argc, char **argv)
{
    h_init(&argc, &argv);
    const gcase cases[] = {
        {"undirected-weighted", 3000, 20000, false, true, false, true, false},
        {"directed-weighted-sparse-ids", 2000, 15000, true, true, true, true, false},
        {"directed-64bit-raw", 1500, 9000, true, false, false, false, false},
    };
    amls_part_method pms[] = {AMLS_PART_AUTO, AMLS_PART_CHUNK, AMLS_PART_METIS,
                              AMLS_PART_HASH, AMLS_PART_RANGE, AMLS_PART_PTSCOTCH};
    for (int merge = -1; merge <= 1; merge += 2) {
        for (int c = 0; c < 3; c++)
            for (int p = 0; p < 6; p++)
                run(&cases[c], pms[p], 0, merge);
        for (int c = 0; c < 3; c++)
            run(&cases[c], AMLS_PART_CHUNK, 200, merge); /* 200-byte rounds: hundreds of them */
    }
    run(&cases[0], AMLS_PART_PTSCOTCH, 200, -1);
    repeats(false);
    repeats(true);
    balance();
    return h_finish("test_loader");
}
