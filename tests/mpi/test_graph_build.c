/* ---------------------------------------------------------------------------------------------
 * tests/mpi/test_graph_build.c — loading and partitioning conserve every vertex and edge.
 * SPDX-License-Identifier: MIT
 *
 * For generated graphs (the generator gives the same edges at every rank count) and for the
 * same graphs written to a text file and read back in parallel, the graph is built with each
 * partitioner; rank 0 gathers it and compares it with the edge set it computes alone from a
 * one-rank generation. Also checks ownership ranges, the communication plan, and that a
 * partition file written at this rank count reproduces the partition.
 * ------------------------------------------------------------------------------------------- */
#include "core.h"
#include "graph_internal.h"
#include "harness.h"

#include "amls/graph.h"

#include <stdlib.h>
#include <unistd.h>

typedef struct pair {
    int64_t u, v;
} pair;

static int cmp_pair(const void *a, const void *b)
{
    const pair *x = a, *y = b;
    if (x->u != y->u)
        return (x->u > y->u) - (x->u < y->u);
    return (x->v > y->v) - (x->v < y->v);
}

/* Expected distinct arcs (orig ids) of a raw graph, computed serially. */
static pair *expected_arcs(const amls_raw_graph *r, int64_t *n)
{
    pair *a = malloc((size_t)(2 * r->nedges + 1) * sizeof *a);
    int64_t k = 0;
    for (int64_t e = 0; e < r->nedges; e++) {
        a[k++] = (pair){r->src[e], r->dst[e]};
        if (!r->directed)
            a[k++] = (pair){r->dst[e], r->src[e]};
    }
    qsort(a, (size_t)k, sizeof *a, cmp_pair);
    int64_t m = 0;
    for (int64_t i = 0; i < k; i++)
        if (m == 0 || cmp_pair(&a[m - 1], &a[i]) != 0)
            a[m++] = a[i];
    *n = m;
    return a;
}

static void check_graph(const amls_graph *g, const amls_gen_spec *s, const char *what)
{
    /* Ownership: contiguous, covering [0, n). */
    CHECK(g->owner_off[0] == 0 && g->owner_off[g->nranks] == g->n, "%s: owner ranges", what);
    for (int p = 0; p < g->nranks; p++)
        CHECK(g->owner_off[p] <= g->owner_off[p + 1], "%s: owner ranges sorted", what);
    /* Plan: every ghost receives its owner's original id. */
    int64_t *vals = malloc((size_t)(g->n_local + g->n_ghost + 1) * sizeof *vals);
    for (int64_t i = 0; i < g->n_local; i++)
        vals[i] = g->orig[i];
    for (int64_t k = 0; k < g->n_ghost; k++)
        vals[g->n_local + k] = -1;
    CHECK(amls__plan_gather(g, vals, sizeof *vals) == AMLS_OK, "%s: plan gather", what);
    for (int64_t k = 0; k < g->n_ghost; k++)
        CHECK(vals[g->n_local + k] == g->ghost_orig[k], "%s: ghost %lld value", what, (long long)k);
    free(vals);

    /* Edges: gather and compare with the serial expectation on rank 0. */
    amls_csr c;
    CHECK(amls_graph_gather(g, 0, &c) == AMLS_OK, "%s: gather: %s", what, amls_last_error());
    if (g->rank == 0) {
        amls_raw_graph r;
        CHECK(amls_generate(MPI_COMM_SELF, s, &r) == AMLS_OK, "serial generation");
        int64_t m = 0;
        pair *want = expected_arcs(&r, &m);
        CHECK(c.n == r.nverts, "%s: %lld vertices, want %lld", what, (long long)c.n,
              (long long)r.nverts);
        CHECK(c.ptr[c.n] == m, "%s: %lld arcs, want %lld", what, (long long)c.ptr[c.n],
              (long long)m);
        int64_t bad = 0;
        for (int64_t i = 0, k = 0; i < c.n && k < m; i++) {
            CHECK(c.orig[i] == i, "%s: vertex order", what);
            for (int64_t j = c.ptr[i]; j < c.ptr[i + 1] && k < m; j++, k++)
                if (want[k].u != c.orig[i] || want[k].v != c.orig[c.col[j]])
                    bad++;
        }
        CHECK(bad == 0, "%s: %lld arcs differ", what, (long long)bad);
        free(want);
        amls_raw_graph_free(&r);
        amls_csr_free(&c);
    }
}

static void run_case(const char *spec, amls_part_method m, bool via_file)
{
    int rank = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    amls_gen_spec s;
    amls_gen_spec_parse(spec, &s);
    amls_raw_graph raw;
    char what[256], path[128];
    snprintf(what, sizeof what, "%s/%s%s", spec, amls_part_method_name(m), via_file ? "/file" : "");
    CHECK(amls_generate(MPI_COMM_WORLD, &s, &raw) == AMLS_OK, "%s: generate", what);
    if (via_file) {
        long pid = (long)getpid();
        MPI_Bcast(&pid, 1, MPI_LONG, 0, MPI_COMM_WORLD);
        snprintf(path, sizeof path, "/tmp/amls-build-%ld.el", pid);
        CHECK(amls_raw_graph_write(MPI_COMM_WORLD, path, &raw) == AMLS_OK, "%s: write", what);
        amls_raw_graph_free(&raw);
        amls_read_opts ro = {.format = AMLS_FORMAT_EDGELIST,
                             .direction = AMLS_DIRECTION_UNDIRECTED};
        CHECK(amls_graph_read(MPI_COMM_WORLD, path, &ro, &raw) == AMLS_OK, "%s: read: %s", what,
              amls_last_error());
        if (rank == 0)
            unlink(path);
        /* The file holds only the ids that occur: isolated vertices are not in it. */
    }
    amls_build_opts bo = {.method = m};
    amls_graph *g = NULL;
    CHECK(amls_graph_build(MPI_COMM_WORLD, &raw, &bo, &g) == AMLS_OK, "%s: build: %s", what,
          amls_last_error());
    if (g == NULL)
        return;
    if (!via_file) {
        check_graph(g, &s, what);
        /* Partition file round trip. */
        long pid = (long)getpid();
        MPI_Bcast(&pid, 1, MPI_LONG, 0, MPI_COMM_WORLD);
        snprintf(path, sizeof path, "/tmp/amls-part-%ld.txt", pid);
        CHECK(amls_graph_write_partition(g, path) == AMLS_OK, "%s: write partition", what);
        amls_raw_graph raw2;
        amls_generate(MPI_COMM_WORLD, &s, &raw2);
        amls_build_opts bf = {.method = AMLS_PART_FILE, .part_file = path};
        amls_graph *g2 = NULL;
        CHECK(amls_graph_build(MPI_COMM_WORLD, &raw2, &bf, &g2) == AMLS_OK, "%s: build from file",
              what);
        if (g2) {
            CHECK(g2->lo == g->lo && g2->n_local == g->n_local, "%s: same ownership", what);
            int same = 1;
            for (int64_t i = 0; i < g->n_local && i < g2->n_local; i++)
                same &= g->orig[i] == g2->orig[i];
            CHECK(same, "%s: same vertices in the same order", what);
        }
        amls_graph_free(&g2);
        MPI_Barrier(MPI_COMM_WORLD);
        if (rank == 0)
            unlink(path);
    } else {
        amls_graph_stats st;
        CHECK(amls_graph_stats_get(g, &st) == AMLS_OK, "stats");
        /* Compare against the in-memory build of the same spec (isolated vertices aside). */
        amls_raw_graph r2;
        amls_generate(MPI_COMM_WORLD, &s, &r2);
        amls_graph *gm = NULL;
        amls_build_opts bh = {.method = AMLS_PART_HASH};
        amls_graph_build(MPI_COMM_WORLD, &r2, &bh, &gm);
        amls_graph_stats sm;
        amls_graph_stats_get(gm, &sm);
        CHECK(st.arcs == sm.arcs && st.self_loops == sm.self_loops,
              "%s: file round trip keeps %lld arcs (got %lld)", what, (long long)sm.arcs,
              (long long)st.arcs);
        CHECK(st.vertices == sm.vertices - sm.isolated, "%s: vertices %lld vs %lld", what,
              (long long)st.vertices, (long long)(sm.vertices - sm.isolated));
        amls_graph_free(&gm);
    }
    amls_graph_free(&g);
}

int main(int argc, char **argv)
{
    h_init(&argc, &argv);
    const char *specs[] = {"kron:scale=9,edge-factor=8,seed=5",
                           "uniform:scale=8,edge-factor=4,seed=2",
                           "grid:rows=13,cols=7,weighted=1"};
    amls_part_method ms[] = {AMLS_PART_METIS, AMLS_PART_HASH, AMLS_PART_RANGE};
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            run_case(specs[i], ms[j], false);
    run_case(specs[0], AMLS_PART_HASH, true);
    run_case(specs[1], AMLS_PART_METIS, true);
    return h_finish("test_graph_build");
}
