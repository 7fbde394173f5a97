/* ---------------------------------------------------------------------------------------------
 * engine/graph_query.c — what can be asked of a built graph: statistics, its partition as a
 * file, an original id's engine id, and the whole graph gathered on one rank.
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#include "graph_internal.h"

#include <stdio.h>

int amls__part_of(const amls_graph *g, int64_t gid)
{
    return amls__owner_of(g->part_off, g->nparts, gid);
}

/* In-degrees (owned and ghost entries) and the local edge cut, with the part of every local
 * index looked up once. Local. */
static int local_degrees(const amls_graph *g, int64_t *indeg, int64_t *maxout, int64_t *cut)
{
    int rc = AMLS_OK;
    int32_t *part = NULL;
    AMLS_ALLOC(part, g->n_local + g->n_ghost + 1);
    for (int64_t i = 0; i < g->n_local + g->n_ghost; i++)
        part[i] = amls__part_of(g, amls_graph_gid(g, i));
    for (int64_t i = 0; i < g->n_local; i++) {
        *maxout = AMLS_MAX(*maxout, g->out_ptr[i + 1] - g->out_ptr[i]);
        for (int64_t j = g->out_ptr[i]; j < g->out_ptr[i + 1]; j++) {
            uint32_t t = g->out_col[j];
            indeg[t]++;
            *cut += part[t] != part[i];
        }
    }
cleanup:
    amls__free(part);
    return rc;
}

int amls_graph_stats_get(const amls_graph *g, amls_graph_stats *st)
{
    int rc = AMLS_OK;
    int64_t *indeg = NULL, maxout = 0, cut = 0, maxin = 0, iso = 0;
    memset(st, 0, sizeof *st);
    st->vertices = g->n;
    st->edges = g->edges;
    st->arcs = g->arcs;
    st->self_loops = g->self_loops;
    st->edges_read = g->edges_read;
    st->nparts = g->nparts;
    indeg = amls__calloc((size_t)(g->n_local + g->n_ghost) + 1, sizeof *indeg);
    AMLS_AGREE(g->comm, indeg ? local_degrees(g, indeg, &maxout, &cut) : amls__alloc_status(false));
    AMLS_TRY(amls__plan_reduce_i64(g, indeg));
    for (int64_t i = 0; i < g->n_local; i++) {
        maxin = AMLS_MAX(maxin, indeg[i]);
        if (indeg[i] == 0 && g->out_ptr[i + 1] == g->out_ptr[i])
            iso++;
    }
    int64_t gmax[5] = {maxout, maxin, g->n_ghost, g->out_ptr[g->n_local], g->n_local};
    int64_t gsum[2] = {cut, iso};
    AMLS_TRY(amls__allreduce_i64(g->comm, gmax, 5, MPI_MAX));
    AMLS_TRY(amls__allreduce_i64(g->comm, gsum, 2, MPI_SUM));
    st->max_out_degree = gmax[0];
    st->max_in_degree = gmax[1];
    st->ghosts_max = gmax[2];
    st->edge_cut = g->directed ? gsum[0] : gsum[0] / 2;
    st->isolated = gsum[1];
    int64_t maxpart = 0;
    for (int p = 0; p < g->nparts; p++)
        maxpart = AMLS_MAX(maxpart, g->part_off[p + 1] - g->part_off[p]);
    st->imbalance = g->n > 0 ? (double)maxpart * g->nparts / (double)g->n : 1.0;
    st->edge_imbalance = g->arcs > 0 ? (double)gmax[3] * g->nranks / (double)g->arcs : 1.0;
    st->vertex_imbalance = g->n > 0 ? (double)gmax[4] * g->nranks / (double)g->n : 1.0;
cleanup:
    amls__free(indeg);
    return rc;
}

/* One "part" line per vertex of this rank's directory block. Local. */
static int format_parts(int64_t nb, const int32_t *ordered, amls__vec *txt)
{
    int rc = AMLS_OK;
    AMLS_TRY(amls__vec_reserve(txt, (size_t)nb * 8 + 16));
    for (int64_t i = 0; i < nb; i++) {
        char line[24];
        int n = snprintf(line, sizeof line, "%d\n", (int)ordered[i]);
        AMLS_TRY(amls__vec_append(txt, line, (size_t)n));
    }
cleanup:
    return rc;
}

int amls_graph_write_partition(const amls_graph *g, const char *path)
{
    int rc = AMLS_OK;
    int32_t *part = NULL, *ordered = NULL;
    amls__vec txt;
    amls__vec_init(&txt, 1);
    part = amls__malloc((size_t)g->n_local + 1, sizeof *part);
    AMLS_AGREE(g->comm, amls__alloc_status(part != NULL));
    for (int64_t i = 0; i < g->n_local; i++)
        part[i] = amls__part_of(g, g->lo + i);
    AMLS_TRY(amls__to_dense_order(g, part, sizeof *part, (void **)&ordered));
    AMLS_AGREE(g->comm, format_parts(g->dir_off[g->rank + 1] - g->dir_off[g->rank], ordered, &txt));
    AMLS_TRY(amls_write_text(g->comm, path, txt.data, txt.len, false));
cleanup:
    amls__free(part);
    amls__free(ordered);
    amls__vec_free(&txt);
    return rc;
}

int amls_graph_find(const amls_graph *g, amls_vid orig, int64_t *gid)
{
    int rc = AMLS_OK;
    int64_t res = -1;
    for (int64_t i = 0; i < g->n_local; i++)
        if (g->orig[i] == orig) {
            res = g->lo + i;
            break;
        }
    AMLS_TRY(amls__allreduce_i64(g->comm, &res, 1, MPI_MAX));
cleanup:
    *gid = res;
    return rc;
}

int amls_graph_gather_ids(const amls_graph *g, int root, amls_vid **ids)
{
    return amls__gather_dense(g, root, g->orig, sizeof *g->orig, (void **)ids);
}

int amls_graph_to_dense_order(const amls_graph *g, const void *vals, size_t vsz, void **out)
{
    return amls__to_dense_order(g, vals, vsz, out);
}

void amls_csr_free(amls_csr *c)
{
    if (c == NULL)
        return;
    amls__free(c->orig);
    amls__free(c->ptr);
    amls__free(c->col);
    amls__free(c->w);
    amls__free(c->iptr);
    amls__free(c->icol);
    amls__free(c->iw);
    memset(c, 0, sizeof *c);
}

/* Transposes a CSR (n vertices) into iptr/icol/iw. */
static int transpose(amls_csr *c)
{
    int rc = AMLS_OK;
    int64_t n = c->n, m = c->ptr[n];
    int64_t *fill = NULL;
    AMLS_CALLOC(c->iptr, n + 1);
    AMLS_ALLOC(c->icol, m + 1);
    if (c->w)
        AMLS_ALLOC(c->iw, m + 1);
    AMLS_ALLOC(fill, n + 1);
    for (int64_t j = 0; j < m; j++)
        c->iptr[c->col[j] + 1]++;
    for (int64_t i = 0; i < n; i++)
        c->iptr[i + 1] += c->iptr[i];
    memcpy(fill, c->iptr, (size_t)(n + 1) * sizeof *fill);
    for (int64_t u = 0; u < n; u++)
        for (int64_t j = c->ptr[u]; j < c->ptr[u + 1]; j++) {
            int64_t k = fill[c->col[j]]++;
            c->icol[k] = u;
            if (c->w)
                c->iw[k] = c->w[j];
        }
cleanup:
    amls__free(fill);
    return rc;
}

/* This rank's part of the gathered graph: per owned vertex (dense, orig, degree), per edge the
 * target's original id and the weight. */
typedef struct gather_part {
    int64_t *vrec, *erec;
    double *ew;
    int nv, ne;
} gather_part;

static int pack_gather(const amls_graph *g, gather_part *p)
{
    int rc = AMLS_OK;
    int64_t m_local = g->out_ptr[g->n_local];
    AMLS_CHECK(3 * g->n + g->arcs < INT32_MAX, AMLS_ERR_UNSUPPORTED,
               "graph too large to gather on one rank for verification");
    AMLS_ALLOC(p->vrec, 3 * g->n_local + 1);
    AMLS_ALLOC(p->erec, m_local + 1);
    AMLS_ALLOC(p->ew, m_local + 1);
    for (int64_t i = 0; i < g->n_local; i++) {
        p->vrec[3 * i] = g->dense[i];
        p->vrec[3 * i + 1] = g->orig[i];
        p->vrec[3 * i + 2] = g->out_ptr[i + 1] - g->out_ptr[i];
        for (int64_t j = g->out_ptr[i]; j < g->out_ptr[i + 1]; j++) {
            p->erec[j] = amls_graph_orig(g, g->out_col[j]);
            p->ew[j] = g->out_w ? g->out_w[j] : 1.0;
        }
    }
    p->nv = (int)(3 * g->n_local);
    p->ne = (int)m_local;
cleanup:
    return rc;
}

static void gather_part_free(gather_part *p)
{
    amls__free(p->vrec);
    amls__free(p->erec);
    amls__free(p->ew);
    memset(p, 0, sizeof *p);
}

/* Sorts each row by target (dense order), weights along. */
static void sort_rows(amls_csr *c)
{
    for (int64_t i = 0; i < c->n; i++)
        for (int64_t a = c->ptr[i] + 1; a < c->ptr[i + 1]; a++) {
            int64_t t = c->col[a];
            double wv = c->w ? c->w[a] : 0;
            int64_t b = a;
            while (b > c->ptr[i] && c->col[b - 1] > t) {
                c->col[b] = c->col[b - 1];
                if (c->w)
                    c->w[b] = c->w[b - 1];
                b--;
            }
            c->col[b] = t;
            if (c->w)
                c->w[b] = wv;
        }
}

/* Root: the CSR from the gathered records (grouped by rank, edges in the same order). */
static int assemble(const amls_graph *g, const gather_part *all, amls_csr *out)
{
    int rc = AMLS_OK;
    int64_t n = g->n, m = g->arcs, *src_off = NULL;
    out->n = n;
    out->directed = g->directed;
    out->weighted = g->weighted;
    AMLS_ALLOC(out->orig, n + 1);
    AMLS_CALLOC(out->ptr, n + 2);
    AMLS_ALLOC(out->col, m + 1);
    if (g->weighted)
        AMLS_ALLOC(out->w, m + 1);
    AMLS_ALLOC(src_off, n + 1);
    int64_t eoff = 0;
    for (int64_t k = 0; k < n; k++) {
        int64_t d = all->vrec[3 * k];
        out->orig[d] = all->vrec[3 * k + 1];
        out->ptr[d + 1] = all->vrec[3 * k + 2];
        src_off[d] = eoff;
        eoff += all->vrec[3 * k + 2];
    }
    for (int64_t i = 0; i < n; i++)
        out->ptr[i + 1] += out->ptr[i];
    for (int64_t i = 0; i < n; i++)
        for (int64_t j = 0; j < out->ptr[i + 1] - out->ptr[i]; j++) {
            out->col[out->ptr[i] + j] = amls__bsearch_i64(out->orig, n, all->erec[src_off[i] + j]);
            if (out->w)
                out->w[out->ptr[i] + j] = all->ew[src_off[i] + j];
        }
    sort_rows(out);
    if (g->directed)
        AMLS_TRY(transpose(out));
cleanup:
    amls__free(src_off);
    return rc;
}

/* Gathers every rank's records on root. Collective. */
static int gather_parts(const amls_graph *g, int root, const gather_part *mine, gather_part *all)
{
    int rc = AMLS_OK, R = g->nranks;
    int *vc = amls__malloc((size_t)R, sizeof *vc), *vd = amls__malloc((size_t)R, sizeof *vd);
    int *ec = amls__malloc((size_t)R, sizeof *ec), *ed = amls__malloc((size_t)R, sizeof *ed);
    AMLS_AGREE(g->comm, amls__alloc_status(vc && vd && ec && ed));
    AMLS_MPI_TRY(MPI_Gather(&mine->nv, 1, MPI_INT, vc, 1, MPI_INT, root, g->comm));
    AMLS_MPI_TRY(MPI_Gather(&mine->ne, 1, MPI_INT, ec, 1, MPI_INT, root, g->comm));
    if (g->rank == root) {
        for (int p = 0; p < R; p++) {
            vd[p] = all->nv;
            all->nv += vc[p];
            ed[p] = all->ne;
            all->ne += ec[p];
        }
        all->vrec = amls__malloc((size_t)all->nv + 1, sizeof *all->vrec);
        all->erec = amls__malloc((size_t)all->ne + 1, sizeof *all->erec);
        all->ew = amls__malloc((size_t)all->ne + 1, sizeof *all->ew);
    }
    AMLS_AGREE(g->comm, g->rank != root || (all->vrec && all->erec && all->ew)
                            ? AMLS_OK
                            : amls_error(AMLS_ERR_NOMEM, "out of memory gathering the graph"));
    AMLS_MPI_TRY(MPI_Gatherv(mine->vrec, mine->nv, MPI_INT64_T, all->vrec, vc, vd, MPI_INT64_T,
                             root, g->comm));
    AMLS_MPI_TRY(MPI_Gatherv(mine->erec, mine->ne, MPI_INT64_T, all->erec, ec, ed, MPI_INT64_T,
                             root, g->comm));
    AMLS_MPI_TRY(
        MPI_Gatherv(mine->ew, mine->ne, MPI_DOUBLE, all->ew, ec, ed, MPI_DOUBLE, root, g->comm));
cleanup:
    amls__free(vc);
    amls__free(vd);
    amls__free(ec);
    amls__free(ed);
    return rc;
}

int amls_graph_gather(const amls_graph *g, int root, amls_csr *out)
{
    int rc = AMLS_OK;
    gather_part mine = {0}, all = {0};
    memset(out, 0, sizeof *out);
    AMLS_AGREE(g->comm, pack_gather(g, &mine));
    AMLS_TRY(gather_parts(g, root, &mine, &all));
    AMLS_AGREE(g->comm, g->rank == root ? assemble(g, &all, out) : AMLS_OK);
cleanup:
    if (rc < 0)
        amls_csr_free(out);
    gather_part_free(&mine);
    gather_part_free(&all);
    return rc;
}
