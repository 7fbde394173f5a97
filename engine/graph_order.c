/* ---------------------------------------------------------------------------------------------
 * engine/graph_order.c — moving per-vertex values between the partition's order and original-id
 * (dense) order, gathering them on one rank, and the plan-based ghost exchanges.
 * SPDX-License-Identifier: MIT
 *
 * Original-id order is cut into one directory block per rank (dir_off). Conversions route
 * (dense id, value) records to the block owners and back with the exchange primitive; the plan
 * exchanges need no ids at all, since both sides know the plan's order.
 * ------------------------------------------------------------------------------------------- */
#include "graph_internal.h"

static int dense_dest(const void *ud, int64_t i)
{
    const amls_graph *g = ud;
    return amls__owner_of(g->dir_off, g->nranks, g->dense[i]);
}

static int route_dense(const void *ctx, int64_t key)
{
    const amls_graph *g = ctx;
    return amls__owner_of(g->dir_off, g->nranks, key);
}

/* ---- fixed-size values ------------------------------------------------------------------ */

typedef struct fixed_move {
    const amls_graph *g;
    const char *vals;
    char *res;
    size_t vsz;
} fixed_move;

static void fixed_pack(const void *ud, int64_t i, void *rec)
{
    const fixed_move *m = ud;
    memcpy(rec, &m->g->dense[i], sizeof(int64_t));
    memcpy((char *)rec + sizeof(int64_t), m->vals + (size_t)i * m->vsz, m->vsz);
}

static int fixed_dest(const void *ud, int64_t i)
{
    return dense_dest(((const fixed_move *)ud)->g, i);
}

static void fixed_store(void *ud, int src, const void *rec)
{
    (void)src;
    const fixed_move *m = ud;
    int64_t d;
    memcpy(&d, rec, sizeof d);
    memcpy(m->res + (size_t)(d - m->g->dir_off[m->g->rank]) * m->vsz, (const char *)rec + sizeof d,
           m->vsz);
}

int amls__to_dense_order(const amls_graph *g, const void *vals, size_t vsz, void **out)
{
    int rc = AMLS_OK;
    amls__xchg x = {0};
    int64_t nb = g->dir_off[g->rank + 1] - g->dir_off[g->rank];
    fixed_move m = {g, vals, amls__malloc((size_t)nb * vsz + 1, 1), vsz};
    *out = NULL;
    rc = amls__alloc_status(m.res != NULL);
    AMLS_TRY(amls__xchg_route(&x, g->comm, rc, g->n_local, sizeof(int64_t) + vsz, fixed_dest,
                              fixed_pack, &m));
    amls__xchg_each(&x, sizeof(int64_t) + vsz, fixed_store, &m);
    *out = m.res;
    m.res = NULL;
cleanup:
    amls__xchg_free(&x);
    amls__free(m.res);
    return rc;
}

static void answer_block(const void *ctx, int64_t key, void *out)
{
    const fixed_move *m = ctx;
    memcpy(out, m->vals + (size_t)(key - m->g->dir_off[m->g->rank]) * m->vsz, m->vsz);
}

/* Owners ask the directory ranks for the values of their vertices' dense ids. */
int amls__from_dense_order(const amls_graph *g, const void *block, size_t vsz, void *out)
{
    fixed_move m = {g, block, NULL, vsz};
    return amls__xchg_lookup(g->comm, g->dense, g->n_local, route_dense, g, answer_block, &m, vsz,
                             out);
}

int amls__gather_dense(const amls_graph *g, int root, const void *vals, size_t vsz, void **out)
{
    int rc = AMLS_OK;
    char *ordered = NULL, *all = NULL;
    int *cnt = NULL, *disp = NULL;
    *out = NULL;
    AMLS_TRY(amls__to_dense_order(g, vals, vsz, (void **)&ordered));
    cnt = amls__malloc((size_t)g->nranks, sizeof *cnt);
    disp = amls__malloc((size_t)g->nranks, sizeof *disp);
    if (g->rank == root)
        all = amls__malloc((size_t)g->n * vsz + 1, 1);
    rc = cnt == NULL || disp == NULL || (g->rank == root && all == NULL)
             ? amls_error(AMLS_ERR_NOMEM, "out of memory gathering %lld values", (long long)g->n)
         : (uint64_t)g->n * vsz > INT32_MAX
             ? amls_error(AMLS_ERR_UNSUPPORTED, "too many vertices (%lld) to gather on one rank",
                          (long long)g->n)
             : AMLS_OK;
    AMLS_AGREE(g->comm, rc);
    for (int q = 0; q < g->nranks; q++) {
        cnt[q] = (int)((size_t)(g->dir_off[q + 1] - g->dir_off[q]) * vsz);
        disp[q] = (int)((size_t)g->dir_off[q] * vsz);
    }
    AMLS_MPI_TRY(
        MPI_Gatherv(ordered, cnt[g->rank], MPI_BYTE, all, cnt, disp, MPI_BYTE, root, g->comm));
    *out = all;
    all = NULL;
cleanup:
    amls__free(ordered);
    amls__free(all);
    amls__free(cnt);
    amls__free(disp);
    return rc;
}

/* ---- variable-length values ------------------------------------------------------------ */

/* Records (dense, len, bytes) of the owned vertices, to their directory ranks. Local. */
static int pack_var(const amls_graph *g, amls__xchg *x, const int64_t *len, const int64_t *off,
                    const char *data)
{
    int rc = AMLS_OK;
    AMLS_TRY(amls__xchg_init(x, g->comm));
    for (int64_t i = 0; i < g->n_local; i++)
        amls__xchg_count(x, dense_dest(g, i), 16 + AMLS_MAX(len[i], (int64_t)0));
    AMLS_TRY(amls__xchg_pack(x));
    for (int64_t i = 0; i < g->n_local; i++) {
        char *r = amls__xchg_put(x, dense_dest(g, i), 16 + AMLS_MAX(len[i], (int64_t)0));
        memcpy(r, &g->dense[i], 8);
        memcpy(r + 8, &len[i], 8);
        if (len[i] > 0)
            memcpy(r + 16, data + off[i], (size_t)len[i]);
    }
cleanup:
    return rc;
}

/* The received records in dense order: lengths first, then the bytes. A negative length (no
 * value) carries no bytes. Local. */
static int unpack_var(const amls_graph *g, const amls__xchg *x, int64_t *blen, char **bdata,
                      int64_t *btotal)
{
    int rc = AMLS_OK;
    int64_t dlo = g->dir_off[g->rank], nb = g->dir_off[g->rank + 1] - dlo, *boff = NULL;
    AMLS_CALLOC(boff, nb + 1);
    AMLS_ALLOC(*bdata, x->nrecv + 1);
    for (int64_t at = 0; at < x->nrecv;) {
        int64_t d, l;
        memcpy(&d, x->recv + at, 8);
        memcpy(&l, x->recv + at + 8, 8);
        blen[d - dlo] = l;
        at += 16 + AMLS_MAX(l, (int64_t)0);
    }
    int64_t tot = 0;
    for (int64_t k = 0; k < nb; k++) {
        boff[k] = tot;
        tot += AMLS_MAX(blen[k], (int64_t)0);
    }
    for (int64_t at = 0; at < x->nrecv;) {
        int64_t d, l;
        memcpy(&d, x->recv + at, 8);
        memcpy(&l, x->recv + at + 8, 8);
        if (l > 0)
            memcpy(*bdata + boff[d - dlo], x->recv + at + 16, (size_t)l);
        at += 16 + AMLS_MAX(l, (int64_t)0);
    }
    *btotal = tot;
cleanup:
    amls__free(boff);
    return rc;
}

int amls__to_dense_order_var(const amls_graph *g, const int64_t *len, const int64_t *off,
                             const char *data, int64_t **blen_out, char **bdata_out,
                             int64_t *btotal)
{
    int rc = AMLS_OK;
    amls__xchg x = {0};
    int64_t nb = g->dir_off[g->rank + 1] - g->dir_off[g->rank], *blen = NULL;
    char *bdata = NULL;
    *blen_out = NULL;
    *bdata_out = NULL;
    AMLS_TRY(amls__xchg_run(&x, pack_var(g, &x, len, off, data)));
    blen = amls__calloc((size_t)nb + 1, sizeof *blen);
    AMLS_AGREE(g->comm, blen ? unpack_var(g, &x, blen, &bdata, btotal) : amls__alloc_status(false));
    *blen_out = blen;
    *bdata_out = bdata;
    blen = NULL;
    bdata = NULL;
cleanup:
    amls__xchg_free(&x);
    amls__free(blen);
    amls__free(bdata);
    return rc;
}

/* Replies (len, bytes) to the dense ids received in req, in request order. Local. */
static int pack_replies(const amls_graph *g, const amls__xchg *req, amls__xchg *ans,
                        const int64_t *blen, const int64_t *boff, const char *bdata)
{
    int rc = AMLS_OK;
    int64_t dlo = g->dir_off[g->rank];
    const int64_t *keys = (const int64_t *)req->recv;
    AMLS_TRY(amls__xchg_init(ans, g->comm));
    for (int p = 0; p < g->nranks; p++)
        for (int64_t k = req->roff[p] / 8; k < req->roff[p + 1] / 8; k++)
            amls__xchg_count(ans, p, 8 + AMLS_MAX(blen[keys[k] - dlo], (int64_t)0));
    AMLS_TRY(amls__xchg_pack(ans));
    for (int p = 0; p < g->nranks; p++)
        for (int64_t k = req->roff[p] / 8; k < req->roff[p + 1] / 8; k++) {
            int64_t d = keys[k] - dlo, l = blen[d];
            char *r = amls__xchg_put(ans, p, 8 + AMLS_MAX(l, (int64_t)0));
            memcpy(r, &l, 8);
            if (l > 0)
                memcpy(r + 8, bdata + boff[d], (size_t)l);
        }
cleanup:
    return rc;
}

/* Replies arrive per directory rank in the order of this rank's requests (owned order). */
static int unpack_replies(const amls_graph *g, const amls__xchg *ans, int64_t *len, int64_t *off,
                          char **data)
{
    int rc = AMLS_OK;
    int64_t *cur = NULL, dat = 0;
    AMLS_ALLOC(cur, g->nranks);
    AMLS_ALLOC(*data, ans->nrecv + 1);
    memcpy(cur, ans->roff, (size_t)g->nranks * sizeof *cur);
    for (int64_t i = 0; i < g->n_local; i++) {
        int d = dense_dest(g, i);
        int64_t l;
        memcpy(&l, ans->recv + cur[d], 8);
        len[i] = l;
        off[i] = dat;
        if (l > 0)
            memcpy(*data + dat, ans->recv + cur[d] + 8, (size_t)l);
        dat += AMLS_MAX(l, (int64_t)0);
        cur[d] += 8 + AMLS_MAX(l, (int64_t)0);
    }
cleanup:
    amls__free(cur);
    return rc;
}

static void dense_pack(const void *ud, int64_t i, void *rec)
{
    const amls_graph *g = ud;
    memcpy(rec, &g->dense[i], sizeof g->dense[i]);
}

int amls__from_dense_order_var(const amls_graph *g, const int64_t *blen, const char *bdata,
                               int64_t **olen, int64_t **ooff, char **odata)
{
    int rc = AMLS_OK;
    int64_t nb = g->dir_off[g->rank + 1] - g->dir_off[g->rank];
    int64_t *boff = NULL, *len = NULL, *off = NULL;
    char *data = NULL;
    amls__xchg req = {0}, ans = {0};
    *olen = *ooff = NULL;
    *odata = NULL;
    boff = amls__malloc((size_t)nb + 1, sizeof *boff);
    rc = amls__alloc_status(boff != NULL);
    for (int64_t k = 0, t = 0; boff && k < nb; k++) {
        boff[k] = t;
        t += AMLS_MAX(blen[k], (int64_t)0);
    }
    AMLS_TRY(amls__xchg_route(&req, g->comm, rc, g->n_local, 8, dense_dest, dense_pack, g));
    AMLS_TRY(amls__xchg_run(&ans, pack_replies(g, &req, &ans, blen, boff, bdata)));
    len = amls__malloc((size_t)g->n_local + 1, sizeof *len);
    off = amls__malloc((size_t)g->n_local + 1, sizeof *off);
    AMLS_AGREE(g->comm,
               len && off ? unpack_replies(g, &ans, len, off, &data) : amls__alloc_status(false));
    *olen = len;
    *ooff = off;
    *odata = data;
    len = off = NULL;
    data = NULL;
cleanup:
    amls__xchg_free(&req);
    amls__xchg_free(&ans);
    amls__free(boff);
    amls__free(len);
    amls__free(off);
    amls__free(data);
    return rc;
}

/* ---- the communication plan ------------------------------------------------------------- */

/* Bytes per peer of a plan-ordered exchange of vsz-byte values: off is recv_off or send_off.
 * Local. */
static int plan_counts(const amls_graph *g, const int64_t *off, size_t vsz, int64_t **cnt)
{
    int rc = AMLS_OK;
    AMLS_ALLOC(*cnt, g->nranks);
    for (int p = 0; p < g->nranks; p++)
        (*cnt)[p] = (off[p + 1] - off[p]) * (int64_t)vsz;
cleanup:
    return rc;
}

/* The owned values each peer holds as ghosts, in plan order. Local. */
static int pack_owned(const amls_graph *g, amls__xchg *x, const void *vals, size_t vsz)
{
    int rc = AMLS_OK;
    AMLS_TRY(amls__xchg_init(x, g->comm));
    for (int p = 0; p < g->nranks; p++)
        amls__xchg_count(x, p, (g->send_off[p + 1] - g->send_off[p]) * (int64_t)vsz);
    AMLS_TRY(amls__xchg_pack(x));
    for (int p = 0; p < g->nranks; p++)
        for (int64_t k = g->send_off[p]; k < g->send_off[p + 1]; k++)
            memcpy(amls__xchg_put(x, p, (int64_t)vsz),
                   (const char *)vals + (size_t)g->send_idx[k] * vsz, vsz);
cleanup:
    return rc;
}

/* The ghost values, back to their owners, in plan order. Local. */
static int pack_ghosts(const amls_graph *g, amls__xchg *x, const int64_t *vals)
{
    int rc = AMLS_OK;
    AMLS_TRY(amls__xchg_init(x, g->comm));
    for (int p = 0; p < g->nranks; p++)
        amls__xchg_count(x, p, (g->recv_off[p + 1] - g->recv_off[p]) * 8);
    AMLS_TRY(amls__xchg_pack(x));
    for (int p = 0; p < g->nranks; p++)
        memcpy(amls__xchg_put(x, p, x->scnt[p]), vals + g->n_local + g->recv_off[p],
               (size_t)x->scnt[p]);
cleanup:
    return rc;
}

int amls__plan_gather(const amls_graph *g, void *vals, size_t vsz)
{
    int rc = AMLS_OK;
    amls__xchg x = {.comm = g->comm};
    int64_t *rcnt = NULL;
    AMLS_AGREE(g->comm, plan_counts(g, g->recv_off, vsz, &rcnt));
    AMLS_TRY(amls__xchg_run_into(&x, pack_owned(g, &x, vals, vsz),
                                 (char *)vals + (size_t)g->n_local * vsz, rcnt));
cleanup:
    amls__xchg_free(&x);
    amls__free(rcnt);
    return rc;
}

int amls__plan_reduce_i64(const amls_graph *g, int64_t *vals)
{
    int rc = AMLS_OK;
    amls__xchg x = {.comm = g->comm};
    int64_t *rcnt = NULL, *recv = NULL;
    recv = amls__malloc((size_t)g->send_off[g->nranks] + 1, sizeof *recv);
    AMLS_AGREE(g->comm, recv ? plan_counts(g, g->send_off, 8, &rcnt) : amls__alloc_status(false));
    AMLS_TRY(amls__xchg_run_into(&x, pack_ghosts(g, &x, vals), recv, rcnt));
    for (int64_t k = 0; k < g->send_off[g->nranks]; k++)
        vals[g->send_idx[k]] += recv[k];
cleanup:
    amls__xchg_free(&x);
    amls__free(rcnt);
    amls__free(recv);
    return rc;
}

int amls_graph_sync_ghosts(const amls_graph *g, void *vals, size_t vsz)
{
    return amls__plan_gather(g, vals, vsz);
}
