/* ---------------------------------------------------------------------------------------------
 * algorithms/ref/sssp_ref.c — serial reference for SSSP: Dijkstra with a binary heap.
 * SPDX-License-Identifier: MIT
 *
 * Written independently of the vertex program and as simply as possible; it runs on one rank
 * over a gathered graph (amls_csr, vertices in original-id order) and backs --verify and the
 * tests.
 * ------------------------------------------------------------------------------------------- */
#include "algorithms_internal.h"

#include <math.h>

/* Binary heap of (distance, vertex) with lazy deletion. */
typedef struct hitem {
    double d;
    int64_t v;
} hitem;

int amls_ref_sssp(const amls_csr *c, const amls_param_value *params, double *dist, int64_t *i)
{
    (void)i;
    int64_t n = c->n, src = amls__ref_find(c, params[0].i), m = c->ptr[n];
    hitem *h = amls__malloc((size_t)m + 2, sizeof *h);
    if (h == NULL)
        return amls_error(AMLS_ERR_NOMEM, "out of memory");
    for (int64_t v = 0; v < n; v++)
        dist[v] = INFINITY;
    int64_t hn = 0;
    if (src >= 0) {
        dist[src] = 0;
        h[hn++] = (hitem){0, src};
    }
    while (hn > 0) {
        hitem top = h[0];
        h[0] = h[--hn];
        for (int64_t k = 0;;) { /* sift down */
            int64_t l = 2 * k + 1, r = l + 1, s = k;
            if (l < hn && h[l].d < h[s].d)
                s = l;
            if (r < hn && h[r].d < h[s].d)
                s = r;
            if (s == k)
                break;
            hitem t = h[k];
            h[k] = h[s];
            h[s] = t;
            k = s;
        }
        if (top.d > dist[top.v])
            continue;
        for (int64_t j = c->ptr[top.v]; j < c->ptr[top.v + 1]; j++) {
            double nd = top.d + (c->w ? c->w[j] : 1.0);
            int64_t t = c->col[j];
            if (nd < dist[t]) {
                dist[t] = nd;
                int64_t k = hn++;
                h[k] = (hitem){nd, t};
                while (k > 0 && h[(k - 1) / 2].d > h[k].d) { /* sift up */
                    hitem x = h[k];
                    h[k] = h[(k - 1) / 2];
                    h[(k - 1) / 2] = x;
                    k = (k - 1) / 2;
                }
            }
        }
    }
    amls__free(h);
    return AMLS_OK;
}
