/* ---------------------------------------------------------------------------------------------
 * algorithms/ref/compare.c — comparing two results by the LDBC Graphalytics validation rules:
 * exact, equivalence (same grouping, any labels) and epsilon (relative error 1e-4).
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#include "algorithms_internal.h"

#include <math.h>
#include <stdio.h>

int64_t amls_compare(amls_rule rule, int64_t n, const double *ef, const int64_t *ei,
                     const double *af, const int64_t *ai, const amls_vid *ids, char *msg,
                     size_t msglen)
{
    int64_t bad = 0;
    msg[0] = '\0';
    if (rule == AMLS_RULE_EQUIV) {
        /* Same grouping: the map expected label -> actual label must be a bijection. Sort
         * (expected, actual) pairs and check both directions. */
        uint64_t *k = amls__malloc((size_t)n + 1, sizeof *k),
                 *v = amls__malloc((size_t)n + 1, sizeof *v);
        if (k == NULL || v == NULL) {
            amls__free(k);
            amls__free(v);
            snprintf(msg, msglen, "out of memory comparing");
            return n + 1;
        }
        for (int dir = 0; dir < 2; dir++) {
            for (int64_t x = 0; x < n; x++) {
                k[x] = (uint64_t)(dir ? ai[x] : ei[x]) ^ ((uint64_t)1 << 63);
                v[x] = (uint64_t)x;
            }
            amls__sort_u64(k, v, (size_t)n);
            for (int64_t x = 1; x < n; x++) {
                int64_t a = (int64_t)v[x - 1], b = (int64_t)v[x];
                if (k[x] == k[x - 1] && (dir ? ei[a] != ei[b] : ai[a] != ai[b])) {
                    if (bad++ == 0)
                        snprintf(msg, msglen,
                                 "vertices %lld and %lld share a component in the %s result "
                                 "but not in the %s one",
                                 (long long)ids[a], (long long)ids[b], dir ? "actual" : "expected",
                                 dir ? "expected" : "actual");
                }
            }
        }
        amls__free(k);
        amls__free(v);
        return bad;
    }
    for (int64_t x = 0; x < n; x++) {
        bool ok;
        if (rule == AMLS_RULE_EXACT) {
            ok = ei[x] == ai[x];
        } else {
            double e = ef[x], a = af[x];
            if (isinf(e) || isinf(a))
                ok = e == a;
            else
                ok = fabs(e - a) <= 1e-4 * fabs(e);
        }
        if (!ok && bad++ == 0) {
            if (rule == AMLS_RULE_EXACT)
                snprintf(msg, msglen, "vertex %lld: expected %lld, got %lld", (long long)ids[x],
                         (long long)ei[x], (long long)ai[x]);
            else
                snprintf(msg, msglen, "vertex %lld: expected %.15g, got %.15g", (long long)ids[x],
                         ef[x], af[x]);
        }
    }
    return bad;
}
