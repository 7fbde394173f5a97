/* ---------------------------------------------------------------------------------------------
 * engine/run_api.c — the function table programs call (amls_api): thin entries that read the
 * graph and forward to the files that do the work (messages, published values, aggregators).
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#include "run_internal.h"

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

/* Row v of a CSR (NULL rows are empty). */
static int64_t row(const int64_t *ptr, const uint32_t *col, const double *w, amls_vertex v,
                   const amls_nbr **nbrs, const double **wts)
{
    int64_t b = ptr ? ptr[v] : 0;
    if (nbrs)
        *nbrs = ptr ? col + b : NULL;
    if (wts)
        *wts = ptr && w ? w + b : NULL;
    return ptr ? ptr[v + 1] - b : 0;
}
static int64_t api_out_edges(const amls_ctx *cx, amls_vertex v, const amls_nbr **nbrs,
                             const double **w)
{
    const amls_graph *g = cx->g;
    return row(g->out_ptr, g->out_col, g->out_w, v, nbrs, w);
}
static int64_t api_in_edges(const amls_ctx *cx, amls_vertex v, const amls_nbr **nbrs,
                            const double **w)
{
    const amls_graph *g = cx->g;
    return row(g->in_ptr, g->in_col, g->in_w, v, nbrs, w);
}
static amls_vid api_nbr_id(const amls_ctx *cx, amls_nbr n)
{
    return amls_graph_orig(cx->g, n);
}
static amls_gid api_nbr_gid(const amls_ctx *cx, amls_nbr n)
{
    return amls_graph_gid(cx->g, n);
}

/* With a combiner, a value sent to all neighbours is recorded once (run_pull.c). */
static int api_send_out(amls_ctx *cx, amls_vertex v, const void *msg)
{
    const amls_graph *g = cx->g;
    if (cx->m.comb.kind != AMLS__COMB_NONE)
        return amls__send_sig(cx, 0, v, msg);
    return amls__send_row(cx, g->out_col, g->out_ptr[v], g->out_ptr[v + 1], msg);
}
static int api_send_in(amls_ctx *cx, amls_vertex v, const void *msg)
{
    const amls_graph *g = cx->g;
    if (g->in_ptr == NULL)
        return amls_error(AMLS_ERR_VPROG,
                          "%s: sends along in-edges without declaring AMLS_NEED_IN_EDGES",
                          cx->p->name);
    if (cx->m.comb.kind != AMLS__COMB_NONE)
        return amls__send_sig(cx, g->directed ? 1 : 0, v, msg);
    return amls__send_row(cx, g->in_col, g->in_ptr[v], g->in_ptr[v + 1], msg);
}
static void api_vote_to_halt(amls_ctx *cx, amls_vertex v)
{
    cx->halted[v] = 1;
}

static const void *api_nbr_published(const amls_ctx *cx, amls_nbr n, size_t *len)
{
    return amls__published(cx, n, len);
}
static const void *api_published(const amls_ctx *cx, amls_vertex v, size_t *len)
{
    return amls__published(cx, v, len);
}

static const amls__agg *agg_at(const amls_ctx *cx, int idx)
{
    return idx >= 0 && idx < cx->agg.n ? &cx->agg.a[idx] : NULL;
}
static int api_aggregate(amls_ctx *cx, int idx, const void *value)
{
    const amls__agg *a = agg_at(cx, idx);
    if (a == NULL)
        return amls_error(AMLS_ERR_VPROG, "%s: aggregator %d does not exist", cx->p->name, idx);
    amls__agg_combine(a, cx->agg.part + a->off, value);
    return AMLS_OK;
}
static void api_aggregated(const amls_ctx *cx, int idx, void *value)
{
    const amls__agg *a = agg_at(cx, idx);
    if (a)
        memcpy(value, cx->agg.cur + a->off, a->size);
    else
        memset(value, 0, 8);
}
static void api_set_aggregated(amls_ctx *cx, int idx, const void *value)
{
    if (cx->phase != AMLS__PHASE_MASTER) {
        amls__misuse(cx, "amls_set_aggregated called outside the master step");
        return;
    }
    const amls__agg *a = agg_at(cx, idx);
    if (a)
        memcpy(cx->agg.cur + a->off, value, a->size);
}
static void api_halt(amls_ctx *cx)
{
    if (cx->phase != AMLS__PHASE_MASTER) {
        amls__misuse(cx, "amls_halt called outside the master step (a vertex votes to halt "
                         "with amls_vote_to_halt)");
        return;
    }
    cx->agg.halt_req = true;
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
    void *p = amls__malloc(bytes, 1);
    cx->alloc_failed = cx->alloc_failed || p == NULL;
    return p;
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
/* A failure reported after amls_alloc or amls_scratch ran out of memory in the same callback
 * phase is an out-of-memory error. */
static int api_error(amls_ctx *cx, const char *message)
{
    return amls_error(cx->alloc_failed ? AMLS_ERR_NOMEM : AMLS_ERR_VPROG, "%s: %s", cx->p->name,
                      message);
}
static int api_rank(const amls_ctx *cx)
{
    return cx->g->rank;
}
static int api_nranks(const amls_ctx *cx)
{
    return cx->g->nranks;
}

static int64_t api_local_vertices(const amls_ctx *cx)
{
    return cx->g->n_local;
}
static amls_vertex api_nbr_vertex(const amls_ctx *cx, amls_nbr n)
{
    return (int64_t)n < cx->g->n_local ? (amls_vertex)n : -1;
}
static void api_wake_all(amls_ctx *cx)
{
    if (cx->phase != AMLS__PHASE_MASTER) {
        amls__misuse(cx, "amls_wake_all called outside the master step");
        return;
    }
    cx->wake_all = true;
}

static int api_sleep(amls_ctx *cx, amls_vertex v, int64_t key)
{
    if (cx->phase != AMLS__PHASE_COMPUTE) {
        amls__misuse(cx, "amls_sleep called outside compute");
        return AMLS_ERR_VPROG;
    }
    return amls__sleep_put(cx, v, key);
}
static int64_t api_min_sleeping(const amls_ctx *cx)
{
    return cx->st.sum[AMLS__REC_SLEEP];
}
static void api_wake_upto(amls_ctx *cx, int64_t key)
{
    if (cx->phase != AMLS__PHASE_MASTER) {
        amls__misuse(cx, "amls_wake_upto called outside the master step");
        return;
    }
    cx->sl.bound = key;
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
    .send_nbr = amls__send_nbr, /* per message: no wrapper */
    .send_gid = amls__send_gid,
    .send_out = api_send_out,
    .send_in = api_send_in,
    .vote_to_halt = api_vote_to_halt,
    .publish = amls__publish,
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
    /* [1.1] */
    .nbrs = amls__ctx_nbrs,
    .scratch = amls__ctx_scratch,
    .published = api_published,
    .send_vid = amls__send_vid,
    /* [1.2] */
    .request = amls__request,
    .reply_of = amls__reply,
    .local_vertices = api_local_vertices,
    .nbr_vertex = api_nbr_vertex,
    .wake_all = api_wake_all,
    /* [1.3] */
    .sleep = api_sleep,
    .min_sleeping = api_min_sleeping,
    .wake_upto = api_wake_upto,
};

const amls_api *amls_engine_api(void)
{
    return &engine_api;
}
