/* ---------------------------------------------------------------------------------------------
 * apps/cmd_train.c — `amls-graph train`: mini-batch SGD of a sparse linear model on a
 * parameter server (BSP, ASP, SSP, backup workers), with progress, statistics, checkpoints
 * and the model written with its provenance.
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#include "cli.h"
#include "core.h"

#include "amls/sgd.h"
#include "amls/stats.h"

#include <math.h>
#include <stdio.h>

typedef struct train_args {
    amls_ps_opts o;
    const char *train, *test, *outp;
    bool verify, quiet, standardize;
} train_args;

/* Parses NAME from a table; -1 when absent from it. */
static int pick(const char *v, const char *const *names)
{
    for (int i = 0; names[i]; i++)
        if (strcmp(v, names[i]) == 0)
            return i;
    return -1;
}

static int parse_choice(cli *c, const char *opt, const char *const *names, int def, int *out)
{
    const char *v = cli_get(c, opt, NULL);
    *out = def;
    if (v == NULL)
        return AMLS_OK;
    *out = pick(v, names);
    if (*out >= 0)
        return AMLS_OK;
    char list[256] = "";
    for (int i = 0; names[i]; i++)
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? "|" : "", names[i]);
    return amls_error(AMLS_ERR_PARAM, "train: --%s %s: expected %s", opt, v, list);
}

/* --lr-schedule constant|invsqrt|decay:G */
static int parse_schedule(cli *c, amls_sgd_hparams *hp)
{
    const char *v = cli_get(c, "lr-schedule", NULL);
    char *end = NULL;
    if (v == NULL || strcmp(v, "constant") == 0)
        return AMLS_OK;
    if (strcmp(v, "invsqrt") == 0) {
        hp->schedule = AMLS_LR_INVSQRT;
        return AMLS_OK;
    }
    if (strncmp(v, "decay:", 6) == 0) {
        hp->schedule = AMLS_LR_DECAY;
        hp->lr_decay = strtod(v + 6, &end);
        if (end != v + 6 && *end == '\0')
            return AMLS_OK;
    }
    return amls_error(AMLS_ERR_PARAM,
                      "train: --lr-schedule %s: expected constant, invsqrt or decay:G", v);
}

/* --straggler RANK:FACTOR (RANK a worker's MPI rank). */
static int parse_straggler(cli *c, amls_ps_opts *o)
{
    const char *v = cli_get(c, "straggler", NULL);
    if (v == NULL)
        return AMLS_OK;
    char *end = NULL;
    long r = strtol(v, &end, 10);
    if (end != v && *end == ':') {
        char *e2 = NULL;
        o->straggler_factor = strtod(end + 1, &e2);
        if (e2 != end + 1 && *e2 == '\0' && r >= o->servers && r < c->nranks) {
            o->straggler = (int)(r - o->servers);
            return AMLS_OK;
        }
    }
    return amls_error(AMLS_ERR_PARAM,
                      "train: --straggler %s: expected RANK:FACTOR with RANK a worker's rank "
                      "(%d..%d)",
                      v, o->servers, c->nranks - 1);
}

/* Options that only make sense with a given strategy. */
static int check_combinations(cli *c, const amls_ps_opts *o)
{
    if (cli_get(c, "staleness", NULL) && o->update != AMLS_PS_SSP)
        return amls_error(AMLS_ERR_PARAM, "train: --staleness needs --update ssp");
    if ((cli_get(c, "backup-workers", NULL) || cli_get(c, "drop", NULL)) &&
        o->update != AMLS_PS_BACKUP)
        return amls_error(AMLS_ERR_PARAM,
                          "train: --backup-workers and --drop need --update backup");
    if (o->fail_clock >= 0 && (o->fail_worker < 0 || o->fail_worker >= c->nranks - o->servers))
        return amls_error(AMLS_ERR_PARAM, "train: --fail-at-clock needs --fail-rank R, a worker's "
                                          "rank");
    return AMLS_OK;
}

static int parse_ints(cli *c, amls_ps_opts *o)
{
    int rc = AMLS_OK;
    int64_t servers = 1, b = 1, seed = 1, evals = 1, fail_rank = -1;
    AMLS_TRY(cli_get_i64(c, "servers", NULL, 1, &servers));
    AMLS_TRY(cli_get_i64(c, "batch-size", NULL, 64, &o->hp.batch));
    AMLS_TRY(cli_get_i64(c, "epochs", NULL, 10, &o->epochs));
    AMLS_TRY(cli_get_i64(c, "staleness", NULL, 3, &o->staleness));
    AMLS_TRY(cli_get_i64(c, "backup-workers", NULL, 1, &b));
    AMLS_TRY(cli_get_i64(c, "seed", NULL, 1, &seed));
    AMLS_TRY(cli_get_i64(c, "evals-per-epoch", NULL, 1, &evals));
    AMLS_TRY(cli_get_i64(c, "eval-rows", NULL, 100000, &o->eval_rows));
    AMLS_TRY(cli_get_i64(c, "fail-at-clock", NULL, -1, &o->fail_clock));
    AMLS_TRY(cli_get_i64(c, "fail-rank", NULL, -1, &fail_rank));
    AMLS_CHECK(servers >= 1 && servers <= INT32_MAX && b >= 0 && b <= INT32_MAX && evals >= 0 &&
                   evals <= INT32_MAX,
               AMLS_ERR_PARAM,
               "train: --servers, --backup-workers or --evals-per-epoch out of range");
    o->servers = (int)servers;
    o->backup = (int)b;
    o->hp.seed = (uint64_t)seed;
    o->evals_per_epoch = (int)evals;
    o->fail_worker = fail_rank >= 0 ? (int)(fail_rank - servers) : -1;
cleanup:
    return rc;
}

static int parse_train(cli *c, train_args *a)
{
    static const char *const models[] = {"", "logreg", "linreg", "svm", NULL};
    static const char *const updates[] = {"", "bsp", "asp", "ssp", "backup", NULL};
    static const char *const optims[] = {"sgd", "adagrad", NULL};
    static const char *const drops[] = {"first", "fixed", NULL};
    static const char *const every[] = {"batch", "epoch", NULL};
    int rc = AMLS_OK, model = 1, update = 1, optim = 0, drop = 0, per = 0;
    amls_ps_opts *o = &a->o;
    amls_ps_opts_default(o);
    a->train = cli_get(c, "train", NULL);
    a->test = cli_get(c, "test", NULL);
    a->outp = cli_get(c, "output", "o");
    a->verify = cli_raw_flag(c, "verify");
    a->quiet = cli_raw_flag(c, "quiet");
    a->standardize = cli_raw_flag(c, "standardize");
    o->shuffle = cli_raw_flag(c, "shuffle");
    o->checkpoint_dir = cli_get(c, "checkpoint-dir", NULL);
    o->restart_dir = cli_get(c, "restart", NULL);
    o->trace = cli_get(c, "trace", NULL);
    AMLS_TRY(parse_choice(c, "model", models, 1, &model));
    AMLS_TRY(parse_choice(c, "update", updates, 1, &update));
    AMLS_TRY(parse_choice(c, "optimizer", optims, 0, &optim));
    AMLS_TRY(parse_choice(c, "drop", drops, 0, &drop));
    AMLS_TRY(parse_choice(c, "update-every", every, 0, &per));
    AMLS_CHECK(model > 0 && update > 0, AMLS_ERR_PARAM, "train: unknown --model or --update");
    o->hp.model = (amls_sgd_model)model;
    o->update = (amls_ps_update)update;
    o->hp.optimizer = (amls_sgd_optimizer)optim;
    o->drop_fixed = drop == 1;
    o->per_epoch = per == 1;
    AMLS_TRY(cli_get_f64(c, "lr", NULL, 0.1, &o->hp.lr));
    AMLS_TRY(cli_get_f64(c, "lambda", NULL, 0.0, &o->hp.lambda));
    AMLS_TRY(parse_schedule(c, &o->hp));
    AMLS_TRY(parse_ints(c, o));
    AMLS_TRY(parse_straggler(c, o));
    AMLS_CHECK(a->train != NULL && a->train[0], AMLS_ERR_PARAM, "train: --train FILE is required");
    AMLS_TRY(check_combinations(c, o));
    AMLS_TRY(amls_ps_opts_check(o, c->nranks));
    AMLS_CHECK(!a->verify || o->update == AMLS_PS_BSP || o->drop_fixed, AMLS_ERR_PARAM,
               "train: --verify needs a reproducible strategy (--update bsp, or backup with "
               "--drop fixed)");
    AMLS_CHECK(!a->verify || !o->restart_dir, AMLS_ERR_PARAM,
               "train: --verify checks whole runs, not restarts");
    /* Outputs are checked before the data is read and the model trained. */
    if (c->rank == 0 && a->outp)
        AMLS_TRY(cli_check_writable(c, "--output", a->outp));
    if (c->rank == 0 && o->trace)
        AMLS_TRY(cli_check_writable(c, "--trace", o->trace));
    AMLS_TRY(cli_check_unused(c));
cleanup:
    return amls_agree(c->comm, rc, NULL);
}

static const char *model_name(amls_sgd_model m)
{
    return m == AMLS_SGD_LINREG ? "linreg" : (m == AMLS_SGD_SVM ? "svm" : "logreg");
}

static const char *update_name(amls_ps_update u)
{
    static const char *const names[] = {"", "bsp", "asp", "ssp", "backup"};
    return names[u];
}

/* The run's configuration as "name=value" words (provenance, stats). */
static void describe(const train_args *a, char *buf, size_t cap)
{
    const amls_ps_opts *o = &a->o;
    snprintf(buf, cap,
             "model=%s update=%s staleness=%lld backup_workers=%d drop=%s servers=%d "
             "batch_size=%lld epochs=%lld lr=%.17g lr_schedule=%d lr_decay=%.17g optimizer=%s "
             "lambda=%.17g seed=%llu shuffle=%d update_every=%s standardize=%d",
             model_name(o->hp.model), update_name(o->update), (long long)o->staleness, o->backup,
             o->drop_fixed ? "fixed" : "first", o->servers, (long long)o->hp.batch,
             (long long)o->epochs, o->hp.lr, (int)o->hp.schedule, o->hp.lr_decay,
             o->hp.optimizer == AMLS_SGD_ADAGRAD ? "adagrad" : "sgd", o->hp.lambda,
             (unsigned long long)o->hp.seed, o->shuffle, o->per_epoch ? "epoch" : "batch",
             a->standardize);
}

/* A model's metrics as five fields named PREFIX_rows, PREFIX_loss, ... (prefix 0: train,
 * 1: test). */
static void metric_fields(amls_stats_field *f, int prefix, const amls_sgd_metrics *m)
{
    static const char *const names[2][5] = {
        {"train_rows", "train_loss", "train_accuracy", "train_rss", "train_rmse"},
        {"test_rows", "test_loss", "test_accuracy", "test_rss", "test_rmse"}};
    f[0] = AMLS_STATS_FIELD_I64(names[prefix][0], m->rows);
    f[1] = AMLS_STATS_FIELD_F64(names[prefix][1], m->loss);
    f[2] = AMLS_STATS_FIELD_F64(names[prefix][2], m->accuracy);
    f[3] = AMLS_STATS_FIELD_F64(names[prefix][3], m->rss);
    f[4] = AMLS_STATS_FIELD_F64(names[prefix][4], m->rmse);
}

/* The "train" section of the --stats document: the configuration, one row per evaluation point
 * ("points") and the final figures. Local (rank 0's values are written). */
static int add_stats(amls_stats *st, const train_args *a, const amls_ps_result *r)
{
    int rc = AMLS_OK;
    char cfg[1024];
    amls_stats_field f[16];
    describe(a, cfg, sizeof cfg);
    AMLS_TRY(amls_stats_set_str(st, "train", "configuration", cfg));
    for (int64_t i = 0; i < r->npoints; i++) {
        const amls_ps_point *p = &r->history[i];
        f[0] = AMLS_STATS_FIELD_F64("epoch", p->epoch);
        f[1] = AMLS_STATS_FIELD_F64("seconds", p->seconds);
        metric_fields(f + 2, 0, &p->train);
        metric_fields(f + 7, 1, &p->test);
        f[12] = AMLS_STATS_FIELD_I64("updates", p->updates);
        f[13] = AMLS_STATS_FIELD_I64("dropped", p->dropped);
        f[14] = AMLS_STATS_FIELD_I64("max_staleness", p->max_staleness);
        f[15] = AMLS_STATS_FIELD_F64("mean_staleness", p->mean_staleness);
        AMLS_TRY(amls_stats_append(st, "train", "points", f, 16));
    }
    int n = 0;
    f[n++] = AMLS_STATS_FIELD_I64("workers", r->workers);
    f[n++] = AMLS_STATS_FIELD_I64("servers", r->servers);
    f[n++] = AMLS_STATS_FIELD_I64("steps_per_epoch", r->steps_per_epoch);
    f[n++] = AMLS_STATS_FIELD_I64("start_epoch", r->start_epoch);
    f[n++] = AMLS_STATS_FIELD_I64("epochs", r->epochs);
    f[n++] = AMLS_STATS_FIELD_F64("objective", r->objective);
    f[n++] = AMLS_STATS_FIELD_F64("seconds", r->seconds);
    f[n++] = AMLS_STATS_FIELD_I64("updates", r->updates);
    f[n++] = AMLS_STATS_FIELD_I64("dropped", r->dropped);
    f[n++] = AMLS_STATS_FIELD_I64("max_staleness", r->max_staleness);
    f[n++] = AMLS_STATS_FIELD_I64("max_clock_gap", r->max_clock_gap);
    for (int k = 0; k < n; k++)
        AMLS_TRY(amls_stats_set(st, "train", &f[k]));
    metric_fields(f, 0, &r->final.train);
    metric_fields(f + 5, 1, &r->final.test);
    for (int k = 0; k < 10; k++)
        AMLS_TRY(amls_stats_set(st, "train", &f[k]));
    AMLS_TRY(amls_stats_set_f64(st, "time", "run_seconds", r->seconds));
cleanup:
    return rc;
}

static void print_result(cli *c, const train_args *a, const amls_ps_result *r)
{
    const amls_ps_opts *o = &a->o;
    cli_print(c,
              "model: %s\nupdate: %s\nservers: %d\nworkers: %d\ntrain_rows: %lld\n"
              "test_rows: %lld\nfeatures: %lld\nsteps_per_epoch: %lld\nepochs: %lld\n",
              model_name(o->hp.model), update_name(o->update), r->servers, r->workers,
              (long long)r->train_rows, (long long)r->test_rows, (long long)r->nfeat,
              (long long)r->steps_per_epoch, (long long)r->epochs);
    if (o->hp.model == AMLS_SGD_LINREG)
        cli_print(c, "rss: %.10g\ntrain_rmse: %.8g\n", r->final.train.rss, r->final.train.rmse);
    else
        cli_print(c, "train_accuracy: %.6f\n", r->final.train.accuracy);
    if (r->test_rows > 0 && o->hp.model == AMLS_SGD_LINREG)
        cli_print(c, "test_rmse: %.8g\n", r->final.test.rmse);
    else if (r->test_rows > 0)
        cli_print(c, "test_accuracy: %.6f\n", r->final.test.accuracy);
    cli_print(c,
              "train_loss: %.10g\nobjective: %.10g\nseconds: %.4f\nupdates: %lld\ndropped: %lld\n"
              "max_staleness: %lld\nmax_clock_gap: %lld\n",
              r->final.train.loss, r->objective, r->seconds, (long long)r->updates,
              (long long)r->dropped, (long long)r->max_staleness, (long long)r->max_clock_gap);
}

/* The command line as one string. */
static void command_line(cli *c, char *buf, size_t cap)
{
    size_t at = (size_t)snprintf(buf, cap, "amls-graph %s", c->cmd->name);
    for (int k = 0; k < c->argc && at < cap - 1; k++)
        at += (size_t)snprintf(buf + at, cap - at, " %s", c->argv[k]);
}

static int verify(cli *c, const train_args *a, const amls_sgd_data *d, const amls_ps_result *r)
{
    int rc = amls_ps_verify(c->comm, d, &a->o, r);
    if (rc == AMLS_OK)
        cli_print(c, "verify: identical to the serial reference (%d workers)\n", r->workers);
    return rc;
}

/* Writes the model and adds the "train" section to the --stats document (written by the
 * command line when the command has succeeded). */
static int outputs(cli *c, const train_args *a, const amls_ps_result *r, uint32_t crc_train,
                   uint32_t crc_test)
{
    int rc = AMLS_OK;
    if (a->outp) {
        char cmdline[2048], cfg[1024];
        command_line(c, cmdline, sizeof cmdline);
        describe(a, cfg, sizeof cfg);
        amls_sgd_provenance pv = {.command_line = cmdline,
                                  .configuration = cfg,
                                  .train = a->train,
                                  .test = a->test ? a->test : "",
                                  .train_crc32 = crc_train,
                                  .test_crc32 = crc_test};
        AMLS_TRY(amls_ps_model_write(c->comm, a->outp, &a->o, r, &pv));
    }
    if (c->stats != NULL)
        AMLS_AGREE(c->comm, add_stats(c->stats, a, r));
cleanup:
    return rc;
}

static int cmd_train(cli *c)
{
    train_args a = {0};
    amls_rows X = {0}, T = {0};
    amls_ps_result res = {0};
    double *mu = NULL, *sd = NULL;
    uint32_t crc_train = 0, crc_test = 0;
    int64_t size = 0;
    char data_id[64] = "";
    int rc = parse_train(c, &a);
    if (rc < 0)
        return rc;
    AMLS_TRY(amls_rows_read(c->comm, a.train, &X));
    if (a.test)
        AMLS_TRY(amls_rows_read(c->comm, a.test, &T));
    if (a.outp || a.o.checkpoint_dir || a.o.restart_dir) {
        AMLS_TRY(amls_file_crc32(c->comm, a.train, &crc_train, &size));
        snprintf(data_id, sizeof data_id, "crc32=%08x size=%lld", (unsigned)crc_train,
                 (long long)size);
        if (a.test)
            AMLS_TRY(amls_file_crc32(c->comm, a.test, &crc_test, &size));
    }
    if (a.standardize)
        AMLS_TRY(amls_rows_standardize(c->comm, &X, a.test ? &T : NULL, &mu, &sd));
    a.o.data_id = data_id;
    a.o.progress = c->rank == 0 && !a.quiet ? stdout : NULL;
    amls_sgd_data d = {.rows = &X, .test = a.test ? &T : NULL};
    if (!a.quiet)
        cli_print(c, "# train: %lld rows, %lld features; %d servers, %d workers, %s\n",
                  (long long)X.n_global, (long long)X.nfeat, a.o.servers, c->nranks - a.o.servers,
                  update_name(a.o.update));
    AMLS_TRY(amls_ps_train(c->comm, &d, &a.o, &res));
    print_result(c, &a, &res);
    if (a.verify)
        AMLS_TRY(verify(c, &a, &d, &res));
    if (a.standardize)
        amls_sgd_unstandardize(res.w, res.nfeat, mu, sd);
    AMLS_TRY(outputs(c, &a, &res, crc_train, crc_test));
cleanup:
    amls_ps_result_free(&res);
    amls_rows_free(&X);
    amls_rows_free(&T);
    amls__free(mu);
    amls__free(sd);
    return rc;
}

static int train_help(cli *c)
{
    if (c->rank != 0)
        return AMLS_OK;
    printf(
        "usage: mpirun -np P amls-graph train --train F.libsvm [--test F] [options]\n\n"
        "Mini-batch SGD of a sparse linear model on a parameter server: ranks 0..M-1 hold the\n"
        "parameters (range-partitioned), the other P-M ranks are workers holding disjoint shares\n"
        "of the training rows (docs/parameter-server.md).\n\n"
        "model and optimisation:\n"
        "  --model M             logreg (default) | linreg | svm (hinge loss)\n"
        "  --lr ETA              learning rate (default 0.1)\n"
        "  --lr-schedule S       constant (default) | invsqrt | decay:G (ETA G^epoch)\n"
        "  --optimizer O         sgd (default) | adagrad\n"
        "  --lambda L            L2 penalty on the coordinates a batch touches (default 0)\n"
        "  --batch-size B        rows per worker batch (default 64)\n"
        "  --epochs E            passes over the data (default 10; a restart goes on to E)\n"
        "  --seed S              data partition and order (default 1)\n"
        "  --standardize         center and scale every feature (dense data; the model is\n"
        "                        written for the original features)\n"
        "  --shuffle             re-deal the rows to the workers every epoch (bsp, fixed drop)\n"
        "  --update-every U      batch (default) | epoch: local SGD on the worker, one push per\n"
        "                        epoch (the servers average the changes)\n"
        "parameter server:\n"
        "  --servers M           server ranks (default 1)\n"
        "  --update U            bsp (default) | asp | ssp | backup\n"
        "  --staleness S         ssp: a worker at clock c waits while the slowest is behind\n"
        "                        c - S (default 3)\n"
        "  --backup-workers B    backup: a step applies the first W-B gradients (default 1)\n"
        "  --drop D              backup: first (default; the late ones are dropped) | fixed\n"
        "                        (B workers per step, round robin: reproducible)\n"
        "  --straggler R:F       slow worker rank R down: its steps take F times as long\n"
        "output:\n"
        "  --output, -o F        the model: text (intercept first), or HDF5 (.h5) with provenance\n"
        "  --stats F             JSON statistics (docs/stats.md) with a 'train' section:\n"
        "                        configuration, every evaluation point, final figures\n"
        "  --evals-per-epoch K   progress evaluations per epoch (default 1)\n"
        "  --eval-rows N         progress metrics on at most N rows per set (default 100000;\n"
        "                        the final metrics use every row)\n"
        "  --checkpoint-dir D    server state after every epoch; --restart D resumes from it\n"
        "                        (at any number of servers and workers)\n"
        "  --trace F             per-server event log F.sK (pulls, answers, pushes, steps)\n"
        "  --verify              bsp / fixed drop: compare with the serial reference, bit for bit\n"
        "  --quiet               no progress lines\n");
    return AMLS_OK;
}

const cli_command cli_cmd_train = {
    .name = "train",
    .usage = "--train F.libsvm [--test F] [options]",
    .summary = "mini-batch SGD on a parameter server: BSP, ASP, SSP, backup workers",
    .run = cmd_train,
    .help = train_help,
    .flags = CLI_RAW};
