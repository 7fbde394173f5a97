/* ---------------------------------------------------------------------------------------------
 * tests/unit/test_exchange.c — the serial parts of the exchange primitive (core/exchange.c):
 * counting and packing records grouped by destination in put order, a one-rank exchange that
 * moves nothing, unpacking record by record, and the layout of a reply. No MPI is started:
 * these parts never call it. The parts that move bytes are tested at 1-4 ranks in
 * tests/mpi/test_exchange.c.
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#include "core.h"

#include <criterion/criterion.h>

/* Records of 8 bytes: the value put. */
static void put_i64(amls__xchg *x, int dest, int64_t v)
{
    memcpy(amls__xchg_put(x, dest, 8), &v, 8);
}

Test(exchange, packs_by_destination_in_put_order)
{
    amls__xchg x;
    const int dest[] = {2, 0, 2, 1, 0, 2};
    cr_assert_eq(amls__xchg_setup(&x, MPI_COMM_NULL, 3), AMLS_OK);
    for (int i = 0; i < 6; i++)
        amls__xchg_count(&x, dest[i], 8);
    cr_assert_eq(amls__xchg_pack(&x), AMLS_OK);
    const int64_t soff[] = {0, 16, 24, 48};
    for (int p = 0; p <= 3; p++)
        cr_assert_eq(x.soff[p], soff[p], "offset of rank %d", p);
    for (int i = 0; i < 6; i++)
        put_i64(&x, dest[i], 100 + i);
    const int64_t want[] = {101, 104, 103, 100, 102, 105}; /* rank 0, 1, then 2, in put order */
    for (int k = 0; k < 6; k++) {
        int64_t v;
        memcpy(&v, x.send + 8 * k, 8);
        cr_assert_eq(v, want[k], "record %d: %lld", k, (long long)v);
    }
    amls__xchg_free(&x);
    cr_assert_null(x.send);
}

typedef struct seen {
    int n, src[8];
    int64_t val[8];
} seen;

static void record(void *ud, int src, const void *rec)
{
    seen *s = ud;
    s->src[s->n] = src;
    memcpy(&s->val[s->n++], rec, 8);
}

Test(exchange, one_rank_moves_nothing_and_unpacks_each_record)
{
    amls__xchg x;
    seen s = {0};
    cr_assert_eq(amls__xchg_setup(&x, MPI_COMM_NULL, 1), AMLS_OK);
    for (int i = 0; i < 4; i++)
        amls__xchg_count(&x, 0, 8);
    cr_assert_eq(amls__xchg_pack(&x), AMLS_OK);
    char *packed = x.send;
    for (int i = 0; i < 4; i++)
        put_i64(&x, 0, 7 * i);
    cr_assert_eq(amls__xchg_local(&x), AMLS_OK);
    cr_assert_eq(x.recv, packed, "the packed buffer is the received one (no copy)");
    cr_assert_null(x.send);
    cr_assert_eq(x.nrecv, 32);
    int64_t len = 0;
    cr_assert_eq(amls__xchg_from(&x, 0, &len), x.recv);
    cr_assert_eq(len, 32);
    amls__xchg_each(&x, 8, record, &s);
    cr_assert_eq(s.n, 4);
    for (int i = 0; i < 4; i++) {
        cr_assert_eq(s.src[i], 0);
        cr_assert_eq(s.val[i], 7 * i);
    }
    amls__xchg_free(&x);
}

Test(exchange, unpacks_source_by_source)
{
    /* A received buffer laid out by hand: 1 record from rank 0, none from 1, 2 from 2. */
    amls__xchg x;
    seen s = {0};
    int64_t recv[] = {10, 30, 31};
    cr_assert_eq(amls__xchg_setup(&x, MPI_COMM_NULL, 3), AMLS_OK);
    x.rcnt[0] = 8, x.rcnt[1] = 0, x.rcnt[2] = 16;
    x.roff[1] = 8, x.roff[2] = 8, x.roff[3] = 24;
    x.recv = (char *)recv;
    x.recv_ext = true;
    amls__xchg_each(&x, 8, record, &s);
    cr_assert_eq(s.n, 3);
    cr_assert(s.src[0] == 0 && s.val[0] == 10);
    cr_assert(s.src[1] == 2 && s.val[1] == 30);
    cr_assert(s.src[2] == 2 && s.val[2] == 31);
    amls__xchg_free(&x);
}

Test(exchange, reply_mirrors_the_requests)
{
    /* This rank asked rank 0 twice and rank 1 once, and was asked by rank 0 once and rank 2
     * three times (8-byte requests); answers are 12 bytes. */
    amls__xchg req, ans;
    cr_assert_eq(amls__xchg_setup(&req, MPI_COMM_NULL, 3), AMLS_OK);
    req.scnt[0] = 16, req.scnt[1] = 8, req.scnt[2] = 0;
    req.rcnt[0] = 8, req.rcnt[1] = 0, req.rcnt[2] = 24;
    cr_assert_eq(amls__xchg_reply(&req, 8, 12, &ans), AMLS_OK);
    const int64_t scnt[] = {12, 0, 36}, rcnt[] = {24, 12, 0}, soff[] = {0, 12, 12, 48};
    for (int p = 0; p < 3; p++) {
        cr_assert_eq(ans.scnt[p], scnt[p], "answers to rank %d", p);
        cr_assert_eq(ans.rcnt[p], rcnt[p], "answers from rank %d", p);
    }
    for (int p = 0; p <= 3; p++)
        cr_assert_eq(ans.soff[p], soff[p]);
    cr_assert_not_null(ans.send);
    amls__xchg_free(&req);
    amls__xchg_free(&ans);
}
