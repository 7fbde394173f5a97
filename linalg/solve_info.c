/* ---------------------------------------------------------------------------------------------
 * linalg/solve_info.c — what solvers report: the convergence history (one entry per
 * iteration) and the "solver" section of a statistics document.
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#include "la_internal.h"

#include <math.h>

void amls__history_push(amls_solve_info *info, double residual, double objective)
{
    if (info->history_truncated)
        return;
    if ((info->nhistory & (info->nhistory - 1)) == 0) { /* 0, 1, 2, 4, ...: grow */
        amls_solve_iter *h =
            amls__realloc(info->history, (size_t)AMLS_MAX(2 * info->nhistory, 16), sizeof *h);
        if (h == NULL) {
            info->history_truncated = true; /* a record, not a result: keep solving */
            return;
        }
        info->history = h;
    }
    info->history[info->nhistory++] = (amls_solve_iter){residual, objective};
}

void amls_solve_info_free(amls_solve_info *info)
{
    if (info == NULL)
        return;
    amls__free(info->history);
    info->history = NULL;
    info->nhistory = 0;
}

int amls_solve_stats(const amls_solve_info *info, const char *solver, amls_stats *st)
{
    int rc = AMLS_OK;
    bool logreg = strcmp(solver, "logreg") == 0, als = strcmp(solver, "als") == 0;
    const char *c1 = logreg ? "gradient_max" : als ? "train_rmse" : "residual";
    const char *c2 = logreg ? "loss" : als ? "test_rmse" : NULL;
    AMLS_TRY(amls_stats_set_str(st, "solver", "name", solver));
    AMLS_TRY(amls_stats_set_i64(st, "solver", "iterations", info->iterations));
    AMLS_TRY(amls_stats_set_f64(st, "solver", "residual", info->residual));
    AMLS_TRY(amls_stats_set_f64(st, "solver", "objective", info->objective));
    AMLS_TRY(amls_stats_set_bool(st, "solver", "converged", info->converged));
    if (info->stop_reason)
        AMLS_TRY(amls_stats_set_str(st, "solver", "stop_reason", info->stop_reason));
    AMLS_TRY(amls_stats_set_f64(st, "solver", "seconds", info->seconds));
    AMLS_TRY(amls_stats_set_bool(st, "solver", "history_truncated", info->history_truncated));
    for (int64_t k = 0; k < info->nhistory; k++) {
        amls_stats_field row[3] = {AMLS_STATS_FIELD_I64("iteration", k),
                                   AMLS_STATS_FIELD_F64(c1, info->history[k].residual),
                                   AMLS_STATS_FIELD_F64(c2, info->history[k].objective)};
        AMLS_TRY(amls_stats_append(st, "solver", "history", row, c2 ? 3 : 2));
    }
cleanup:
    return rc;
}
