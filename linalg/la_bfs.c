/* ---------------------------------------------------------------------------------------------
 * linalg/la_bfs.c — direction-optimising BFS (Beamer, Asanović, Patterson, SC'12) in linear
 * algebra: top-down steps are a masked SpMSpV over the boolean semiring (the frontier pushes
 * along its out-edges; reached ghosts travel to their owners as a bitmap or position list),
 * bottom-up steps a masked SpMV that pulls along in-edges and stops at the first parent in the
 * frontier (the frontier as a bitmap over owned and ghost vertices, ghost bits gathered from
 * their owners as bits).
 * SPDX-License-Identifier: MIT
 *
 * Each level takes one reduction of (frontier vertices, frontier out-edges, in-edges of the
 * unvisited vertices), so every rank takes the same direction: bottom-up when the frontier's
 * edges exceed the unvisited vertices' edges / ALPHA, top-down again when the frontier falls
 * below n / BETA vertices and shrinks (gapbs's constants, 15 and 18). Depths are levels, which
 * do not depend on the direction, the partition or the rank count.
 * ------------------------------------------------------------------------------------------- */
#include "la_algos.h"
#include "la_internal.h"

enum { ALPHA = 15, BETA = 18 };

typedef struct bfs {
    const amls_graph *g;
    int64_t *depth;
    uint32_t *cur, *next; /* frontier lists of owned vertices */
    int64_t ncur, nnext;
    uint64_t *fbits;     /* frontier bitmap over owned + ghosts (bottom-up) */
    uint64_t *sent;      /* ghosts already reported reached (top-down) */
    int64_t mf_next, mu; /* out-edges of the next frontier, in-edges of unvisited vertices */
    amls__nbx *nbx;
    int64_t lvl;
} bfs;

static void visit(bfs *b, uint32_t v)
{
    const amls_graph *g = b->g;
    b->depth[v] = b->lvl + 1;
    b->next[b->nnext++] = v;
    b->mf_next += g->out_ptr[v + 1] - g->out_ptr[v];
    b->mu -= g->in_ptr[v + 1] - g->in_ptr[v];
}

static void reached(void *ud, uint32_t v, const void *val)
{
    (void)val;
    bfs *b = ud;
    if (b->depth[v] == INT64_MAX)
        visit(b, v);
}

/* Top-down: the frontier marks its unvisited out-neighbours; ghosts go to their owners. */
static int top_down(bfs *b)
{
    const amls_graph *g = b->g;
    int64_t nl = g->n_local;
    for (int64_t q = 0; q < b->ncur; q++) {
        uint32_t u = b->cur[q];
        for (int64_t j = g->out_ptr[u]; j < g->out_ptr[u + 1]; j++) {
            uint32_t t = g->out_col[j];
            if (t < nl) {
                if (b->depth[t] == INT64_MAX)
                    visit(b, t);
            } else if (!amls__bit(b->sent, t - nl)) {
                amls__bit_set(b->sent, t - nl);
                amls__nbx_mark(b->nbx, t - nl);
            }
        }
    }
    int rc = amls__nbx_push(b->nbx);
    if (rc == AMLS_OK)
        amls__nbx_recv_each(b->nbx, reached, b);
    return rc;
}

/* Bottom-up: every unvisited vertex looks for a parent in the frontier among its in-edges. */
static int bottom_up(bfs *b)
{
    const amls_graph *g = b->g;
    for (int64_t q = 0; q < b->ncur; q++)
        amls__bit_set(b->fbits, b->cur[q]);
    int rc = amls__nbx_bits_begin(b->nbx, b->fbits);
    if (rc == AMLS_OK)
        rc = amls__nbx_bits_end(b->nbx, b->fbits);
    for (int64_t v = 0; v < g->n_local && rc == AMLS_OK; v++) {
        if (b->depth[v] != INT64_MAX)
            continue;
        for (int64_t j = g->in_ptr[v]; j < g->in_ptr[v + 1]; j++)
            if (amls__bit(b->fbits, g->in_col[j])) {
                visit(b, (uint32_t)v);
                break;
            }
    }
    for (int64_t q = 0; q < b->ncur; q++)
        b->fbits[b->cur[q] >> 6] = 0;
    return rc;
}

static void bfs_free(bfs *b)
{
    amls__free(b->cur);
    amls__free(b->next);
    amls__free(b->fbits);
    amls__free(b->sent);
    amls__nbx_free(&b->nbx);
}

/* Buffers, depths and the first frontier (the source where it is owned). Local. */
static int bfs_start(bfs *b, int64_t src_gid)
{
    int rc = AMLS_OK;
    const amls_graph *g = b->g;
    int64_t nl = g->n_local, ng = g->n_ghost;
    AMLS_ALLOC(b->cur, nl + 1);
    AMLS_ALLOC(b->next, nl + 1);
    AMLS_CALLOC(b->fbits, (nl + ng + 63) / 64 + 1);
    AMLS_CALLOC(b->sent, (ng + 63) / 64 + 1);
    b->mu = g->in_ptr[nl];
    for (int64_t v = 0; v < nl; v++)
        b->depth[v] = INT64_MAX;
    b->lvl = -1;
    if (src_gid >= g->lo && src_gid < g->lo + nl)
        visit(b, (uint32_t)(src_gid - g->lo));
    b->lvl = 0;
cleanup:
    return rc;
}

int amls__la_bfs(const amls_graph *g, int64_t src_gid, amls__bfs_variant variant, int64_t *depth,
                 int64_t *levels, int64_t *bottom_up_levels)
{
    int rc = AMLS_OK;
    bfs b = {.g = g, .depth = depth};
    bool bu = false;
    int64_t nbu = 0, last_nf = 0;
    AMLS_AGREE(g->comm, g->in_ptr != NULL ? bfs_start(&b, src_gid)
                                          : amls_error(AMLS_ERR_INVALID, "BFS needs in-edges"));
    AMLS_TRY(amls__nbx_new(g, 0, &b.nbx));
    for (;; b.lvl++) {
        uint32_t *t = b.cur;
        b.cur = b.next;
        b.next = t;
        b.ncur = b.nnext;
        b.nnext = 0;
        int64_t s[3] = {b.ncur, b.mf_next, b.mu};
        b.mf_next = 0;
        AMLS_MPI_TRY(MPI_Allreduce(MPI_IN_PLACE, s, 3, MPI_INT64_T, MPI_SUM, g->comm));
        if (s[0] == 0)
            break;
        if (variant == AMLS__BFS_DIROPT)
            bu = bu ? !(s[0] < last_nf && s[0] < g->n / BETA) : s[1] > s[2] / ALPHA;
        last_nf = s[0];
        nbu += bu;
        AMLS_TRY(bu ? bottom_up(&b) : top_down(&b));
    }
    *levels = b.lvl;
    *bottom_up_levels = nbu;
cleanup:
    bfs_free(&b);
    return rc;
}
