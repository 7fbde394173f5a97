/* ---------------------------------------------------------------------------------------------
 * io/raw_graph.c — the raw-graph container every reader and generator fills: this rank's edges
 * as (original source, original target, weight) before renumbering, and writing them back out.
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#include "io_internal.h"

#include <stdio.h>

void amls_raw_graph_free(amls_raw_graph *g)
{
    if (g == NULL)
        return;
    amls__free(g->src);
    amls__free(g->dst);
    amls__free(g->w);
    amls__free(g->vlist);
    amls__free(g->props);
    memset(g, 0, sizeof *g);
}

void amls__raw_graph_trim(amls_raw_graph *g)
{
    if (!g->weighted) {
        amls__free(g->w);
        g->w = NULL;
    }
}

/* Grows one edge array to ncap elements of esz bytes. */
static int grow(void **a, int64_t ncap, size_t esz)
{
    void *n = amls__realloc(*a, (size_t)ncap, esz);
    if (n == NULL)
        return amls_error(AMLS_ERR_NOMEM, "out of memory storing %lld edges", (long long)ncap);
    *a = n;
    return AMLS_OK;
}

int amls_raw_graph_push(amls_raw_graph *g, amls_vid u, amls_vid v, double w)
{
    int rc = AMLS_OK;
    if (g->nedges == g->cap) {
        int64_t ncap = g->cap ? 2 * g->cap : 4096;
        AMLS_TRY(grow((void **)&g->src, ncap, sizeof *g->src));
        AMLS_TRY(grow((void **)&g->dst, ncap, sizeof *g->dst));
        AMLS_TRY(grow((void **)&g->w, ncap, sizeof *g->w));
        g->cap = ncap;
    }
    g->src[g->nedges] = u;
    g->dst[g->nedges] = v;
    g->w[g->nedges] = w;
    g->nedges++;
cleanup:
    return rc;
}

/* This rank's edges as "src dst[ weight]" lines. Local. */
static int format_edges(const amls_raw_graph *g, amls__vec *out)
{
    int rc = AMLS_OK;
    AMLS_TRY(amls__vec_reserve(out, (size_t)g->nedges * 24 + 64));
    for (int64_t e = 0; e < g->nedges; e++) {
        char line[96];
        int n = g->w ? snprintf(line, sizeof line, "%lld %lld %.17g\n", (long long)g->src[e],
                                (long long)g->dst[e], g->w[e])
                     : snprintf(line, sizeof line, "%lld %lld\n", (long long)g->src[e],
                                (long long)g->dst[e]);
        AMLS_TRY(amls__vec_append(out, line, (size_t)n));
    }
cleanup:
    return rc;
}

int amls_raw_graph_write(MPI_Comm comm, const char *path, const amls_raw_graph *g)
{
    int rc = AMLS_OK;
    amls__vec out;
    amls__vec_init(&out, 1);
    AMLS_AGREE(comm, format_edges(g, &out));
    AMLS_TRY(amls_write_text(comm, path, out.data, out.len, false));
cleanup:
    amls__vec_free(&out);
    return rc;
}
