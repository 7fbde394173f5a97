/* ---------------------------------------------------------------------------------------------
 * linalg/la_wcc.c — weakly connected components by FastSV (Zhang, Azad and Hu, SIAM PP 2020)
 * over the graph contracted by each rank's local components.
 * SPDX-License-Identifier: MIT
 *
 * 1. Local contraction: a union-find over the edges between owned vertices, Afforest-style
 *    (Sutton, Ben-Nun and Barak, IPDPS'18): link each vertex to its first two neighbours, take
 *    the most frequent root of a sample, then link the remaining edges of the vertices outside
 *    it. Every local component is rooted at its smallest global id. No communication.
 * 2. FastSV on the quotient graph whose vertices are those roots and whose edges are the cut
 *    edges (each root's distinct ghost neighbours are listed once): a parent vector f over
 *    global ids, gf = f[f], and per round
 *      mngf = A min.2nd gf                 the smallest grandparent among the neighbours
 *      f[f[r]] = min(f[f[r]], mngf[r])     stochastic hooking (assign with min, indices f)
 *      f[r] = min(f[r], mngf[r])           aggressive hooking
 *      f[r] = min(f[r], gf[r])             shortcutting
 *      gf[r] = f[f[r]]                     (extract)
 *    until gf stops changing; then each tree is a star rooted at its component's smallest
 *    global id. f and gf only decrease, so mngf is kept up to date by pushing only the
 *    grandparents that changed (an SpMSpV over min-select through the neighbour exchange, a
 *    value sent to a ghost only when it beats the last one sent); only roots whose mngf dropped
 *    can hook, and only those whose gf changed need shortcutting. Remote indices f[r] are
 *    reached by routed exchanges (hooks combined per target, lookups one per distinct parent).
 * 3. Output: the smallest ORIGINAL id of each component, by a min-reduction of original ids at
 *    each star's root and a lookup: the same for every partition and rank count.
 * ------------------------------------------------------------------------------------------- */
#include "la_algos.h"
#include "la_internal.h"

/* Open-addressing map from global ids to int64 values, cleared through its list of used slots.
 * Capacity: a power of two above twice the keys it will hold. */
typedef struct gmap {
    int64_t *key, *val;
    int64_t *used, nused;
    uint64_t mask;
} gmap;

static int gmap_init(gmap *m, int64_t maxkeys)
{
    uint64_t cap = 16;
    while (cap < 2 * (uint64_t)maxkeys + 2)
        cap *= 2;
    m->mask = cap - 1;
    m->key = amls__malloc(cap, sizeof *m->key);
    m->val = amls__malloc(cap, sizeof *m->val);
    m->used = amls__malloc((size_t)maxkeys + 1, sizeof *m->used);
    m->nused = 0;
    if (m->key)
        for (uint64_t i = 0; i < cap; i++)
            m->key[i] = -1;
    return amls__alloc_status(m->key && m->val && m->used);
}

static void gmap_free(gmap *m)
{
    amls__free(m->key);
    amls__free(m->val);
    amls__free(m->used);
}

/* The slot of k (inserted with value `def` when new). */
static int64_t gmap_slot(gmap *m, int64_t k, int64_t def)
{
    uint64_t h = amls__mix64((uint64_t)k) & m->mask;
    while (m->key[h] != k) {
        if (m->key[h] < 0) {
            m->key[h] = k;
            m->val[h] = def;
            m->used[m->nused++] = (int64_t)h;
            break;
        }
        h = (h + 1) & m->mask;
    }
    return (int64_t)h;
}

static void gmap_clear(gmap *m)
{
    for (int64_t i = 0; i < m->nused; i++)
        m->key[m->used[i]] = -1;
    m->nused = 0;
}

/* FastSV state over the active roots (index i: local vertex c.act[i], global id lo + act[i]). */
typedef struct fsv {
    const amls_graph *g;
    amls__contract c;
    uint32_t *aidx; /* per owned vertex: its active index when it is an active root */
    int64_t *f, *gf, *mngf, *sent;
    uint32_t *chg, *hook; /* gf changed last round; mngf dropped this round (active indices) */
    int64_t nchg, nhook;
    uint8_t *in_hook;
    amls__nbx *nbx;
    gmap map;
    int64_t *target; /* what routed min-assignments and lookups address (by local index) */
} fsv;

static bool owned(const amls_graph *g, int64_t gid)
{
    return gid >= g->lo && gid < g->lo + g->n_local;
}

static void lower_mngf(fsv *s, uint32_t i, int64_t x)
{
    if (x < s->mngf[i]) {
        s->mngf[i] = x;
        if (!s->in_hook[i]) {
            s->in_hook[i] = 1;
            s->hook[s->nhook++] = i;
        }
    }
}

static void mngf_received(void *ud, uint32_t v, const void *val)
{
    fsv *s = ud;
    int64_t x;
    memcpy(&x, val, sizeof x);
    lower_mngf(s, s->aidx[s->c.root[v]], x);
}

/* mngf: the changed grandparents pushed to the ghosts their components touch. Collective. */
static int push_gf(fsv *s)
{
    for (int64_t q = 0; q < s->nchg; q++) {
        uint32_t i = s->chg[q];
        int64_t x = s->gf[i];
        for (int64_t e = s->c.gptr[i]; e < s->c.gptr[i + 1]; e++) {
            uint32_t k = s->c.gl[e];
            if (x < s->sent[k]) {
                s->sent[k] = x;
                amls__nbx_min_i64(s->nbx, k, x);
            }
        }
    }
    int rc = amls__nbx_push(s->nbx);
    if (rc == AMLS_OK)
        amls__nbx_recv_each(s->nbx, mngf_received, s);
    return rc;
}

static int owner_rank(const void *ud, int64_t i)
{
    const fsv *s = ud;
    return amls_graph_owner(s->g, s->map.key[s->map.used[i]]);
}

static void pack_pair(const void *ud, int64_t i, void *rec)
{
    const fsv *s = ud;
    int64_t h = s->map.used[i], kv[2] = {s->map.key[h], s->map.val[h]};
    memcpy(rec, kv, sizeof kv);
}

/* f by local index of an owned active root p. */
static int64_t *f_at(fsv *s, int64_t p)
{
    return &s->f[s->aidx[p]];
}

static void apply_min(void *ud, int src, const void *rec)
{
    (void)src;
    fsv *s = ud;
    int64_t kv[2];
    memcpy(kv, rec, sizeof kv);
    int64_t *t = s->target ? &s->target[kv[0] - s->g->lo] : f_at(s, kv[0] - s->g->lo);
    if (kv[1] < *t)
        *t = kv[1];
}

/* Min-assignments collected in map, routed to the owners and applied there to `target` (by
 * local index), or to f when it is NULL. Collective. */
static int route_mins(fsv *s, int64_t *target)
{
    int rc = AMLS_OK;
    amls__xchg x = {0};
    s->target = target;
    AMLS_TRY(amls__xchg_route(&x, s->g->comm, AMLS_OK, s->map.nused, 16, owner_rank, pack_pair, s));
    gmap_clear(&s->map);
    amls__xchg_each(&x, 16, apply_min, s);
cleanup:
    gmap_clear(&s->map);
    amls__xchg_free(&x);
    return rc;
}

/* Stochastic and aggressive hooking of the roots whose mngf dropped; hooks on remote parents
 * are combined per parent and routed to the owners. Collective. */
static int hook(fsv *s)
{
    const amls_graph *g = s->g;
    for (int64_t q = 0; q < s->nhook; q++) {
        uint32_t i = s->hook[q];
        s->in_hook[i] = 0;
        int64_t m = s->mngf[i], p = s->f[i];
        if (m >= s->gf[i])
            continue;
        if (owned(g, p)) {
            int64_t *fp = f_at(s, p - g->lo);
            *fp = AMLS_MIN(*fp, m);
        } else {
            int64_t h = gmap_slot(&s->map, p, m);
            s->map.val[h] = AMLS_MIN(s->map.val[h], m);
        }
        s->f[i] = AMLS_MIN(s->f[i], m);
    }
    s->nhook = 0;
    return route_mins(s, NULL);
}
static int route_owner(const void *ctx, int64_t gid)
{
    return amls_graph_owner(ctx, gid);
}

static void answer(const void *ctx, int64_t gid, void *out)
{
    fsv *s = (fsv *)ctx;
    int64_t p = gid - s->g->lo;
    memcpy(out, s->target ? &s->target[p] : f_at(s, p), sizeof(int64_t));
}

/* Lookups of remote indices: the entries asking, and one key per distinct index. */
typedef struct remote {
    uint32_t *who;   /* the entries asking */
    int64_t *slot;   /* the key's slot in the map */
    int64_t *keys;   /* distinct remote indices */
    int64_t *answer; /* their values */
    int64_t n, nkeys;
} remote;

/* Asks, for every entry e < n with a remote index idx(e), the value at that index (target, or
 * f when NULL) on its owner. Collective. */
static int lookup(fsv *s, remote *r, int64_t n, const int64_t *idx, const uint32_t *ent,
                  int64_t *target)
{
    const amls_graph *g = s->g;
    int64_t last = -1, last_slot = -1;
    r->n = 0;
    for (int64_t e = 0; e < n; e++) {
        int64_t p = idx[ent ? ent[e] : e];
        if (owned(g, p))
            continue;
        if (p != last) {
            last = p;
            last_slot = gmap_slot(&s->map, p, -1);
        }
        r->who[r->n] = ent ? ent[e] : (uint32_t)e;
        r->slot[r->n++] = last_slot;
    }
    r->nkeys = s->map.nused;
    for (int64_t i = 0; i < r->nkeys; i++) {
        int64_t h = s->map.used[i];
        r->keys[i] = s->map.key[h];
        s->map.val[h] = i;
    }
    s->target = target;
    return amls__xchg_lookup(g->comm, r->keys, r->nkeys, route_owner, g, answer, s, sizeof(int64_t),
                             r->answer);
}

/* The answer to the q-th remote entry of the last lookup. */
static int64_t answered(const fsv *s, const remote *r, int64_t q)
{
    return r->answer[s->map.val[r->slot[q]]];
}

static void set_gf(fsv *s, uint32_t i, int64_t x)
{
    if (x < s->gf[i]) {
        s->gf[i] = x;
        s->chg[s->nchg++] = i;
    }
}

/* Shortcutting of the roots whose gf changed, then gf = f[f] with remote parents looked up;
 * the roots whose gf changed become the next push. Collective. */
static int extract(fsv *s, remote *r)
{
    int rc = AMLS_OK;
    const amls_graph *g = s->g;
    for (int64_t q = 0; q < s->nchg; q++)
        s->f[s->chg[q]] = AMLS_MIN(s->f[s->chg[q]], s->gf[s->chg[q]]);
    s->nchg = 0;
    AMLS_TRY(lookup(s, r, s->c.na, s->f, NULL, NULL));
    for (int64_t i = 0; i < s->c.na; i++)
        if (owned(g, s->f[i]))
            set_gf(s, (uint32_t)i, *f_at(s, s->f[i] - g->lo));
    for (int64_t q = 0; q < r->n; q++)
        set_gf(s, r->who[q], answered(s, r, q));
cleanup:
    gmap_clear(&s->map);
    return rc;
}

/* The star root of every owned vertex: its local root's gf, or the local root itself. */
static void stars(const fsv *s, int64_t *star)
{
    const amls_graph *g = s->g;
    for (int64_t u = 0; u < g->n_local; u++) {
        uint32_t r = s->c.root[u];
        bool active = s->aidx[r] < s->c.na && s->c.act[s->aidx[r]] == r;
        star[u] = active ? s->gf[s->aidx[r]] : g->lo + r;
    }
}

/* label[u] = the smallest original id of u's component: each star's root takes the minimum
 * over its members (routed min-assignments), then every vertex reads its root's. Collective. */
static int label_min_orig(fsv *s, remote *r, int64_t *label)
{
    int rc = AMLS_OK;
    const amls_graph *g = s->g;
    int64_t *star = label, *minorig = NULL;
    AMLS_ALLOC(minorig, g->n_local + 1);
    stars(s, star);
    for (int64_t u = 0; u < g->n_local; u++)
        minorig[u] = INT64_MAX;
    for (int64_t u = 0; u < g->n_local; u++) {
        if (owned(g, star[u])) {
            minorig[star[u] - g->lo] = AMLS_MIN(minorig[star[u] - g->lo], g->orig[u]);
        } else {
            int64_t h = gmap_slot(&s->map, star[u], g->orig[u]);
            s->map.val[h] = AMLS_MIN(s->map.val[h], g->orig[u]);
        }
    }
cleanup:
    rc = amls_agree(g->comm, rc, NULL);
    if (rc == AMLS_OK)
        rc = route_mins(s, minorig);
    if (rc == AMLS_OK)
        rc = lookup(s, r, g->n_local, star, NULL, minorig);
    for (int64_t u = 0; u < g->n_local && rc == AMLS_OK; u++)
        if (owned(g, star[u]))
            label[u] = minorig[star[u] - g->lo];
    for (int64_t q = 0; q < r->n && rc == AMLS_OK; q++)
        label[r->who[q]] = answered(s, r, q);
    gmap_clear(&s->map);
    amls__free(minorig);
    return rc;
}

static void fsv_free(fsv *s, remote *r)
{
    amls__contract_free(&s->c);
    amls__free(s->aidx);
    amls__free(s->f);
    amls__free(s->gf);
    amls__free(s->mngf);
    amls__free(s->sent);
    amls__free(s->chg);
    amls__free(s->hook);
    amls__free(s->in_hook);
    amls__nbx_free(&s->nbx);
    gmap_free(&s->map);
    amls__free(r->who);
    amls__free(r->slot);
    amls__free(r->keys);
    amls__free(r->answer);
}

/* The contraction; every active root its own parent, every grandparent to be pushed. Local. */
static int fsv_start(fsv *s, remote *r)
{
    int rc = AMLS_OK;
    const amls_graph *g = s->g;
    int64_t nl = g->n_local;
    AMLS_TRY(amls__contract_new(g, &s->c));
    int64_t na = s->c.na;
    AMLS_CALLOC(s->aidx, nl + 1);
    AMLS_ALLOC(s->f, na + 1);
    AMLS_ALLOC(s->gf, na + 1);
    AMLS_ALLOC(s->mngf, na + 1);
    AMLS_ALLOC(s->sent, g->n_ghost + 1);
    AMLS_ALLOC(s->chg, na + 1);
    AMLS_ALLOC(s->hook, na + 1);
    AMLS_CALLOC(s->in_hook, na + 1);
    AMLS_ALLOC(r->who, nl + 1);
    AMLS_ALLOC(r->slot, nl + 1);
    AMLS_ALLOC(r->keys, nl + 1);
    AMLS_ALLOC(r->answer, nl + 1);
    AMLS_TRY(gmap_init(&s->map, na)); /* keys: parents, grandparents or stars of active roots */
    for (int64_t k = 0; k < g->n_ghost; k++)
        s->sent[k] = INT64_MAX;
    for (int64_t i = 0; i < na; i++) {
        s->aidx[s->c.act[i]] = (uint32_t)i;
        s->f[i] = s->gf[i] = g->lo + s->c.act[i];
        s->mngf[i] = INT64_MAX;
        s->chg[i] = (uint32_t)i;
    }
    if (s->c.big_act >= 0) /* the skipped pieces hang under their group's smallest root */
        s->f[s->c.big_act] = s->gf[s->c.big_act] = s->c.big_label;
    s->nchg = na;
cleanup:
    return rc;
}

int amls__la_wcc_fastsv(const amls_graph *g, int64_t *label, int64_t *rounds)
{
    int rc = AMLS_OK;
    fsv s = {.g = g};
    remote r = {0};
    *rounds = 0;
    AMLS_AGREE(g->comm, fsv_start(&s, &r));
    AMLS_TRY(amls__nbx_new(g, sizeof(int64_t), &s.nbx));
    for (int64_t changed = 1; changed > 0; (*rounds)++) {
        AMLS_TRY(push_gf(&s));
        AMLS_TRY(hook(&s));
        AMLS_TRY(extract(&s, &r));
        changed = s.nchg;
        AMLS_TRY(amls__allreduce_i64(g->comm, &changed, 1, MPI_SUM));
    }
    AMLS_TRY(label_min_orig(&s, &r, label));
cleanup:
    fsv_free(&s, &r);
    return rc;
}
