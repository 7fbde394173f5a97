/* ---------------------------------------------------------------------------------------------
 * tune/search.c — the search driver: grid, random search and Hyperband over k-fold
 * cross-validation, run as phases of (trial, fold) tasks on the dynamic queue.
 * SPDX-License-Identifier: MIT
 *
 * A trial is one configuration at one budget; its score is the mean of its k fold scores.
 * Every fit starts from scratch, so a trial's result is a pure function of (configuration,
 * budget, fold): the driver keeps a table of trials and never runs one twice (Hyperband
 * brackets that draw the same configuration at the same budget share it). Grid and random
 * search are one phase; Hyperband runs rung i of every bracket in phase i, since brackets are
 * independent, which gives the groups more tasks to share. The best trial is the best mean
 * among the trials run at the full budget (lower-budget scores are not comparable), ties going
 * to the earlier trial.
 * ------------------------------------------------------------------------------------------- */
#include "tune_internal.h"

#include <math.h>
#include <stdio.h>

typedef struct search {
    const amls_trainer *t;
    const amls_tune_space *s;
    const amls_tune_opts *o;
    amls_tune_result *res;
    void *gdata;
    amls__queue q;
    int64_t cap_configs, cap_trials;
    int64_t *task_trial; /* this phase: task -> trial */
    int *folds_done;     /* rank 0: folds received per trial (progress) */
    int64_t planned;     /* trials announced for progress (0: unknown) */
    int64_t reported;
    bool dedupe; /* look configurations and trials up before adding (Hyperband) */
} search;

static bool better(amls_metric m, double a, double b)
{
    if (isnan(b))
        return !isnan(a);
    if (isnan(a))
        return false;
    return amls_metric_higher_is_better(m) ? a > b : a < b;
}

/* Index of the configuration hp, added if new. */
static int add_config(search *S, const double *hp, int64_t *out)
{
    amls_tune_result *r = S->res;
    int np = r->nparams;
    for (int64_t c = 0; S->dedupe && c < r->nconfigs; c++)
        if (memcmp(r->configs + c * np, hp, (size_t)np * sizeof *hp) == 0) {
            *out = c;
            return AMLS_OK;
        }
    if (r->nconfigs == S->cap_configs) {
        int64_t cap = S->cap_configs ? 2 * S->cap_configs : 64;
        double *p = amls__realloc(r->configs, (size_t)(cap * np), sizeof *p);
        if (p == NULL)
            return amls_error(AMLS_ERR_NOMEM, "out of memory");
        r->configs = p;
        S->cap_configs = cap;
    }
    memcpy(r->configs + r->nconfigs * np, hp, (size_t)np * sizeof *hp);
    *out = r->nconfigs++;
    return AMLS_OK;
}

/* Index of the trial (config, budget), added if new (*fresh says which). */
static int add_trial(search *S, int64_t config, int64_t budget, int bracket, int rung, int64_t *out,
                     bool *fresh)
{
    amls_tune_result *r = S->res;
    *fresh = false;
    for (int64_t t = 0; S->dedupe && t < r->ntrials; t++)
        if (r->trials[t].config == config && r->trials[t].budget == budget) {
            *out = t;
            return AMLS_OK;
        }
    if (r->ntrials == S->cap_trials) {
        int64_t cap = S->cap_trials ? 2 * S->cap_trials : 64;
        amls_tune_trial *p = amls__realloc(r->trials, (size_t)cap, sizeof *p);
        int *fd = amls__realloc(S->folds_done, (size_t)cap, sizeof *fd);
        if (fd)
            S->folds_done = fd;
        if (p == NULL || fd == NULL)
            return amls_error(AMLS_ERR_NOMEM, "out of memory");
        r->trials = p;
        S->cap_trials = cap;
    }
    amls_tune_trial *tr = &r->trials[r->ntrials];
    memset(tr, 0, sizeof *tr);
    tr->config = config;
    tr->budget = budget;
    tr->bracket = bracket;
    tr->rung = rung;
    tr->fold = amls__calloc((size_t)r->folds, sizeof *tr->fold);
    if (tr->fold == NULL)
        return amls_error(AMLS_ERR_NOMEM, "out of memory");
    S->folds_done[r->ntrials] = 0;
    *out = r->ntrials++;
    *fresh = true;
    return AMLS_OK;
}

static void trial_stats(amls_tune_trial *tr, int k)
{
    double sum = 0, sq = 0;
    for (int f = 0; f < k; f++)
        sum += tr->fold[f];
    tr->mean = sum / k;
    for (int f = 0; f < k; f++)
        sq += (tr->fold[f] - tr->mean) * (tr->fold[f] - tr->mean);
    tr->std = sqrt(sq / k);
}

/* A group runs one (trial, fold) task. */
static int run_task(void *arg, int64_t task, double *rec)
{
    search *S = arg;
    int k = S->res->folds;
    const amls_tune_trial *tr = &S->res->trials[S->task_trial[task / k]];
    amls_tune_fit fit = {0};
    int rc = S->t->evaluate(S->gdata, S->res->configs + tr->config * S->res->nparams, tr->budget,
                            (int)(task % k), S->o->metric, &fit);
    rec[AMLS__REC_SCORE] = fit.score;
    rec[AMLS__REC_USED] = (double)fit.budget_used;
    rec[AMLS__REC_OBJ] = fit.objective;
    return rc;
}

/* Rank 0: records a fold score as it arrives and prints the trial when all folds are in. */
static void on_record(void *arg, const double *rec)
{
    search *S = arg;
    int k = S->res->folds;
    int64_t task = (int64_t)rec[AMLS__REC_TASK], t = S->task_trial[task / k];
    amls_tune_trial *tr = &S->res->trials[t];
    tr->fold[task % k] = rec[AMLS__REC_SCORE];
    tr->budget_used += (int64_t)rec[AMLS__REC_USED];
    tr->seconds += rec[AMLS__REC_SECONDS];
    if (++S->folds_done[t] < k || S->o->progress == NULL)
        return;
    trial_stats(tr, k);
    char cfg[512], total[32] = "";
    amls_tune_format_config(S->s, S->res->configs + tr->config * S->res->nparams, cfg, sizeof cfg);
    if (S->planned > 0)
        snprintf(total, sizeof total, "/%lld", (long long)S->planned);
    fprintf(S->o->progress, "trial %lld%s done: %s budget=%lld %s=%.6f std=%.6f %s=%lld %.3f s\n",
            (long long)++S->reported, total, cfg, (long long)tr->budget,
            amls_metric_name(S->o->metric), tr->mean, tr->std, S->t->budget_unit,
            (long long)tr->budget_used, tr->seconds);
    fflush(S->o->progress);
}

/* Runs every fold of the trials listed (new ones only) as one phase. Collective on world. */
static int run_phase(search *S, const int64_t *trials, int64_t n)
{
    int k = S->res->folds, rc = AMLS_OK;
    double *rec = NULL;
    if (n == 0)
        return AMLS_OK;
    S->task_trial = amls__malloc((size_t)n, sizeof *S->task_trial);
    rec = amls__malloc((size_t)(n * k * AMLS__REC_LEN), sizeof *rec);
    rc = amls_agree(S->q.gr->world,
                    S->task_trial && rec ? AMLS_OK : amls_error(AMLS_ERR_NOMEM, "out of memory"),
                    NULL);
    if (rc == AMLS_OK) {
        memcpy(S->task_trial, trials, (size_t)n * sizeof *trials);
        for (int64_t i = 0; i < n; i++) {
            amls_tune_trial *tr = &S->res->trials[trials[i]];
            tr->budget_used = 0;
            tr->seconds = 0;
        }
        rc = amls__queue_phase(&S->q, n * k, run_task, S, on_record, S, rec);
    }
    for (int64_t task = 0; rc == AMLS_OK && task < n * k; task++) {
        const double *r = rec + task * AMLS__REC_LEN;
        amls_tune_trial *tr = &S->res->trials[trials[task / k]];
        if (S->q.gr->rank != 0) { /* rank 0 summed them as they arrived */
            tr->budget_used += (int64_t)r[AMLS__REC_USED];
            tr->seconds += r[AMLS__REC_SECONDS];
        }
        tr->fold[task % k] = r[AMLS__REC_SCORE];
        S->res->budget_used += (int64_t)r[AMLS__REC_USED];
        S->res->budget_cap += tr->budget;
        S->res->fits++;
    }
    for (int64_t i = 0; rc == AMLS_OK && i < n; i++)
        trial_stats(&S->res->trials[trials[i]], k);
    amls__free(S->task_trial);
    S->task_trial = NULL;
    amls__free(rec);
    return rc;
}

/* Adds configurations as trials at the full budget and runs them (grid, random). */
static int run_flat(search *S, const double *hp, int64_t n)
{
    int rc = AMLS_OK;
    int64_t *list = amls__malloc((size_t)n + 1, sizeof *list), m = 0;
    rc = list ? AMLS_OK : amls_error(AMLS_ERR_NOMEM, "out of memory");
    for (int64_t i = 0; rc == AMLS_OK && i < n; i++) {
        int64_t c, t;
        bool fresh;
        rc = add_config(S, hp + i * S->res->nparams, &c);
        if (rc == AMLS_OK)
            rc = add_trial(S, c, S->o->budget, -1, -1, &t, &fresh);
        if (rc == AMLS_OK && fresh)
            list[m++] = t;
    }
    rc = amls_agree(S->q.gr->world, rc, NULL);
    S->planned = m;
    if (rc == AMLS_OK)
        rc = run_phase(S, list, m);
    amls__free(list);
    return rc;
}

/* Orders a bracket's (configuration, trial) pairs by the trials' mean scores, best first;
 * ties keep their order. */
typedef struct ranked {
    double score;
    int64_t pos, config, trial;
    amls_metric m;
} ranked;

static int cmp_ranked(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    if (better(x->m, x->score, y->score))
        return -1;
    if (better(x->m, y->score, x->score))
        return 1;
    return (x->pos > y->pos) - (x->pos < y->pos);
}

static int keep_best(search *S, int64_t *cfg, int64_t *tri, int64_t n)
{
    ranked *r = amls__malloc((size_t)n + 1, sizeof *r);
    if (r == NULL)
        return amls_error(AMLS_ERR_NOMEM, "out of memory");
    for (int64_t i = 0; i < n; i++)
        r[i] = (ranked){S->res->trials[tri[i]].mean, i, cfg[i], tri[i], S->o->metric};
    qsort(r, (size_t)n, sizeof *r, cmp_ranked);
    for (int64_t i = 0; i < n; i++) {
        cfg[i] = r[i].config;
        tri[i] = r[i].trial;
    }
    amls__free(r);
    return AMLS_OK;
}

/* Draws every bracket's configurations (each bracket its own stream). */
static int hyperband_draw(search *S, const amls_tune_bracket *plan, int nb, int64_t **cfg,
                          int64_t *ncfg)
{
    int rc = AMLS_OK, np = S->res->nparams;
    double *hp = NULL;
    int64_t total = 0;
    for (int b = 0; b < nb; b++)
        total += plan[b].n;
    AMLS_CHECK(total <= AMLS_TUNE_MAX_CONFIG / 5, AMLS_ERR_PARAM,
               "hyperband: the brackets would draw %lld configurations (at most %d); raise "
               "--min-budget or lower --max-iterations",
               (long long)total, AMLS_TUNE_MAX_CONFIG / 5);
    for (int b = 0; b < nb; b++) {
        int64_t got = 0;
        AMLS_ALLOC(hp, plan[b].n * np);
        AMLS_ALLOC(cfg[b], plan[b].n);
        AMLS_TRY(amls_tune_space_sample(S->s, S->o->seed, 1000 + (uint64_t)plan[b].s, plan[b].n, hp,
                                        &got));
        for (int64_t i = 0; i < got; i++)
            AMLS_TRY(add_config(S, hp + i * np, &cfg[b][i]));
        ncfg[b] = got;
        amls__free(hp);
        hp = NULL;
    }
cleanup:
    amls__free(hp);
    return rc;
}

/* The trials of rung `rung` of every bracket that has it; new ones listed in list[0..*m). */
static int hyperband_rung(search *S, const amls_tune_bracket *plan, int nb, int rung, int64_t **cfg,
                          int64_t **tri, int64_t *ncfg, int64_t *list, int64_t *m)
{
    int rc = AMLS_OK;
    *m = 0;
    for (int b = 0; b < nb; b++) {
        if (rung > plan[b].s)
            continue;
        if (rung > 0) { /* keep the best n_i / eta of the previous rung */
            AMLS_TRY(keep_best(S, cfg[b], tri[b], ncfg[b]));
            ncfg[b] = AMLS_MAX(ncfg[b] / S->o->eta, (int64_t)1);
        }
        for (int64_t i = 0; i < ncfg[b]; i++) {
            bool fresh;
            AMLS_TRY(add_trial(S, cfg[b][i], plan[b].rung[rung].budget, plan[b].s, rung, &tri[b][i],
                               &fresh));
            if (fresh)
                list[(*m)++] = tri[b][i];
        }
        /* Record the rung's members for the report. */
        AMLS_ALLOC(S->res->rung_trials[b][rung], ncfg[b] + 1);
        memcpy(S->res->rung_trials[b][rung], tri[b], (size_t)ncfg[b] * sizeof *tri[b]);
        S->res->rung_size[b][rung] = ncfg[b];
    }
cleanup:
    return rc;
}

static int run_hyperband(search *S)
{
    int rc = AMLS_OK, nb = 0;
    MPI_Comm world = S->q.gr->world;
    amls_tune_bracket plan[AMLS_TUNE_MAX_BRACKETS];
    int64_t *cfg[AMLS_TUNE_MAX_BRACKETS] = {NULL}, *tri[AMLS_TUNE_MAX_BRACKETS] = {NULL};
    int64_t ncfg[AMLS_TUNE_MAX_BRACKETS] = {0}, *list = NULL, m = 0;
    S->dedupe = true;
    rc = amls_tune_hyperband_plan(S->o->budget, S->o->min_budget, S->o->eta, plan, &nb);
    S->res->nbrackets = nb;
    memcpy(S->res->plan, plan, sizeof plan);
    if (rc == AMLS_OK)
        rc = hyperband_draw(S, plan, nb, cfg, ncfg);
    for (int b = 0; rc == AMLS_OK && b < nb; b++)
        if ((tri[b] = amls__malloc((size_t)ncfg[b] + 1, sizeof *tri[b])) == NULL)
            rc = amls_error(AMLS_ERR_NOMEM, "out of memory");
    if (rc == AMLS_OK &&
        (list = amls__malloc((size_t)(S->res->nconfigs * nb) + 1, sizeof *list)) == NULL)
        rc = amls_error(AMLS_ERR_NOMEM, "out of memory");
    rc = amls_agree(world, rc, NULL);
    for (int rung = 0; rc == AMLS_OK && rung <= plan[0].s; rung++) {
        rc = amls_agree(world, hyperband_rung(S, plan, nb, rung, cfg, tri, ncfg, list, &m), NULL);
        if (rc == AMLS_OK)
            rc = run_phase(S, list, m);
    }
    for (int b = 0; b < nb; b++) {
        amls__free(cfg[b]);
        amls__free(tri[b]);
    }
    amls__free(list);
    return rc;
}

void amls_tune_result_free(amls_tune_result *res)
{
    for (int b = 0; b < AMLS_TUNE_MAX_BRACKETS; b++)
        for (int i = 0; i < AMLS_TUNE_MAX_BRACKETS; i++)
            amls__free(res->rung_trials[b][i]);
    for (int64_t t = 0; t < res->ntrials; t++)
        amls__free(res->trials[t].fold);
    amls__free(res->trials);
    amls__free(res->configs);
    memset(res, 0, sizeof *res);
}

/* Checks the options every rank was given. Local. */
static int check_opts(const amls_trainer *t, const amls_tune_space *s, const amls_tune_opts *o)
{
    if (o->folds < 2 || o->folds > AMLS_TUNE_MAX_FOLDS)
        return amls_error(AMLS_ERR_PARAM, "--cv %d: must be between 2 and %d", o->folds,
                          AMLS_TUNE_MAX_FOLDS);
    if (o->budget < 1)
        return amls_error(AMLS_ERR_PARAM, "--max-iterations must be >= 1");
    if (!(t->metrics & (1u << o->metric)))
        return amls_error(AMLS_ERR_PARAM, "--metric %s does not apply to %s",
                          amls_metric_name(o->metric), t->model);
    if (o->schedule == AMLS_SCHEDULE_MOP && t->sub_epoch == NULL)
        return amls_error(AMLS_ERR_UNSUPPORTED,
                          "--schedule mop needs a model trained by SGD (the parameter-server "
                          "trainer); %s is trained by %s",
                          t->model, t->solver);
    int64_t N = amls_tune_space_size(s);
    if (o->search == AMLS_SEARCH_GRID && N < 0)
        return amls_error(AMLS_ERR_PARAM, "grid search needs lists or ranges, not distributions");
    if (o->search == AMLS_SEARCH_GRID && N > AMLS_TUNE_MAX_CONFIG)
        return amls_error(AMLS_ERR_PARAM, "the grid has %lld points (at most %d)", (long long)N,
                          AMLS_TUNE_MAX_CONFIG);
    if (o->search == AMLS_SEARCH_RANDOM && (o->trials < 1 || o->trials > AMLS_TUNE_MAX_CONFIG))
        return amls_error(AMLS_ERR_PARAM, "--trials %lld: must be between 1 and %d",
                          (long long)o->trials, AMLS_TUNE_MAX_CONFIG);
    return AMLS_OK;
}

/* Every fold must leave rows to train on and rows to score. */
static int check_folds(const amls_tune_result *res)
{
    int64_t rows = 0;
    for (int f = 0; f < res->folds; f++)
        rows += res->fold_rows[f];
    for (int f = 0; f < res->folds; f++)
        if (res->fold_rows[f] == 0 || res->fold_rows[f] == rows)
            return amls_error(
                AMLS_ERR_PARAM, "--cv %d: fold %d of the %lld rows is %s; use fewer folds",
                res->folds, f, (long long)rows, res->fold_rows[f] == 0 ? "empty" : "everything");
    return AMLS_OK;
}

static int search_all(search *S)
{
    const amls_tune_opts *o = S->o;
    int np = S->res->nparams, rc = AMLS_OK;
    double *hp = NULL;
    if (o->search == AMLS_SEARCH_HYPERBAND)
        return run_hyperband(S);
    int64_t n = o->search == AMLS_SEARCH_GRID ? amls_tune_space_size(S->s) : o->trials, got = n;
    AMLS_ALLOC(hp, n * np);
    if (o->search == AMLS_SEARCH_GRID)
        for (int64_t i = 0; i < n; i++)
            amls_tune_space_point(S->s, i, hp + i * np);
    else
        AMLS_TRY(amls_tune_space_sample(S->s, o->seed, 7, n, hp, &got));
cleanup:
    rc = amls_agree(S->q.gr->world, rc, NULL);
    if (rc == AMLS_OK)
        rc = run_flat(S, hp, got);
    amls__free(hp);
    return rc;
}

int amls_tune_run(MPI_Comm world, const amls_trainer *t, void *data, const amls_tune_space *s,
                  const amls_tune_opts *o, amls_tune_result *res)
{
    int rc = AMLS_OK;
    amls__groups gr;
    search S = {.t = t, .s = s, .o = o, .res = res};
    double t0 = amls__now();
    memset(res, 0, sizeof *res);
    res->nparams = t->nparams;
    res->folds = o->folds;
    res->best = -1;
    rc = amls_agree(world, check_opts(t, s, o), NULL);
    if (rc < 0)
        return rc;
    rc = amls__groups_new(world, o->groups, &gr);
    if (rc < 0)
        return rc;
    S.q.win = MPI_WIN_NULL;
    AMLS_TRY(amls__queue_new(&gr, &S.q));
    AMLS_TRY(t->group_data(world, gr.comm, gr.ngroups, data, o->seed, o->folds, &S.gdata,
                           res->fold_rows));
    AMLS_TRY(amls_agree(world, check_folds(res), NULL));
    AMLS_TRY(search_all(&S));
    for (int64_t i = 0; i < res->ntrials; i++)
        if (res->trials[i].budget == o->budget &&
            (res->best < 0 || better(o->metric, res->trials[i].mean, res->trials[res->best].mean)))
            res->best = i;
cleanup:
    res->seconds = amls__now() - t0;
    if (S.gdata)
        t->free_gdata(S.gdata);
    amls__free(S.folds_done);
    amls__queue_free(&S.q);
    amls__groups_free(&gr);
    if (rc < 0)
        amls_tune_result_free(res);
    return rc;
}

const amls_trainer *amls_trainer_find(const char *model)
{
    static const amls_trainer *const all[] = {&amls__trainer_logreg, &amls__trainer_linreg,
                                              &amls__trainer_als};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        if (strcmp(all[i]->model, model) == 0)
            return all[i];
    return NULL;
}
