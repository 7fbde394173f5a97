/* ---------------------------------------------------------------------------------------------
 * engine/graph_util.c — statistics, partition output, vertex lookup, reordering to original-id
 * order, plan-based exchanges and gathering a graph onto one rank.
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#include "engine/graph_util.h"

#include <stdio.h>

int amls__part_of(const amls_graph *g, int64_t gid)
{
    return amls__owner_of(g->part_off, g->nparts, gid);
}

int amls__to_dense_order(const amls_graph *g, const void *vals, size_t vsz, void **out)
{
    int rc = AMLS_OK, R = g->nranks;
    int64_t *cnt = NULL, *rcnt = NULL, *pos = NULL;
    char *send = NULL, *recv = NULL, *res = NULL;
    size_t rec = sizeof(int64_t) + vsz;
    *out = NULL;
    AMLS_CALLOC(cnt, R);
    AMLS_CALLOC(rcnt, R);
    AMLS_CALLOC(pos, R);
    AMLS_ALLOC(send, (size_t)g->n_local * rec + 1);
    int64_t nb = g->dir_off[g->rank + 1] - g->dir_off[g->rank];
    AMLS_ALLOC(res, (size_t)nb * vsz + 1);
    for (int64_t i = 0; i < g->n_local; i++)
        cnt[amls__owner_of(g->dir_off, R, g->dense[i])]++;
    for (int p = 1; p < R; p++)
        pos[p] = pos[p - 1] + cnt[p - 1];
    for (int64_t i = 0; i < g->n_local; i++) {
        int d = amls__owner_of(g->dir_off, R, g->dense[i]);
        char *r = send + (size_t)pos[d]++ * rec;
        memcpy(r, &g->dense[i], sizeof(int64_t));
        memcpy(r + sizeof(int64_t), (const char *)vals + (size_t)i * vsz, vsz);
    }
    for (int p = 0; p < R; p++)
        cnt[p] *= (int64_t)rec;
cleanup:
    rc = amls_agree(g->comm, rc, NULL);
    if (rc < 0)
        goto out;
    int64_t nrecv = 0;
    rc = amls__alltoallv_bytes(g->comm, send, cnt, (void **)&recv, rcnt, &nrecv);
    if (rc < 0)
        goto out;
    nrecv /= (int64_t)rec;
    for (int64_t k = 0; k < nrecv; k++) {
        int64_t d;
        memcpy(&d, recv + (size_t)k * rec, sizeof d);
        memcpy(res + (size_t)(d - g->dir_off[g->rank]) * vsz, recv + (size_t)k * rec + sizeof d,
               vsz);
    }
    *out = res;
    res = NULL;
out:
    amls__free(cnt);
    amls__free(rcnt);
    amls__free(pos);
    amls__free(send);
    amls__free(recv);
    amls__free(res);
    return rc;
}

int amls__plan_reduce_i64(const amls_graph *g, int64_t *vals)
{
    int rc = AMLS_OK, R = g->nranks;
    int64_t *sc = NULL, *rcn = NULL, *recv = NULL;
    AMLS_ALLOC(sc, R);
    AMLS_ALLOC(rcn, R);
    AMLS_ALLOC(recv, g->send_off[R] + 1);
    for (int p = 0; p < R; p++) {
        sc[p] = (g->recv_off[p + 1] - g->recv_off[p]) * (int64_t)sizeof(int64_t);
        rcn[p] = (g->send_off[p + 1] - g->send_off[p]) * (int64_t)sizeof(int64_t);
    }
cleanup:
    rc = amls_agree(g->comm, rc, NULL);
    if (rc == AMLS_OK)
        rc = amls__alltoallv_into(g->comm, vals + g->n_local, sc, recv, rcn);
    if (rc == AMLS_OK)
        for (int64_t k = 0; k < g->send_off[R]; k++)
            vals[g->send_idx[k]] += recv[k];
    amls__free(sc);
    amls__free(rcn);
    amls__free(recv);
    return rc;
}

int amls__plan_gather(const amls_graph *g, void *vals, size_t vsz)
{
    int rc = AMLS_OK, R = g->nranks;
    int64_t *sc = NULL, *rcn = NULL;
    char *send = NULL;
    AMLS_ALLOC(sc, R);
    AMLS_ALLOC(rcn, R);
    AMLS_ALLOC(send, (size_t)g->send_off[R] * vsz + 1);
    for (int64_t k = 0; k < g->send_off[R]; k++)
        memcpy(send + (size_t)k * vsz, (char *)vals + (size_t)g->send_idx[k] * vsz, vsz);
    for (int p = 0; p < R; p++) {
        sc[p] = (g->send_off[p + 1] - g->send_off[p]) * (int64_t)vsz;
        rcn[p] = (g->recv_off[p + 1] - g->recv_off[p]) * (int64_t)vsz;
    }
cleanup:
    rc = amls_agree(g->comm, rc, NULL);
    if (rc == AMLS_OK)
        rc = amls__alltoallv_into(g->comm, send, sc, (char *)vals + (size_t)g->n_local * vsz, rcn);
    amls__free(sc);
    amls__free(rcn);
    amls__free(send);
    return rc;
}

int amls_graph_stats_get(const amls_graph *g, amls_graph_stats *st)
{
    int rc = AMLS_OK;
    int64_t *indeg = NULL;
    memset(st, 0, sizeof *st);
    st->vertices = g->n;
    st->edges = g->edges;
    st->arcs = g->arcs;
    st->self_loops = g->self_loops;
    st->edges_read = g->edges_read;
    st->nparts = g->nparts;
    int64_t nt = g->n_local + g->n_ghost, maxout = 0, cut = 0;
    AMLS_CALLOC(indeg, nt);
    for (int64_t i = 0; i < g->n_local; i++) {
        maxout = AMLS_MAX(maxout, g->out_ptr[i + 1] - g->out_ptr[i]);
        int pu = amls__part_of(g, g->lo + i);
        for (int64_t j = g->out_ptr[i]; j < g->out_ptr[i + 1]; j++) {
            int64_t t = g->out_col[j];
            indeg[t]++;
            if (amls__part_of(g, amls_graph_gid(g, t)) != pu)
                cut++;
        }
    }
cleanup:
    rc = amls_agree(g->comm, rc, NULL);
    if (rc < 0)
        goto out;
    AMLS_TRY(amls__plan_reduce_i64(g, indeg));
    {
        int64_t maxin = 0, iso = 0;
        for (int64_t i = 0; i < g->n_local; i++) {
            maxin = AMLS_MAX(maxin, indeg[i]);
            if (indeg[i] == 0 && g->out_ptr[i + 1] == g->out_ptr[i])
                iso++;
        }
        int64_t arcs_local = g->out_ptr[g->n_local];
        int64_t lmax[4] = {maxout, maxin, g->n_ghost, arcs_local}, gmax[4];
        int64_t lsum[2] = {cut, iso}, gsum[2];
        MPI_Allreduce(lmax, gmax, 4, MPI_INT64_T, MPI_MAX, g->comm);
        MPI_Allreduce(lsum, gsum, 2, MPI_INT64_T, MPI_SUM, g->comm);
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
    }
out:
    amls__free(indeg);
    return rc;
}

int amls_graph_write_partition(const amls_graph *g, const char *path)
{
    int rc = AMLS_OK;
    int32_t *part = NULL, *ordered = NULL;
    amls__vec txt;
    amls__vec_init(&txt, 1);
    AMLS_ALLOC(part, g->n_local + 1);
    for (int64_t i = 0; i < g->n_local; i++)
        part[i] = amls__part_of(g, g->lo + i);
cleanup:
    rc = amls_agree(g->comm, rc, NULL);
    if (rc < 0)
        goto out;
    rc = amls__to_dense_order(g, part, sizeof *part, (void **)&ordered);
    if (rc < 0)
        goto out;
    {
        int64_t nb = g->dir_off[g->rank + 1] - g->dir_off[g->rank];
        int lrc = amls__vec_reserve(&txt, (size_t)nb * 8 + 16);
        for (int64_t i = 0; i < nb && lrc == AMLS_OK; i++) {
            char line[24];
            int n = snprintf(line, sizeof line, "%d\n", (int)ordered[i]);
            for (int c = 0; c < n && lrc == AMLS_OK; c++)
                lrc = amls__vec_push(&txt, &line[c]);
        }
        rc = amls_agree(g->comm, lrc, NULL);
        if (rc == AMLS_OK)
            rc = amls_write_text(g->comm, path, txt.data, txt.len, false);
    }
out:
    amls__free(part);
    amls__free(ordered);
    amls__vec_free(&txt);
    return rc;
}

int amls_graph_find(const amls_graph *g, amls_vid orig, int64_t *gid)
{
    int64_t mine = -1, res = -1;
    for (int64_t i = 0; i < g->n_local; i++)
        if (g->orig[i] == orig) {
            mine = g->lo + i;
            break;
        }
    int rc = MPI_Allreduce(&mine, &res, 1, MPI_INT64_T, MPI_MAX, g->comm);
    *gid = res;
    return rc == MPI_SUCCESS ? AMLS_OK : amls_error(AMLS_ERR_MPI, "MPI_Allreduce failed");
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

/* Per owned vertex: dense, orig, degree; then per edge: target orig and weight. */
int amls_graph_gather(const amls_graph *g, int root, amls_csr *out)
{
    int rc = AMLS_OK, R = g->nranks;
    memset(out, 0, sizeof *out);
    int64_t m_local = g->out_ptr[g->n_local];
    int64_t *vrec = NULL, *erec = NULL, *allv = NULL, *alle = NULL;
    double *ew = NULL, *allw = NULL;
    int *vc = NULL, *vd = NULL, *ec = NULL, *ed = NULL;
    AMLS_ALLOC(vrec, 3 * g->n_local + 1);
    AMLS_ALLOC(erec, m_local + 1);
    AMLS_ALLOC(ew, m_local + 1);
    AMLS_ALLOC(vc, R);
    AMLS_ALLOC(vd, R);
    AMLS_ALLOC(ec, R);
    AMLS_ALLOC(ed, R);
    for (int64_t i = 0; i < g->n_local; i++) {
        vrec[3 * i] = g->dense[i];
        vrec[3 * i + 1] = g->orig[i];
        vrec[3 * i + 2] = g->out_ptr[i + 1] - g->out_ptr[i];
        for (int64_t j = g->out_ptr[i]; j < g->out_ptr[i + 1]; j++) {
            erec[j] = amls_graph_orig(g, g->out_col[j]);
            ew[j] = g->out_w ? g->out_w[j] : 1.0;
        }
    }
    AMLS_CHECK(3 * g->n + g->arcs < INT32_MAX, AMLS_ERR_UNSUPPORTED,
               "graph too large to gather on one rank for verification");
cleanup:
    rc = amls_agree(g->comm, rc, NULL);
    if (rc < 0)
        goto out;
    {
        int nv = (int)(3 * g->n_local), nev = (int)m_local;
        MPI_Gather(&nv, 1, MPI_INT, vc, 1, MPI_INT, root, g->comm);
        MPI_Gather(&nev, 1, MPI_INT, ec, 1, MPI_INT, root, g->comm);
        if (g->rank == root) {
            int tv = 0, te = 0;
            for (int p = 0; p < R; p++) {
                vd[p] = tv;
                tv += vc[p];
                ed[p] = te;
                te += ec[p];
            }
            allv = amls__malloc((size_t)tv + 1, sizeof *allv);
            alle = amls__malloc((size_t)te + 1, sizeof *alle);
            allw = amls__malloc((size_t)te + 1, sizeof *allw);
            if (!allv || !alle || !allw)
                rc = amls_error(AMLS_ERR_NOMEM, "out of memory gathering the graph");
        }
        rc = amls_agree(g->comm, rc, NULL);
        if (rc < 0)
            goto out;
        MPI_Gatherv(vrec, nv, MPI_INT64_T, allv, vc, vd, MPI_INT64_T, root, g->comm);
        MPI_Gatherv(erec, nev, MPI_INT64_T, alle, ec, ed, MPI_INT64_T, root, g->comm);
        MPI_Gatherv(ew, nev, MPI_DOUBLE, allw, ec, ed, MPI_DOUBLE, root, g->comm);
        if (g->rank == root) {
            int64_t n = g->n, m = g->arcs;
            out->n = n;
            out->directed = g->directed;
            out->weighted = g->weighted;
            out->orig = amls__malloc((size_t)n + 1, sizeof *out->orig);
            out->ptr = amls__calloc((size_t)n + 2, sizeof *out->ptr);
            out->col = amls__malloc((size_t)m + 1, sizeof *out->col);
            out->w = g->weighted ? amls__malloc((size_t)m + 1, sizeof *out->w) : NULL;
            int64_t *src_off = amls__malloc((size_t)n + 1, sizeof *src_off);
            if (!out->orig || !out->ptr || !out->col || (g->weighted && !out->w) || !src_off) {
                amls__free(src_off);
                rc = amls_error(AMLS_ERR_NOMEM, "out of memory");
            } else {
                /* Vertex records arrive grouped by rank; edges follow in the same order. */
                int64_t eoff = 0;
                for (int64_t k = 0; k < n; k++) {
                    int64_t d = allv[3 * k];
                    out->orig[d] = allv[3 * k + 1];
                    out->ptr[d + 1] = allv[3 * k + 2];
                    src_off[d] = eoff;
                    eoff += allv[3 * k + 2];
                }
                for (int64_t i = 0; i < n; i++)
                    out->ptr[i + 1] += out->ptr[i];
                for (int64_t i = 0; i < n; i++)
                    for (int64_t j = 0; j < out->ptr[i + 1] - out->ptr[i]; j++) {
                        int64_t t = amls__bsearch_i64(out->orig, n, alle[src_off[i] + j]);
                        out->col[out->ptr[i] + j] = t;
                        if (out->w)
                            out->w[out->ptr[i] + j] = allw[src_off[i] + j];
                    }
                amls__free(src_off);
                /* Rows sorted by target (dense order). */
                for (int64_t i = 0; i < n; i++) {
                    for (int64_t a = out->ptr[i] + 1; a < out->ptr[i + 1]; a++) {
                        int64_t c = out->col[a];
                        double wv = out->w ? out->w[a] : 0;
                        int64_t b = a;
                        while (b > out->ptr[i] && out->col[b - 1] > c) {
                            out->col[b] = out->col[b - 1];
                            if (out->w)
                                out->w[b] = out->w[b - 1];
                            b--;
                        }
                        out->col[b] = c;
                        if (out->w)
                            out->w[b] = wv;
                    }
                }
                if (g->directed)
                    rc = transpose(out);
            }
        }
        rc = amls_agree(g->comm, rc, NULL);
    }
out:
    if (rc < 0)
        amls_csr_free(out);
    amls__free(vrec);
    amls__free(erec);
    amls__free(ew);
    amls__free(allv);
    amls__free(alle);
    amls__free(allw);
    amls__free(vc);
    amls__free(vd);
    amls__free(ec);
    amls__free(ed);
    return rc;
}

int amls__gather_dense(const amls_graph *g, int root, const void *vals, size_t vsz, void **out)
{
    int rc = AMLS_OK;
    char *ordered = NULL, *all = NULL;
    int *cnt = NULL, *disp = NULL;
    *out = NULL;
    rc = amls__to_dense_order(g, vals, vsz, (void **)&ordered);
    if (rc < 0)
        return rc;
    cnt = amls__malloc((size_t)g->nranks, sizeof *cnt);
    disp = amls__malloc((size_t)g->nranks, sizeof *disp);
    if (g->rank == root)
        all = amls__malloc((size_t)g->n * vsz + 1, 1);
    if (cnt == NULL || disp == NULL || (g->rank == root && all == NULL))
        rc = amls_error(AMLS_ERR_NOMEM, "out of memory gathering %lld values", (long long)g->n);
    else if ((uint64_t)g->n * vsz > INT32_MAX)
        rc = amls_error(AMLS_ERR_UNSUPPORTED, "too many vertices (%lld) to gather on one rank",
                        (long long)g->n);
    rc = amls_agree(g->comm, rc, NULL);
    if (rc == AMLS_OK) {
        for (int q = 0; q < g->nranks; q++) {
            cnt[q] = (int)((size_t)(g->dir_off[q + 1] - g->dir_off[q]) * vsz);
            disp[q] = (int)((size_t)g->dir_off[q] * vsz);
        }
        MPI_Gatherv(ordered, cnt[g->rank], MPI_BYTE, all, cnt, disp, MPI_BYTE, root, g->comm);
        *out = all;
        all = NULL;
    }
    amls__free(ordered);
    amls__free(all);
    amls__free(cnt);
    amls__free(disp);
    return rc;
}

int amls_graph_gather_ids(const amls_graph *g, int root, amls_vid **ids)
{
    return amls__gather_dense(g, root, g->orig, sizeof *g->orig, (void **)ids);
}

/* Owners ask the directory ranks for the values of their vertices' dense ids. */
int amls__from_dense_order(const amls_graph *g, const void *block, size_t vsz, void *out)
{
    int rc = AMLS_OK, R = g->nranks;
    int64_t *cnt = NULL, *rcnt = NULL, *pos = NULL, *q = NULL, *order = NULL, *req = NULL;
    char *ans = NULL, *back = NULL;
    int64_t nl = g->n_local, dlo = g->dir_off[g->rank];
    AMLS_CALLOC(cnt, R);
    AMLS_CALLOC(rcnt, R);
    AMLS_CALLOC(pos, R + 1);
    AMLS_ALLOC(q, nl + 1);
    AMLS_ALLOC(order, nl + 1);
    AMLS_ALLOC(back, (size_t)nl * vsz + 1);
    for (int64_t i = 0; i < nl; i++)
        cnt[amls__owner_of(g->dir_off, R, g->dense[i])]++;
    for (int p = 0; p < R; p++)
        pos[p + 1] = pos[p] + cnt[p];
    for (int64_t i = 0; i < nl; i++) {
        int d = amls__owner_of(g->dir_off, R, g->dense[i]);
        order[i] = pos[d];
        q[pos[d]++] = g->dense[i];
    }
    for (int p = 0; p < R; p++)
        cnt[p] *= (int64_t)sizeof(int64_t);
cleanup:
    rc = amls_agree(g->comm, rc, NULL);
    if (rc < 0)
        goto out;
    int64_t nreq = 0;
    AMLS_TRY(amls__alltoallv_bytes(g->comm, q, cnt, (void **)&req, rcnt, &nreq));
    nreq /= (int64_t)sizeof(int64_t);
    ans = amls__malloc((size_t)nreq * vsz + 1, 1);
    AMLS_TRY(
        amls_agree(g->comm, ans ? AMLS_OK : amls_error(AMLS_ERR_NOMEM, "out of memory"), NULL));
    for (int64_t k = 0; k < nreq; k++)
        memcpy(ans + (size_t)k * vsz, (const char *)block + (size_t)(req[k] - dlo) * vsz, vsz);
    for (int p = 0; p < R; p++) {
        rcnt[p] = rcnt[p] / (int64_t)sizeof(int64_t) * (int64_t)vsz;
        cnt[p] = cnt[p] / (int64_t)sizeof(int64_t) * (int64_t)vsz;
    }
    AMLS_TRY(amls__alltoallv_into(g->comm, ans, rcnt, back, cnt));
    for (int64_t i = 0; i < nl; i++)
        memcpy((char *)out + (size_t)i * vsz, back + (size_t)order[i] * vsz, vsz);
out:
    amls__free(cnt);
    amls__free(rcnt);
    amls__free(pos);
    amls__free(q);
    amls__free(order);
    amls__free(req);
    amls__free(ans);
    amls__free(back);
    return rc;
}

/* Records (dense, len, bytes) to the directory; sorted there by dense id. */
int amls__to_dense_order_var(const amls_graph *g, const int64_t *len, const int64_t *off,
                             const char *data, int64_t **blen_out, char **bdata_out,
                             int64_t *btotal)
{
    int rc = AMLS_OK, R = g->nranks;
    int64_t *cnt = NULL, *rcnt = NULL, *pos = NULL, *blen = NULL, *boff = NULL;
    char *send = NULL, *recv = NULL, *bdata = NULL;
    int64_t nl = g->n_local, dlo = g->dir_off[g->rank], nb = g->dir_off[g->rank + 1] - dlo;
    *blen_out = NULL;
    *bdata_out = NULL;
    AMLS_CALLOC(cnt, R);
    AMLS_CALLOC(rcnt, R);
    AMLS_CALLOC(pos, R + 1);
    for (int64_t i = 0; i < nl; i++)
        cnt[amls__owner_of(g->dir_off, R, g->dense[i])] += 16 + len[i];
    for (int p = 0; p < R; p++)
        pos[p + 1] = pos[p] + cnt[p];
    AMLS_ALLOC(send, pos[R] + 1);
    for (int64_t i = 0; i < nl; i++) {
        int d = amls__owner_of(g->dir_off, R, g->dense[i]);
        char *r = send + pos[d];
        memcpy(r, &g->dense[i], 8);
        memcpy(r + 8, &len[i], 8);
        if (len[i] > 0)
            memcpy(r + 16, data + off[i], (size_t)len[i]);
        pos[d] += 16 + len[i];
    }
cleanup:
    rc = amls_agree(g->comm, rc, NULL);
    if (rc < 0)
        goto out;
    int64_t got = 0;
    AMLS_TRY(amls__alltoallv_bytes(g->comm, send, cnt, (void **)&recv, rcnt, &got));
    blen = amls__calloc((size_t)nb + 1, sizeof *blen);
    boff = amls__calloc((size_t)nb + 1, sizeof *boff);
    bdata = amls__malloc((size_t)got + 1, 1);
    AMLS_TRY(amls_agree(
        g->comm, blen && boff && bdata ? AMLS_OK : amls_error(AMLS_ERR_NOMEM, "out of memory"),
        NULL));
    for (int64_t at = 0; at < got;) {
        int64_t d, l;
        memcpy(&d, recv + at, 8);
        memcpy(&l, recv + at + 8, 8);
        blen[d - dlo] = l;
        at += 16 + l;
    }
    int64_t tot = 0;
    for (int64_t k = 0; k < nb; k++) {
        boff[k] = tot;
        tot += blen[k];
    }
    for (int64_t at = 0; at < got;) {
        int64_t d, l;
        memcpy(&d, recv + at, 8);
        memcpy(&l, recv + at + 8, 8);
        if (l > 0)
            memcpy(bdata + boff[d - dlo], recv + at + 16, (size_t)l);
        at += 16 + l;
    }
    *blen_out = blen;
    *bdata_out = bdata;
    *btotal = tot;
    blen = NULL;
    bdata = NULL;
out:
    amls__free(cnt);
    amls__free(rcnt);
    amls__free(pos);
    amls__free(send);
    amls__free(recv);
    amls__free(blen);
    amls__free(boff);
    amls__free(bdata);
    return rc;
}

int amls__from_dense_order_var(const amls_graph *g, const int64_t *blen, const char *bdata,
                               int64_t **olen, int64_t **ooff, char **odata)
{
    int rc = AMLS_OK, R = g->nranks;
    int64_t nl = g->n_local, dlo = g->dir_off[g->rank], nb = g->dir_off[g->rank + 1] - dlo;
    int64_t *cnt = NULL, *rcnt = NULL, *pos = NULL, *q = NULL, *who = NULL, *req = NULL;
    int64_t *boff = NULL, *len = NULL, *off = NULL, *scnt = NULL, *rc2 = NULL;
    char *reply = NULL, *back = NULL, *data = NULL;
    *olen = *ooff = NULL;
    *odata = NULL;
    /* Requests: each owner asks for its vertices' dense ids, grouped by directory rank. */
    AMLS_CALLOC(cnt, R);
    AMLS_CALLOC(rcnt, R);
    AMLS_CALLOC(scnt, R);
    AMLS_CALLOC(rc2, R);
    AMLS_CALLOC(pos, R + 1);
    AMLS_ALLOC(q, nl + 1);
    AMLS_ALLOC(who, nl + 1);
    AMLS_ALLOC(boff, nb + 1);
    for (int64_t i = 0; i < nl; i++)
        cnt[amls__owner_of(g->dir_off, R, g->dense[i])]++;
    for (int p = 0; p < R; p++)
        pos[p + 1] = pos[p] + cnt[p];
    for (int64_t i = 0; i < nl; i++) {
        int d = amls__owner_of(g->dir_off, R, g->dense[i]);
        who[pos[d]] = i; /* request slot -> owned vertex */
        q[pos[d]++] = g->dense[i];
    }
    for (int p = 0; p < R; p++)
        cnt[p] *= (int64_t)sizeof(int64_t);
    for (int64_t k = 0, t = 0; k < nb; k++) {
        boff[k] = t;
        t += blen[k];
    }
cleanup:
    rc = amls_agree(g->comm, rc, NULL);
    if (rc < 0)
        goto out;
    int64_t nreq = 0;
    AMLS_TRY(amls__alltoallv_bytes(g->comm, q, cnt, (void **)&req, rcnt, &nreq));
    nreq /= (int64_t)sizeof(int64_t);
    {
        /* Replies: (len, bytes) per request, in request order, per peer. */
        int64_t tot = 0;
        for (int64_t k = 0; k < nreq; k++)
            tot += 8 + blen[req[k] - dlo];
        reply = amls__malloc((size_t)tot + 1, 1);
        AMLS_TRY(amls_agree(g->comm, reply ? AMLS_OK : amls_error(AMLS_ERR_NOMEM, "out of memory"),
                            NULL));
        int64_t at = 0, k = 0;
        for (int p = 0; p < R; p++) {
            int64_t start = at;
            for (int64_t m = 0; m < rcnt[p] / (int64_t)sizeof(int64_t); m++, k++) {
                int64_t d = req[k] - dlo, l = blen[d];
                memcpy(reply + at, &l, 8);
                if (l > 0)
                    memcpy(reply + at + 8, bdata + boff[d], (size_t)l);
                at += 8 + l;
            }
            scnt[p] = at - start;
        }
    }
    int64_t got = 0;
    AMLS_TRY(amls__alltoallv_bytes(g->comm, reply, scnt, (void **)&back, rc2, &got));
    len = amls__malloc((size_t)nl + 1, sizeof *len);
    off = amls__malloc((size_t)nl + 1, sizeof *off);
    data = amls__malloc((size_t)got + 1, 1);
    AMLS_TRY(amls_agree(
        g->comm, len && off && data ? AMLS_OK : amls_error(AMLS_ERR_NOMEM, "out of memory"), NULL));
    {
        /* Replies arrive peer by peer in the order of our requests. */
        int64_t at = 0, dat = 0;
        for (int64_t slot = 0; slot < nl; slot++) {
            int64_t i = who[slot], l;
            memcpy(&l, back + at, 8);
            len[i] = l;
            off[i] = dat;
            if (l > 0)
                memcpy(data + dat, back + at + 8, (size_t)l);
            dat += l;
            at += 8 + l;
        }
    }
    *olen = len;
    *ooff = off;
    *odata = data;
    len = off = NULL;
    data = NULL;
out:
    amls__free(cnt);
    amls__free(rcnt);
    amls__free(scnt);
    amls__free(rc2);
    amls__free(pos);
    amls__free(q);
    amls__free(who);
    amls__free(req);
    amls__free(boff);
    amls__free(len);
    amls__free(off);
    amls__free(reply);
    amls__free(back);
    amls__free(data);
    return rc;
}
