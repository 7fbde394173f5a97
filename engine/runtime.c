/* ---------------------------------------------------------------------------------------------
 * engine/runtime.c — the bulk-synchronous superstep runtime.
 * SPDX-License-Identifier: MIT
 *
 * Messages. With a combiner, a message to a neighbour is combined on the sender into a slot
 * per local or ghost vertex (the ghost slots are this rank's copy of the remote vertices its
 * edges reach). At the end of the superstep, each peer gets a bitmap over the ghosts it owns,
 * in plan order, followed by the combined values of the set bits: no vertex ids on the wire.
 * Messages to vertices that are not neighbours travel as (peer-local index, message) records.
 * Without a combiner every message is such a record; the receiver groups all records by target
 * with a counting sort, so compute() sees all its messages contiguously. One MPI_Alltoall of
 * byte counts and one MPI_Alltoallv move everything; one MPI_Allreduce carries the counters
 * (vertices active, messages, bytes, errors) that decide termination, so error agreement rides
 * on a collective the loop does anyway.
 * ------------------------------------------------------------------------------------------- */
#include "engine/runtime.h"

#include "engine/graph_util.h"

#include <math.h>
#include <stdio.h>

/* ---- combining ----------------------------------------------------------------------------- */

enum {
    K_NONE,
    K_USER,
    K_SUM_I64,
    K_MIN_I64,
    K_MAX_I64,
    K_SUM_F64,
    K_MIN_F64,
    K_MAX_F64,
    K_SUM_I32,
    K_MIN_I32,
    K_MAX_I32,
    K_SUM_F32,
    K_MIN_F32,
    K_MAX_F32
};

int amls__combine_kind(const amls_combiner *c)
{
    if (c->op == AMLS_OP_NONE)
        return K_NONE;
    if (c->op == AMLS_OP_USER)
        return K_USER;
    int base = c->type == AMLS_TYPE_I64   ? K_SUM_I64
               : c->type == AMLS_TYPE_F64 ? K_SUM_F64
               : c->type == AMLS_TYPE_I32 ? K_SUM_I32
                                          : K_SUM_F32;
    return base + (c->op == AMLS_OP_SUM ? 0 : c->op == AMLS_OP_MIN ? 1 : 2);
}

#define COMBINE_T(T, acc, msg, OP)                                                                 \
    do {                                                                                           \
        T a_, m_;                                                                                  \
        memcpy(&a_, (acc), sizeof a_);                                                             \
        memcpy(&m_, (msg), sizeof m_);                                                             \
        a_ = OP(a_, m_);                                                                           \
        memcpy((acc), &a_, sizeof a_);                                                             \
    } while (0)
#define OP_SUM(a, b) ((a) + (b))
#define OP_MIN(a, b) ((b) < (a) ? (b) : (a))
#define OP_MAX(a, b) ((b) > (a) ? (b) : (a))

static inline void combine(const amls_ctx *cx, void *acc, const void *msg)
{
    switch (cx->kind) {
    case K_USER:
        cx->p->combiner.fn(acc, msg);
        break;
    case K_SUM_I64:
        COMBINE_T(int64_t, acc, msg, OP_SUM);
        break;
    case K_MIN_I64:
        COMBINE_T(int64_t, acc, msg, OP_MIN);
        break;
    case K_MAX_I64:
        COMBINE_T(int64_t, acc, msg, OP_MAX);
        break;
    case K_SUM_F64:
        COMBINE_T(double, acc, msg, OP_SUM);
        break;
    case K_MIN_F64:
        COMBINE_T(double, acc, msg, OP_MIN);
        break;
    case K_MAX_F64:
        COMBINE_T(double, acc, msg, OP_MAX);
        break;
    case K_SUM_I32:
        COMBINE_T(int32_t, acc, msg, OP_SUM);
        break;
    case K_MIN_I32:
        COMBINE_T(int32_t, acc, msg, OP_MIN);
        break;
    case K_MAX_I32:
        COMBINE_T(int32_t, acc, msg, OP_MAX);
        break;
    case K_SUM_F32:
        COMBINE_T(float, acc, msg, OP_SUM);
        break;
    case K_MIN_F32:
        COMBINE_T(float, acc, msg, OP_MIN);
        break;
    case K_MAX_F32:
        COMBINE_T(float, acc, msg, OP_MAX);
        break;
    default:
        break;
    }
}

void amls__combine(const amls_ctx *cx, void *acc, const void *msg)
{
    combine(cx, acc, msg);
}

/* Put msg into slot t of the outgoing combined array. */
static inline void slot_put(amls_ctx *cx, int64_t t, const void *msg)
{
    char *acc = cx->nval + (size_t)t * cx->msz;
    if (cx->nhas[t]) {
        combine(cx, acc, msg);
    } else {
        memcpy(acc, msg, cx->msz);
        cx->nhas[t] = 1;
        cx->nlist[cx->nlist_len++] = t;
    }
}

/* Append a (target index, message) record to a buffer. */
static inline int rec_put(amls_ctx *cx, amls__vec *buf, uint32_t idx, const void *msg)
{
    size_t need = buf->len + cx->rsz;
    if (need > buf->cap) {
        int rc = amls__vec_reserve(buf, AMLS_MAX(need, 2 * buf->cap + 4096));
        if (rc < 0)
            return rc;
    }
    char *r = (char *)buf->data + buf->len;
    memcpy(r, &idx, sizeof idx);
    memcpy(r + sizeof idx, msg, cx->msz);
    buf->len = need;
    return AMLS_OK;
}

/* ---- the API table -------------------------------------------------------------------------- */

static amls_vid api_vertex_id(const amls_ctx *cx, amls_vertex v)
{
    return cx->g->orig[v];
}
static amls_gid api_vertex_gid(const amls_ctx *cx, amls_vertex v)
{
    return cx->g->lo + v;
}
static int64_t api_superstep(const amls_ctx *cx)
{
    return cx->step;
}
static int64_t api_num_vertices(const amls_ctx *cx)
{
    return cx->g->n;
}
static int64_t api_num_edges(const amls_ctx *cx)
{
    return cx->g->edges;
}
static bool api_is_directed(const amls_ctx *cx)
{
    return cx->g->directed;
}
static int64_t api_out_edges(const amls_ctx *cx, amls_vertex v, const amls_nbr **nbrs,
                             const double **w)
{
    const amls_graph *g = cx->g;
    int64_t b = g->out_ptr[v];
    if (nbrs)
        *nbrs = g->out_col + b;
    if (w)
        *w = g->out_w ? g->out_w + b : NULL;
    return g->out_ptr[v + 1] - b;
}
static int64_t api_in_edges(const amls_ctx *cx, amls_vertex v, const amls_nbr **nbrs,
                            const double **w)
{
    const amls_graph *g = cx->g;
    if (g->in_ptr == NULL) {
        if (nbrs)
            *nbrs = NULL;
        if (w)
            *w = NULL;
        return 0;
    }
    int64_t b = g->in_ptr[v];
    if (nbrs)
        *nbrs = g->in_col + b;
    if (w)
        *w = g->in_w ? g->in_w + b : NULL;
    return g->in_ptr[v + 1] - b;
}
static amls_vid api_nbr_id(const amls_ctx *cx, amls_nbr n)
{
    return amls_graph_orig(cx->g, n);
}
static amls_gid api_nbr_gid(const amls_ctx *cx, amls_nbr n)
{
    return amls_graph_gid(cx->g, n);
}

static int send_local_index(amls_ctx *cx, int64_t t, const void *msg)
{
    cx->sent++;
    if (cx->kind != K_NONE) {
        slot_put(cx, t, msg);
        return AMLS_OK;
    }
    const amls_graph *g = cx->g;
    if (t < g->n_local)
        return rec_put(cx, &cx->lrec, (uint32_t)t, msg);
    int64_t k = t - g->n_local;
    int p = cx->ghost_owner[k];
    return rec_put(cx, &cx->raw[p], (uint32_t)(g->ghost_gid[k] - g->owner_off[p]), msg);
}

static int api_send_nbr(amls_ctx *cx, amls_nbr n, const void *msg)
{
    return send_local_index(cx, n, msg);
}

static int api_send_gid(amls_ctx *cx, amls_gid t, const void *msg)
{
    const amls_graph *g = cx->g;
    if (t < 0 || t >= g->n)
        return amls_error(AMLS_ERR_VPROG, "%s: message to vertex id %lld, outside 0..%lld",
                          cx->p->name, (long long)t, (long long)g->n - 1);
    if (t >= g->lo && t < g->lo + g->n_local)
        return send_local_index(cx, t - g->lo, msg);
    int64_t k = amls__bsearch_i64(g->ghost_gid, g->n_ghost, t);
    if (k >= 0)
        return send_local_index(cx, g->n_local + k, msg);
    cx->sent++;
    int p = amls_graph_owner(g, t);
    return rec_put(cx, &cx->raw[p], (uint32_t)(t - g->owner_off[p]), msg);
}

/* Sends msg along a CSR row; the combiner switch is hoisted out of the edge loop. */
static int send_row(amls_ctx *cx, const uint32_t *col, int64_t b, int64_t e, const void *msg)
{
    if (cx->kind == K_NONE) { /* one record per message; send_local_index counts them */
        for (int64_t j = b; j < e; j++) {
            int rc = send_local_index(cx, col[j], msg);
            if (rc < 0)
                return rc;
        }
        return AMLS_OK;
    }
    cx->sent += e - b;
    switch (cx->kind) {
    case K_SUM_F64: {
        /* Locals: stores through the uint8_t flags could alias the context otherwise. */
        double m;
        memcpy(&m, msg, sizeof m);
        double *val = (double *)cx->nval;
        uint8_t *has = cx->nhas;
        int64_t *lst = cx->nlist, len = cx->nlist_len;
        for (int64_t j = b; j < e; j++) {
            uint32_t t = col[j];
            if (has[t]) {
                val[t] += m;
            } else {
                val[t] = m;
                has[t] = 1;
                lst[len++] = t;
            }
        }
        cx->nlist_len = len;
        return AMLS_OK;
    }
    case K_MIN_I64: {
        int64_t m;
        memcpy(&m, msg, sizeof m);
        int64_t *val = (int64_t *)cx->nval;
        uint8_t *has = cx->nhas;
        int64_t *lst = cx->nlist, len = cx->nlist_len;
        for (int64_t j = b; j < e; j++) {
            uint32_t t = col[j];
            if (!has[t]) {
                val[t] = m;
                has[t] = 1;
                lst[len++] = t;
            } else if (m < val[t]) {
                val[t] = m;
            }
        }
        cx->nlist_len = len;
        return AMLS_OK;
    }
    default:
        for (int64_t j = b; j < e; j++)
            slot_put(cx, col[j], msg);
        return AMLS_OK;
    }
}

static int api_send_out(amls_ctx *cx, amls_vertex v, const void *msg)
{
    const amls_graph *g = cx->g;
    return send_row(cx, g->out_col, g->out_ptr[v], g->out_ptr[v + 1], msg);
}

static int api_send_in(amls_ctx *cx, amls_vertex v, const void *msg)
{
    const amls_graph *g = cx->g;
    if (g->in_ptr == NULL)
        return amls_error(AMLS_ERR_VPROG,
                          "%s: sends along in-edges without declaring AMLS_NEED_IN_EDGES",
                          cx->p->name);
    return send_row(cx, g->in_col, g->in_ptr[v], g->in_ptr[v + 1], msg);
}

static void api_vote_to_halt(amls_ctx *cx, amls_vertex v)
{
    cx->halted[v] = 1;
}

static int api_publish(amls_ctx *cx, amls_vertex v, const void *data, size_t len)
{
    if (cx->p->pub_size == 0)
        return amls_error(AMLS_ERR_VPROG, "%s: publishes without declaring pub_size", cx->p->name);
    cx->published = 1;
    if (cx->p->pub_size != AMLS_PUB_VARIABLE) {
        memcpy(cx->pub_next + (size_t)v * cx->psz, data, cx->psz);
        cx->pub_next_has[v] = 1;
        return AMLS_OK;
    }
    /* Variable: append to this superstep's blob buffer. */
    size_t need = cx->vpub_next.len + len;
    if (need > cx->vpub_next.cap) {
        int rc = amls__vec_reserve(&cx->vpub_next, AMLS_MAX(need, 2 * cx->vpub_next.cap + 4096));
        if (rc < 0)
            return rc;
    }
    if (len > 0)
        memcpy((char *)cx->vpub_next.data + cx->vpub_next.len, data, len);
    cx->vpub_next_off[v] = (int64_t)cx->vpub_next.len;
    cx->vpub_next_len[v] = (int64_t)len;
    cx->vpub_next.len = need;
    return AMLS_OK;
}

static const void *api_nbr_published(const amls_ctx *cx, amls_nbr n, size_t *len)
{
    if (cx->p->pub_size == 0) {
        if (len)
            *len = 0;
        return NULL;
    }
    if (cx->p->pub_size != AMLS_PUB_VARIABLE) {
        if (len)
            *len = cx->pub_has[n] ? cx->psz : 0;
        return cx->pub_has[n] ? cx->pub + (size_t)n * cx->psz : NULL;
    }
    int64_t l = cx->vpub_len[n];
    if (len)
        *len = l < 0 ? 0 : (size_t)l;
    return l < 0 ? NULL : (const char *)cx->vpub.data + cx->vpub_off[n];
}

void amls__agg_combine(const amls_aggregator *a, amls__aggval *acc, amls__aggval x)
{
    if (a->type == AMLS_TYPE_F64) {
        double *y = &acc->f;
        *y = a->op == AMLS_OP_SUM ? *y + x.f : a->op == AMLS_OP_MIN ? fmin(*y, x.f) : fmax(*y, x.f);
    } else {
        int64_t *y = &acc->i;
        *y = a->op == AMLS_OP_SUM   ? *y + x.i
             : a->op == AMLS_OP_MIN ? AMLS_MIN(*y, x.i)
                                    : AMLS_MAX(*y, x.i);
    }
}

amls__aggval amls__agg_identity(const amls_aggregator *a)
{
    amls__aggval v;
    if (a->type == AMLS_TYPE_F64)
        v.f = a->op == AMLS_OP_SUM ? 0.0 : a->op == AMLS_OP_MIN ? INFINITY : -INFINITY;
    else
        v.i = a->op == AMLS_OP_SUM ? 0 : a->op == AMLS_OP_MIN ? INT64_MAX : INT64_MIN;
    return v;
}

static int api_aggregate(amls_ctx *cx, int idx, const void *value)
{
    if (idx < 0 || idx >= cx->p->naggregators)
        return amls_error(AMLS_ERR_VPROG, "%s: aggregator %d does not exist", cx->p->name, idx);
    amls__aggval x;
    memcpy(&x, value, sizeof x);
    amls__agg_combine(&cx->p->aggregators[idx], &cx->agg_part[idx], x);
    return AMLS_OK;
}

static void api_aggregated(const amls_ctx *cx, int idx, void *value)
{
    amls__aggval x = {0};
    if (idx >= 0 && idx < cx->p->naggregators)
        x = cx->agg_cur[idx];
    memcpy(value, &x, sizeof x);
}

static void api_set_aggregated(amls_ctx *cx, int idx, const void *value)
{
    if (idx >= 0 && idx < cx->p->naggregators)
        memcpy(&cx->agg_cur[idx], value, sizeof cx->agg_cur[idx]);
}

static void api_halt(amls_ctx *cx)
{
    cx->halt_req = true;
}

static int64_t api_param_i64(const amls_ctx *cx, int idx)
{
    return idx >= 0 && idx < cx->p->nparams ? cx->par[idx].i : 0;
}
static double api_param_f64(const amls_ctx *cx, int idx)
{
    return idx >= 0 && idx < cx->p->nparams ? cx->par[idx].f : 0.0;
}
static const char *api_param_str(const amls_ctx *cx, int idx)
{
    return idx >= 0 && idx < cx->p->nparams ? cx->par[idx].s : NULL;
}
static void *api_alloc(amls_ctx *cx, size_t bytes)
{
    (void)cx;
    return amls__malloc(bytes, 1);
}
static void api_free(amls_ctx *cx, void *p)
{
    (void)cx;
    amls__free(p);
}
static void api_set_user(amls_ctx *cx, void *user)
{
    cx->user = user;
}
static void *api_user(const amls_ctx *cx)
{
    return cx->user;
}
static int api_error(amls_ctx *cx, const char *message)
{
    return amls_error(AMLS_ERR_VPROG, "%s: %s", cx->p->name, message);
}
static int api_rank(const amls_ctx *cx)
{
    return cx->g->rank;
}
static int api_nranks(const amls_ctx *cx)
{
    return cx->g->nranks;
}

static const amls_api engine_api = {
    .abi_major = AMLS_ABI_MAJOR,
    .abi_minor = AMLS_ABI_MINOR,
    .struct_size = sizeof(amls_api),
    .vertex_id = api_vertex_id,
    .vertex_gid = api_vertex_gid,
    .superstep = api_superstep,
    .num_vertices = api_num_vertices,
    .num_edges = api_num_edges,
    .is_directed = api_is_directed,
    .out_edges = api_out_edges,
    .in_edges = api_in_edges,
    .nbr_id = api_nbr_id,
    .nbr_gid = api_nbr_gid,
    .send_nbr = api_send_nbr,
    .send_gid = api_send_gid,
    .send_out = api_send_out,
    .send_in = api_send_in,
    .vote_to_halt = api_vote_to_halt,
    .publish = api_publish,
    .nbr_published = api_nbr_published,
    .aggregate = api_aggregate,
    .aggregated = api_aggregated,
    .set_aggregated = api_set_aggregated,
    .halt = api_halt,
    .param_i64 = api_param_i64,
    .param_f64 = api_param_f64,
    .param_str = api_param_str,
    .alloc = api_alloc,
    .free = api_free,
    .set_user = api_set_user,
    .user = api_user,
    .error = api_error,
    .rank = api_rank,
    .nranks = api_nranks,
};

const amls_api *amls_engine_api(void)
{
    return &engine_api;
}
