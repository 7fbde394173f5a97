/* ---------------------------------------------------------------------------------------------
 * algorithms/list.h — the built-in algorithms, one line each. Adding an algorithm is its file,
 * algorithms/NAME.c (the vertex program, written like a plugin) with its serial reference
 * algorithms/ref/NAME_ref.c, and one line here:
 *     AMLS_ALGORITHM(NAME, RULE, properties keys of its parameters...)
 * RULE is how --verify and the tests compare results (amls_rule). The keys (NULL: none) name the
 * LDBC Graphalytics .properties entries that give defaults for the program's parameters, in the
 * order of its descriptor's params. The build (algorithms/CMakeLists.txt) reads this file for
 * the source list, the registry (registry.c) for the table, and the command line for its
 * commands. No include guard: the includer defines AMLS_ALGORITHM.
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
AMLS_ALGORITHM(pagerank, AMLS_RULE_EPSILON, "pr.damping-factor", "pr.num-iterations")
AMLS_ALGORITHM(wcc, AMLS_RULE_EQUIV, NULL)
AMLS_ALGORITHM(bfs, AMLS_RULE_EXACT, "bfs.source-vertex")
AMLS_ALGORITHM(sssp, AMLS_RULE_EPSILON, "sssp.source-vertex")
AMLS_ALGORITHM(cdlp, AMLS_RULE_EXACT, "cdlp.max-iterations")
AMLS_ALGORITHM(lcc, AMLS_RULE_EPSILON, NULL)
