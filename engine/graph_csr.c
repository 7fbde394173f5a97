/* ---------------------------------------------------------------------------------------------
 * engine/graph_csr.c — step 6 of the build: ghosts and 32-bit local columns (in place), edge
 * statistics, the communication plan and the ghosts' original ids (shared with the HDF5
 * container loader).
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#include "graph_internal.h"

/* Maps global targets to local indices in place, creating the ghost list (sorted by global
 * id). Remote targets are marked in a bitmap over the global ids; a ghost's index is the number
 * of marked ids below it (prefix popcounts), so no sort or search is needed. Local. */
static int localise(amls_graph *g, uint32_t *gout, int64_t nout, uint32_t *gin, int64_t nin)
{
    int rc = AMLS_OK;
    int64_t nw = (g->n + 63) / 64, hi = g->lo + g->n_local;
    uint64_t *bits = NULL;
    int64_t *prefix = NULL;
    AMLS_CALLOC(bits, nw + 1);
    AMLS_ALLOC(prefix, nw + 1);
    for (int pass = 0; pass < 2; pass++) {
        const uint32_t *a = pass == 0 ? gout : gin;
        int64_t na = pass == 0 ? nout : nin;
        for (int64_t j = 0; j < na; j++)
            if (a[j] < g->lo || a[j] >= hi)
                bits[a[j] / 64] |= (uint64_t)1 << (a[j] % 64);
    }
    int64_t ng = 0;
    for (int64_t w = 0; w < nw; w++) {
        prefix[w] = ng;
        ng += amls__popcount64(bits[w]);
    }
    AMLS_CHECK((uint64_t)g->n_local + (uint64_t)ng < UINT32_MAX, AMLS_ERR_RANGE,
               "rank %d would hold %lld local and %lld remote vertices, more than 32-bit local "
               "indices allow; use more ranks",
               g->rank, (long long)g->n_local, (long long)ng);
    g->n_ghost = ng;
    AMLS_ALLOC(g->ghost_gid, ng + 1);
    for (int64_t w = 0, k = 0; w < nw; w++)
        for (uint64_t b = bits[w]; b; b &= b - 1)
            g->ghost_gid[k++] = 64 * w + __builtin_ctzll(b);
    for (int pass = 0; pass < 2; pass++) {
        uint32_t *a = pass == 0 ? gout : gin;
        int64_t na = pass == 0 ? nout : nin;
        for (int64_t j = 0; j < na; j++) {
            int64_t x = a[j];
            if (x >= g->lo && x < hi)
                a[j] = (uint32_t)(x - g->lo);
            else
                a[j] = (uint32_t)(g->n_local + prefix[x / 64] +
                                  amls__popcount64(bits[x / 64] & (((uint64_t)1 << (x % 64)) - 1)));
        }
    }
cleanup:
    amls__free(bits);
    amls__free(prefix);
    return rc;
}

static int ghost_dest(const void *ud, int64_t k)
{
    const amls_graph *g = ud;
    return amls_graph_owner(g, g->ghost_gid[k]);
}

static void ghost_pack(const void *ud, int64_t k, void *rec)
{
    const amls_graph *g = ud;
    memcpy(rec, &g->ghost_gid[k], sizeof g->ghost_gid[k]);
}

/* Builds the communication plan from the sorted ghost list: each owner learns which of its
 * vertices each peer holds as ghosts. Collective. */
static int build_plan(amls_graph *g)
{
    int rc = AMLS_OK, R = g->nranks;
    amls__xchg x = {0};
    g->recv_off = amls__calloc((size_t)R + 1, sizeof *g->recv_off);
    g->send_off = amls__calloc((size_t)R + 1, sizeof *g->send_off);
    rc = amls__alloc_status(g->recv_off && g->send_off);
    AMLS_TRY(
        amls__xchg_route(&x, g->comm, rc, g->n_ghost, sizeof(int64_t), ghost_dest, ghost_pack, g));
    for (int p = 0; p < R; p++) {
        g->recv_off[p + 1] = g->recv_off[p] + x.scnt[p] / (int64_t)sizeof(int64_t);
        g->send_off[p + 1] = g->send_off[p] + x.rcnt[p] / (int64_t)sizeof(int64_t);
    }
    int64_t nrecv = g->send_off[R];
    g->send_idx = amls__malloc((size_t)nrecv + 1, sizeof *g->send_idx);
    AMLS_AGREE(g->comm, amls__alloc_status(g->send_idx != NULL));
    const int64_t *recv = (const int64_t *)x.recv;
    for (int64_t k = 0; k < nrecv; k++)
        g->send_idx[k] = (uint32_t)(recv[k] - g->lo);
cleanup:
    amls__xchg_free(&x);
    return rc;
}

/* Global edge statistics: arcs, self loops, distinct edges. Collective. */
static int edge_stats(amls_graph *g, int64_t nout)
{
    int rc = AMLS_OK;
    int64_t cnt[2] = {nout, 0};
    for (int64_t i = 0; i < g->n_local; i++)
        for (int64_t j = g->out_ptr[i]; j < g->out_ptr[i + 1]; j++)
            if (g->out_col[j] == (uint32_t)i)
                cnt[1]++;
    AMLS_TRY(amls__allreduce_i64(g->comm, cnt, 2, MPI_SUM));
    g->arcs = cnt[0];
    g->self_loops = cnt[1];
    g->edges = g->directed ? g->arcs : (g->arcs - g->self_loops) / 2 + g->self_loops;
cleanup:
    return rc;
}

static void answer_orig(const void *ctx, int64_t gid, void *out)
{
    const amls_graph *g = ctx;
    memcpy(out, &g->orig[gid - g->lo], sizeof *g->orig);
}

static int route_owner(const void *ctx, int64_t gid)
{
    return amls_graph_owner(ctx, gid);
}

int amls__graph_finish(amls_graph *g, uint32_t *gout, int64_t nout, uint32_t *gin, int64_t nin)
{
    int rc = AMLS_OK;
    g->out_col = gout;
    g->in_col = gin;
    AMLS_AGREE(g->comm, localise(g, gout, nout, gin, nin));
    if (!g->directed) {
        g->in_ptr = g->out_ptr;
        g->in_col = g->out_col;
        g->in_w = g->out_w;
    }
    AMLS_TRY(edge_stats(g, nout));
    AMLS_TRY(build_plan(g));
    g->ghost_orig = amls__malloc((size_t)g->n_ghost + 1, sizeof *g->ghost_orig);
    AMLS_AGREE(g->comm, amls__alloc_status(g->ghost_orig != NULL));
    AMLS_TRY(amls__xchg_lookup(g->comm, g->ghost_gid, g->n_ghost, route_owner, g, answer_orig, g,
                               sizeof *g->ghost_orig, g->ghost_orig));
cleanup:
    return rc;
}
