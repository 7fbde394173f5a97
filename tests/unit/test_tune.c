/* ---------------------------------------------------------------------------------------------
 * tests/unit/test_tune.c — search spaces, sampling, the Hyperband plan and fold hashing (serial,
 * no MPI).
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#include "tune_internal.h"

#include <criterion/criterion.h>
#include <math.h>

static const amls_tune_param params[] = {
    {"lambda", AMLS_TUNE_REAL, 1e-4, 0, INFINITY, false, ""},
    {"rank", AMLS_TUNE_INT, 10, 1, 1000, false, ""},
    {"tol", AMLS_TUNE_REAL, 1e-6, 0, INFINITY, true, ""},
};

static amls_tune_space space(void)
{
    amls_tune_space s;
    amls_tune_space_init(&s, params, 3);
    return s;
}

static void expect_values(const char *spec, const double *want, int64_t n)
{
    amls_tune_space s = space();
    cr_assert_eq(amls_tune_space_add(&s, spec), AMLS_OK, "%s: %s", spec, amls_last_error());
    cr_assert_eq(s.dom[0].nvalues, n, "%s: %lld values", spec, (long long)s.dom[0].nvalues);
    for (int64_t i = 0; i < n; i++)
        cr_assert(fabs(s.dom[0].values[i] - want[i]) <= 1e-15 * fabs(want[i]), "%s[%lld] = %.17g",
                  spec, (long long)i, s.dom[0].values[i]);
    amls_tune_space_free(&s);
}

Test(tune, spec_lists_and_ranges)
{
    expect_values("lambda=0.1,1,10", (double[]){0.1, 1, 10}, 3);
    expect_values("lambda=0.5", (double[]){0.5}, 1);
    expect_values("lambda=lin:0:1:5", (double[]){0, 0.25, 0.5, 0.75, 1}, 5);
    expect_values("lambda=log:1e-6:1:7", (double[]){1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1}, 7);
    expect_values("rank=int:1:10:3", (double[]){1, 4, 7, 10}, 4);
    expect_values("rank=int:2:4", (double[]){2, 3, 4}, 3);
    /* The ends of a log range are exactly the given numbers. */
    amls_tune_space s = space();
    cr_assert_eq(amls_tune_space_add(&s, "lambda=log:1e-6:1e0:13"), AMLS_OK);
    cr_assert_eq(s.dom[0].nvalues, 13);
    cr_assert_eq(s.dom[0].values[0], 1e-6);
    cr_assert_eq(s.dom[0].values[12], 1.0);
    amls_tune_space_free(&s);
}

static void expect_refused(const char *spec, const char *why)
{
    amls_tune_space s = space();
    cr_assert_eq(amls_tune_space_add(&s, "tol=1e-3"), AMLS_OK);
    int rc = amls_tune_space_add(&s, spec);
    cr_assert_eq(rc, AMLS_ERR_PARAM, "%s was accepted", spec);
    cr_assert(strstr(amls_last_error(), why) != NULL, "%s: message '%s' lacks '%s'", spec,
              amls_last_error(), why);
    cr_assert(strstr(amls_last_error(), spec) != NULL, "the message names the spec");
    cr_assert_eq(s.ndom, 1, "a refused spec adds nothing");
    amls_tune_space_free(&s);
}

Test(tune, bad_specs_are_refused)
{
    expect_refused("lambda=log:1e-6:1:0", "empty range");
    expect_refused("lambda=lin:1:0:3", "empty range");
    expect_refused("rank=int:5:2", "empty range");
    expect_refused("lambda=uniform:1:1", "empty range");
    expect_refused("alpha=1", "unknown parameter 'alpha'");
    expect_refused("tol=1e-4", "given twice");
    expect_refused("lambda=", "expected NAME=SPEC");
    expect_refused("lambda", "expected NAME=SPEC");
    expect_refused("lambda=0.1,,1", "expected a number");
    expect_refused("lambda=1,x", "expected a number");
    expect_refused("lambda=-1", "outside");
    expect_refused("lambda=log:0:1:3", "positive ends");
    expect_refused("lambda=loguniform:0:1", "A > 0");
    expect_refused("lambda=1,2,1", "appears twice");
    expect_refused("lambda=cubic:1:2", "unknown range 'cubic'");
    expect_refused("lambda=lin:0:1", "expected lin:A:B:N");
    expect_refused("lambda=nan", "expected a number");
    expect_refused("rank=2.5", "takes integers");
    expect_refused("rank=0", "outside");
    expect_refused("rank=int:1:10:0", "step must be >= 1");
}

Test(tune, grid_points_first_domain_slowest)
{
    amls_tune_space s = space();
    cr_assert_eq(amls_tune_space_add(&s, "rank=1,2"), AMLS_OK);
    cr_assert_eq(amls_tune_space_add(&s, "lambda=0.1,0.2,0.3"), AMLS_OK);
    cr_assert_eq(amls_tune_space_size(&s), 6);
    double hp[3];
    amls_tune_space_point(&s, 4, hp); /* rank index 1, lambda index 1 */
    cr_assert_eq(hp[1], 2.0);
    cr_assert_eq(hp[0], 0.2);
    cr_assert_eq(hp[2], 1e-6, "unsearched parameters keep their defaults");
    char buf[128];
    amls_tune_format_config(&s, hp, buf, sizeof buf);
    cr_assert_str_eq(buf, "rank=2 lambda=0.2");
    cr_assert_eq(amls_tune_space_add(&s, "tol=uniform:1e-8:1e-6"), AMLS_OK);
    cr_assert_eq(amls_tune_space_size(&s), -1, "a distribution makes the space infinite");
    amls_tune_space_free(&s);
}

Test(tune, sampling_finite_space_without_replacement)
{
    amls_tune_space s = space();
    cr_assert_eq(amls_tune_space_add(&s, "lambda=lin:1:30:30"), AMLS_OK);
    double a[30 * 3], b[30 * 3], c[40 * 3];
    int64_t got = 0;
    cr_assert_eq(amls_tune_space_sample(&s, 5, 1, 12, a, &got), AMLS_OK);
    cr_assert_eq(got, 12);
    for (int i = 0; i < 12; i++)
        for (int j = 0; j < i; j++)
            cr_assert_neq(a[i * 3], a[j * 3], "draws %d and %d repeat a configuration", i, j);
    cr_assert_eq(amls_tune_space_sample(&s, 5, 1, 12, b, &got), AMLS_OK);
    cr_assert_eq(memcmp(a, b, 12 * 3 * sizeof *a), 0, "same seed and stream, same draws");
    cr_assert_eq(amls_tune_space_sample(&s, 6, 1, 12, b, &got), AMLS_OK);
    cr_assert_neq(memcmp(a, b, 12 * 3 * sizeof *a), 0, "another seed, other draws");
    cr_assert_eq(amls_tune_space_sample(&s, 5, 1, 40, c, &got), AMLS_OK);
    cr_assert_eq(got, 30, "at most the whole space");
    amls_tune_space_free(&s);
}

Test(tune, sampling_distributions)
{
    amls_tune_space s = space();
    cr_assert_eq(amls_tune_space_add(&s, "lambda=loguniform:1e-6:1e-2"), AMLS_OK);
    cr_assert_eq(amls_tune_space_add(&s, "rank=uniform:2:5"), AMLS_OK);
    enum { N = 2000 };
    double *hp = malloc(N * 3 * sizeof *hp);
    int64_t got = 0, below = 0, seen[6] = {0};
    cr_assert_eq(amls_tune_space_sample(&s, 9, 3, N, hp, &got), AMLS_OK);
    cr_assert_eq(got, N);
    for (int i = 0; i < N; i++) {
        double l = hp[i * 3], r = hp[i * 3 + 1];
        cr_assert(l >= 1e-6 && l <= 1e-2, "lambda %g outside the range", l);
        below += l < 1e-4; /* log-uniform: half the draws below the geometric middle */
        cr_assert(r == floor(r) && r >= 2 && r <= 5, "rank %g", r);
        seen[(int)r]++;
        cr_assert_eq(hp[i * 3 + 2], 1e-6);
    }
    cr_assert(below > N * 0.45 && below < N * 0.55, "%lld of %d below 1e-4", (long long)below, N);
    for (int r = 2; r <= 5; r++)
        cr_assert(seen[r] > N / 4 * 0.85 && seen[r] < N / 4 * 1.15, "rank %d drawn %lld times", r,
                  (long long)seen[r]);
    free(hp);
    amls_tune_space_free(&s);
}

/* Li et al. (JMLR 2018), Table 1: R = 81, eta = 3. */
Test(tune, hyperband_plan_matches_the_paper)
{
    amls_tune_bracket b[AMLS_TUNE_MAX_BRACKETS];
    int nb = 0;
    cr_assert_eq(amls_tune_hyperband_plan(81, 1, 3, b, &nb), AMLS_OK);
    cr_assert_eq(nb, 5);
    static const int64_t n[5][5] = {{81, 27, 9, 3, 1}, {34, 11, 3, 1}, {15, 5, 1}, {8, 2}, {5}};
    static const int64_t r[5][5] = {{1, 3, 9, 27, 81}, {3, 9, 27, 81}, {9, 27, 81}, {27, 81}, {81}};
    for (int k = 0; k < 5; k++) {
        cr_assert_eq(b[k].s, 4 - k);
        for (int i = 0; i <= b[k].s; i++) {
            cr_assert_eq(b[k].rung[i].n, n[k][i], "bracket s=%d rung %d: n %lld", b[k].s, i,
                         (long long)b[k].rung[i].n);
            cr_assert_eq(b[k].rung[i].budget, r[k][i], "bracket s=%d rung %d: r %lld", b[k].s, i,
                         (long long)b[k].rung[i].budget);
        }
    }
    cr_assert_eq(amls_tune_hyperband_plan(100, 4, 3, b, &nb), AMLS_OK);
    cr_assert_eq(nb, 3, "4 * 3^2 <= 100 < 4 * 3^3");
    cr_assert_eq(b[0].rung[0].budget, 11);
    cr_assert_eq(b[0].rung[2].budget, 100, "the last rung runs the full budget");
    cr_assert_eq(amls_tune_hyperband_plan(10, 20, 3, b, &nb), AMLS_ERR_PARAM);
    cr_assert_eq(amls_tune_hyperband_plan(10, 1, 1, b, &nb), AMLS_ERR_PARAM);
}

Test(tune, folds_are_balanced_and_fixed)
{
    enum { N = 100000, K = 7 };
    int64_t count[K] = {0};
    for (int64_t i = 0; i < N; i++) {
        int f = amls_tune_fold(3, K, i);
        cr_assert(f >= 0 && f < K);
        cr_assert_eq(f, amls_tune_fold(3, K, i), "a pure function of (seed, row)");
        count[f]++;
    }
    for (int f = 0; f < K; f++)
        cr_assert(fabs((double)count[f] - N / K) < 0.03 * N / K, "fold %d has %lld rows", f,
                  (long long)count[f]);
    int64_t moved = 0;
    for (int64_t i = 0; i < 1000; i++)
        moved += amls_tune_fold(3, K, i) != amls_tune_fold(4, K, i);
    cr_assert(moved > 700, "another seed reshuffles the folds (%lld of 1000 moved)",
              (long long)moved);
    cr_assert_eq(amls_tune_fold_pair(3, K, 10, 20), amls_tune_fold_pair(3, K, 10, 20));
}

Test(tune, metrics_and_number_format)
{
    cr_assert_eq(amls_metric_parse("accuracy"), AMLS_METRIC_ACCURACY);
    cr_assert_eq(amls_metric_parse("rmse"), AMLS_METRIC_RMSE);
    cr_assert_eq(amls_metric_parse("auc"), -1);
    cr_assert(amls_metric_higher_is_better(AMLS_METRIC_ACCURACY));
    cr_assert(!amls_metric_higher_is_better(AMLS_METRIC_LOGLOSS));
    char b[40];
    double xs[] = {0.1, 1e-6, 1000, 1.0 / 3, 3.162277660168379e-05, -2.5};
    for (size_t i = 0; i < sizeof xs / sizeof xs[0]; i++) {
        amls_tune_format_double(xs[i], b, sizeof b);
        cr_assert_eq(strtod(b, NULL), xs[i], "%s does not read back as %.17g", b, xs[i]);
    }
    amls_tune_format_double(0.1, b, sizeof b);
    cr_assert_str_eq(b, "0.1");
    amls_tune_format_double(1000, b, sizeof b);
    cr_assert_str_eq(b, "1000");
}

/* Reproducible sums (core/rsum.c): the same bits in any order and any split into partial
 * sums, and as accurate as a compensated sum. */

static void rsum_of(const amls__rsum *p, const double *x, const int64_t *order, int64_t n,
                    int64_t parts, double *out)
{
    double total[2] = {0, 0};
    for (int64_t q = 0; q < parts; q++) { /* each part summed alone, then the parts added */
        double part[2] = {0, 0};
        for (int64_t i = q * n / parts; i < (q + 1) * n / parts; i++)
            amls__rsum_add(p, x[order[i]], &part[0], &part[1]);
        total[0] += part[0];
        total[1] += part[1];
    }
    *out = total[0] + total[1];
}

Test(rsum, order_and_split_do_not_change_the_bits)
{
    enum { N = 50000 };
    double *x = malloc(N * sizeof *x), bound = 0;
    int64_t *ord = malloc(N * sizeof *ord);
    long double exact = 0;
    for (int64_t i = 0; i < N; i++) {
        double u = amls__u01(amls__rand64(1, 2, (uint64_t)i));
        x[i] = (u - 0.4) * ldexp(1.0, (int)(amls__rand64(1, 3, (uint64_t)i) % 40) - 20);
        bound = fmax(bound, fabs(x[i]));
        exact += x[i];
        ord[i] = i;
    }
    amls__rsum p = amls__rsum_plan(bound, N);
    double ref, plain = 0, plain_rev = 0;
    rsum_of(&p, x, ord, N, 1, &ref);
    for (int64_t i = 0; i < N; i++) {
        plain += x[i];
        plain_rev += x[N - 1 - i];
    }
    cr_assert_neq(plain, plain_rev, "plain summation depends on the order here");
    for (int trial = 0; trial < 5; trial++) {
        for (int64_t i = N - 1; i > 0; i--) { /* shuffle */
            int64_t j =
                (int64_t)(amls__rand64(7, (uint64_t)trial, (uint64_t)i) % (uint64_t)(i + 1));
            int64_t t = ord[i];
            ord[i] = ord[j];
            ord[j] = t;
        }
        double s;
        rsum_of(&p, x, ord, N, 1 + 7 * trial, &s);
        cr_assert_eq(s, ref, "order %d, %d parts: %.17g vs %.17g", trial, 1 + 7 * trial, s, ref);
    }
    cr_assert(fabsl((long double)ref - exact) <= 1e-15L * fabsl(exact) + 1e-18L,
              "sum %.17g, exact %.17Lg", ref, exact);
    free(x);
    free(ord);
}
