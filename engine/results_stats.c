/* ---------------------------------------------------------------------------------------------
 * engine/results_stats.c — run statistics as JSON (--stats): per superstep, totals, and every
 * rank's compute and communication time.
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#include "run_internal.h"

#include <stdio.h>

static void write_json(FILE *f, const amls_run *r, const double *rank_times, int nranks)
{
    fprintf(f,
            "{\n  \"program\": \"%s\",\n  \"ranks\": %d,\n  \"vertices\": %lld,\n"
            "  \"edges\": %lld,\n  \"supersteps\": %lld,\n  \"seconds\": %.6f,\n"
            "  \"messages\": %lld,\n  \"bytes\": %lld,\n  \"per_superstep\": [\n",
            r->p->name, nranks, (long long)r->g->n, (long long)r->g->edges,
            (long long)r->supersteps, r->seconds, (long long)r->messages, (long long)r->bytes);
    for (int64_t s = 0; s < r->nsteps; s++) {
        const amls_superstep_stats *st = &r->steps[s];
        fprintf(f,
                "    {\"superstep\": %lld, \"computed\": %lld, \"active\": %lld, \"messages\": "
                "%lld, \"bytes\": %lld, \"seconds\": %.6f, \"direction\": \"%s\"}%s\n",
                (long long)s, (long long)st->computed, (long long)st->active,
                (long long)st->messages, (long long)st->bytes, st->seconds,
                st->pull ? "pull" : "push", s + 1 < r->nsteps ? "," : "");
    }
    fprintf(f, "  ],\n  \"per_rank\": [\n");
    for (int q = 0; q < nranks; q++)
        fprintf(f, "    {\"rank\": %d, \"compute_seconds\": %.6f, \"comm_seconds\": %.6f}%s\n", q,
                rank_times[2 * q], rank_times[2 * q + 1], q + 1 < nranks ? "," : "");
    fprintf(f, "  ]\n}\n");
}

int amls__stats_write(const amls_run *r, const char *path, double compute_s, double comm_s)
{
    int rc = AMLS_OK;
    const amls_graph *g = r->g;
    double mine[2] = {compute_s, comm_s}, *all = NULL;
    if (g->rank == 0)
        all = amls__malloc(2 * (size_t)g->nranks, sizeof *all);
    AMLS_AGREE(g->comm, amls__alloc_status(g->rank != 0 || all != NULL));
    AMLS_MPI_TRY(MPI_Gather(mine, 2, MPI_DOUBLE, all, 2, MPI_DOUBLE, 0, g->comm));
    if (g->rank == 0) {
        FILE *f = fopen(path, "w");
        if (f) { /* statistics are best effort: a run does not fail for them */
            write_json(f, r, all, g->nranks);
            fclose(f);
        }
    }
cleanup:
    amls__free(all);
    return rc;
}
