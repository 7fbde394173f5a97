/* ---------------------------------------------------------------------------------------------
 * tests/mpi/test_run_nomem.c — running out of memory in the middle of a run. For BFS, SSSP,
 * PageRank and WCC (pushed and pulled) on a generated weighted Kronecker graph, the k-th
 * allocation of the engine fails on one rank, for every k until a run no longer reaches it:
 * each run either fails with AMLS_ERR_NOMEM on every rank (the others agree instead of
 * waiting) or completes, and then its result equals that of a run without the failure. A
 * hang fails the test by its timeout; under ASan the failed runs must not leak.
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#include "core.h"
#include "harness.h"

#include "amls/algorithms.h"
#include "amls/engine.h"

#include <string.h>

/* Runs p; on success gathers the values on rank 0 into *vals (owned by the caller). */
static int run(amls_graph *g, const amls_vprog *p, const char *const *pv, int dir, double **vals,
               int64_t **ids)
{
    amls_run_opts ro = {.quiet = true, .param_values = pv, .direction = dir};
    amls_run *r = NULL;
    int rc = amls_run_program(g, p, &ro, &r);
    *vals = NULL;
    *ids = NULL;
    if (rc == AMLS_OK)
        rc = amls_run_gather(r, 0, vals, ids);
    amls_run_free(&r);
    return rc;
}

/* The k-th allocation on rank k % nranks fails, for k = 0, 1, ... until a run completes. */
static void sweep(amls_graph *g, const char *algo, const char *const *pv, int dir)
{
    const amls_vprog *p = amls_builtin_find(algo)->get();
    double *want = NULL, *got = NULL;
    int64_t *wid = NULL, *gid = NULL, n = g->n;
    int np = 1;
    MPI_Comm_size(MPI_COMM_WORLD, &np);
    CHECK(run(g, p, pv, dir, &want, &wid) == AMLS_OK, "%s: %s", algo, amls_last_error());
    int rc = AMLS_ERR_NOMEM, failed = 0;
    for (int64_t k = 0; rc == AMLS_ERR_NOMEM && k < 100000; k++) {
        if (h_rank == k % np)
            amls__malloc_fail_after(k / np);
        if (getenv("NOMEM_VERBOSE") && h_rank == 0) /* which failure hung, if one does */
            fprintf(stderr, "%s k=%lld\n", algo, (long long)k);
        rc = run(g, p, pv, dir, &got, &gid);
        amls__malloc_fail_after(-1);
        int lo = rc, hi = rc;
        MPI_Allreduce(MPI_IN_PLACE, &lo, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
        MPI_Allreduce(MPI_IN_PLACE, &hi, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
        CHECK(lo == hi, "%s: failure %lld: ranks returned %d and %d", algo, (long long)k, lo, hi);
        CHECK(rc == AMLS_OK || rc == AMLS_ERR_NOMEM, "%s: failure %lld: status %d (%s)", algo,
              (long long)k, rc, amls_last_error());
        failed += rc != AMLS_OK;
        if (rc != AMLS_OK)
            continue;
        for (int64_t v = 0; h_rank == 0 && v < n; v++)
            CHECK(got[v] == want[v] && gid[v] == wid[v], "%s: after %lld failures, value %lld",
                  algo, (long long)k, (long long)wid[v]);
    }
    CHECK(rc == AMLS_OK && failed > 10, "%s: %d failed runs, the last status %d", algo, failed, rc);
    amls__free(want);
    amls__free(wid);
    amls__free(got);
    amls__free(gid);
}

int main(int argc, char **argv)
{
    h_init(&argc, &argv);
    amls_gen_spec s;
    amls_raw_graph raw = {0};
    CHECK(amls_gen_spec_parse("kron:scale=9,edge-factor=8,seed=3,weighted=1", &s) == AMLS_OK,
          "spec");
    CHECK(amls_generate(MPI_COMM_WORLD, &s, &raw) == AMLS_OK, "generate");
    amls_build_opts bo = {.method = AMLS_PART_HASH};
    amls_graph *g = NULL;
    CHECK(amls_graph_build(MPI_COMM_WORLD, &raw, &bo, &g) == AMLS_OK, "build");
    const char *src[] = {"3", NULL}, *sssp[] = {"3", "0", NULL}, *pr[] = {"0.85", "5", NULL};
    sweep(g, "bfs", src, AMLS_STEP_AUTO);
    sweep(g, "bfs", src, AMLS_STEP_PULL);
    sweep(g, "sssp", sssp, AMLS_STEP_AUTO);
    sweep(g, "pagerank", pr, AMLS_STEP_PULL);
    sweep(g, "wcc", NULL, AMLS_STEP_AUTO);
    amls_graph_free(&g);
    return h_finish("test_run_nomem");
}
