/* ---------------------------------------------------------------------------------------------
 * linalg/la_wcc_local.c — the contraction of WCC: the components of the subgraph of owned
 * vertices (a union-find, Afforest-style sampling first), and for each local component that
 * touches ghosts the list of its distinct ghost neighbours.
 * SPDX-License-Identifier: MIT
 *
 * Afforest (Sutton, Ben-Nun and Barak, IPDPS'18): link every vertex to its first SAMPLES owned
 * out-neighbours (among its first LOOK: with many ranks most neighbours are remote), find the
 * most frequent root among SAMPLE_SIZE vertices, then link every edge of the vertices outside
 * that component (out- and, for directed graphs,
 * in-edges, so that an edge between the big component and another is seen from the other
 * side). Links point the larger root at the smaller, so each root is its component's smallest
 * local index, hence smallest global id.
 *
 * The same idea across ranks: each rank's big local component ("piece") is connected, and the
 * pieces of a group of ranks are known to be connected when a probed edge joins them (ranks
 * send a few cut edges of their piece, found through the communication plan's send lists, to
 * the owners of the far ends, which say whether the end lies in their own piece). The ranks of the
 * largest such group skip the edges of their piece altogether: the piece becomes one active root
 * whose parent starts at the group's smallest piece root, and its ghost list holds only the edges
 * other ranks see from their side (every cut edge of a vertex outside the skipped pieces is sent to
 * the owner of its far end when that rank skips). An edge between two skipped pieces joins what is
 * already joined. Cost: the edges of the vertices outside the pieces, instead of every edge.
 * ------------------------------------------------------------------------------------------- */
#include "la_algos.h"
#include "la_internal.h"

enum {
    SAMPLES = 2,
    LOOK = 8,
    SAMPLE_SIZE = 1024,
    PROBES = 8 /* sampled cut edges per peer rank */
};

static uint32_t find(uint32_t *p, uint32_t x)
{
    while (p[x] != x) {
        p[x] = p[p[x]];
        x = p[x];
    }
    return x;
}

static void link(uint32_t *p, uint32_t a, uint32_t b)
{
    a = find(p, a);
    b = find(p, b);
    if (a < b)
        p[b] = a;
    else if (b < a)
        p[a] = b;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* The most frequent root among a fixed sample of vertices. Local. */
static uint32_t frequent_root(uint32_t *p, int64_t nl)
{
    uint32_t smp[SAMPLE_SIZE], best = 0;
    for (int i = 0; i < SAMPLE_SIZE; i++)
        smp[i] = find(p, (uint32_t)(amls__mix64((uint64_t)i) % (uint64_t)nl));
    qsort(smp, SAMPLE_SIZE, sizeof smp[0], cmp_u32);
    for (int i = 0, run = 0, most = 0; i < SAMPLE_SIZE; i++) {
        run = i > 0 && smp[i] == smp[i - 1] ? run + 1 : 1;
        if (run > most) {
            most = run;
            best = smp[i];
        }
    }
    return best;
}

/* Links all local edges of v (out-list, and in-list for directed graphs). */
static void link_rest(const amls_graph *g, uint32_t *p, int64_t v)
{
    for (int dir = 0; dir < amls__la_ndir(g, true); dir++) {
        const int64_t *ptr = dir ? g->in_ptr : g->out_ptr;
        const uint32_t *col = dir ? g->in_col : g->out_col;
        for (int64_t j = ptr[v]; j < ptr[v + 1]; j++)
            if (col[j] < g->n_local)
                link(p, (uint32_t)v, col[j]);
    }
}

/* p[v] = the root of v's local component; returns the root of the most frequent one. next:
 * scratch, n_local entries. Local. */
static uint32_t local_components(const amls_graph *g, uint32_t *p, uint32_t *next)
{
    int64_t nl = g->n_local;
    for (int64_t v = 0; v < nl; v++)
        p[v] = (uint32_t)v;
    /* The first two owned neighbours among the first LOOK, linked in two rounds (Afforest's
     * order: shallower trees than linking both at once), each row's start read once: the second
     * waits in `next`. */
    for (int64_t v = 0; v < nl; v++) {
        int64_t end = AMLS_MIN(g->out_ptr[v] + LOOK, g->out_ptr[v + 1]), seen = 0;
        next[v] = UINT32_MAX;
        for (int64_t j = g->out_ptr[v]; j < end && seen < SAMPLES; j++)
            if (g->out_col[j] < nl && seen++ == 0)
                link(p, (uint32_t)v, g->out_col[j]);
            else if (g->out_col[j] < nl)
                next[v] = g->out_col[j];
    }
    for (int64_t v = 0; v < nl; v++)
        if (next[v] != UINT32_MAX)
            link(p, (uint32_t)v, next[v]);
    for (int64_t v = 0; v < nl; v++) /* flatten: later finds take one step */
        p[v] = p[p[v]];
    uint32_t big = nl > 0 ? frequent_root(p, nl) : 0;
    for (int64_t v = 0; v < nl; v++)
        if (find(p, (uint32_t)v) != big)
            link_rest(g, p, v);
    for (int64_t v = 0; v < nl; v++)
        p[v] = find(p, (uint32_t)v);
    return nl > 0 ? p[big] : 0;
}

/* The skipped pieces (see the header). */
typedef struct skip_plan {
    const amls_graph *g;
    const uint32_t *root;
    int nranks, rank;
    uint32_t big;    /* this rank's piece: the root of its most frequent local component */
    bool skip;       /* this rank skips the edges of its piece */
    int64_t label;   /* the group's smallest piece root (global id) */
    uint8_t *group;  /* nranks: the ranks that skip */
    uint8_t *conn;   /* nranks * nranks: row r, the ranks whose probes landed in r's piece */
    int64_t *info;   /* 2 * nranks: piece size and root (global id) of every rank */
    int64_t *tot;    /* nranks: vertices per group of ranks (choose_group) */
    int32_t *gown;   /* n_ghost: each ghost's owner */
    int *par;        /* nranks: union-find over ranks */
    amls__vec extra; /* ghost indices next to the skipped piece, as other ranks saw them */
    int rc;          /* a failure inside a receive callback */
} skip_plan;

static int plan_init(skip_plan *sp, const amls_graph *g, const uint32_t *root)
{
    int rc = AMLS_OK;
    sp->g = g;
    sp->root = root;
    amls__vec_init(&sp->extra, sizeof(uint32_t));
    AMLS_TRY(amls__comm_rank(g->comm, &sp->rank, &sp->nranks));
    int64_t P = sp->nranks;
    AMLS_CALLOC(sp->group, P);
    AMLS_CALLOC(sp->conn, P * P);
    AMLS_ALLOC(sp->info, 2 * P);
    AMLS_CALLOC(sp->tot, P);
    AMLS_ALLOC(sp->gown, g->n_ghost + 1);
    AMLS_ALLOC(sp->par, P);
    amls_graph_ghost_owners(g, sp->gown);
cleanup:
    return rc;
}

static void plan_free(skip_plan *sp)
{
    amls__free(sp->group);
    amls__free(sp->conn);
    amls__free(sp->info);
    amls__free(sp->tot);
    amls__free(sp->gown);
    amls__free(sp->par);
    amls__vec_free(&sp->extra);
}

/* The first ghost neighbour of v in [lo, hi) (one owner's ghosts), or -1. Local. */
static int64_t ghost_in(const amls_graph *g, int64_t v, int64_t lo, int64_t hi)
{
    for (int dir = 0; dir < amls__la_ndir(g, true); dir++) {
        const int64_t *ptr = dir ? g->in_ptr : g->out_ptr;
        const uint32_t *col = dir ? g->in_col : g->out_col;
        for (int64_t j = ptr[v]; j < ptr[v + 1]; j++) {
            int64_t k = (int64_t)col[j] - g->n_local;
            if (k >= lo && k < hi)
                return k;
        }
    }
    return -1;
}

/* Probes: up to PROBES cut edges of this rank's piece per peer rank q, from the members q
 * holds as ghosts (the plan's send list: only vertices with a neighbour there are read), each
 * as the far end's global id, to q (counted, or put when `put`). Local. */
static void pack_probes(skip_plan *sp, amls__xchg *x, bool put)
{
    const amls_graph *g = sp->g;
    for (int q = 0; q < sp->nranks; q++)
        for (int64_t i = g->send_off[q], n = 0; i < g->send_off[q + 1] && n < PROBES; i++) {
            uint32_t v = g->send_idx[i];
            int64_t k =
                sp->root[v] == sp->big ? ghost_in(g, v, g->recv_off[q], g->recv_off[q + 1]) : -1;
            if (k < 0)
                continue;
            n++;
            if (put)
                memcpy(amls__xchg_put(x, q, 8), &g->ghost_gid[k], 8);
            else
                amls__xchg_count(x, q, 8);
        }
}

static void probe_received(void *ud, int src, const void *rec)
{
    skip_plan *sp = ud;
    int64_t gid;
    memcpy(&gid, rec, sizeof gid);
    if (sp->root[gid - sp->g->lo] == sp->big)
        sp->conn[(int64_t)sp->rank * sp->nranks + src] = 1;
}

static int rank_root(int *par, int r)
{
    while (par[r] != r)
        r = par[r] = par[par[r]];
    return r;
}

/* The skipping group: ranks whose pieces probes joined, the group holding the most vertices
 * (the lowest rank's on a tie); its smallest piece root is the label. Collective. */
static int choose_group(skip_plan *sp, int64_t size)
{
    int rc = AMLS_OK, P = sp->nranks, best = 0;
    int64_t mine[2] = {size, sp->g->lo + sp->big}, *in = sp->info;
    int64_t *tot = sp->tot;
    int *par = sp->par;
    AMLS_MPI_TRY(
        MPI_Allgather(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, sp->conn, P, MPI_UINT8_T, sp->g->comm));
    AMLS_MPI_TRY(MPI_Allgather(mine, 2, MPI_INT64_T, in, 2, MPI_INT64_T, sp->g->comm));
    for (int r = 0; r < P; r++) {
        par[r] = r;
        tot[r] = 0;
    }
    for (int r = 0; r < P; r++)
        for (int q = 0; q < P; q++)
            if (sp->conn[(int64_t)r * P + q] && in[2 * r] > 0 && in[2 * q] > 0) {
                int a = rank_root(par, r), b = rank_root(par, q);
                par[AMLS_MAX(a, b)] = AMLS_MIN(a, b);
            }
    for (int r = 0; r < P; r++)
        tot[rank_root(par, r)] += in[2 * r];
    for (int r = 1; r < P; r++)
        best = tot[r] > tot[best] ? r : best;
    sp->label = INT64_MAX;
    for (int r = 0; r < P; r++) {
        sp->group[r] = rank_root(par, r) == best && in[2 * r] > 0;
        sp->label = sp->group[r] ? AMLS_MIN(sp->label, in[2 * r + 1]) : sp->label;
    }
    sp->skip = sp->group[sp->rank];
cleanup:
    return rc;
}

/* Every cut edge of a vertex outside the skipped pieces whose far end's owner skips, sent there
 * as (far end, this end) global ids (counted, or put when `put`). Local. */
static void pack_reverse(skip_plan *sp, amls__xchg *x, bool put)
{
    const amls_graph *g = sp->g;
    for (int64_t v = 0; v < g->n_local; v++) {
        if (sp->skip && sp->root[v] == sp->big)
            continue;
        for (int dir = 0; dir < amls__la_ndir(g, true); dir++) {
            const int64_t *ptr = dir ? g->in_ptr : g->out_ptr;
            const uint32_t *col = dir ? g->in_col : g->out_col;
            for (int64_t j = ptr[v]; j < ptr[v + 1]; j++) {
                int64_t k = (int64_t)col[j] - g->n_local;
                if (k < 0 || !sp->group[sp->gown[k]])
                    continue;
                int64_t rec[2] = {g->ghost_gid[k], g->lo + v};
                if (put)
                    memcpy(amls__xchg_put(x, sp->gown[k], sizeof rec), rec, sizeof rec);
                else
                    amls__xchg_count(x, sp->gown[k], sizeof rec);
            }
        }
    }
}

/* A reverse edge ending in the skipped piece: its far end's ghost index joins the piece's
 * list (ghosts from src lie in [recv_off[src], recv_off[src+1]), sorted by global id). */
static void reverse_received(void *ud, int src, const void *rec)
{
    skip_plan *sp = ud;
    const amls_graph *g = sp->g;
    int64_t e[2];
    memcpy(e, rec, sizeof e);
    if (sp->rc < 0 || sp->root[e[0] - g->lo] != sp->big)
        return;
    int64_t at = g->recv_off[src],
            k = amls__bsearch_i64(g->ghost_gid + at, g->recv_off[src + 1] - at, e[1]);
    uint32_t ghost = (uint32_t)(at + k);
    if (k < 0)
        sp->rc =
            amls_error(AMLS_ERR_INTERNAL, "wcc: vertex %lld is not a ghost here", (long long)e[1]);
    else
        sp->rc = amls__vec_push(&sp->extra, &ghost);
}

/* One exchange of records packed by `pack` (count, then put), handed to `recv`. Collective. */
static int plan_exchange(skip_plan *sp, size_t rec, void (*pack)(skip_plan *, amls__xchg *, bool),
                         amls__xchg_fn recv)
{
    amls__xchg x = {0};
    int rc = amls__xchg_init(&x, sp->g->comm);
    if (rc == AMLS_OK) {
        pack(sp, &x, false);
        rc = amls__xchg_pack(&x);
    }
    if (rc == AMLS_OK)
        pack(sp, &x, true);
    rc = amls__xchg_run(&x, rc);
    if (rc == AMLS_OK)
        amls__xchg_each(&x, rec, recv, sp);
    amls__xchg_free(&x);
    return rc == AMLS_OK ? amls_agree(sp->g->comm, sp->rc, NULL) : rc;
}

/* Probes, the group, and the reverse edges into the skipped pieces. Collective. */
static int plan_skip(skip_plan *sp)
{
    int rc = AMLS_OK;
    int64_t size = 0;
    for (int64_t v = 0; v < sp->g->n_local; v++)
        size += sp->root[v] == sp->big;
    AMLS_TRY(plan_exchange(sp, 8, pack_probes, probe_received));
    AMLS_TRY(choose_group(sp, size));
    AMLS_TRY(plan_exchange(sp, 16, pack_reverse, reverse_received));
cleanup:
    return rc;
}

/* Appends the distinct ghosts adjacent to v not yet listed for root index r (mark[k] = r+1). */
static int list_ghosts(const amls_graph *g, int64_t v, uint32_t r, uint32_t *mark, amls__vec *gl)
{
    for (int dir = 0; dir < amls__la_ndir(g, true); dir++) {
        const int64_t *ptr = dir ? g->in_ptr : g->out_ptr;
        const uint32_t *col = dir ? g->in_col : g->out_col;
        for (int64_t j = ptr[v]; j < ptr[v + 1]; j++) {
            uint32_t t = col[j];
            if (t < g->n_local || mark[t - g->n_local] == r + 1)
                continue;
            mark[t - g->n_local] = r + 1;
            uint32_t k = (uint32_t)(t - g->n_local);
            int rc = amls__vec_push(gl, &k);
            if (rc < 0)
                return rc;
        }
    }
    return AMLS_OK;
}

/* Appends the distinct ghosts of the skipped piece's list not yet listed for root index r. */
static int list_extra(const skip_plan *sp, uint32_t r, uint32_t *mark, amls__vec *gl)
{
    const uint32_t *k = sp->extra.data;
    for (size_t q = 0; q < sp->extra.len; q++) {
        if (mark[k[q]] == r + 1)
            continue;
        mark[k[q]] = r + 1;
        int rc = amls__vec_push(gl, &k[q]);
        if (rc < 0)
            return rc;
    }
    return AMLS_OK;
}

/* Groups the members by root (counting sort), then lists each root's distinct ghosts (the
 * skipped piece: the ghosts other ranks reported); the roots with ghosts, and the skipped
 * piece's, become the active ones. Local. */
static int ghost_lists(const amls_graph *g, amls__contract *c, const skip_plan *sp, int64_t *start,
                       uint32_t *order, uint32_t *mark)
{
    int rc = AMLS_OK;
    int64_t nl = g->n_local;
    amls__vec gl, gptr;
    amls__vec_init(&gl, sizeof(uint32_t));
    amls__vec_init(&gptr, sizeof(int64_t));
    for (int64_t v = 0; v < nl; v++)
        start[c->root[v] + 1]++;
    for (int64_t r = 0; r < nl; r++)
        start[r + 1] += start[r];
    for (int64_t v = 0; v < nl; v++)
        order[start[c->root[v]]++] = (uint32_t)v;
    AMLS_TRY(amls__vec_push_i64(&gptr, 0));
    for (int64_t r = 0, q = 0; r < nl; r++) {
        size_t before = gl.len;
        bool skipped = sp->skip && r == sp->big;
        for (; q < nl && c->root[order[q]] == r; q++)
            if (!skipped)
                AMLS_TRY(list_ghosts(g, order[q], (uint32_t)c->na, mark, &gl));
        if (skipped)
            AMLS_TRY(list_extra(sp, (uint32_t)c->na, mark, &gl));
        if (gl.len > before || skipped) {
            c->big_act = skipped ? c->na : c->big_act;
            c->act[c->na++] = (uint32_t)r;
            AMLS_TRY(amls__vec_push_i64(&gptr, (int64_t)gl.len));
        }
    }
    c->gl = amls__vec_steal(&gl);
    c->gptr = amls__vec_steal(&gptr);
cleanup:
    amls__vec_free(&gl);
    amls__vec_free(&gptr);
    return rc;
}

int amls__contract_new(const amls_graph *g, amls__contract *c)
{
    int rc = AMLS_OK;
    int64_t nl = g->n_local, *start = NULL;
    uint32_t *order = NULL, *mark = NULL;
    skip_plan sp = {0};
    memset(c, 0, sizeof *c);
    c->big_act = -1;
    c->root = amls__malloc((size_t)nl + 1, sizeof *c->root);
    c->act = amls__malloc((size_t)nl + 1, sizeof *c->act);
    start = amls__calloc((size_t)nl + 2, sizeof *start);
    order = amls__malloc((size_t)nl + 1, sizeof *order);
    mark = amls__calloc((size_t)g->n_ghost + 1, sizeof *mark);
    rc = amls__alloc_status(c->root && c->act && start && order && mark);
    AMLS_AGREE(g->comm, rc == AMLS_OK ? plan_init(&sp, g, c->root) : rc);
    sp.big = local_components(g, c->root, order); /* order: scratch until ghost_lists */
    AMLS_TRY(plan_skip(&sp));
    c->big_label = sp.label;
    AMLS_TRY(ghost_lists(g, c, &sp, start, order, mark));
cleanup:
    plan_free(&sp);
    amls__free(start);
    amls__free(order);
    amls__free(mark);
    return rc;
}

void amls__contract_free(amls__contract *c)
{
    amls__free(c->root);
    amls__free(c->act);
    amls__free(c->gptr);
    amls__free(c->gl);
    memset(c, 0, sizeof *c);
}
