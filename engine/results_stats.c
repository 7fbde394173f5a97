/* ---------------------------------------------------------------------------------------------
 * engine/results_stats.c — a run's statistics (amls/stats.h): totals, one row per superstep
 * with every rank's compute and communication time, and per-rank totals.
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#include "run_internal.h"

/* The totals of the run section. Local (rank 0's values are written). */
static int run_totals(const amls_run *r, amls_stats *st)
{
    int rc = AMLS_OK;
    const amls_vprog *p = r->p;
    AMLS_TRY(amls_stats_set_str(st, "run", "engine", "vertex"));
    AMLS_TRY(amls_stats_set_str(st, "run", "program", p->name));
    AMLS_TRY(amls_stats_set_pairs(st, "run", "parameters", r->params));
    AMLS_TRY(amls_stats_set_i64(st, "run", "first_superstep", r->first_superstep));
    AMLS_TRY(amls_stats_set_i64(st, "run", "supersteps", r->supersteps));
    AMLS_TRY(amls_stats_set_f64(st, "run", "seconds", r->seconds));
    AMLS_TRY(amls_stats_set_f64(st, "time", "run_seconds", r->seconds));
    AMLS_TRY(amls_stats_set_i64(st, "run", "messages", r->messages));
    AMLS_TRY(amls_stats_set_i64(st, "run", "bytes", r->bytes));
    AMLS_TRY(amls_stats_set_bool(st, "run", "combiner", r->combined));
cleanup:
    return rc;
}

/* One row per superstep; times[(q * nsteps + k) * 2 + {0,1}] is rank q's compute and
 * communication time in step k. Local (rank 0). */
static int run_rows(const amls_run *r, amls_stats *st, const double *times, int nranks)
{
    int rc = AMLS_OK;
    double *comp = NULL, *comm = NULL;
    AMLS_ALLOC(comp, nranks);
    AMLS_ALLOC(comm, nranks);
    for (int64_t k = 0; k < r->nsteps; k++) {
        const amls_superstep_stats *s = &r->steps[k];
        for (int q = 0; q < nranks; q++) {
            comp[q] = times[((size_t)q * (size_t)r->nsteps + (size_t)k) * 2];
            comm[q] = times[((size_t)q * (size_t)r->nsteps + (size_t)k) * 2 + 1];
        }
        const amls_stats_field row[] = {
            AMLS_STATS_FIELD_I64("superstep", r->first_superstep + k),
            AMLS_STATS_FIELD_I64("computed", s->computed),
            AMLS_STATS_FIELD_I64("active", s->active),
            AMLS_STATS_FIELD_I64("messages", s->messages),
            AMLS_STATS_FIELD_I64("bytes", s->bytes),
            AMLS_STATS_FIELD_F64("seconds", s->seconds),
            {.name = "compute_seconds", .kind = AMLS_STATS_F64_ARRAY, .fa = comp, .n = nranks},
            {.name = "comm_seconds", .kind = AMLS_STATS_F64_ARRAY, .fa = comm, .n = nranks},
        };
        AMLS_TRY(amls_stats_append(st, "run", "per_superstep", row, 8));
    }
cleanup:
    amls__free(comp);
    amls__free(comm);
    return rc;
}

/* Every rank's compute and communication time per superstep, gathered on rank 0 (*all is
 * allocated there). Collective. */
static int gather_times(const amls_run *r, double **all)
{
    int rc = AMLS_OK;
    const amls_graph *g = r->g;
    int64_t n = r->nsteps;
    double *mine = NULL;
    *all = NULL;
    AMLS_CHECK(2 * n < INT32_MAX, AMLS_ERR_UNSUPPORTED, "too many supersteps for statistics");
    mine = amls__malloc(2 * (size_t)n + 1, sizeof *mine);
    if (g->rank == 0)
        *all = amls__malloc(2 * (size_t)n * (size_t)g->nranks + 1, sizeof **all);
    AMLS_AGREE(g->comm, amls__alloc_status(mine != NULL && (g->rank != 0 || *all != NULL)));
    for (int64_t k = 0; k < n; k++) {
        mine[2 * k] = r->steps[k].compute_seconds;
        mine[2 * k + 1] = r->steps[k].comm_seconds;
    }
    AMLS_MPI_TRY(
        MPI_Gather(mine, (int)(2 * n), MPI_DOUBLE, *all, (int)(2 * n), MPI_DOUBLE, 0, g->comm));
cleanup:
    amls__free(mine);
    if (rc < 0) {
        amls__free(*all);
        *all = NULL;
    }
    return rc;
}

int amls_run_stats(const amls_run *r, amls_stats *st)
{
    int rc = AMLS_OK;
    const amls_graph *g = r->g;
    double *all = NULL;
    AMLS_TRY(gather_times(r, &all));
    if (g->rank == 0) {
        rc = run_totals(r, st);
        rc = rc < 0 ? rc : run_rows(r, st, all, g->nranks);
    }
    AMLS_AGREE(g->comm, rc);
    AMLS_TRY(amls_stats_set_ranks_f64(st, "run", "compute_seconds", r->compute_seconds));
    AMLS_TRY(amls_stats_set_ranks_f64(st, "run", "comm_seconds", r->comm_seconds));
cleanup:
    amls__free(all);
    return rc;
}

int amls__stats_write(const amls_run *r, const char *path)
{
    int rc = AMLS_OK;
    amls_stats *st = NULL;
    AMLS_AGREE(r->g->comm, amls_stats_new(r->g->comm, r->p->name, &st));
    AMLS_TRY(amls_run_stats(r, st));
    AMLS_TRY(amls_stats_add_memory(st));
    AMLS_TRY(amls_stats_write(st, path));
cleanup:
    amls_stats_free(&st);
    return rc;
}
