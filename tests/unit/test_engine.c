/* ---------------------------------------------------------------------------------------------
 * tests/unit/test_engine.c — the engine's pure parts: combiners for every op and type and a
 * user combiner, aggregator layout, identities and reduction (scalar, vector, user-defined),
 * and the wire format of a message segment (engine/run_messages.c), both encodings, checked
 * against a layout written out by hand.
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#include "run_internal.h"

#include <criterion/criterion.h>
#include <math.h>

/* ---- combiners ----------------------------------------------------------------------------- */

static int64_t comb_i64(amls_op op, int64_t a, int64_t b)
{
    amls_combiner d = {op, AMLS_TYPE_I64, NULL};
    amls__comb c = amls__comb_of(&d, 8, false);
    amls__comb_apply(&c, &a, &b);
    return a;
}

static double comb_f64(amls_op op, double a, double b)
{
    amls_combiner d = {op, AMLS_TYPE_F64, NULL};
    amls__comb c = amls__comb_of(&d, 8, false);
    amls__comb_apply(&c, &a, &b);
    return a;
}

Test(combiner, builtin_ops_over_64_bits)
{
    cr_assert_eq(comb_i64(AMLS_OP_SUM, 5, -7), -2);
    cr_assert_eq(comb_i64(AMLS_OP_MIN, 5, -7), -7);
    cr_assert_eq(comb_i64(AMLS_OP_MAX, 5, -7), 5);
    cr_assert_eq(comb_i64(AMLS_OP_MIN, INT64_MAX, 3), 3);
    cr_assert_float_eq(comb_f64(AMLS_OP_SUM, 0.25, 0.5), 0.75, 0);
    cr_assert_float_eq(comb_f64(AMLS_OP_MIN, 0.25, -1e300), -1e300, 0);
    cr_assert_float_eq(comb_f64(AMLS_OP_MAX, 0.25, -1e300), 0.25, 0);
    cr_assert(comb_f64(AMLS_OP_MIN, INFINITY, 2.0) == 2.0);
}

/* A 32-bit message in an 8-byte slot, so that the other half shows what was written. */
typedef union slot {
    int32_t i[2];
    float f[2];
    int64_t whole;
} slot;

Test(combiner, builtin_ops_over_32_bits)
{
    slot a = {.i = {40, 77}}, b = {.i = {-2, 0}}, f = {.f = {1.5f, 0}}, g = {.f = {2.25f, 0}};
    amls_combiner di = {AMLS_OP_MAX, AMLS_TYPE_I32, NULL}, df = {AMLS_OP_SUM, AMLS_TYPE_F32, NULL};
    amls__comb ci = amls__comb_of(&di, 4, false), cf = amls__comb_of(&df, 4, false);
    cr_assert_eq(ci.kind, AMLS__COMB_MAX_I32);
    amls__comb_apply(&ci, &a, &b);
    amls__comb_apply(&cf, &f, &g);
    cr_assert_eq(a.i[0], 40);
    cr_assert_float_eq(f.f[0], 3.75f, 0);
    slot m = {.i = {9, 123}}, n = {.i = {4, 0}};
    amls_combiner dm = {AMLS_OP_MIN, AMLS_TYPE_I32, NULL};
    amls__comb cm = amls__comb_of(&dm, 4, false);
    amls__comb_apply(&cm, &m, &n);
    cr_assert_eq(m.i[0], 4);
    cr_assert_eq(m.i[1], 123, "nothing is written past the 4-byte message");
}

/* A user combiner over pairs: keep the pair with the larger first member. */
static void keep_larger(void *acc, const void *msg)
{
    int64_t a[2], m[2];
    memcpy(a, acc, sizeof a);
    memcpy(m, msg, sizeof m);
    if (m[0] > a[0])
        memcpy(acc, m, sizeof m);
}

Test(combiner, user_function_and_disabled)
{
    amls_combiner d = {AMLS_OP_USER, 0, keep_larger};
    amls__comb c = amls__comb_of(&d, 16, false);
    int64_t acc[2] = {3, 30}, msg[2] = {8, 80}, low[2] = {1, 10};
    amls__comb_apply(&c, acc, msg);
    amls__comb_apply(&c, acc, low);
    cr_assert(acc[0] == 8 && acc[1] == 80);
    cr_assert_eq(amls__comb_of(&d, 16, true).kind, AMLS__COMB_NONE, "--no-combiner");
    amls_combiner none = {AMLS_OP_NONE, 0, NULL};
    cr_assert_eq(amls__comb_of(&none, 8, false).kind, AMLS__COMB_NONE);
}

/* [1.2] ANY keeps the first message; keyed MIN/MAX keep the whole message with the better key. */
Test(combiner, any_and_keyed)
{
    amls_combiner da = {AMLS_OP_ANY, AMLS_TYPE_I64, NULL};
    amls__comb ca = amls__comb_of(&da, 8, false);
    int64_t a = 7, b = 3;
    amls__comb_apply(&ca, &a, &b);
    cr_assert_eq(a, 7, "ANY keeps what it has");
    amls_combiner dk = {AMLS_OP_MIN, AMLS_TYPE_I64, NULL};
    amls__comb ck = amls__comb_of(&dk, 16, false);
    cr_assert_eq(ck.kind, AMLS__COMB_KMIN_I64);
    int64_t acc[2] = {30, 300}, lo[2] = {20, 200}, hi[2] = {25, 250};
    amls__comb_apply(&ck, acc, lo);
    amls__comb_apply(&ck, acc, hi);
    cr_assert(acc[0] == 20 && acc[1] == 200, "arg-min: key 20 with its payload");
    amls_combiner dx = {AMLS_OP_MAX, AMLS_TYPE_F64, NULL};
    amls__comb cx = amls__comb_of(&dx, 16, false);
    double f[2] = {1.0, 10.0}, g[2] = {2.0, 20.0};
    amls__comb_apply(&cx, f, g);
    cr_assert(f[0] == 2.0 && f[1] == 20.0, "arg-max over doubles");
}

/* ---- aggregators --------------------------------------------------------------------------- */

typedef struct tally {
    int64_t count;
    int64_t bits;
} tally;

static void count_bits(void *acc, const void *x)
{
    tally a, b;
    memcpy(&a, acc, sizeof a);
    memcpy(&b, x, sizeof b);
    a.count += b.count;
    a.bits ^= b.bits;
    memcpy(acc, &a, sizeof a);
}

static const amls_aggregator scalars[] = {
    {"min", AMLS_OP_MIN, AMLS_TYPE_F64, false},
    {"max", AMLS_OP_MAX, AMLS_TYPE_I64, true},
};
static const tally start = {100, 0};
static const amls_aggregator_ext extended[] = {
    {"hist", AMLS_OP_SUM, AMLS_TYPE_I64, 3, 0, NULL, NULL, false},
    {"user", AMLS_OP_USER, 0, 0, sizeof(tally), count_bits, &start, false},
    {"odd", AMLS_OP_USER, 0, 0, 5, count_bits, NULL, true},
};

Test(aggregator, layout_of_scalar_vector_and_user)
{
    amls_vprog p = {.abi_major = AMLS_ABI_MAJOR,
                    .abi_minor = AMLS_ABI_MINOR,
                    .struct_size = sizeof(amls_vprog),
                    AMLS_AGGREGATORS(scalars),
                    AMLS_AGGREGATORS_EXT(extended)};
    amls__agg *a = NULL;
    int n = 0;
    size_t bytes = 0;
    cr_assert_eq(amls__aggs_of(&p, &a, &n, &bytes), AMLS_OK);
    cr_assert_eq(n, 5);
    const size_t off[] = {0, 8, 16, 40, 56}, size[] = {8, 8, 24, 16, 5};
    for (int i = 0; i < n; i++) {
        cr_assert_eq(a[i].off, off[i], "aggregator %d at %zu", i, a[i].off);
        cr_assert_eq(a[i].size, size[i], "aggregator %d of %zu bytes", i, a[i].size);
    }
    cr_assert_eq(bytes, 64, "every aggregate starts 8-byte aligned");
    cr_assert(a[1].persistent && !a[2].persistent && a[4].persistent);
    amls__free(a);
}

Test(aggregator, identities_and_combining)
{
    amls__agg mn = {"min", AMLS_OP_MIN, AMLS_TYPE_F64, 1, 8, 0, false, NULL, NULL};
    amls__agg mx = {"max", AMLS_OP_MAX, AMLS_TYPE_I64, 1, 8, 0, false, NULL, NULL};
    amls__agg hist = {"hist", AMLS_OP_SUM, AMLS_TYPE_I64, 3, 24, 0, false, NULL, NULL};
    amls__agg user = {"user", AMLS_OP_USER, 0, 1, sizeof(tally), 0, false, count_bits, &start};
    double d = 0;
    int64_t i = 0, h[3] = {9, 9, 9}, x[3] = {1, 2, 3};
    tally b = {0, 0}, y = {1, 6};
    amls__agg_identity(&mn, &d);
    amls__agg_identity(&mx, &i);
    amls__agg_identity(&hist, h);
    amls__agg_identity(&user, &b);
    cr_assert(isinf(d) && d > 0);
    cr_assert_eq(i, INT64_MIN);
    cr_assert(h[0] == 0 && h[1] == 0 && h[2] == 0);
    cr_assert(b.count == 100 && b.bits == 0, "the declared identity");
    double v = -3.5;
    amls__agg_combine(&mn, &d, &v);
    cr_assert_float_eq(d, -3.5, 0);
    amls__agg_combine(&hist, h, x);
    amls__agg_combine(&hist, h, x);
    cr_assert(h[0] == 2 && h[1] == 4 && h[2] == 6, "element by element");
    amls__agg_combine(&user, &b, &y);
    amls__agg_combine(&user, &b, &y);
    cr_assert(b.count == 102 && b.bits == 0);
}

/* ---- the wire format ------------------------------------------------------------------------ */

typedef struct decoded {
    int nv, nr;
    int64_t at[16];
    double val[16];
    uint32_t target[16];
    double msg[16];
} decoded;

static void on_value(void *ud, int64_t at, const void *value)
{
    decoded *d = ud;
    d->at[d->nv] = at;
    memcpy(&d->val[d->nv++], value, 8);
}

static void on_record(void *ud, uint32_t target, const void *msg)
{
    decoded *d = ud;
    d->target[d->nr] = target;
    memcpy(&d->msg[d->nr++], msg, 8);
}

/* Two raw records (target index u32, double message), as the sender lays them out. */
static void raw_records(char *raw)
{
    uint32_t t0 = 7, t1 = 4;
    double m0 = 0.5, m1 = -2.0;
    memcpy(raw, &t0, 4);
    memcpy(raw + 4, &m0, 8);
    memcpy(raw + 12, &t1, 4);
    memcpy(raw + 16, &m1, 8);
}

Test(wire, bitmap_segment_layout_and_round_trip)
{
    /* 10 ghosts of the peer, slots 0, 3 and 9 set: 3 * 4 bytes of pairs would not beat a 2-byte
     * bitmap. */
    uint8_t has[10] = {1, 0, 0, 1, 0, 0, 0, 0, 0, 1};
    double val[10] = {1.5, 0, 0, 2.5, 0, 0, 0, 0, 0, 3.5};
    char raw[24], seg[128];
    raw_records(raw);
    cr_assert_eq(amls__seg_mode(10, 3), AMLS__SEG_BITMAP);
    int64_t size = amls__seg_size(10, 3, 8, 24);
    cr_assert_eq(size, 24 + 2 + 3 * 8 + 24);
    amls__seg_encode(seg, 10, 3, has, (const char *)val, 8, raw, 24, 2);
    /* By hand: header {nset 3, nraw 2, mode 0}, bitmap 0x09 0x02, values, records. */
    uint64_t hdr[3];
    memcpy(hdr, seg, 24);
    cr_assert(hdr[0] == 3 && hdr[1] == 2 && hdr[2] == AMLS__SEG_BITMAP);
    cr_assert_eq((unsigned char)seg[24], 0x09);
    cr_assert_eq((unsigned char)seg[25], 0x02);
    double v1;
    memcpy(&v1, seg + 26 + 8, 8);
    cr_assert_float_eq(v1, 2.5, 0);
    cr_assert_eq(memcmp(seg + 26 + 24, raw, 24), 0);
    decoded d = {0};
    cr_assert_eq(amls__seg_decode(seg, 10, 8, on_value, on_record, &d), size);
    cr_assert_eq(d.nv, 3);
    cr_assert(d.at[0] == 0 && d.at[1] == 3 && d.at[2] == 9);
    cr_assert(d.val[0] == 1.5 && d.val[1] == 2.5 && d.val[2] == 3.5);
    cr_assert(d.nr == 2 && d.target[0] == 7 && d.msg[0] == 0.5 && d.target[1] == 4);
    uint64_t nraw = 0;
    cr_assert_eq(amls__seg_raw(seg, 10, 8, &nraw), seg + 26 + 24, "records follow the values");
    cr_assert_eq(nraw, 2);
}

Test(wire, pairs_segment_when_few_are_set)
{
    /* 1000 ghosts, 2 set: 8 bytes of positions beat a 125-byte bitmap. */
    char raw[24], seg[128];
    raw_records(raw);
    cr_assert_eq(amls__seg_mode(1000, 2), AMLS__SEG_PAIRS);
    cr_assert_eq(amls__seg_mode(1000, 31), AMLS__SEG_PAIRS);
    cr_assert_eq(amls__seg_mode(1000, 32), AMLS__SEG_BITMAP, "4 * 32 is not below 125");
    int64_t size = amls__seg_size(1000, 2, 8, 24);
    cr_assert_eq(size, 24 + 2 * 12 + 24);
    char *pairs = amls__seg_encode(seg, 1000, 2, NULL, NULL, 8, raw, 24, 2);
    double a = 9.0, b = -9.0;
    amls__seg_put_pair(pairs, 1, 5, &b, 8); /* pairs go in any order */
    amls__seg_put_pair(pairs, 0, 999, &a, 8);
    uint32_t at;
    memcpy(&at, seg + 24, 4);
    cr_assert_eq(at, 999);
    decoded d = {0};
    cr_assert_eq(amls__seg_decode(seg, 1000, 8, on_value, on_record, &d), size);
    cr_assert(d.nv == 2 && d.at[0] == 999 && d.val[0] == 9.0 && d.at[1] == 5 && d.val[1] == -9.0);
    cr_assert(d.nr == 2 && d.target[1] == 4 && d.msg[1] == -2.0);
    uint64_t nraw = 0;
    cr_assert_eq(amls__seg_raw(seg, 1000, 8, &nraw), seg + 24 + 2 * 12, "records follow the pairs");
    cr_assert_eq(nraw, 2);
}

Test(wire, records_only_without_ghosts)
{
    /* A rank's segment to itself, or any segment without a combiner: header and records. */
    char raw[24], seg[64];
    raw_records(raw);
    cr_assert_eq(amls__seg_size(0, 0, 8, 24), 48);
    amls__seg_encode(seg, 0, 0, NULL, NULL, 8, raw, 24, 2);
    decoded d = {0};
    cr_assert_eq(amls__seg_decode(seg, 0, 8, on_value, on_record, &d), 48);
    cr_assert(d.nv == 0 && d.nr == 2 && d.target[0] == 7);
}

/* [1.2] The signal part of a pull superstep: the smallest of FULL, BITMAP and PAIRS, and one
 * value when all are equal; sizes written out by hand (16-byte header). */
Test(wire, signal_segment_sizes)
{
    cr_assert_eq(amls__sigseg_mode(100, 100), AMLS__SIG_FULL);
    cr_assert_eq(amls__sigseg_size(100, 100, false, 8), 16 + 800);
    cr_assert_eq(amls__sigseg_size(100, 100, true, 8), 16 + 8, "uniform: one value");
    cr_assert_eq(amls__sigseg_mode(1000, 3), AMLS__SIG_PAIRS);
    cr_assert_eq(amls__sigseg_size(1000, 3, false, 8), 16 + 12 + 24);
    cr_assert_eq(amls__sigseg_mode(1000, 500), AMLS__SIG_BITMAP);
    cr_assert_eq(amls__sigseg_size(1000, 500, false, 8), 16 + 125 + 4000);
    cr_assert_eq(amls__sigseg_size(1000, 0, true, 8), 16, "nothing sent: the header");
}

/* ---- parameters: types and [1.2] ranges, checked without a graph ---------------------------- */

static int dummy_compute(amls_ctx *cx, amls_vertex v, void *s, const void *m, int64_t n)
{
    (void)cx, (void)v, (void)s, (void)m, (void)n;
    return AMLS_OK;
}

static const amls_param range_params[] = {
    {"damping", AMLS_PARAM_FLOAT, "0.85", "d"},
    {"iterations", AMLS_PARAM_INT, "20", "n"},
    {"source", AMLS_PARAM_VERTEX, NULL, "s"},
};
static const amls_param_range ranges[] = {{"damping", 0, 1}, {"iterations", 0, 100}};

static amls_vprog range_prog(void)
{
    return (amls_vprog){.abi_major = AMLS_ABI_MAJOR,
                        .abi_minor = AMLS_ABI_MINOR,
                        .struct_size = sizeof(amls_vprog),
                        .name = "t",
                        .state_size = 8,
                        .compute = dummy_compute,
                        AMLS_PARAMS(range_params),
                        AMLS_PARAM_RANGES(ranges)};
}

static int check3(const amls_vprog *p, const char *d, const char *it, const char *src)
{
    const char *vals[3] = {d, it, src};
    return amls_params_check(p, vals);
}

Test(params, ranges_types_nan_and_required)
{
    amls_vprog p = range_prog();
    cr_assert_eq(check3(&p, NULL, NULL, "7"), AMLS_OK);
    cr_assert_eq(check3(&p, "1", "0", "7"), AMLS_OK); /* both ends are included */
    cr_assert_eq(check3(&p, "1.5", NULL, "7"), AMLS_ERR_PARAM);
    cr_assert(strstr(amls_last_error(), "--damping 1.5: out of range (0..1)"), "%s",
              amls_last_error());
    cr_assert_eq(check3(&p, "-0.1", NULL, "7"), AMLS_ERR_PARAM);
    cr_assert_eq(check3(&p, "nan", NULL, "7"), AMLS_ERR_PARAM);
    cr_assert_eq(check3(&p, NULL, "-1", "7"), AMLS_ERR_PARAM);
    cr_assert_eq(check3(&p, NULL, "101", "7"), AMLS_ERR_PARAM);
    cr_assert_eq(check3(&p, NULL, "2.5", "7"), AMLS_ERR_PARAM);
    cr_assert_eq(check3(&p, NULL, NULL, NULL), AMLS_ERR_PARAM);
    cr_assert(strstr(amls_last_error(), "--source is required"), "%s", amls_last_error());
}

Test(params, range_table_checked_and_absent_before_abi_1_2)
{
    amls_vprog p = range_prog();
    static const amls_param_range on_string[] = {{"source", 0, 1}};
    static const amls_param_range inverted[] = {{"damping", 1, 0}};
    char why[256];
    p.param_ranges = on_string;
    cr_assert_eq(amls_vprog_check(&p, why, sizeof why), AMLS_ERR_VPROG, "a VERTEX range: %s", why);
    p.param_ranges = inverted;
    cr_assert_eq(amls_vprog_check(&p, why, sizeof why), AMLS_ERR_VPROG);
    /* A descriptor built before 1.2 has no range members: values are not range-checked. */
    p = range_prog();
    p.abi_minor = 1;
    p.struct_size = (uint32_t)offsetof(amls_vprog, param_ranges);
    cr_assert_eq(check3(&p, "1.5", NULL, "7"), AMLS_OK);
}
