/* ---------------------------------------------------------------------------------------------
 * algorithms/variants.h — other algorithms for a built-in, kept for comparison, one line each:
 *     AMLS_VARIANT(ALGORITHM, NAME, description)
 * The vertex program is algorithms/ALGORITHM_NAME.c; `amls-graph ALGORITHM --variant NAME` runs
 * it instead of the default, with the same parameters, reference and comparison rule. The build
 * (algorithms/CMakeLists.txt) reads this file for the source list and the registry (registry.c)
 * for the table. No include guard: the includer defines AMLS_VARIANT.
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
AMLS_VARIANT(wcc, label, "min-label propagation: O(diameter) supersteps")
AMLS_VARIANT(sssp, bf, "Bellman-Ford: every improvement relaxes every out-edge at once")
