/* ---------------------------------------------------------------------------------------------
 * engine/run_context.c — the per-run context: creation, the work lists that decide which
 * vertices run, and the buffers the engine manages for programs (amls_scratch, amls_nbrs).
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#include "run_internal.h"

#include <unistd.h>

void amls__ctx_free(amls_ctx *cx)
{
    if (cx == NULL)
        return;
    amls__free(cx->halted);
    amls__sleep_free(&cx->sl);
    amls__free(cx->alive);
    amls__free(cx->cand);
    amls__free(cx->mark);
    amls__free(cx->mark_hi);
    amls__msgs_free(&cx->m, cx->g->nranks);
    amls__pub_free(&cx->pub);
    amls__aggs_free(&cx->agg);
    amls__req_free(&cx->req);
    amls__step_free(&cx->st);
    amls__free(cx->done);
    amls__free(cx->par);
    amls__vec_free(&cx->scratch);
    amls__vec_free(&cx->nbr_buf);
    amls__vec_free(&cx->dir_buf);
    if (cx->ckpt_lock >= 0)
        close(cx->ckpt_lock); /* releases the lock */
    if (cx->vdir) {
        amls__free(cx->vdir->orig);
        amls__free(cx->vdir->gid);
        amls__free(cx->vdir);
    }
    amls__free(cx);
}

int amls__ctx_new(amls_graph *g, const amls_vprog *p, const amls_run_opts *o, amls_ctx **out)
{
    int rc = AMLS_OK;
    amls_ctx *cx = NULL;
    int64_t nl = g->n_local;
    *out = NULL;
    AMLS_CALLOC(cx, 1);
    cx->ckpt_lock = -1;
    cx->cur_v = cx->misuse_v = -1;
    cx->api = amls_engine_api();
    cx->g = g;
    /* Members past the program's struct_size count as absent. */
    memcpy(&cx->desc, p, AMLS_MIN((size_t)p->struct_size, sizeof cx->desc));
    cx->p = &cx->desc;
    cx->stop_request = o->checkpoint_dir ? o->stop_request : NULL;
    amls__vec_init(&cx->scratch, 1);
    amls__vec_init(&cx->nbr_buf, sizeof(amls_nbr));
    amls__vec_init(&cx->dir_buf, 1);
    AMLS_CALLOC(cx->halted, nl + 1);
    AMLS_ALLOC(cx->alive, nl + 1);
    AMLS_ALLOC(cx->cand, nl + 1);
    AMLS_CALLOC(cx->mark, (nl + 63) / 64 + 1);
    AMLS_CALLOC(cx->mark_hi, (nl + 4095) / 4096 + 1);
    while (cx->ghosts_below < g->n_ghost && g->ghost_gid[cx->ghosts_below] < g->lo)
        cx->ghosts_below++;
    AMLS_TRY(amls__msgs_init(&cx->m, g, cx->p, o->no_combiner));
    AMLS_TRY(amls__pub_init(&cx->pub, g, cx->p));
    AMLS_TRY(amls__aggs_init(&cx->agg, cx->p));
    AMLS_TRY(amls__req_init(&cx->req, g, cx->p));
    AMLS_TRY(amls__step_init(&cx->st, g->nranks, cx->agg.bytes));
    if (cx->p->wants)
        AMLS_CALLOC(cx->done, (nl + 63) / 64 + 1);
    cx->direction = o->direction;
    cx->sl.bound = INT64_MIN;
    AMLS_CALLOC(cx->par, cx->p->nparams + 1);
    AMLS_TRY(amls__params_parse(cx->p, o->param_values, cx->par));
    *out = cx;
    cx = NULL;
cleanup:
    amls__ctx_free(cx);
    return rc;
}

/* Adds v to the candidates once: a bit per vertex, and a bit per word of those. */
static inline void cand_add(amls_ctx *cx, int64_t v)
{
    uint64_t bit = (uint64_t)1 << (v & 63);
    if (cx->mark[v >> 6] & bit)
        return;
    cx->mark[v >> 6] |= bit;
    cx->mark_hi[v >> 12] |= (uint64_t)1 << ((v >> 6) & 63);
    cx->cand[cx->ncand++] = v;
}

/* Ascending order keeps combining, and so floating-point results, independent of history: the
 * candidates are read back from their bits in order, visiting only the words with a bit set
 * (n/4096 summary words, then one per candidate at most). */
int amls__ctx_candidates(amls_ctx *cx, bool all, bool *dense)
{
    int64_t nl = cx->g->n_local, hwords = (nl + 4095) / 4096;
    bool comb = cx->m.comb.kind != AMLS__COMB_NONE;
    const int64_t *w = comb ? cx->m.ilist : cx->m.woken;
    int64_t nw = comb ? cx->m.ilist_len : cx->m.nwoken;
    const int64_t *ans = cx->req.list; /* vertices with an answer to a request */
    int64_t na = cx->req.nlist;
    cx->ncand = 0;
    /* Many candidates: scan every vertex (cheaper than building an ordered list). */
    *dense = all || cx->nalive + nw + na > nl / 8;
    if (*dense)
        return AMLS_OK;
    for (int64_t q = 0; q < cx->nalive; q++)
        cand_add(cx, cx->alive[q]);
    for (int64_t q = 0; q < nw; q++)
        if (w[q] < nl)
            cand_add(cx, w[q]);
    for (int64_t q = 0; q < na; q++)
        cand_add(cx, ans[q]);
    int64_t k = 0;
    for (int64_t h = 0; h < hwords; h++) {
        for (uint64_t hb = cx->mark_hi[h]; hb; hb &= hb - 1) {
            int64_t i = h * 64 + __builtin_ctzll(hb);
            for (uint64_t b = cx->mark[i]; b; b &= b - 1)
                cx->cand[k++] = i * 64 + __builtin_ctzll(b);
            cx->mark[i] = 0;
        }
        cx->mark_hi[h] = 0;
    }
    return AMLS_OK;
}

void amls__ctx_rebuild_lists(amls_ctx *cx)
{
    int64_t nl = cx->g->n_local;
    amls__msgs *m = &cx->m;
    bool comb = m->comb.kind != AMLS__COMB_NONE;
    cx->nalive = 0;
    for (int64_t v = 0; v < nl; v++)
        if (!cx->halted[v])
            cx->alive[cx->nalive++] = v;
    m->ilist_len = m->nwoken = 0;
    for (int64_t v = 0; v < nl; v++) {
        if (comb && m->ihas[v])
            m->ilist[m->ilist_len++] = v;
        if (!comb && m->icnt[v] > 0)
            m->woken[m->nwoken++] = v;
    }
    cx->req.nlist = 0;
    for (int64_t v = 0; v < nl && cx->req.rsz > 0; v++)
        if (cx->req.has[v])
            cx->req.list[cx->req.nlist++] = v;
}

void *amls__ctx_scratch(amls_ctx *cx, size_t bytes)
{
    if (amls__vec_reserve(&cx->scratch, bytes + 1) < 0) {
        cx->alloc_failed = true;
        return NULL;
    }
    return cx->scratch.data;
}

/* Directions of every neighbour of an undirected graph: both. Never NULL (also for n = 0: a
 * vertex without neighbours may be the first to ask). */
static const uint8_t *both_ways(amls_ctx *cx, int64_t n)
{
    if (cx->dir_buf.len < (size_t)n || cx->dir_buf.data == NULL) { /* n = 0: still a buffer */
        if (amls__vec_reserve(&cx->dir_buf, (size_t)n + 1) < 0)
            return NULL;
        memset(cx->dir_buf.data, AMLS_DIR_OUT | AMLS_DIR_IN, cx->dir_buf.cap);
        cx->dir_buf.len = cx->dir_buf.cap;
    }
    return cx->dir_buf.data;
}

/* A key of local index x in engine-id order, without a memory access: ghosts are sorted by
 * engine id, the first `below` of them below this rank's owned range. */
static inline int64_t order_key(int64_t x, int64_t nl, int64_t below)
{
    return x < nl ? below + x : x - nl < below ? x - nl : x;
}

int64_t amls__ctx_nbrs(amls_ctx *cx, amls_vertex v, const amls_nbr **nbrs, const uint8_t **dirs)
{
    const amls_graph *g = cx->g;
    int64_t i = g->out_ptr[v], ie = g->out_ptr[v + 1], nl = g->n_local, below = cx->ghosts_below;
    if (!g->directed) {
        *nbrs = g->out_col + i;
        if (dirs && (*dirs = both_ways(cx, ie - i)) == NULL)
            return AMLS_ERR_NOMEM;
        return ie - i;
    }
    if (g->in_ptr == NULL)
        return amls_error(AMLS_ERR_VPROG,
                          "%s: amls_nbrs on a directed graph needs AMLS_NEED_IN_EDGES",
                          cx->p->name);
    int64_t j = g->in_ptr[v], je = g->in_ptr[v + 1], k = 0;
    if (amls__vec_reserve(&cx->nbr_buf, (size_t)(ie - i + je - j) + 1) < 0 ||
        amls__vec_reserve(&cx->dir_buf, (size_t)(ie - i + je - j) + 1) < 0)
        return AMLS_ERR_NOMEM;
    cx->dir_buf.len = 0; /* no longer all both-ways */
    amls_nbr *nb = cx->nbr_buf.data;
    uint8_t *dir = cx->dir_buf.data;
    /* Both rows are sorted by engine id without duplicates: merge them. */
    int64_t ko = i < ie ? order_key(g->out_col[i], nl, below) : INT64_MAX;
    int64_t ki = j < je ? order_key(g->in_col[j], nl, below) : INT64_MAX;
    while (i < ie || j < je) {
        bool o = ko <= ki, n = ki <= ko;
        nb[k] = o ? g->out_col[i] : g->in_col[j];
        dir[k++] = (uint8_t)((o ? AMLS_DIR_OUT : 0) | (n ? AMLS_DIR_IN : 0));
        if (o)
            ko = ++i < ie ? order_key(g->out_col[i], nl, below) : INT64_MAX;
        if (n)
            ki = ++j < je ? order_key(g->in_col[j], nl, below) : INT64_MAX;
    }
    *nbrs = nb;
    if (dirs)
        *dirs = dir;
    return k;
}
