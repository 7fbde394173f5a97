/* ---------------------------------------------------------------------------------------------
 * engine/graph_shuffle.c — edges to rows: the streamed shuffle of the loader.
 * SPDX-License-Identifier: MIT
 *
 * Edges are 32-bit endpoint pairs (ids below 2^32) with optional weights. Each arc goes to the
 * rank that owns its row under a block layout `off` (owner offsets over the ids [0, n)). The
 * shuffle works in two passes so that no rank ever holds its arcs twice:
 *   1. counts: every rank counts the arcs of its edges per row in windows of the id space
 *      (a histogram, summed onto the owners with one reduce-scatter per window), so each owner
 *      knows the length of every row before any arc moves and allocates the rows exactly;
 *   2. arcs: the edges are sent in rounds of bounded size as (row, target[, weight]) records of
 *      8 (16) bytes, 32-bit ids on the wire, and every received arc is placed straight into its
 *      row. Send and receive buffers never exceed a round.
 * Then each row is sorted by target (insertion sort for short rows, an LSD radix sort that
 * carries the weights along for long ones: no quadratic path) and duplicate arcs are merged,
 * keeping the smallest weight.
 * ------------------------------------------------------------------------------------------- */
#include "graph_internal.h"

#include <limits.h>

enum { COUNT_WINDOW = 1 << 22, SHORT_ROW = 48 };

/* The arcs of edge e: *k arcs at[j] -> to[j]. */
static inline int arcs_of(const amls__arcs *a, int64_t e, uint32_t at[2], uint32_t to[2])
{
    uint32_t u = a->src[e], v = a->dst[e];
    int k = 0;
    if (a->reverse) {
        uint32_t t = u;
        u = v;
        v = t;
    }
    if (a->loops || u != v) {
        at[k] = u;
        to[k++] = v;
    }
    if (a->both && u != v) {
        at[k] = v;
        to[k++] = u;
    }
    return k;
}

/* The window [w0, w1) of every rank's arc counts, summed onto the owners of its rows. */
static int count_window(MPI_Comm comm, const int64_t *off, int rank, int R, const amls__arcs *a,
                        int64_t w0, int64_t w1, uint32_t *hist, int *rcnt, uint32_t *cnt)
{
    int rc = AMLS_OK;
    uint64_t span = (uint64_t)(w1 - w0);
    memset(hist, 0, (size_t)span * sizeof *hist);
    for (int64_t e = 0; e < a->ne; e++) {
        uint32_t at[2], to[2];
        int k = arcs_of(a, e, at, to);
        for (int j = 0; j < k; j++)
            if ((uint64_t)at[j] - (uint64_t)w0 < span)
                hist[at[j] - w0]++;
    }
    for (int r = 0; r < R; r++)
        rcnt[r] = (int)AMLS_MAX((int64_t)0, AMLS_MIN(off[r + 1], w1) - AMLS_MAX(off[r], w0));
    uint32_t dummy = 0,
             *mine = rcnt[rank] > 0 ? cnt + (AMLS_MAX(off[rank], w0) - off[rank]) : &dummy;
    AMLS_MPI_TRY(MPI_Reduce_scatter(hist, mine, rcnt, MPI_UINT32_T, MPI_SUM, comm));
cleanup:
    return rc;
}

int amls__arcs_count(MPI_Comm comm, const int64_t *off, int64_t n, const amls__arcs *a,
                     uint32_t *cnt)
{
    int rc = AMLS_OK, rank = 0, R = 1;
    uint32_t *hist = NULL;
    int *rcnt = NULL;
    AMLS_TRY(amls__comm_rank(comm, &rank, &R));
    int64_t W = AMLS_MAX((int64_t)1, AMLS_MIN(n, (int64_t)COUNT_WINDOW));
    hist = amls__malloc((size_t)W, sizeof *hist);
    rcnt = amls__malloc((size_t)R, sizeof *rcnt);
    AMLS_AGREE(comm, amls__alloc_status(hist && rcnt));
    for (int64_t w0 = 0; w0 < n; w0 += W)
        AMLS_TRY(count_window(comm, off, rank, R, a, w0, AMLS_MIN(n, w0 + W), hist, rcnt, cnt));
    /* A count that wrapped around (a row of 2^32 arcs or more) shows as a lost total. */
    int64_t tot[2] = {0, 0};
    for (int64_t e = 0; e < a->ne; e++) {
        uint32_t at[2], to[2];
        tot[0] += arcs_of(a, e, at, to);
    }
    for (int64_t i = 0; i < off[rank + 1] - off[rank]; i++)
        tot[1] += cnt[i];
    AMLS_TRY(amls__allreduce_i64(comm, tot, 2, MPI_SUM));
    AMLS_CHECK(tot[0] == tot[1], AMLS_ERR_RANGE,
               "a vertex has more than %u edges, which the loader's 32-bit counts cannot hold",
               UINT32_MAX);
cleanup:
    amls__free(hist);
    amls__free(rcnt);
    return rc;
}

/* ---- rows: allocation, rounds, placement ------------------------------------------------ */

typedef struct round {
    const amls__arcs *a;
    const int64_t *off;
    int R;
    bool keep_w;
    size_t rec;    /* 8 or 16 bytes */
    int *shift;    /* R: a record for rank d goes to bucket row >> shift[d] */
    int64_t *bcur; /* R x BUCKETS pack cursors */
} round;

/* Records for one rank are packed in BUCKETS runs of increasing rows, so that the receiver
 * walks its rows in order, not at random: a sweep per source instead of a cache miss per arc. */
enum { BUCKETS = 256 };

static void set_shifts(round *q)
{
    for (int d = 0; d < q->R; d++) {
        int64_t rows = q->off[d + 1] - q->off[d];
        int bits = 0;
        while (bits < 40 && ((int64_t)1 << bits) < rows)
            bits++;
        q->shift[d] = AMLS_MAX(0, bits - 8);
    }
}

/* Counts and packs the arcs of edges [e0, e1). Local. */
static int pack_round(amls__xchg *x, const round *q, int64_t e0, int64_t e1)
{
    int rc = AMLS_OK;
    int64_t *bc = q->bcur;
    AMLS_TRY(amls__xchg_init(x, x->comm));
    memset(bc, 0, (size_t)q->R * BUCKETS * sizeof *bc);
    for (int64_t e = e0; e < e1; e++) {
        uint32_t at[2], to[2];
        int k = arcs_of(q->a, e, at, to);
        for (int j = 0; j < k; j++) {
            int d = amls__owner_of(q->off, q->R, at[j]);
            bc[(int64_t)d * BUCKETS + ((at[j] - q->off[d]) >> q->shift[d])]++;
        }
    }
    for (int d = 0; d < q->R; d++)
        for (int b = 0; b < BUCKETS; b++)
            amls__xchg_count(x, d, bc[(int64_t)d * BUCKETS + b] * (int64_t)q->rec);
    AMLS_TRY(amls__xchg_pack(x));
    for (int d = 0; d < q->R; d++) {
        int64_t at = x->soff[d];
        for (int b = 0; b < BUCKETS; b++) {
            int64_t c = bc[(int64_t)d * BUCKETS + b];
            bc[(int64_t)d * BUCKETS + b] = at;
            at += c * (int64_t)q->rec;
        }
        x->fill[d] = x->soff[d + 1];
    }
    for (int64_t e = e0; e < e1; e++) {
        uint32_t at[2], to[2];
        int k = arcs_of(q->a, e, at, to);
        for (int j = 0; j < k; j++) {
            int d = amls__owner_of(q->off, q->R, at[j]);
            uint32_t row = (uint32_t)(at[j] - q->off[d]), r2[2] = {row, to[j]};
            int64_t *cur = &bc[(int64_t)d * BUCKETS + (row >> q->shift[d])];
            char *p = x->send + *cur;
            *cur += (int64_t)q->rec;
            memcpy(p, r2, sizeof r2);
            if (q->keep_w) {
                double w = q->a->w ? q->a->w[e] : 1.0;
                memcpy(p + sizeof r2, &w, sizeof w);
            }
        }
    }
cleanup:
    return rc;
}

/* Places the received arcs: ptr[i] is row i's fill cursor. Local. */
static void place_round(const amls__xchg *x, size_t rec, bool keep_w, int64_t *ptr, uint32_t *col,
                        double *w)
{
    const char *p = x->recv, *end = x->recv + x->nrecv;
    for (; p < end; p += rec) {
        uint32_t r2[2];
        memcpy(r2, p, sizeof r2);
        int64_t at = ptr[r2[0]]++;
        col[at] = r2[1];
        if (keep_w)
            memcpy(&w[at], p + sizeof r2, sizeof *w);
    }
}

/* Row lengths from the counts; the rows allocated. Collective. */
static int alloc_rows(MPI_Comm comm, const int64_t *off, int64_t n, const amls__arcs *a,
                      bool keep_w, amls__rows *out)
{
    int rc = AMLS_OK, rank = 0;
    uint32_t *cnt = NULL;
    AMLS_TRY(amls__comm_rank(comm, &rank, NULL));
    int64_t nr = out->nrows = off[rank + 1] - off[rank];
    cnt = amls__malloc((size_t)nr + 1, sizeof *cnt);
    out->ptr = amls__malloc((size_t)nr + 1, sizeof *out->ptr);
    AMLS_AGREE(comm, amls__alloc_status(cnt && out->ptr));
    AMLS_TRY(amls__arcs_count(comm, off, n, a, cnt));
    out->ptr[0] = 0;
    for (int64_t i = 0; i < nr; i++)
        out->ptr[i + 1] = out->ptr[i] + cnt[i];
    amls__free(cnt);
    cnt = NULL;
    int64_t m = out->held = out->ptr[nr];
    out->col = amls__malloc((size_t)m + 1, sizeof *out->col);
    out->w = keep_w ? amls__malloc((size_t)m + 1, sizeof *out->w) : NULL;
    AMLS_AGREE(comm, amls__alloc_status(out->col && (!keep_w || out->w)));
cleanup:
    amls__free(cnt);
    return rc;
}

/* Phase 2: the arcs in rounds of at most round_bytes sent per rank. On return row i is
 * [ptr[i], ptr[i+1]) again. Collective. */
static int move_arcs(MPI_Comm comm, const int64_t *off, const amls__arcs *a, bool keep_w,
                     int64_t round_bytes, amls__rows *out)
{
    int rc = AMLS_OK, R = 1;
    amls__xchg x = {0};
    round q = {a, off, R, keep_w, keep_w ? 16 : 8, NULL, NULL};
    AMLS_TRY(amls__comm_rank(comm, NULL, &R));
    q.R = R;
    q.shift = amls__malloc((size_t)R, sizeof *q.shift);
    q.bcur = amls__malloc((size_t)R * BUCKETS, sizeof *q.bcur);
    AMLS_AGREE(comm, amls__alloc_status(q.shift && q.bcur));
    set_shifts(&q);
    int64_t per_edge = (int64_t)q.rec * (a->both ? 2 : 1);
    int64_t slice =
        AMLS_MAX((int64_t)1, (round_bytes > 0 ? round_bytes : AMLS_ROUND_BYTES) / per_edge);
    int64_t rounds = (a->ne + slice - 1) / slice;
    AMLS_TRY(amls__allreduce_i64(comm, &rounds, 1, MPI_MAX));
    amls__progress("building rows", 0.0);
    for (int64_t k = 0; k < rounds; k++) {
        int64_t e0 = AMLS_MIN(a->ne, k * slice), e1 = AMLS_MIN(a->ne, e0 + slice);
        x.comm = comm;
        AMLS_TRY(amls__xchg_run(&x, pack_round(&x, &q, e0, e1)));
        place_round(&x, q.rec, keep_w, out->ptr, out->col, out->w);
        amls__xchg_free(&x);
        amls__progress("building rows", (double)(k + 1) / (double)rounds);
    }
    /* The fill cursors stopped at the row ends: shift them back to row starts. */
    memmove(out->ptr + 1, out->ptr, (size_t)out->nrows * sizeof *out->ptr);
    out->ptr[0] = 0;
cleanup:
    amls__xchg_free(&x);
    amls__free(q.shift);
    amls__free(q.bcur);
    return rc;
}

/* ---- sorting rows ------------------------------------------------------------------------ */

static void insertion_row(uint32_t *c, double *w, int64_t d)
{
    for (int64_t i = 1; i < d; i++) {
        uint32_t x = c[i];
        double y = w ? w[i] : 0;
        int64_t j = i;
        for (; j > 0 && c[j - 1] > x; j--) {
            c[j] = c[j - 1];
            if (w)
                w[j] = w[j - 1];
        }
        c[j] = x;
        if (w)
            w[j] = y;
    }
}

/* LSD radix sort of a row by target, 8-bit digits (those where the targets differ), the
 * weights carried along; tc and tw are scratch of d entries. */
static void radix_row(uint32_t *c, double *w, int64_t d, uint32_t *tc, double *tw)
{
    uint32_t any = 0, all = UINT32_MAX;
    for (int64_t i = 0; i < d; i++) {
        any |= c[i];
        all &= c[i];
    }
    uint32_t *sc = c, *dc = tc;
    double *sw = w, *dw = tw;
    for (int shift = 0; shift < 32; shift += 8) {
        if ((((any ^ all) >> shift) & 0xff) == 0)
            continue;
        int64_t count[256] = {0};
        for (int64_t i = 0; i < d; i++)
            count[(sc[i] >> shift) & 0xff]++;
        for (int64_t b = 0, sum = 0; b < 256; b++) {
            int64_t t = count[b];
            count[b] = sum;
            sum += t;
        }
        for (int64_t i = 0; i < d; i++) {
            int64_t at = count[(sc[i] >> shift) & 0xff]++;
            dc[at] = sc[i];
            if (w)
                dw[at] = sw[i];
        }
        uint32_t *t = sc;
        sc = dc;
        dc = t;
        double *u = sw;
        sw = dw;
        dw = u;
    }
    if (sc != c) {
        memcpy(c, sc, (size_t)d * sizeof *c);
        if (w)
            memcpy(w, sw, (size_t)d * sizeof *w);
    }
}

/* Sorts every row by target and merges duplicate arcs (smallest weight kept), compacting the
 * rows in place and returning the unused tail to the system. Local. */
static int sort_rows(amls__rows *r)
{
    int rc = AMLS_OK;
    uint32_t *tc = NULL;
    double *tw = NULL;
    int64_t maxd = 0, k = 0, *ptr = r->ptr;
    for (int64_t i = 0; i < r->nrows; i++)
        maxd = AMLS_MAX(maxd, ptr[i + 1] - ptr[i]);
    if (maxd > SHORT_ROW) {
        AMLS_ALLOC(tc, maxd);
        if (r->w)
            AMLS_ALLOC(tw, maxd);
    }
    for (int64_t i = 0; i < r->nrows; i++) {
        int64_t b = ptr[i], e = ptr[i + 1], start = k;
        uint32_t *c = r->col + b;
        double *w = r->w ? r->w + b : NULL;
        if (e - b > SHORT_ROW)
            radix_row(c, w, e - b, tc, tw);
        else
            insertion_row(c, w, e - b);
        ptr[i] = start;
        for (int64_t j = b; j < e; j++) {
            if (k > start && r->col[k - 1] == r->col[j]) {
                if (r->w && r->w[j] < r->w[k - 1])
                    r->w[k - 1] = r->w[j];
                continue;
            }
            r->col[k] = r->col[j];
            if (r->w)
                r->w[k] = r->w[j];
            k++;
        }
    }
    ptr[r->nrows] = k;
    r->m = k;
    r->col = amls__shrunk(r->col, k, sizeof *r->col);
    if (r->w)
        r->w = amls__shrunk(r->w, k, sizeof *r->w);
cleanup:
    amls__free(tc);
    amls__free(tw);
    return rc;
}

int amls__arcs_to_rows(MPI_Comm comm, const int64_t *off, int64_t n, const amls__arcs *a,
                       bool keep_w, int64_t round_bytes, amls__rows *out)
{
    int rc = AMLS_OK;
    memset(out, 0, sizeof *out);
    AMLS_TRY(alloc_rows(comm, off, n, a, keep_w, out));
    AMLS_TRY(move_arcs(comm, off, a, keep_w, round_bytes, out));
    AMLS_AGREE(comm, sort_rows(out));
cleanup:
    if (rc < 0)
        amls__rows_free(out);
    return rc;
}

void amls__rows_free(amls__rows *r)
{
    amls__free(r->ptr);
    amls__free(r->col);
    amls__free(r->w);
    memset(r, 0, sizeof *r);
}
