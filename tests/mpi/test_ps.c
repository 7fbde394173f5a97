/* ---------------------------------------------------------------------------------------------
 * tests/mpi/test_ps.c — the parameter server against its definitions, on synthetic data with
 * a known separating hyperplane (no files needed):
 *   - BSP (and fixed-drop backup) equals the serial reference bit for bit, for every model,
 *     optimizer, update frequency, --shuffle and server count; with one worker it also equals
 *     plain serial mini-batch SGD (amls_sgd_local_epoch over the epoch orders);
 *   - SSP never answers a pull of a worker more than s clocks ahead of the slowest active
 *     worker (checked from the servers' traces, recounting the clocks from the pushes);
 *   - backup workers drop exactly the late gradients: every decision in the trace is re-derived
 *     from the arrival order, and a replay of the applied gradients gives the model bit for bit;
 *   - a restart continues the same BSP trajectory bit for bit, and works at another number of
 *     workers; a worker failure or a divergence reaches every rank without a hang.
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#include "harness.h"
#include "ps_internal.h"

#include "amls/sgd.h"

#include <stdlib.h>
#include <unistd.h>

enum { N = 600, D = 20 };

/* Rows [lo, hi) of the synthetic set: each feature present with probability 0.3, values in
 * [-1, 1], labels the sign of a hidden hyperplane (or its value for regression). The same rows
 * whatever the rank count. */
static void make_rows(int64_t lo, int64_t hi, bool regression, amls_rows *X)
{
    memset(X, 0, sizeof *X);
    int64_t n = hi - lo;
    X->ptr = amls__malloc((size_t)n + 1, sizeof *X->ptr);
    X->idx = amls__malloc((size_t)(n * D) + 1, sizeof *X->idx);
    X->val = amls__malloc((size_t)(n * D) + 1, sizeof *X->val);
    X->y = amls__malloc((size_t)n + 1, sizeof *X->y);
    X->ptr[0] = 0;
    for (int64_t i = 0; i < n; i++) {
        int64_t g = lo + i, nz = X->ptr[i];
        double z = 0.1;
        for (int f = 0; f < D; f++) {
            if (amls__u01(amls__rand64(7, (uint64_t)g, (uint64_t)f)) >= 0.3)
                continue;
            double v = 2 * amls__u01(amls__rand64(8, (uint64_t)g, (uint64_t)f)) - 1;
            X->idx[nz] = f;
            X->val[nz++] = v;
            z += v * (2 * amls__u01(amls__rand64(9, 0, (uint64_t)f)) - 1);
        }
        X->ptr[i + 1] = nz;
        X->y[i] = regression ? z : (z > 0 ? 1.0 : -1.0);
    }
    X->n_local = n;
    X->n_global = N;
    X->nnz = X->ptr[n];
    X->nfeat = D;
}

/* This rank's block of the set. */
static void my_rows(MPI_Comm comm, bool regression, amls_rows *X)
{
    int rank = 0, np = 1;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &np);
    make_rows(amls__muldiv(N, rank, np), amls__muldiv(N, rank + 1, np), regression, X);
}

static amls_ps_opts base_opts(void)
{
    amls_ps_opts o;
    amls_ps_opts_default(&o);
    o.hp.lr = 0.2;
    o.hp.batch = 16;
    o.hp.lambda = 1e-3;
    o.epochs = 3;
    o.eval_rows = 0;
    return o;
}

static const amls_ps_update strategies[] = {AMLS_PS_BSP, AMLS_PS_ASP, AMLS_PS_SSP, AMLS_PS_BACKUP};

/* Options for one of the four strategies (SSP with s = staleness, backup with b = 1). */
static amls_ps_opts strategy(int i, int64_t staleness)
{
    amls_ps_opts o = base_opts();
    o.update = strategies[i];
    o.staleness = staleness;
    o.backup = 1;
    return o;
}

static int train(MPI_Comm comm, const amls_ps_opts *o, amls_ps_result *res)
{
    amls_rows X;
    my_rows(comm, o->hp.model == AMLS_SGD_LINREG, &X);
    amls_sgd_data d = {.rows = &X};
    int rc = amls_ps_train(comm, &d, o, res);
    amls_rows_free(&X);
    return rc;
}

static bool same_bits(const double *a, const double *b, int64_t m, int64_t *first)
{
    for (int64_t q = 0; q < m; q++)
        if (memcmp(&a[q], &b[q], sizeof *a) != 0) {
            *first = q;
            return false;
        }
    return true;
}

/* Serial mini-batch SGD with one worker: the epochs' orders, batches applied one by one. */
static void plain_sgd(const amls_ps_opts *o, const amls_rows *X, double *w, double *h)
{
    int64_t *order = malloc(sizeof *order * N);
    amls__ps_rows all = {.r = *X};
    all.gi = malloc(sizeof *all.gi * N);
    for (int64_t i = 0; i < N; i++)
        all.gi[i] = i;
    for (int64_t e = 0; e < o->epochs; e++) {
        double loss = 0;
        amls__ps_epoch_order(o, e, N, &all, order);
        amls_sgd_local_epoch(&o->hp, e, X, order, N, D, w, h, &loss);
    }
    free(order);
    free(all.gi);
}

/* BSP against the reference (and plain SGD for one worker). */
static void check_reference(const char *what, amls_ps_opts o)
{
    int np = 1, rank = 0;
    MPI_Comm_size(MPI_COMM_WORLD, &np);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    int W = np - o.servers;
    if (W < 1 || (o.update == AMLS_PS_BACKUP && W <= o.backup))
        return;
    amls_ps_result res;
    int rc = train(MPI_COMM_WORLD, &o, &res);
    CHECK(rc == AMLS_OK, "%s: train failed: %s", what, amls_last_error());
    if (rc < 0 || rank != 0) {
        amls_ps_result_free(&res);
        return;
    }
    amls_rows X;
    make_rows(0, N, o.hp.model == AMLS_SGD_LINREG, &X);
    double *w = calloc(D + 1, sizeof *w), *h = calloc(D + 1, sizeof *h);
    bool ada = o.hp.optimizer == AMLS_SGD_ADAGRAD;
    CHECK(amls__sgd_ref(&o, &X, W, 0, o.epochs, NULL, w, ada ? h : NULL) == AMLS_OK,
          "%s: reference failed", what);
    int64_t q = -1;
    CHECK(same_bits(w, res.w, D + 1, &q),
          "%s (W=%d, M=%d): coefficient %lld is %.17g, the "
          "reference %.17g",
          what, W, o.servers, (long long)q, q >= 0 ? res.w[q] : 0.0, q >= 0 ? w[q] : 0.0);
    if (W == 1 && !o.per_epoch) {
        memset(w, 0, sizeof *w * (D + 1));
        memset(h, 0, sizeof *h * (D + 1));
        plain_sgd(&o, &X, w, ada ? h : NULL);
        CHECK(same_bits(w, res.w, D + 1, &q), "%s: one worker differs from serial SGD at %lld",
              what, (long long)q);
    }
    free(w);
    free(h);
    amls_rows_free(&X);
    amls_ps_result_free(&res);
}

static void test_reference(void)
{
    amls_ps_opts o = base_opts();
    check_reference("bsp logreg", o);
    o.servers = 2;
    check_reference("bsp logreg, 2 servers", o);
    o = base_opts();
    o.hp.optimizer = AMLS_SGD_ADAGRAD;
    o.hp.schedule = AMLS_LR_INVSQRT;
    check_reference("bsp logreg adagrad invsqrt", o);
    o = base_opts();
    o.hp.model = AMLS_SGD_SVM;
    o.shuffle = true;
    check_reference("bsp svm shuffle", o);
    o = base_opts();
    o.hp.model = AMLS_SGD_LINREG;
    o.hp.lr = 0.05;
    o.hp.schedule = AMLS_LR_DECAY;
    o.hp.lr_decay = 0.9;
    check_reference("bsp linreg decay", o);
    o = base_opts();
    o.per_epoch = true;
    check_reference("bsp per-epoch (local SGD, averaged)", o);
    o = base_opts();
    o.update = AMLS_PS_BACKUP;
    o.backup = 1;
    o.drop_fixed = true;
    o.shuffle = true;
    check_reference("backup, fixed drop, shuffle", o);
}

/* Every strategy learns the hyperplane. */
static void test_converges(void)
{
    int np = 1;
    MPI_Comm_size(MPI_COMM_WORLD, &np);
    for (int i = 0; i < 4; i++) {
        amls_ps_opts o = strategy(i, 1);
        o.epochs = 20;
        o.hp.lr = 0.5;
        o.hp.lambda = 0;
        if (strategies[i] == AMLS_PS_BACKUP && np < 3)
            continue;
        amls_ps_result res;
        int rc = train(MPI_COMM_WORLD, &o, &res);
        CHECK(rc == AMLS_OK, "update %d: %s", (int)strategies[i], amls_last_error());
        CHECK(rc < 0 || res.final.train.accuracy >= 0.93, "update %d: train accuracy %.4f",
              (int)strategies[i], res.final.train.accuracy);
        CHECK(rc < 0 || res.npoints == o.epochs, "update %d: %lld points", (int)strategies[i],
              (long long)res.npoints);
        amls_ps_result_free(&res);
    }
    amls_ps_opts o = base_opts();
    o.hp.model = AMLS_SGD_LINREG;
    o.hp.lr = 0.1;
    o.hp.lambda = 0;
    o.epochs = 30;
    amls_ps_result res;
    int rc = train(MPI_COMM_WORLD, &o, &res);
    CHECK(rc == AMLS_OK && res.final.train.rmse < 0.05, "linreg: rmse %.4g",
          rc == AMLS_OK ? res.final.train.rmse : -1.0);
    amls_ps_result_free(&res);
}

/* SSP: from the trace of each server, recount every worker's pushes and check that each pull
 * was answered only when its clock was at most s ahead of the slowest active worker. With a
 * straggler the fast workers must also get to the bound (SSP is not run as BSP). */
static void check_ssp_trace(const char *path, int W, int64_t s, int64_t *max_gap)
{
    FILE *f = fopen(path, "r");
    CHECK(f != NULL, "no trace %s", path);
    if (f == NULL)
        return;
    int64_t *cnt = calloc((size_t)W, sizeof *cnt);
    int *active = malloc(sizeof *active * (size_t)W);
    for (int w = 0; w < W; w++)
        active[w] = 1;
    char ev[16];
    int bad = 0, replies = 0;
    while (fscanf(f, "%15s", ev) == 1) {
        long long a = 0, b = 0, c = 0, d = 0, e = 0;
        char word[16] = "";
        if (strcmp(ev, "push") == 0 &&
            fscanf(f, "%lld %lld %lld %lld %15s %lld", &a, &b, &c, &d, word, &e) == 6) {
            cnt[a] = b + 1;
        } else if (strcmp(ev, "done") == 0 && fscanf(f, "%lld %lld", &a, &b) == 2) {
            active[a] = 0;
        } else if (strcmp(ev, "reply") == 0 &&
                   fscanf(f, "%lld %lld %lld %lld %lld", &a, &b, &c, &d, &e) == 5) {
            int64_t mn = INT64_MAX;
            for (int w = 0; w < W; w++)
                if (active[w] && cnt[w] < mn)
                    mn = cnt[w];
            if (e & PS_STOP)
                continue;
            replies++;
            bad += b - mn > s || mn != d;
            if (b - mn > *max_gap)
                *max_gap = b - mn;
        } else if (strcmp(ev, "pull") == 0 && fscanf(f, "%lld %lld %lld", &a, &b, &c) == 3) {
        } else {
            bad++;
            break;
        }
    }
    CHECK(bad == 0 && replies > 0, "%s: %d answers break the bound s=%lld (of %d)", path, bad,
          (long long)s, replies);
    fclose(f);
    free(cnt);
    free(active);
}

static void test_ssp(void)
{
    int np = 1, rank = 0;
    MPI_Comm_size(MPI_COMM_WORLD, &np);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    if (np < 3)
        return;
    char dir[256], trace[300];
    h_temp_dir(dir, sizeof dir, "ps");
    snprintf(trace, sizeof trace, "%s/ssp", dir);
    for (int64_t s = 0; s <= 3; s += 3) {
        amls_ps_opts o = base_opts();
        o.update = AMLS_PS_SSP;
        o.staleness = s;
        o.servers = np >= 4 ? 2 : 1;
        o.straggler = 0;
        o.straggler_factor = 10;
        o.trace = trace;
        amls_ps_result res;
        int rc = train(MPI_COMM_WORLD, &o, &res);
        CHECK(rc == AMLS_OK, "ssp: %s", amls_last_error());
        if (rc == AMLS_OK && rank == 0) {
            int64_t gap = 0;
            for (int sv = 0; sv < o.servers; sv++) {
                char p[320];
                snprintf(p, sizeof p, "%s.s%d", trace, sv);
                check_ssp_trace(p, np - o.servers, s, &gap);
            }
            CHECK(gap == s && res.max_clock_gap == s,
                  "ssp s=%lld: the fast workers got %lld (run: %lld) clocks ahead, not s",
                  (long long)s, (long long)gap, (long long)res.max_clock_gap);
        }
        amls_ps_result_free(&res);
    }
    h_remove_dir(dir);
}

/* Backup, first-come: re-derives every decision of the trace from the arrival order (a
 * gradient is applied when computed on the current step's parameters and the step still needs
 * one, dropped otherwise), checks each step's list, and collects the applied gradients. */
static bool check_backup_trace(const char *path, int need, int64_t steps, amls__ps_replay *rp,
                               int64_t *drops)
{
    FILE *f = fopen(path, "r");
    CHECK(f != NULL, "no trace %s", path);
    if (f == NULL)
        return false;
    int64_t cap = 1 << 16, t = 0, got = 0, nacc = 0, bad = 0;
    int64_t *aw = malloc(sizeof *aw * 64), *ac = malloc(sizeof *ac * 64);
    rp->ptr = calloc((size_t)cap + 1, sizeof *rp->ptr);
    rp->worker = malloc(sizeof *rp->worker * (size_t)cap * 4);
    rp->clock = malloc(sizeof *rp->clock * (size_t)cap * 4);
    char ev[16];
    while (fscanf(f, "%15s", ev) == 1 && !bad) {
        long long a = 0, b = 0, c = 0, d = 0, e = 0;
        char word[16] = "";
        if (strcmp(ev, "push") == 0 &&
            fscanf(f, "%lld %lld %lld %lld %15s", &a, &b, &c, &d, word) == 5) {
            bool want = c == t && got < need && t < steps;
            const char *expect = want ? "acc" : (t < steps ? "drop" : "ignored");
            bad += d != t || strcmp(word, expect) != 0;
            if (want) {
                aw[got] = a;
                ac[got++] = b;
            } else {
                *drops += t < steps;
            }
        } else if (strcmp(ev, "step") == 0 && fscanf(f, "%lld", &a) == 1) {
            /* The step's list, in worker order, must be the accepted gradients. */
            bad += a != t || got != need;
            for (int64_t i = 0; i < got; i++) {
                char tok[64];
                if (fscanf(f, "%63s", tok) != 1 || sscanf(tok, "%lld:%lld", &b, &c) != 2) {
                    bad++;
                    break;
                }
                bool found = false;
                for (int64_t j = 0; j < got; j++)
                    found = found || (aw[j] == b && ac[j] == c);
                bad += !found || (i > 0 && b <= rp->worker[nacc - 1]);
                rp->worker[nacc] = b;
                rp->clock[nacc++] = c;
            }
            rp->ptr[++t] = nacc;
            got = 0;
        } else if ((strcmp(ev, "pull") == 0 && fscanf(f, "%lld %lld %lld", &a, &b, &c) == 3) ||
                   (strcmp(ev, "reply") == 0 &&
                    fscanf(f, "%lld %lld %lld %lld %lld", &a, &b, &c, &d, &e) == 5) ||
                   (strcmp(ev, "done") == 0 && fscanf(f, "%lld %lld", &a, &b) == 2)) {
        } else {
            bad++;
        }
        if (t >= cap)
            bad++;
    }
    rp->nsteps = t;
    fclose(f);
    free(aw);
    free(ac);
    CHECK(bad == 0, "%s: a decision differs from the arrival order", path);
    return bad == 0;
}

static void check_backup(double factor)
{
    int np = 1, rank = 0;
    MPI_Comm_size(MPI_COMM_WORLD, &np);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    char dir[256], trace[300], p[320];
    h_temp_dir(dir, sizeof dir, "ps");
    snprintf(trace, sizeof trace, "%s/backup", dir);
    snprintf(p, sizeof p, "%s.s0", trace);
    amls_ps_opts o = base_opts();
    o.update = AMLS_PS_BACKUP;
    o.backup = 1;
    o.hp.optimizer = AMLS_SGD_ADAGRAD;
    o.straggler = 0;
    o.straggler_factor = factor;
    o.trace = trace;
    amls_ps_result res;
    int rc = train(MPI_COMM_WORLD, &o, &res);
    CHECK(rc == AMLS_OK, "backup: %s", amls_last_error());
    amls__ps_replay rp = {0};
    int64_t drops = 0;
    if (rc == AMLS_OK && rank == 0 &&
        check_backup_trace(p, np - 2, o.epochs * res.steps_per_epoch, &rp, &drops)) {
        amls_rows X;
        make_rows(0, N, false, &X);
        double *w = calloc(D + 1, sizeof *w), *h = calloc(D + 1, sizeof *h);
        CHECK(amls__sgd_ref(&o, &X, np - 1, 0, o.epochs, &rp, w, h) == AMLS_OK, "replay");
        int64_t q = -1;
        CHECK(same_bits(w, res.w, D + 1, &q), "backup: the replay differs at coefficient %lld",
              (long long)q);
        CHECK(drops == res.dropped && drops > 0 && rp.nsteps == o.epochs * res.steps_per_epoch,
              "backup: %lld drops in the trace, %lld reported, %lld steps", (long long)drops,
              (long long)res.dropped, (long long)rp.nsteps);
        free(w);
        free(h);
        amls_rows_free(&X);
    }
    free(rp.ptr);
    free(rp.worker);
    free(rp.clock);
    amls_ps_result_free(&res);
    h_remove_dir(dir);
}

/* A strong straggler is late by several steps, a mild one often by one. */
static void test_backup(void)
{
    int np = 1;
    MPI_Comm_size(MPI_COMM_WORLD, &np);
    if (np < 3)
        return;
    check_backup(3.0);
    check_backup(1.2);
}

/* A restart continues the BSP trajectory bit for bit (Adagrad state included), and a restart
 * on fewer ranks (another number of workers, a sub-communicator) starts from the checkpoint. */
static void test_restart(void)
{
    int np = 1, rank = 0;
    MPI_Comm_size(MPI_COMM_WORLD, &np);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    char dir[256];
    h_temp_dir(dir, sizeof dir, "ps");
    amls_ps_opts o = base_opts();
    o.hp.optimizer = AMLS_SGD_ADAGRAD;
    o.hp.schedule = AMLS_LR_INVSQRT;
    o.epochs = 4;
    amls_ps_result full, part, rest;
    int rc = train(MPI_COMM_WORLD, &o, &full);
    o.epochs = 2;
    o.checkpoint_dir = dir;
    rc = rc < 0 ? rc : train(MPI_COMM_WORLD, &o, &part);
    o.epochs = 4;
    o.checkpoint_dir = NULL;
    o.restart_dir = dir;
    rc = rc < 0 ? rc : train(MPI_COMM_WORLD, &o, &rest);
    CHECK(rc == AMLS_OK, "restart: %s", amls_last_error());
    if (rc == AMLS_OK) {
        int64_t q = -1;
        CHECK(rest.start_epoch == 2 && rest.npoints == 2, "restart began at epoch %lld",
              (long long)rest.start_epoch);
        CHECK(same_bits(full.w, rest.w, D + 1, &q),
              "restart: coefficient %lld differs from the uninterrupted run", (long long)q);
        CHECK(!same_bits(full.w, part.w, D + 1, &q), "restart: the checkpoint is the end");
        amls_ps_result_free(&part);
        amls_ps_result_free(&rest);
    }
    amls_ps_result_free(&full);
    if (np >= 3) {
        MPI_Comm sub;
        MPI_Comm_split(MPI_COMM_WORLD, rank < np - 1, rank, &sub);
        if (rank < np - 1) {
            rc = train(sub, &o, &rest);
            CHECK(rc == AMLS_OK && rest.start_epoch == 2 && rest.workers == np - 2 &&
                      rest.final.train.accuracy > 0.9,
                  "restart on %d workers: %s", np - 2, amls_last_error());
            if (rc == AMLS_OK)
                amls_ps_result_free(&rest);
        }
        MPI_Comm_free(&sub);
    }
    o.restart_dir = "/nonexistent-dir";
    rc = train(MPI_COMM_WORLD, &o, &rest);
    CHECK(rc == AMLS_ERR_IO, "restart from nothing: %d", rc);
    h_remove_dir(dir);
}

/* A failing worker, or a diverging run, stops every rank with the same status. */
static void test_failures(void)
{
    int np = 1;
    MPI_Comm_size(MPI_COMM_WORLD, &np);
    for (int i = 0; i < 4; i++) {
        amls_ps_opts o = strategy(i, 0);
        o.servers = np >= 4 ? 2 : 1;
        o.fail_worker = np - o.servers - 1;
        /* In lockstep (BSP, SSP s = 0) every worker reaches clock 5; under ASP and first-come
         * backup a starved worker may not, but every worker takes its first step. */
        o.fail_clock = strategies[i] == AMLS_PS_BSP || strategies[i] == AMLS_PS_SSP ? 5 : 0;
        if (strategies[i] == AMLS_PS_BACKUP && np - o.servers < 2)
            continue;
        amls_ps_result res;
        int rc = train(MPI_COMM_WORLD, &o, &res);
        CHECK(rc == AMLS_ERR_INTERNAL, "update %d: a failed worker gave %d", (int)strategies[i],
              rc);
    }
    amls_ps_opts o = base_opts();
    o.hp.model = AMLS_SGD_LINREG;
    o.hp.lr = 1e6;
    amls_ps_result res;
    int rc = train(MPI_COMM_WORLD, &o, &res);
    CHECK(rc == AMLS_ERR_NUMERIC, "diverging run gave %d", rc);
}

/* Roles: rows marked TEST are held out (a fold); training runs on the rest. */
static void test_roles(void)
{
    amls_rows X;
    my_rows(MPI_COMM_WORLD, false, &X);
    uint8_t *role = malloc((size_t)X.n_local + 1);
    int64_t held = 0, ghel = 0;
    int rank = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    for (int64_t i = 0; i < X.n_local; i++) {
        role[i] = (amls__rand64(3, 0, (uint64_t)i + (uint64_t)rank * 100000) % 5 == 0)
                      ? AMLS_ROW_TEST
                      : AMLS_ROW_TRAIN;
        held += role[i] == AMLS_ROW_TEST;
    }
    MPI_Allreduce(&held, &ghel, 1, MPI_INT64_T, MPI_SUM, MPI_COMM_WORLD);
    amls_ps_opts o = base_opts();
    o.epochs = 20;
    o.hp.lr = 0.5;
    o.hp.lambda = 0;
    amls_sgd_data d = {.rows = &X, .role = role};
    amls_ps_result res;
    int rc = amls_ps_train(MPI_COMM_WORLD, &d, &o, &res);
    CHECK(rc == AMLS_OK && res.train_rows == N - ghel && res.final.test.rows == ghel &&
              res.history[res.npoints - 1].test.rows == ghel && res.final.test.accuracy > 0.85,
          "roles: %lld training rows, %lld held out, accuracy %.3f", (long long)res.train_rows,
          (long long)res.final.test.rows, res.final.test.accuracy);
    amls_sgd_metrics mt;
    rc = amls_sgd_evaluate(MPI_COMM_WORLD, o.hp.model, res.w, D, &X, role, AMLS_ROW_TEST, &mt);
    CHECK(rc == AMLS_OK && mt.rows == ghel && mt.accuracy == res.final.test.accuracy,
          "amls_sgd_evaluate: %lld rows, %.4f", (long long)mt.rows, mt.accuracy);
    amls_ps_result_free(&res);
    free(role);
    amls_rows_free(&X);
}

int main(int argc, char **argv)
{
    h_init(&argc, &argv);
    test_reference();
    test_converges();
    test_ssp();
    test_backup();
    test_restart();
    test_failures();
    test_roles();
    return h_finish("ps");
}
