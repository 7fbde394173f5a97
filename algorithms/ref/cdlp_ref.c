/* ---------------------------------------------------------------------------------------------
 * algorithms/ref/cdlp_ref.c — serial reference for CDLP: synchronous label propagation, sorting the
 * neighbours' labels. SPDX-License-Identifier: MIT
 *
 * Written independently of the vertex program and as simply as possible; it runs on one rank
 * over a gathered graph (amls_csr, vertices in original-id order) and backs --verify and the
 * tests.
 * ------------------------------------------------------------------------------------------- */
#include "algorithms_internal.h"

#include <stdlib.h>

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

int amls_ref_cdlp(const amls_csr *c, const amls_param_value *params, double *f, int64_t *lab)
{
    (void)f;
    int64_t n = c->n, iters = params[0].i, m = c->ptr[n];
    int64_t *old = amls__malloc((size_t)n + 1, sizeof *old);
    int64_t *buf = amls__malloc(2 * (size_t)m + 1, sizeof *buf);
    if (old == NULL || buf == NULL) {
        amls__free(old);
        amls__free(buf);
        return amls_error(AMLS_ERR_NOMEM, "out of memory");
    }
    for (int64_t v = 0; v < n; v++)
        lab[v] = c->orig[v];
    for (int64_t it = 0; it < iters; it++) {
        memcpy(old, lab, (size_t)n * sizeof *old);
        for (int64_t v = 0; v < n; v++) {
            int64_t k = 0;
            for (int64_t j = c->ptr[v]; j < c->ptr[v + 1]; j++)
                buf[k++] = old[c->col[j]];
            if (c->directed)
                for (int64_t j = c->iptr[v]; j < c->iptr[v + 1]; j++)
                    buf[k++] = old[c->icol[j]];
            if (k == 0)
                continue;
            qsort(buf, (size_t)k, sizeof *buf, cmp_i64);
            int64_t best = buf[0], bc = 0;
            for (int64_t a = 0; a < k;) {
                int64_t b = a;
                while (b < k && buf[b] == buf[a])
                    b++;
                if (b - a > bc) {
                    bc = b - a;
                    best = buf[a];
                }
                a = b;
            }
            lab[v] = best;
        }
    }
    amls__free(old);
    amls__free(buf);
    return AMLS_OK;
}
