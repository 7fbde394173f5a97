/* ---------------------------------------------------------------------------------------------
 * include/amls/algorithms.h — the built-in vertex programs, their serial references and the
 * Graphalytics comparison rules.
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#pragma once

#include "amls/graph.h"
#include "amls/vprog.h"

#ifdef __cplusplus
extern "C" {
#endif

/* How two results are compared (LDBC Graphalytics validation rules). */
typedef enum amls_rule {
    AMLS_RULE_EXACT = 1,   /* BFS, CDLP: equal integers */
    AMLS_RULE_EQUIV = 2,   /* WCC: same grouping, any labels */
    AMLS_RULE_EPSILON = 3, /* PR, LCC, SSSP: |e - a| <= 1e-4 |e|, infinity matches infinity */
} amls_rule;

/* A serial reference: computes the expected result for every vertex of c (in c's order) as
 * doubles (f) or integers (i), from the already parsed parameter values. */
typedef int (*amls_ref_fn)(const amls_csr *c, const amls_param_value *params, double *f,
                           int64_t *i);

/* A built-in algorithm (algorithms/list.h). */
typedef struct amls_builtin {
    const char *name;
    const amls_vprog *(*get)(void);
    amls_ref_fn ref;
    amls_rule rule;
    /* Graphalytics .properties keys giving defaults for the program's parameters, in the
     * order of the descriptor's params (NULL: none). */
    const char *props_keys[4];
} amls_builtin;

/* The table of built-in algorithms (NULL-terminated) and lookup by name (NULL if absent). */
const amls_builtin *amls_builtins(void);
const amls_builtin *amls_builtin_find(const char *name);

/* The serial references are reached through the table (b->ref); their parameters are the
 * program's declared parameters in order, parsed as numbers (pagerank {damping, iterations};
 * bfs/sssp {source original id}; cdlp {iterations}; wcc, lcc none). */

/* Compares n values by rule; returns the number of mismatches and describes the first one in
 * msg. Local. */
int64_t amls_compare(amls_rule rule, int64_t n, const double *ef, const int64_t *ei,
                     const double *af, const int64_t *ai, const amls_vid *ids, char *msg,
                     size_t msglen);

#ifdef __cplusplus
}
#endif
