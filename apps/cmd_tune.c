/* ---------------------------------------------------------------------------------------------
 * apps/cmd_tune.c — `amls-graph tune`: hyper-parameter search with k-fold cross-validation,
 * task-parallel over groups of ranks; prints the trials, writes CSV/JSON and the refitted best
 * model as HDF5 with provenance.
 * SPDX-License-Identifier: MIT
 *
 * Everything that can be checked without the data is checked before the data are read: the
 * model, every --param spec, the search, metric, folds, groups and budgets, and that each
 * output can be written. Whether the training file has at least k rows is checked by reading
 * its first k data lines only. The data are then read once; the search runs; the best
 * configuration is refitted on all training rows with the full budget.
 * ------------------------------------------------------------------------------------------- */
#include "cli.h"
#include "core.h"

#include "amls/tune.h"

#include <stdio.h>
#include <unistd.h>

typedef struct tune_args {
    const amls_trainer *t;
    amls_tune_space space;
    amls_tune_opts o;
    const char *train, *test, *csv, *json, *outp, *folds_out, *partition;
} tune_args;

static int tune_help(cli *c)
{
    if (c->rank != 0)
        return AMLS_OK;
    printf("usage: mpirun -np N amls-graph tune --model logreg|linreg|svm|als --train FILE\n"
           "           --param NAME=SPEC [--param ...] [options]\n\n"
           "Searches hyper-parameters with k-fold cross-validation; the ranks split into --groups\n"
           "groups that take (configuration, fold) tasks from a shared queue, or train several\n"
           "models at once by model hopping (--schedule mop, SGD only).\n\n"
           "models, solvers and parameters:\n"
           "  logreg   --solver lbfgs (default; budget: iterations): lambda (1e-4), tol (1e-6)\n"
           "           --solver sgd (budget: epochs): lr (0.1), lambda (1e-4), batch (64),\n"
           "           decay (1: constant lr; else lr * decay^epoch); metrics accuracy, logloss\n"
           "  linreg   --solver cg (default; iterations): lambda (0), tol (1e-10)\n"
           "           --solver sgd (epochs): as logreg's SGD; metric rmse\n"
           "  svm      --solver sgd (epochs; hinge loss): as logreg's SGD; metric accuracy\n"
           "  als      ALS (iterations): rank (integer, 10), lambda (0.1); metric rmse\n\n"
           "SPEC: a list 0.1,1,10 | lin:A:B:N | log:A:B:N (N points, ends included) |\n"
           "      int:A:B[:STEP] | uniform:A:B | loguniform:A:B (random and hyperband only)\n\n"
           "options:\n"
           "  --search grid|random|hyperband   (default grid)\n"
           "  --trials K            random search: configurations to draw (default 10)\n"
           "  --cv K                folds (default 5); fold = hash(seed, row index) mod K\n"
           "  --metric M            accuracy|logloss (logreg), accuracy (svm), rmse (linreg, als)\n"
           "  --groups G            groups of ranks training configurations side by side (1)\n"
           "  --schedule groups|mop mop: every rank keeps its rows, the models of all the\n"
           "                        phase's (configuration, fold) pairs hop from rank to rank\n"
           "  --seed S              folds, sampling and the SGD data order (default 1)\n"
           "  --max-iterations R    budget of one configuration (logreg 500, linreg 1000, als 10;\n"
           "                        SGD: epochs, default 10); --max-epochs R is the same\n"
           "  --min-budget r        hyperband: smallest budget (default R/27, at least 1)\n"
           "  --eta E               hyperband: keep 1/E per rung (default 3)\n"
           "  --no-warm-start       SGD: fit every trial from scratch instead of going on from\n"
           "                        the same configuration's model at a smaller budget\n"
           "  --test FILE           score the refitted best model on FILE (logreg, linreg, svm)\n"
           "  --csv FILE, --json FILE   the table of trials\n"
           "  --output, -o FILE.h5  the refitted best model with provenance\n"
           "  --folds-output FILE   the fold of every training row, one per line\n"
           "  --partition P         als: partitioner of the rating graph (metis, hash, range)\n"
           "  --stats FILE          JSON statistics of the command (docs/stats.md)\n"
           "  --quiet               no progress lines\n");
    return AMLS_OK;
}

/* Every "--param NAME=SPEC" (or "--param=NAME=SPEC"), in order. Local. */
static int parse_params(cli *c, tune_args *a)
{
    int rc = AMLS_OK;
    for (int i = 0; i < c->argc && rc == AMLS_OK; i++) {
        const char *v = NULL;
        if (strcmp(c->argv[i], "--param") == 0) {
            c->used[i] = true;
            if (i + 1 >= c->argc)
                return amls_error(AMLS_ERR_PARAM, "tune: --param needs NAME=SPEC");
            v = c->argv[++i];
            c->used[i] = true;
        } else if (strncmp(c->argv[i], "--param=", 8) == 0) {
            c->used[i] = true;
            v = c->argv[i] + 8;
        }
        if (v)
            rc = amls_tune_space_add(&a->space, v);
    }
    return rc;
}

static int parse_enums(cli *c, tune_args *a)
{
    const char *search = cli_get(c, "search", NULL), *metric = cli_get(c, "metric", NULL);
    const char *sched = cli_get(c, "schedule", NULL);
    if (search && strcmp(search, "grid") && strcmp(search, "random") && strcmp(search, "hyperband"))
        return amls_error(AMLS_ERR_PARAM, "tune: --search %s: expected grid, random or hyperband",
                          search);
    a->o.search = !search || !strcmp(search, "grid") ? AMLS_SEARCH_GRID
                  : !strcmp(search, "random")        ? AMLS_SEARCH_RANDOM
                                                     : AMLS_SEARCH_HYPERBAND;
    a->o.metric = a->t->default_metric;
    if (metric) {
        int m = amls_metric_parse(metric);
        if (m < 0)
            return amls_error(AMLS_ERR_PARAM,
                              "tune: --metric %s: expected accuracy, logloss or rmse", metric);
        a->o.metric = (amls_metric)m;
    }
    if (sched && strcmp(sched, "groups") && strcmp(sched, "mop"))
        return amls_error(AMLS_ERR_PARAM, "tune: --schedule %s: expected groups or mop", sched);
    a->o.schedule = sched && !strcmp(sched, "mop") ? AMLS_SCHEDULE_MOP : AMLS_SCHEDULE_GROUPS;
    return AMLS_OK;
}

static int parse_numbers(cli *c, tune_args *a)
{
    int64_t k = 5, g = 1, seed = 1, eta = 3, minb = 0;
    bool has_trials = cli_get(c, "trials", NULL) != NULL;
    int rc = cli_get_i64(c, "trials", NULL, 10, &a->o.trials);
    rc = rc < 0 ? rc : cli_get_i64(c, "cv", NULL, 5, &k);
    rc = rc < 0 ? rc : cli_get_i64(c, "groups", NULL, 1, &g);
    rc = rc < 0 ? rc : cli_get_i64(c, "seed", NULL, 1, &seed);
    const char *rname = cli_get(c, "max-epochs", NULL) ? "max-epochs" : "max-iterations";
    if (cli_get(c, "max-epochs", NULL) && cli_get(c, "max-iterations", NULL))
        return amls_error(AMLS_ERR_PARAM, "tune: give --max-iterations or --max-epochs, not both");
    rc = rc < 0 ? rc : cli_get_i64(c, rname, NULL, a->t->default_budget, &a->o.budget);
    rc = rc < 0 ? rc : cli_get_i64(c, "eta", NULL, 3, &eta);
    rc = rc < 0 ? rc : cli_get_i64(c, "min-budget", NULL, 0, &minb);
    if (rc < 0)
        return rc;
    if (has_trials && a->o.search != AMLS_SEARCH_RANDOM)
        return amls_error(AMLS_ERR_PARAM, "tune: --trials is for --search random");
    if (k < 2 || k > AMLS_TUNE_MAX_FOLDS)
        return amls_error(AMLS_ERR_PARAM, "tune: --cv %lld: must be between 2 and %d", (long long)k,
                          AMLS_TUNE_MAX_FOLDS);
    if (g < 1 || g > c->nranks)
        return amls_error(AMLS_ERR_PARAM,
                          "tune: --groups %lld: must be between 1 and the number of ranks (%d)",
                          (long long)g, c->nranks);
    if (seed < 0)
        return amls_error(AMLS_ERR_PARAM, "tune: --seed must be >= 0");
    if (a->o.budget < 1 || a->o.budget > 100000000 || eta < 2 || eta > 1000)
        return amls_error(AMLS_ERR_PARAM, "tune: --%s must be >= 1 and --eta >= 2", rname);
    a->o.folds = (int)k;
    a->o.groups = (int)g;
    a->o.seed = (uint64_t)seed;
    a->o.eta = (int)eta;
    if (minb == 0) /* three halvings below the full budget by default */
        minb = AMLS_MAX(a->o.budget / ((int64_t)eta * eta * eta), (int64_t)1);
    a->o.min_budget = minb;
    if (a->o.search == AMLS_SEARCH_HYPERBAND) {
        amls_tune_bracket plan[AMLS_TUNE_MAX_BRACKETS];
        int nb;
        return amls_tune_hyperband_plan(a->o.budget, minb, a->o.eta, plan, &nb);
    }
    return AMLS_OK;
}

/* Everything that can be checked before the data are read. Local. */
static int parse_args(cli *c, tune_args *a)
{
    const char *model = cli_get(c, "model", NULL), *solver = cli_get(c, "solver", NULL);
    int rc = AMLS_OK;
    if (model == NULL)
        return amls_error(AMLS_ERR_PARAM, "tune: --model logreg|linreg|svm|als is required");
    if (amls_trainer_find(model, NULL) == NULL)
        return amls_error(AMLS_ERR_PARAM, "tune: --model %s: expected logreg, linreg, svm or als",
                          model);
    a->t = amls_trainer_find(model, solver);
    if (a->t == NULL)
        return amls_error(AMLS_ERR_PARAM, "tune: --solver %s: %s is trained by %s", solver, model,
                          strcmp(model, "logreg") == 0   ? "lbfgs or sgd"
                          : strcmp(model, "linreg") == 0 ? "cg or sgd"
                          : strcmp(model, "svm") == 0    ? "sgd"
                                                         : "als");
    amls_tune_space_init(&a->space, a->t->params, a->t->nparams);
    a->train = cli_get(c, "train", NULL);
    a->test = cli_get(c, "test", NULL);
    a->csv = cli_get(c, "csv", NULL);
    a->json = cli_get(c, "json", NULL);
    a->outp = cli_get(c, "output", "o");
    a->folds_out = cli_get(c, "folds-output", NULL);
    a->partition = cli_get(c, "partition", NULL);
    if (a->train == NULL || a->train[0] == '\0')
        return amls_error(AMLS_ERR_PARAM, "tune: --train FILE is required");
    if ((rc = parse_params(c, a)) < 0 || (rc = parse_enums(c, a)) < 0 ||
        (rc = parse_numbers(c, a)) < 0)
        return rc;
    if (a->space.ndom == 0)
        return amls_error(AMLS_ERR_PARAM, "tune: give at least one --param NAME=SPEC");
    if (a->folds_out && a->t->write_folds == NULL)
        return amls_error(AMLS_ERR_PARAM, "tune: --folds-output is for LIBSVM rows");
    if (a->partition && strcmp(a->t->model, "als") != 0)
        return amls_error(AMLS_ERR_PARAM, "tune: --partition is for --model als");
    if (a->o.search == AMLS_SEARCH_GRID && amls_tune_space_size(&a->space) < 0)
        return amls_error(AMLS_ERR_PARAM,
                          "tune: grid search needs lists or ranges, not distributions (use "
                          "--search random or hyperband)");
    if (!(a->t->metrics & (1u << a->o.metric)))
        return amls_error(AMLS_ERR_PARAM, "tune: --metric %s does not apply to %s",
                          amls_metric_name(a->o.metric), a->t->model);
    if (a->o.schedule == AMLS_SCHEDULE_MOP && a->t->sub_epoch == NULL)
        return amls_error(AMLS_ERR_PARAM,
                          "tune: --schedule mop needs a model trained by SGD (--solver sgd); %s "
                          "is trained by %s",
                          a->t->model, a->t->solver);
    if (a->o.schedule == AMLS_SCHEDULE_MOP && cli_get(c, "groups", NULL))
        return amls_error(AMLS_ERR_PARAM,
                          "tune: --groups is for --schedule groups (model hopping uses every "
                          "rank as one partition)");
    if (cli_raw_flag(c, "no-warm-start") && a->t->state_len == NULL)
        return amls_error(AMLS_ERR_PARAM, "tune: --no-warm-start is for --solver sgd");
    a->o.no_warm_start = cli_raw_flag(c, "no-warm-start");
    const char *outs[][2] = {{"--csv", a->csv},
                             {"--json", a->json},
                             {"--output", a->outp},
                             {"--folds-output", a->folds_out}};
    for (size_t k = 0; k < sizeof outs / sizeof outs[0] && c->rank == 0; k++)
        if (outs[k][1] && (rc = cli_check_writable(c, outs[k][0], outs[k][1])) < 0)
            return rc;
    a->o.progress = cli_raw_flag(c, "quiet") ? NULL : stdout;
    return cli_check_unused(c);
}

/* Refuses k folds when the training file has fewer than k data lines, reading no more than
 * its first k data lines (rank 0). Collective. */
static int check_rows(cli *c, const tune_args *a)
{
    int rc = AMLS_OK;
    int64_t n = 0;
    AMLS_TRY(amls_text_count_records(c->comm, a->train, a->o.folds, &n));
    AMLS_CHECK(n >= a->o.folds, AMLS_ERR_PARAM, "tune: --cv %d: %s has only %lld rows", a->o.folds,
               a->train, (long long)n);
cleanup:
    return rc;
}

static void print_header(cli *c, const tune_args *a)
{
    static const char *sn[] = {"grid", "random", "hyperband"};
    int64_t N = amls_tune_space_size(&a->space);
    int64_t n = a->o.search == AMLS_SEARCH_GRID ? N
                : a->o.search == AMLS_SEARCH_RANDOM
                    ? (N >= 0 ? AMLS_MIN(a->o.trials, N) : a->o.trials)
                    : 0;
    char what[64] = "";
    if (n > 0)
        snprintf(what, sizeof what, " over %lld configurations", (long long)n);
    char sched[64];
    if (a->o.schedule == AMLS_SCHEDULE_MOP)
        snprintf(sched, sizeof sched, "%d ranks hopping models", c->nranks);
    else
        snprintf(sched, sizeof sched, "%d ranks in %d group%s", c->nranks, a->o.groups,
                 a->o.groups > 1 ? "s" : "");
    cli_print(c,
              "# tune: %s by %s, %s search%s, %d-fold cross-validation (seed %llu), metric %s, "
              "budget %lld %s, %s\n",
              a->t->model, a->t->solver, sn[a->o.search], what, a->o.folds,
              (unsigned long long)a->o.seed, amls_metric_name(a->o.metric), (long long)a->o.budget,
              a->t->budget_unit, sched);
    if (a->o.search == AMLS_SEARCH_HYPERBAND) {
        amls_tune_bracket plan[AMLS_TUNE_MAX_BRACKETS];
        int nb = 0;
        amls_tune_hyperband_plan(a->o.budget, a->o.min_budget, a->o.eta, plan, &nb);
        for (int b = 0; b < nb; b++) {
            cli_print(c, "# hyperband bracket %d:", plan[b].s);
            for (int i = 0; i <= plan[b].s; i++)
                cli_print(c, " %lldx%lld", (long long)plan[b].rung[i].n,
                          (long long)plan[b].rung[i].budget);
            cli_print(c, " (configurations x budget per rung, eta %d)\n", a->o.eta);
        }
    }
}

/* Writes the tables and the model; on failure removes what this run wrote. Collective. */
static int write_outputs(cli *c, tune_args *a, void *data, void *model, amls_tune_result *res,
                         const amls_tune_fit *refit)
{
    int rc = AMLS_OK;
    const char *done[4];
    int ndone = 0;
    if (a->folds_out &&
        (rc = a->t->write_folds(c->comm, data, a->o.seed, a->o.folds, a->folds_out)) == AMLS_OK)
        done[ndone++] = a->folds_out;
    if (rc == AMLS_OK && a->csv &&
        (rc = amls_tune_write_csv(c->comm, a->csv, &a->space, res)) == AMLS_OK)
        done[ndone++] = a->csv;
    if (rc == AMLS_OK && a->json &&
        (rc = amls_tune_write_json(c->comm, a->json, &a->space, &a->o, a->t, res)) == AMLS_OK)
        done[ndone++] = a->json;
    if (rc == AMLS_OK && a->outp) {
        char cmdline[4096] = "amls-graph tune";
        size_t at = strlen(cmdline);
        for (int k = 0; k < c->argc && at < sizeof cmdline - 1; k++)
            at += (size_t)snprintf(cmdline + at, sizeof cmdline - at, " %s", c->argv[k]);
        static const char *sn[] = {"grid", "random", "hyperband"};
        amls_tune_provenance pv = {.command_line = cmdline,
                                   .train = a->train,
                                   .search = sn[a->o.search],
                                   .groups = a->o.groups,
                                   .ranks = c->nranks};
        rc = amls_file_crc32(c->comm, a->train, &pv.train_crc32, &pv.train_bytes);
        if (rc == AMLS_OK)
            rc = amls_tune_write_model(c->comm, a->outp, a->t, data, model, &a->space, &a->o, res,
                                       refit, &pv);
    }
    if (rc < 0 && c->rank == 0)
        for (int i = 0; i < ndone; i++)
            unlink(done[i]);
    return rc;
}

/* The search, the refit of the best configuration and the reports. Collective. */
static int tune_run(cli *c, tune_args *a, void *data)
{
    amls_tune_result res = {0};
    amls_tune_fit refit = {0};
    void *model = NULL;
    int rc = amls_tune_run(c->comm, a->t, data, &a->space, &a->o, &res);
    if (rc == AMLS_OK && res.best < 0)
        rc = amls_error(AMLS_ERR_INTERNAL, "tune: no trial ran at the full budget");
    if (rc == AMLS_OK) {
        const double *hp = res.configs + res.trials[res.best].config * res.nparams;
        rc = a->t->refit(c->comm, data, hp, a->o.budget, a->o.seed, a->o.metric, &model, &refit);
    }
    if (rc == AMLS_OK)
        rc = write_outputs(c, a, data, model, &res, &refit);
    if (rc == AMLS_OK) {
        cli_print(c,
                  "search_seconds: %.3f\nfits: %lld\nbudget_used: %lld %s (caps: %lld)\n"
                  "refit_%s: %lld\n%s_%s: %.6f\n",
                  res.seconds, (long long)res.fits, (long long)res.budget_used, a->t->budget_unit,
                  (long long)res.budget_cap, a->t->budget_unit, (long long)refit.budget_used,
                  a->test ? "test" : "train", amls_metric_name(a->o.metric), refit.score);
        if (a->outp)
            cli_print(c, "model: %s\n", a->outp);
        if (c->rank == 0)
            amls_tune_print(stdout, &a->space, &a->o, &res);
    }
    if (model)
        a->t->free_model(model);
    amls_tune_result_free(&res);
    return rc;
}

static int cmd_tune(cli *c)
{
    tune_args a = {0};
    void *data = NULL;
    int rc = amls_agree(c->comm, parse_args(c, &a), NULL);
    if (rc == AMLS_OK)
        rc = check_rows(c, &a);
    if (rc == AMLS_OK) {
        print_header(c, &a);
        rc = a.t->load(c->comm, a.train, a.test, a.partition, &data);
    }
    if (rc == AMLS_OK)
        cli_print(c, "# data: %s: %lld rows\n", a.train, (long long)a.t->rows(data));
    if (rc == AMLS_OK)
        rc = tune_run(c, &a, data);
    if (data)
        a.t->free_data(data);
    amls_tune_space_free(&a.space);
    return rc;
}

const cli_command cli_cmd_tune = {
    .name = "tune",
    .usage = "--model M --train FILE --param NAME=SPEC [options]",
    .summary = "hyper-parameter search with k-fold cross-validation over groups of ranks",
    .run = cmd_tune,
    .help = tune_help,
    .flags = CLI_RAW};
