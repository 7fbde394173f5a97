/* ---------------------------------------------------------------------------------------------
 * linalg/la_internal.h — internal helpers of the linear-algebra path.
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#pragma once

#include "core.h"

#include "amls/linalg.h"

/* Reusable work space for SpMSpV (slots for owned + ghost columns, touched lists). */
typedef struct amls__spmspv_ws {
    const amls_graph *g;
    char *slot;       /* (n_local + n_ghost) * 8 bytes */
    uint8_t *has;     /* n_local + n_ghost */
    int64_t *touched; /* indices with has set */
    int64_t ntouched;
    int32_t *ghost_owner;
} amls__spmspv_ws;

int amls__spmspv_ws_new(const amls_graph *g, amls__spmspv_ws **ws);
void amls__spmspv_ws_free(amls__spmspv_ws **ws);
int amls__spmspv(amls__spmspv_ws *ws, const amls_semiring *sr, const int64_t *xi, const void *xv,
                 int64_t nx, int64_t **yi, void **yv, int64_t *ny);
/* Same, pushing along in-edges too when `both` (the undirected view of a directed graph). */
int amls__spmspv_dir(amls__spmspv_ws *ws, const amls_semiring *sr, const int64_t *xi,
                     const void *xv, int64_t nx, bool both, int64_t **yi, void **yv, int64_t *ny);

/* Appends one iteration to a solve's history (solve_info.c). Cannot fail: when memory runs out
 * the history stops growing and info->history_truncated says so. Local. */
void amls__history_push(amls_solve_info *info, double residual, double objective);
