/* ---------------------------------------------------------------------------------------------
 * algorithms/registry.c — the table of built-in algorithms. Each is registered through the
 * same descriptor a plugin exports (AMLS_VPROG_DEFINE with AMLS_BUILTIN).
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#include "amls/algorithms.h"

#include <string.h>

const amls_vprog *amls_builtin_pagerank(void);
const amls_vprog *amls_builtin_wcc(void);
const amls_vprog *amls_builtin_bfs(void);
const amls_vprog *amls_builtin_sssp(void);
const amls_vprog *amls_builtin_cdlp(void);
const amls_vprog *amls_builtin_lcc(void);

static const amls_builtin table[] = {
    {"pagerank",
     amls_builtin_pagerank,
     amls_ref_pagerank,
     AMLS_RULE_EPSILON,
     {"pr.damping-factor", "pr.num-iterations"}},
    {"wcc", amls_builtin_wcc, amls_ref_wcc, AMLS_RULE_EQUIV, {NULL}},
    {"bfs", amls_builtin_bfs, amls_ref_bfs, AMLS_RULE_EXACT, {"bfs.source-vertex"}},
    {"sssp", amls_builtin_sssp, amls_ref_sssp, AMLS_RULE_EPSILON, {"sssp.source-vertex"}},
    {"cdlp", amls_builtin_cdlp, amls_ref_cdlp, AMLS_RULE_EXACT, {"cdlp.max-iterations"}},
    {"lcc", amls_builtin_lcc, amls_ref_lcc, AMLS_RULE_EPSILON, {NULL}},
    {NULL, NULL, NULL, 0, {NULL}},
};

const amls_builtin *amls_builtins(void)
{
    return table;
}

const amls_builtin *amls_builtin_find(const char *name)
{
    for (const amls_builtin *b = table; b->name; b++)
        if (strcmp(b->name, name) == 0)
            return b;
    return NULL;
}
