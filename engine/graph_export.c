/* ---------------------------------------------------------------------------------------------
 * engine/graph_export.c — a distributed graph written back as text: an edge list ("u v [w]",
 * original ids), delimited text with a header ("source,target[,weight]"), or Matrix Market
 * (vertex i = the i-th in original-id order, 1-based; general for a directed graph, symmetric
 * with the lower triangle for an undirected one). Lines come in original-id order of their
 * source, then of their target, whatever the partition; an undirected edge is written once.
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#include "graph_internal.h"

#include <stdio.h>
#include <stdlib.h>

typedef struct nbr {
    int64_t key; /* original id (edge lists) or dense id (Matrix Market) */
    double w;
} nbr;

static int by_key(const void *a, const void *b)
{
    int64_t x = ((const nbr *)a)->key, y = ((const nbr *)b)->key;
    return (x > y) - (x < y);
}

typedef struct export_ctx {
    const amls_graph *g;
    amls_format fmt;
    const int64_t *dn; /* dense ids of owned and ghost vertices (Matrix Market) */
    amls__vec text;    /* the lines of every owned vertex, one after the other */
    int64_t *len, *off;
    int64_t entries;
} export_ctx;

/* The lines of owned vertex v: its out-neighbours (once per undirected edge), sorted. */
static int vertex_lines(export_ctx *x, int64_t v, nbr *row)
{
    int rc = AMLS_OK;
    const amls_graph *g = x->g;
    bool mtx = x->fmt == AMLS_FORMAT_MTX;
    int64_t me = mtx ? x->dn[v] : g->orig[v], k = 0;
    for (int64_t j = g->out_ptr[v]; j < g->out_ptr[v + 1]; j++) {
        int64_t t = g->out_col[j], key = mtx ? x->dn[t] : amls_graph_orig(g, t);
        /* Undirected: the lower triangle (Matrix Market), the pair with u <= v (edge lists). */
        if (!g->directed && (mtx ? key > me : key < me))
            continue;
        row[k++] = (nbr){key, g->out_w ? g->out_w[j] : 1.0};
    }
    qsort(row, (size_t)k, sizeof *row, by_key);
    x->off[v] = (int64_t)x->text.len;
    for (int64_t i = 0; i < k; i++) {
        char line[96];
        char sep = x->fmt == AMLS_FORMAT_CSV ? ',' : ' ';
        int n = mtx ? snprintf(line, sizeof line, "%lld %lld", (long long)me + 1,
                               (long long)row[i].key + 1)
                    : snprintf(line, sizeof line, "%lld%c%lld", (long long)me, sep,
                               (long long)row[i].key);
        if (g->weighted)
            n += snprintf(line + n, sizeof line - (size_t)n, "%c%.17g", sep, row[i].w);
        line[n++] = '\n';
        AMLS_TRY(amls__vec_append(&x->text, line, (size_t)n));
    }
    x->len[v] = (int64_t)x->text.len - x->off[v];
    x->entries += k;
cleanup:
    return rc;
}

/* Every owned vertex's lines. Local. */
static int format_rows(export_ctx *x)
{
    int rc = AMLS_OK;
    const amls_graph *g = x->g;
    int64_t maxdeg = 0;
    nbr *row = NULL;
    for (int64_t v = 0; v < g->n_local; v++)
        maxdeg = AMLS_MAX(maxdeg, g->out_ptr[v + 1] - g->out_ptr[v]);
    AMLS_ALLOC(row, maxdeg + 1);
    AMLS_ALLOC(x->len, g->n_local + 1);
    AMLS_ALLOC(x->off, g->n_local + 1);
    for (int64_t v = 0; v < g->n_local; v++)
        AMLS_TRY(vertex_lines(x, v, row));
cleanup:
    amls__free(row);
    return rc;
}

/* Rank 0's first lines: the Matrix Market banner and size line, or the CSV header. */
static int header(const export_ctx *x, int64_t entries, const char *source, amls__vec *out)
{
    const amls_graph *g = x->g;
    char h[1400];
    int n = 0;
    if (x->fmt == AMLS_FORMAT_CSV)
        n = snprintf(h, sizeof h, "source,target%s\n", g->weighted ? ",weight" : "");
    else if (x->fmt == AMLS_FORMAT_MTX)
        n = snprintf(h, sizeof h,
                     "%%%%MatrixMarket matrix coordinate %s %s\n"
                     "%% written by amls-graph from %.1024s: index i is the i-th vertex in "
                     "original-id order\n%lld %lld %lld\n",
                     g->weighted ? "real" : "pattern", g->directed ? "general" : "symmetric",
                     source ? source : "a graph", (long long)g->n, (long long)g->n,
                     (long long)entries);
    return n > 0 ? amls__vec_append(out, h, (size_t)n) : AMLS_OK;
}

int amls_graph_write_edges(const amls_graph *g, const char *path, amls_format fmt,
                           const char *source)
{
    int rc = AMLS_OK;
    int64_t *blen = NULL, btot = 0, entries = 0;
    char *bdata = NULL;
    export_ctx x = {.g = g, .fmt = fmt};
    int64_t *dn = NULL;
    amls__vec out;
    amls__vec_init(&x.text, 1);
    amls__vec_init(&out, 1);
    AMLS_CHECK(fmt == AMLS_FORMAT_EDGELIST || fmt == AMLS_FORMAT_CSV || fmt == AMLS_FORMAT_MTX,
               AMLS_ERR_UNSUPPORTED, "%s: graphs are written as edgelist, csv or mtx", path);
    if (fmt == AMLS_FORMAT_MTX) {
        dn = amls__malloc((size_t)(g->n_local + g->n_ghost) + 1, sizeof *dn);
        AMLS_AGREE(g->comm, amls__alloc_status(dn != NULL));
        memcpy(dn, g->dense, (size_t)g->n_local * sizeof *dn);
        AMLS_TRY(amls__plan_gather(g, dn, sizeof *dn));
        x.dn = dn;
    }
    AMLS_AGREE(g->comm, format_rows(&x));
    entries = x.entries;
    AMLS_TRY(amls__allreduce_i64(g->comm, &entries, 1, MPI_SUM));
    AMLS_TRY(amls__to_dense_order_var(g, x.len, x.off, x.text.data ? x.text.data : "", &blen,
                                      &bdata, &btot));
    AMLS_AGREE(g->comm, g->rank == 0 ? header(&x, entries, source, &out) : AMLS_OK);
    AMLS_AGREE(g->comm, amls__vec_append(&out, bdata, (size_t)btot));
    AMLS_TRY(amls_write_text(g->comm, path, out.data ? out.data : "", out.len, false));
cleanup:
    amls__free(dn);
    amls__free(blen);
    amls__free(bdata);
    amls__free(x.len);
    amls__free(x.off);
    amls__vec_free(&x.text);
    amls__vec_free(&out);
    return rc;
}
