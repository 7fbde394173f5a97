/* ---------------------------------------------------------------------------------------------
 * tests/mpi/test_exchange.c — the exchange primitive (core/exchange.c) across ranks: records
 * routed to their ranks arrive complete and in order; records sent nowhere are dropped;
 * lookups come back in the order asked; a known layout is filled in place; and a failure on
 * one rank is agreed by all without a hang. Every expected value is computed from the rank
 * numbers, independently of the primitive.
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#include "core.h"
#include "harness.h"

static int R;

/* Rank s sends (s, p, k) for k < (s + p) % 3 + 1 to every rank p, and rank p % 2 == 1 also
 * gets one record that is sent nowhere (dest -1). */
static int64_t nrec(int s, int p)
{
    return (s + p) % 3 + 1;
}

typedef struct plan {
    int rank;
    int64_t n;
} plan;

/* Item i: destination i / 4 (with k = i % 4), or nowhere when k >= nrec. */
static int dest(const void *ud, int64_t i)
{
    const plan *pl = ud;
    int p = (int)(i / 4);
    return i % 4 < nrec(pl->rank, p) ? p : -1;
}

static void pack(const void *ud, int64_t i, void *rec)
{
    const plan *pl = ud;
    int64_t r[3] = {pl->rank, i / 4, i % 4};
    memcpy(rec, r, sizeof r);
}

typedef struct got {
    int64_t n, bad, last_src, last_k;
} got;

static void check(void *ud, int src, const void *rec)
{
    got *g = ud;
    int64_t r[3];
    memcpy(r, rec, sizeof r);
    int64_t want_k = src == g->last_src ? g->last_k + 1 : 0; /* sources in order, k in order */
    if (r[0] != src || r[1] != h_rank || r[2] != want_k || src < g->last_src)
        g->bad++;
    g->last_src = src;
    g->last_k = r[2];
    g->n++;
}

static void test_route(void)
{
    amls__xchg x = {0};
    plan pl = {h_rank, 4 * (int64_t)R};
    CHECK(amls__xchg_route(&x, MPI_COMM_WORLD, AMLS_OK, pl.n, 24, dest, pack, &pl) == AMLS_OK,
          "route: %s", amls_last_error());
    got g = {0, 0, -1, -1};
    amls__xchg_each(&x, 24, check, &g);
    int64_t want = 0;
    for (int s = 0; s < R; s++)
        want += nrec(s, h_rank);
    CHECK(g.n == want, "received %lld records, want %lld", (long long)g.n, (long long)want);
    CHECK(g.bad == 0, "%lld records out of place", (long long)g.bad);
    CHECK(x.nrecv == 24 * want, "nrecv %lld", (long long)x.nrecv);
    amls__xchg_free(&x);
}

static int route_mod(const void *ctx, int64_t key)
{
    (void)ctx;
    return (int)(key % R);
}

/* Two answers per key: its square and the rank that answered. */
static void answer(const void *ctx, int64_t key, void *out)
{
    (void)ctx;
    int64_t a[2] = {key * key, h_rank};
    memcpy(out, a, sizeof a);
}

static void test_lookup(void)
{
    enum { N = 37 };
    int64_t keys[N], out[2 * N];
    for (int i = 0; i < N; i++)
        keys[i] = (i * 7 + h_rank * 3) % 50; /* repeats, any order */
    CHECK(amls__xchg_lookup(MPI_COMM_WORLD, keys, N, route_mod, NULL, answer, NULL, 16, out) ==
              AMLS_OK,
          "lookup");
    int bad = 0;
    for (int i = 0; i < N; i++)
        bad += out[2 * i] != keys[i] * keys[i] || out[2 * i + 1] != keys[i] % R;
    CHECK(bad == 0, "%d answers wrong", bad);
}

/* Rank s sends p + 1 values s * 100 + p to rank p; rank p knows to expect s's p + 1 values. */
static void test_known_layout(void)
{
    amls__xchg x = {0};
    int64_t *rcnt = calloc((size_t)R, sizeof *rcnt), total = 0;
    for (int s = 0; s < R; s++)
        total += rcnt[s] = 8 * (h_rank + 1);
    int64_t *recv = calloc((size_t)total / 8 + 1, sizeof *recv);
    int rc = amls__xchg_init(&x, MPI_COMM_WORLD);
    for (int p = 0; p < R; p++)
        amls__xchg_count(&x, p, 8 * (p + 1));
    rc = rc == AMLS_OK ? amls__xchg_pack(&x) : rc;
    for (int p = 0; p < R && rc == AMLS_OK; p++)
        for (int k = 0; k <= p; k++) {
            int64_t v = h_rank * 100 + p;
            memcpy(amls__xchg_put(&x, p, 8), &v, 8);
        }
    CHECK(amls__xchg_run_into(&x, rc, recv, rcnt) == AMLS_OK, "run_into");
    int bad = 0;
    for (int s = 0; s < R; s++)
        for (int k = 0; k <= h_rank; k++)
            bad += recv[s * (h_rank + 1) + k] != s * 100 + h_rank;
    CHECK(bad == 0, "%d values misplaced", bad);
    CHECK(x.recv == (char *)recv, "received in place");
    amls__xchg_free(&x);
    free(recv);
    free(rcnt);
}

/* The last rank fails before moving: every rank gets that failure back, nobody hangs. */
static void test_agreed_failure(void)
{
    amls__xchg x = {0};
    int rc = amls__xchg_init(&x, MPI_COMM_WORLD);
    amls__xchg_count(&x, 0, 8);
    if (rc == AMLS_OK)
        rc = amls__xchg_pack(&x);
    if (h_rank == R - 1)
        rc = amls_error(AMLS_ERR_NOMEM, "injected failure");
    else
        memset(amls__xchg_put(&x, 0, 8), 0, 8);
    rc = amls__xchg_run(&x, rc);
    CHECK(rc == AMLS_ERR_NOMEM, "agreed status %d", rc);
    amls__xchg_free(&x);
    amls_clear_error();
}

/* Point-to-point rounds with kept buffers: rank s sends (s + p) % 3 * 37 bytes to rank p only
 * when s + p is odd (an empty message when the count is 0: promised all the same), with a chunk
 * size of 16 bytes so that payloads travel in several chunks, including exact multiples; three
 * rounds reuse the buffers. Every rank derives what it expects from the same rule. */
static void test_p2p(void)
{
    amls__xchg x;
    uint8_t *to = calloc((size_t)R, 1), *from = calloc((size_t)R, 1);
    CHECK(amls__xchg_setup(&x, MPI_COMM_WORLD, R) == AMLS_OK, "setup");
    amls__xchg_set_chunk(16);
    for (int round = 0; round < 3; round++) {
        amls__xchg_clear(&x);
        for (int p = 0; p < R; p++) {
            to[p] = (h_rank + p) % 2 == 1 || p == h_rank;
            from[p] = (p + h_rank) % 2 == 1;
            if (to[p])
                amls__xchg_count(&x, p, (h_rank + p + round) % 3 * 16 + (round == 1 ? 0 : 5));
        }
        CHECK(amls__xchg_pack_keep(&x) == AMLS_OK, "pack");
        for (int p = 0; p < R; p++)
            for (int64_t k = 0; to[p] && k < x.scnt[p]; k++)
                *(char *)amls__xchg_put(&x, p, 1) = (char)(h_rank * 31 + p * 7 + k + round);
        CHECK(amls__xchg_run_p2p(&x, to, from, 5) == AMLS_OK, "run");
        int bad = 0;
        for (int s = 0; s < R; s++) {
            int64_t len, want = (s == h_rank || (s + h_rank) % 2 == 1)
                                    ? (s + h_rank + round) % 3 * 16 + (round == 1 ? 0 : 5)
                                    : 0;
            const char *at = amls__xchg_from(&x, s, &len);
            bad += len != want;
            for (int64_t k = 0; k < len && len == want; k++)
                bad += at[k] != (char)(s * 31 + h_rank * 7 + k + round);
        }
        CHECK(bad == 0, "round %d: %d bytes or counts wrong", round, bad);
    }
    amls__xchg_set_chunk(0);
    amls__xchg_free(&x);
    free(to);
    free(from);
}

int main(int argc, char **argv)
{
    h_init(&argc, &argv);
    MPI_Comm_size(MPI_COMM_WORLD, &R);
    test_route();
    test_lookup();
    test_known_layout();
    test_agreed_failure();
    test_p2p();
    return h_finish("test_exchange");
}
