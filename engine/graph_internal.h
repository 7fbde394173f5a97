/* ---------------------------------------------------------------------------------------------
 * engine/graph_internal.h — graph construction steps shared by the builder and the loaders.
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#pragma once

#include "amls/graph.h"

/* Completes a graph whose rows are set (out_ptr, and in_ptr for directed graphs with in-edges)
 * from global-id targets: ghosts and 32-bit columns, edge statistics, the plan, ghost ids.
 * Converts the gid arrays in place (the caller frees them). Collective. */
int amls__graph_finish(amls_graph *g, int64_t *gout, int64_t nout, int64_t *gin, int64_t nin);
