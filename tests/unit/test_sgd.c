/* ---------------------------------------------------------------------------------------------
 * tests/unit/test_sgd.c — the SGD kernel and the data layout of the parameter server, without
 * MPI: the permutation is a bijection, shares and batches are balanced, the fixed drop rule is
 * round robin, gradients match finite differences, the schedules, and one local epoch learns.
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#include "ps_internal.h"

#include <criterion/criterion.h>

Test(sgd, permutation_is_a_bijection)
{
    int64_t sizes[] = {1, 2, 3, 4, 5, 7, 8, 9, 63, 64, 65, 100, 255, 256, 257, 1000, 4099, 65537};
    for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
        int64_t n = sizes[k];
        uint8_t *hit = calloc((size_t)n, 1);
        int64_t fixed = 0;
        for (int64_t i = 0; i < n; i++) {
            int64_t p = amls__ps_perm(0x1234 + (uint64_t)k, n, i);
            cr_assert(p >= 0 && p < n, "n=%lld: %lld -> %lld out of range", (long long)n,
                      (long long)i, (long long)p);
            cr_assert(!hit[p], "n=%lld: %lld hit twice", (long long)n, (long long)p);
            hit[p] = 1;
            fixed += p == i;
        }
        cr_assert(n < 100 || fixed < n / 10, "n=%lld: %lld fixed points, not shuffled",
                  (long long)n, (long long)fixed);
        free(hit);
    }
}

Test(sgd, shares_and_batches_are_balanced)
{
    amls_ps_opts o;
    amls_ps_opts_default(&o);
    for (int64_t n = 5; n < 400; n += 37)
        for (int W = 1; W <= 5 && W <= n; W++) {
            int64_t cnt[5] = {0};
            for (int64_t i = 0; i < n; i++)
                cnt[amls__ps_worker_of(&o, 0, n, W, i)]++;
            for (int w = 0; w < W; w++)
                cr_assert(cnt[w] == n / W || cnt[w] == (n + W - 1) / W, "n=%lld W=%d: %lld rows",
                          (long long)n, W, (long long)cnt[w]);
            int64_t S = amls__ps_steps(n, W, 7);
            for (int w = 0; w < W; w++) {
                int64_t end = 0, mn = INT64_MAX, mx = 0;
                for (int64_t s = 0; s < S; s++) {
                    int64_t a = 0, b = 0;
                    amls__ps_batch_range(cnt[w], S, s, &a, &b);
                    cr_assert_eq(a, end, "batches are contiguous");
                    end = b;
                    mn = AMLS_MIN(mn, b - a);
                    mx = AMLS_MAX(mx, b - a);
                }
                cr_assert_eq(end, cnt[w], "batches cover the share");
                cr_assert(mx - mn <= 1 && mx <= 7, "batch sizes %lld..%lld", (long long)mn,
                          (long long)mx);
            }
        }
}

Test(sgd, fixed_drop_is_round_robin)
{
    amls_ps_opts o;
    amls_ps_opts_default(&o);
    o.update = AMLS_PS_BACKUP;
    o.drop_fixed = true;
    for (int W = 2; W <= 6; W++)
        for (o.backup = 1; o.backup < W; o.backup++) {
            int per[6] = {0};
            for (int64_t t = 0; t < W; t++) {
                int d = 0;
                for (int w = 0; w < W; w++) {
                    d += amls__ps_dropped_fixed(&o, W, t, w);
                    per[w] += amls__ps_dropped_fixed(&o, W, t, w);
                }
                cr_assert_eq(d, o.backup, "W=%d b=%d: %d dropped in step %lld", W, o.backup, d,
                             (long long)t);
            }
            for (int w = 0; w < W; w++)
                cr_assert_eq(per[w], o.backup, "every worker is dropped as often");
        }
    o.drop_fixed = false;
    cr_assert(!amls__ps_dropped_fixed(&o, 3, 0, 0), "first-come drops nothing in advance");
}

/* A two-row set for gradient checks: row 0 = {f0: 0.5, f2: -1.5}, row 1 = {f1: 2}. */
static amls_rows two_rows(double y0, double y1)
{
    static int64_t ptr[] = {0, 2, 3};
    static int32_t idx[] = {0, 2, 1};
    static double val[] = {0.5, -1.5, 2.0};
    static double y[2];
    y[0] = y0;
    y[1] = y1;
    return (amls_rows){.n_local = 2,
                       .n_global = 2,
                       .nnz = 3,
                       .nfeat = 3,
                       .ptr = ptr,
                       .idx = idx,
                       .val = val,
                       .y = y};
}

static double batch_loss(amls_sgd_model model, const amls_rows *X, const double *w)
{
    double s = 0, dz;
    for (int64_t r = 0; r < X->n_local; r++)
        s += amls__sgd_loss(model, X->y[r], amls__sgd_score(w, X, r, X->nfeat), &dz);
    return s;
}

Test(sgd, gradients_match_finite_differences)
{
    amls_sgd_model models[] = {AMLS_SGD_LOGREG, AMLS_SGD_LINREG, AMLS_SGD_SVM};
    amls_rows X = two_rows(1.0, -1.0);
    int64_t rows[] = {0, 1};
    double w[4] = {0.1, -0.3, 0.2, 0.05};
    for (int k = 0; k < 3; k++) {
        amls__sgd_ws ws;
        cr_assert_eq(amls__sgd_ws_init(&ws, 4), AMLS_OK);
        cr_assert_eq(amls__sgd_batch_keys(&ws, &X, rows, 2), AMLS_OK);
        cr_assert_eq(ws.keys.len, 4, "intercept and three features");
        double loss = 0;
        cr_assert_eq(amls__sgd_batch_grad(&ws, models[k], &X, rows, 2, w, &loss), AMLS_OK);
        cr_assert_float_eq(loss, batch_loss(models[k], &X, w), 1e-15);
        for (size_t i = 0; i < ws.keys.len; i++) {
            int64_t q = ((int64_t *)ws.keys.data)[i];
            double wp[4], wm[4], eps = 1e-6;
            memcpy(wp, w, sizeof wp);
            memcpy(wm, w, sizeof wm);
            wp[q] += eps;
            wm[q] -= eps;
            double fd = (batch_loss(models[k], &X, wp) - batch_loss(models[k], &X, wm)) / (2 * eps);
            cr_assert_float_eq(((double *)ws.vals.data)[i], fd, 1e-6, "model %d, key %lld",
                               (int)models[k], (long long)q);
        }
        for (int64_t q = 0; q < 4; q++)
            cr_assert_eq(ws.acc[q], 0.0, "the accumulator is left at zero");
        amls__sgd_ws_free(&ws);
    }
}

Test(sgd, losses_at_known_points)
{
    double dz;
    cr_assert_float_eq(amls__sgd_loss(AMLS_SGD_LOGREG, 1, 0, &dz), log(2.0), 1e-15);
    cr_assert_float_eq(dz, -0.5, 1e-15);
    cr_assert_float_eq(amls__sgd_loss(AMLS_SGD_LOGREG, -1, 800, &dz), 800, 1e-9, "no overflow");
    cr_assert_float_eq(amls__sgd_loss(AMLS_SGD_SVM, 1, 2, &dz), 0, 0);
    cr_assert_eq(dz, 0.0, "outside the margin: no gradient");
    cr_assert_float_eq(amls__sgd_loss(AMLS_SGD_SVM, -1, 0.5, &dz), 1.5, 1e-15);
    cr_assert_eq(dz, 1.0);
    cr_assert_float_eq(amls__sgd_loss(AMLS_SGD_LINREG, 3, 1, &dz), 2.0, 1e-15);
    cr_assert_eq(dz, -2.0);
}

Test(sgd, a_nan_gradient_is_an_error)
{
    amls_rows X = two_rows(1.0, -1.0);
    int64_t rows[] = {0};
    double w[4] = {NAN, 0, 0, 0}, loss = 0;
    amls__sgd_ws ws;
    cr_assert_eq(amls__sgd_ws_init(&ws, 4), AMLS_OK);
    cr_assert_eq(amls__sgd_batch_keys(&ws, &X, rows, 1), AMLS_OK);
    cr_assert_eq(amls__sgd_batch_grad(&ws, AMLS_SGD_LINREG, &X, rows, 1, w, &loss),
                 AMLS_ERR_NUMERIC);
    amls__sgd_ws_free(&ws);
    cr_assert_eq(amls__sgd_ws_init(&ws, 2), AMLS_OK);
    cr_assert_eq(amls__sgd_batch_keys(&ws, &X, rows, 1), AMLS_ERR_RANGE, "feature 2 >= model");
    amls__sgd_ws_free(&ws);
}

Test(sgd, schedules)
{
    amls_sgd_hparams hp;
    amls_sgd_hparams_default(&hp);
    hp.lr = 0.4;
    cr_assert_eq(amls_sgd_lr(&hp, 7), 0.4);
    hp.schedule = AMLS_LR_INVSQRT;
    cr_assert_float_eq(amls_sgd_lr(&hp, 3), 0.2, 1e-15);
    hp.schedule = AMLS_LR_DECAY;
    hp.lr_decay = 0.5;
    cr_assert_float_eq(amls_sgd_lr(&hp, 2), 0.1, 1e-15);
}

Test(sgd, one_local_epoch_learns_and_adagrad_scales)
{
    amls_rows X = two_rows(1.0, -1.0);
    int64_t order[] = {0, 1};
    amls_sgd_hparams hp;
    amls_sgd_hparams_default(&hp);
    hp.batch = 1;
    hp.lr = 0.5;
    double w[4] = {0}, h[4] = {0}, loss = 0;
    double before = batch_loss(AMLS_SGD_LOGREG, &X, w);
    for (int e = 0; e < 20; e++)
        cr_assert_eq(amls_sgd_local_epoch(&hp, e, &X, order, 2, 3, w, NULL, &loss), AMLS_OK);
    cr_assert_lt(batch_loss(AMLS_SGD_LOGREG, &X, w), 0.2 * before);
    cr_assert_gt(amls__sgd_score(w, &X, 0, 3), 0, "row 0 on the positive side");
    cr_assert_lt(amls__sgd_score(w, &X, 1, 3), 0, "row 1 on the negative side");
    /* Adagrad's first step on a coordinate has size lr (g / |g|), whatever the scale of g. */
    double w2[4] = {0};
    hp.optimizer = AMLS_SGD_ADAGRAD;
    cr_assert_eq(amls_sgd_local_epoch(&hp, 0, &X, order, 1, 3, w2, h, &loss), AMLS_OK);
    cr_assert_float_eq(w2[1], 0.5, 1e-6, "feature 0 moves by lr");
    cr_assert_float_eq(w2[3], -0.5, 1e-6, "feature 2 moves by lr the other way");
}
