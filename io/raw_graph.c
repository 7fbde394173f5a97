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
    amls__free(g->src32);
    amls__free(g->dst32);
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

/* A compact graph meets an id that does not fit 32 bits: its ids become 64-bit. Local. */
static int widen(amls_raw_graph *g)
{
    int rc = AMLS_OK;
    AMLS_TRY(grow((void **)&g->src, AMLS_MAX(g->cap, (int64_t)1), sizeof *g->src));
    AMLS_TRY(grow((void **)&g->dst, AMLS_MAX(g->cap, (int64_t)1), sizeof *g->dst));
    for (int64_t e = 0; e < g->nedges; e++) {
        g->src[e] = g->src32[e];
        g->dst[e] = g->dst32[e];
    }
    amls__free(g->src32);
    amls__free(g->dst32);
    g->src32 = g->dst32 = NULL;
cleanup:
    return rc;
}

/* A compact graph's first weight other than 1: the weights are stored from now on. Local. */
static int keep_weights(amls_raw_graph *g)
{
    int rc = AMLS_OK;
    AMLS_TRY(grow((void **)&g->w, AMLS_MAX(g->cap, (int64_t)1), sizeof *g->w));
    for (int64_t e = 0; e < g->nedges; e++)
        g->w[e] = 1.0;
cleanup:
    return rc;
}

/* Room for one more edge. Local. */
static int make_room(amls_raw_graph *g)
{
    int rc = AMLS_OK;
    int64_t ncap = g->cap ? 2 * g->cap : 4096;
    bool narrow = g->compact && g->src == NULL;
    if (narrow) {
        AMLS_TRY(grow((void **)&g->src32, ncap, sizeof *g->src32));
        AMLS_TRY(grow((void **)&g->dst32, ncap, sizeof *g->dst32));
    } else {
        AMLS_TRY(grow((void **)&g->src, ncap, sizeof *g->src));
        AMLS_TRY(grow((void **)&g->dst, ncap, sizeof *g->dst));
    }
    if (!g->compact || g->w != NULL)
        AMLS_TRY(grow((void **)&g->w, ncap, sizeof *g->w));
    g->cap = ncap;
cleanup:
    return rc;
}

int amls_raw_graph_push(amls_raw_graph *g, amls_vid u, amls_vid v, double w)
{
    int rc = AMLS_OK;
    if (g->nedges == g->cap)
        AMLS_TRY(make_room(g));
    if (g->compact && g->w == NULL && w != 1.0)
        AMLS_TRY(keep_weights(g));
    if (g->src32 != NULL && ((uint64_t)u > UINT32_MAX || (uint64_t)v > UINT32_MAX))
        AMLS_TRY(widen(g));
    if (g->src32 != NULL) {
        g->src32[g->nedges] = (uint32_t)u;
        g->dst32[g->nedges] = (uint32_t)v;
    } else {
        g->src[g->nedges] = u;
        g->dst[g->nedges] = v;
    }
    if (g->w != NULL)
        g->w[g->nedges] = w;
    g->nedges++;
cleanup:
    return rc;
}

int amls__raw_graph_shift_src(amls_raw_graph *g, int64_t by)
{
    int rc = AMLS_OK;
    uint32_t top = 0;
    for (int64_t e = 0; g->src32 != NULL && e < g->nedges; e++)
        top = AMLS_MAX(top, g->src32[e]);
    if (g->src32 != NULL && (uint64_t)top + (uint64_t)by > UINT32_MAX)
        AMLS_TRY(widen(g));
    for (int64_t e = 0; e < g->nedges; e++) {
        if (g->src32 != NULL)
            g->src32[e] += (uint32_t)by;
        else
            g->src[e] += by;
    }
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
        long long u = amls_raw_src(g, e), v = amls_raw_dst(g, e);
        int n = g->weighted
                    ? snprintf(line, sizeof line, "%lld %lld %.17g\n", u, v, amls_raw_w(g, e))
                    : snprintf(line, sizeof line, "%lld %lld\n", u, v);
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
