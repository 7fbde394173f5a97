/* ---------------------------------------------------------------------------------------------
 * tune/search.c — the search driver: grid, random search and Hyperband over k-fold
 * cross-validation, run as phases of (trial, fold) tasks on the dynamic queue, or as phases of
 * model hopping (--schedule mop).
 * SPDX-License-Identifier: MIT
 *
 * A trial is one configuration at one budget; its score is the mean of its k fold scores.
 * A trial's result is a pure function of (configuration, budget, fold): the driver keeps a
 * table of trials and never runs one twice (Hyperband brackets that draw the same
 * configuration at the same budget share it). Grid and random search are one phase; Hyperband
 * runs rung i of every bracket in phase i, since brackets are independent, which gives the
 * groups more tasks to share. The best trial is the best mean among the trials run at the full
 * budget (lower-budget scores are not comparable), ties going to the earlier trial.
 *
 * Resumable trainers (SGD, whose model is its whole state) keep the model of every
 * (configuration, fold) after each phase on every rank; a later trial of the same
 * configuration at a larger budget goes on from it (warm start) and runs only the difference,
 * with the same result as a fit from scratch. Full-batch fits start from scratch.
 * ------------------------------------------------------------------------------------------- */
#include "tune_internal.h"

#include <math.h>
#include <stdio.h>

typedef struct search {
    const amls_trainer *t;
    const amls_tune_space *s;
    const amls_tune_opts *o;
    amls_tune_result *res;
    void *gdata; /* the group's data, or this rank's partition (MOP) */
    amls__queue q;
    int64_t cap_configs, cap_trials;
    int64_t *task_trial; /* this phase: task -> trial */
    int *folds_done;     /* rank 0: folds received per trial (progress) */
    int64_t planned;     /* trials announced for progress (0: unknown) */
    int64_t reported;
    bool dedupe; /* look configurations and trials up before adding (Hyperband) */
    /* Resumable trainers: models of len doubles. */
    int64_t len;
    bool resume;        /* keep models across phases (warm starts) */
    double *states;     /* per (configuration, fold): the model after done[] units */
    int64_t *done;      /* per (configuration, fold) */
    int64_t cap_states; /* configurations the two arrays hold */
    double *task_state; /* len: the model of the task this group runs */
    amls__vec kept;     /* group leaders: (task, model) of the phase's tasks */
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
        if (p)
            r->trials = p;
        int *fd = amls__realloc(S->folds_done, (size_t)cap, sizeof *fd);
        if (fd)
            S->folds_done = fd;
        if (p == NULL || fd == NULL)
            return amls_error(AMLS_ERR_NOMEM, "out of memory");
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

/* The model a fit of (config, fold) at `budget` starts from: the kept one when it is not past
 * the budget (warm start), else zeros. Local. */
static void start_state(const search *S, int64_t config, int fold, int64_t budget, double *state,
                        int64_t *done)
{
    int64_t at = config * S->res->folds + fold;
    *done = 0;
    if (S->resume && config < S->cap_states && S->done[at] > 0 && S->done[at] <= budget) {
        *done = S->done[at];
        memcpy(state, S->states + at * S->len, (size_t)S->len * sizeof *state);
    } else {
        memset(state, 0, (size_t)S->len * sizeof *state);
    }
}

/* Keeps the model of (config, fold) after `budget` units if it is the furthest yet. Local. */
static void keep_state(search *S, int64_t config, int fold, int64_t budget, const double *state)
{
    int64_t at = config * S->res->folds + fold;
    if (!S->resume || config >= S->cap_states || budget <= S->done[at])
        return;
    memcpy(S->states + at * S->len, state, (size_t)S->len * sizeof *state);
    S->done[at] = budget;
}

/* Room for the models of every configuration so far; warm starts stop (on every rank alike)
 * when they would need more than 1 GiB. Local. */
static int ensure_states(search *S)
{
    int64_t n = S->res->nconfigs, k = S->res->folds;
    if (!S->resume || n <= S->cap_states)
        return AMLS_OK;
    if ((double)n * k * S->len * sizeof(double) > (double)(1 << 30)) {
        S->resume = false;
        return AMLS_OK;
    }
    double *st = amls__realloc(S->states, (size_t)(n * k * S->len), sizeof *st);
    if (st)
        S->states = st;
    int64_t *dn = amls__realloc(S->done, (size_t)(n * k), sizeof *dn);
    if (dn)
        S->done = dn;
    if (st == NULL || dn == NULL)
        return amls__alloc_status(false);
    memset(S->done + S->cap_states * k, 0, (size_t)((n - S->cap_states) * k) * sizeof *dn);
    S->cap_states = n;
    return AMLS_OK;
}

/* A group runs one (trial, fold) task. */
static int run_task(void *arg, int64_t task, double *rec)
{
    search *S = arg;
    int k = S->res->folds, fold = (int)(task % k);
    const amls_tune_trial *tr = &S->res->trials[S->task_trial[task / k]];
    amls_tune_fit fit = {0};
    int64_t done = 0;
    if (S->len > 0)
        start_state(S, tr->config, fold, tr->budget, S->task_state, &done);
    int rc = S->t->evaluate(S->gdata, S->res->configs + tr->config * S->res->nparams, tr->budget,
                            fold, S->o->metric, S->len > 0 ? S->task_state : NULL, done, &fit);
    rec[AMLS__REC_SCORE] = fit.score;
    rec[AMLS__REC_USED] = (double)fit.budget_used;
    rec[AMLS__REC_OBJ] = fit.objective;
    if (rc == AMLS_OK && S->resume && S->q.gr->grank == 0) {
        double t = (double)task;
        rc = amls__vec_append(&S->kept, &t, 1);
        if (rc == AMLS_OK)
            rc = amls__vec_append(&S->kept, S->task_state, (size_t)S->len);
    }
    return rc;
}

/* After a phase: every rank keeps the models the groups trained. Collective on world. */
static int share_kept(search *S, const int64_t *trials)
{
    int rc = AMLS_OK, P = S->q.gr->nranks, mine = (int)S->kept.len;
    int *cnt = amls__calloc((size_t)P, sizeof *cnt), *dsp = amls__calloc((size_t)P, sizeof *dsp);
    double *all = NULL;
    int64_t slot = S->len + 1, total = 0;
    AMLS_AGREE(S->q.gr->world, amls__alloc_status(cnt && dsp));
    AMLS_MPI_TRY(MPI_Allgather(&mine, 1, MPI_INT, cnt, 1, MPI_INT, S->q.gr->world));
    for (int p = 0; p < P; p++) {
        dsp[p] = (int)total;
        total += cnt[p];
    }
    all = amls__malloc((size_t)total + 1, sizeof *all);
    AMLS_AGREE(S->q.gr->world, amls__alloc_status(all != NULL));
    AMLS_MPI_TRY(
        MPI_Allgatherv(S->kept.data, mine, MPI_DOUBLE, all, cnt, dsp, MPI_DOUBLE, S->q.gr->world));
    for (int64_t at = 0; at + slot <= total; at += slot) {
        int64_t task = (int64_t)all[at];
        const amls_tune_trial *tr = &S->res->trials[trials[task / S->res->folds]];
        keep_state(S, tr->config, (int)(task % S->res->folds), tr->budget, all + at + 1);
    }
cleanup:
    S->kept.len = 0;
    amls__free(cnt);
    amls__free(dsp);
    amls__free(all);
    return rc;
}

/* Rank 0: the progress line of a trial whose folds are all in. */
static void print_trial(search *S, amls_tune_trial *tr)
{
    char cfg[512], total[32] = "";
    trial_stats(tr, S->res->folds);
    amls_tune_format_config(S->s, S->res->configs + tr->config * S->res->nparams, cfg, sizeof cfg);
    if (S->planned > 0)
        snprintf(total, sizeof total, "/%lld", (long long)S->planned);
    fprintf(S->o->progress, "trial %lld%s done: %s budget=%lld %s=%.6f std=%.6f %s=%lld %.3f s\n",
            (long long)++S->reported, total, cfg, (long long)tr->budget,
            amls_metric_name(S->o->metric), tr->mean, tr->std, S->t->budget_unit,
            (long long)tr->budget_used, tr->seconds);
    fflush(S->o->progress);
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
    if (++S->folds_done[t] == k && S->o->progress != NULL)
        print_trial(S, tr);
}

/* Model hopping: every (trial, fold) of the phase is one model; rec as the queue fills it.
 * Collective on world. */
static int mop_phase(search *S, const int64_t *trials, int64_t n, double *rec)
{
    int rc = AMLS_OK, k = S->res->folds, P = S->q.gr->nranks;
    amls__mop_model *md = amls__calloc((size_t)(n * k) + 1, sizeof *md);
    double *st = amls__malloc((size_t)(n * k * S->len) + 1, sizeof *st);
    AMLS_AGREE(S->q.gr->world, amls__alloc_status(md && st));
    for (int64_t task = 0; task < n * k; task++) {
        const amls_tune_trial *tr = &S->res->trials[trials[task / k]];
        amls__mop_model *m = &md[task];
        m->hp = S->res->configs + tr->config * S->res->nparams;
        m->fold = (int)(task % k);
        m->to = tr->budget;
        m->start = (int)((tr->config * k + m->fold) % P);
        m->state = st + task * S->len;
        start_state(S, tr->config, m->fold, tr->budget, m->state, &m->from);
    }
    AMLS_TRY(amls__mop_train(S->q.gr->world, S->t, S->gdata, md, n * k, S->len));
    for (int64_t task = 0; task < n * k; task++) {
        amls_tune_fit fit = {0};
        double *r = rec + task * AMLS__REC_LEN;
        AMLS_TRY(S->t->mop_score(S->gdata, md[task].hp, md[task].fold, S->o->metric, md[task].state,
                                 &fit));
        r[AMLS__REC_TASK] = (double)task;
        r[AMLS__REC_SCORE] = fit.score;
        r[AMLS__REC_USED] = (double)(md[task].to - md[task].from);
        r[AMLS__REC_SECONDS] = md[task].seconds;
        r[AMLS__REC_OBJ] = fit.objective;
        const amls_tune_trial *tr = &S->res->trials[trials[task / k]];
        keep_state(S, tr->config, md[task].fold, tr->budget, md[task].state);
    }
cleanup:
    amls__free(md);
    amls__free(st);
    return rc;
}

/* Runs every fold of the trials listed (new ones only) as one phase. Collective on world. */
static int run_phase(search *S, const int64_t *trials, int64_t n)
{
    int k = S->res->folds, rc = AMLS_OK;
    bool mop = S->o->schedule == AMLS_SCHEDULE_MOP, root = S->q.gr->rank == 0;
    double *rec = NULL;
    if (n == 0)
        return AMLS_OK;
    S->task_trial = amls__malloc((size_t)n, sizeof *S->task_trial);
    rec = amls__malloc((size_t)(n * k * AMLS__REC_LEN), sizeof *rec);
    AMLS_AGREE(S->q.gr->world, S->task_trial && rec ? ensure_states(S) : amls__alloc_status(false));
    memcpy(S->task_trial, trials, (size_t)n * sizeof *trials);
    for (int64_t i = 0; i < n; i++) {
        amls_tune_trial *tr = &S->res->trials[trials[i]];
        tr->budget_used = 0;
        tr->seconds = 0;
    }
    if (mop)
        AMLS_TRY(mop_phase(S, trials, n, rec));
    else
        AMLS_TRY(amls__queue_phase(&S->q, n * k, run_task, S, on_record, S, rec));
    if (!mop && S->resume)
        AMLS_TRY(share_kept(S, trials));
    for (int64_t task = 0; task < n * k; task++) {
        const double *r = rec + task * AMLS__REC_LEN;
        amls_tune_trial *tr = &S->res->trials[trials[task / k]];
        if (mop || !root) { /* rank 0 summed the queue's records as they arrived */
            tr->budget_used += (int64_t)r[AMLS__REC_USED];
            tr->seconds += r[AMLS__REC_SECONDS];
        }
        tr->fold[task % k] = r[AMLS__REC_SCORE];
        S->res->budget_used += (int64_t)r[AMLS__REC_USED];
        S->res->budget_cap += tr->budget;
        S->res->fits++;
    }
    for (int64_t i = 0; i < n; i++) {
        if (mop && root && S->o->progress)
            print_trial(S, &S->res->trials[trials[i]]);
        trial_stats(&S->res->trials[trials[i]], k);
    }
cleanup:
    amls__free(S->task_trial);
    S->task_trial = NULL;
    amls__free(rec);
    return rc;
}

/* Adds configurations as trials at the full budget and runs them (grid, random). */
static int run_flat(search *S, const double *hp, int64_t n)
{
    int rc = AMLS_OK, lrc = AMLS_OK;
    int64_t *list = amls__malloc((size_t)n + 1, sizeof *list), m = 0;
    lrc = amls__alloc_status(list != NULL);
    for (int64_t i = 0; lrc == AMLS_OK && i < n; i++) {
        int64_t c, t;
        bool fresh = false;
        lrc = add_config(S, hp + i * S->res->nparams, &c);
        if (lrc == AMLS_OK)
            lrc = add_trial(S, c, S->o->budget, -1, -1, &t, &fresh);
        if (lrc == AMLS_OK && fresh)
            list[m++] = t;
    }
    AMLS_AGREE(S->q.gr->world, lrc);
    S->planned = m;
    AMLS_TRY(run_phase(S, list, m));
cleanup:
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

/* The per-bracket lists and the phase's list of new trials. Local. */
static int hyperband_alloc(search *S, int nb, const int64_t *ncfg, int64_t **tri, int64_t **list)
{
    int rc = AMLS_OK;
    for (int b = 0; b < nb; b++)
        AMLS_ALLOC(tri[b], ncfg[b] + 1);
    AMLS_ALLOC(*list, S->res->nconfigs * nb + 1);
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
    AMLS_TRY(amls_tune_hyperband_plan(S->o->budget, S->o->min_budget, S->o->eta, plan, &nb));
    S->res->nbrackets = nb;
    memcpy(S->res->plan, plan, sizeof plan);
    AMLS_AGREE(world, hyperband_draw(S, plan, nb, cfg, ncfg));
    AMLS_AGREE(world, hyperband_alloc(S, nb, ncfg, tri, &list));
    for (int rung = 0; rung <= plan[0].s; rung++) {
        AMLS_AGREE(world, hyperband_rung(S, plan, nb, rung, cfg, tri, ncfg, list, &m));
        AMLS_TRY(run_phase(S, list, m));
    }
cleanup:
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
                          "--schedule mop needs a model trained by SGD (--solver sgd); %s is "
                          "trained by %s",
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
    int np = S->res->nparams, rc = AMLS_OK, lrc = AMLS_OK;
    double *hp = NULL;
    if (o->search == AMLS_SEARCH_HYPERBAND)
        return run_hyperband(S);
    int64_t n = o->search == AMLS_SEARCH_GRID ? amls_tune_space_size(S->s) : o->trials, got = n;
    hp = amls__malloc((size_t)(n * np) + 1, sizeof *hp);
    lrc = amls__alloc_status(hp != NULL);
    if (lrc == AMLS_OK && o->search == AMLS_SEARCH_GRID)
        for (int64_t i = 0; i < n; i++)
            amls_tune_space_point(S->s, i, hp + i * np);
    else if (lrc == AMLS_OK)
        lrc = amls_tune_space_sample(S->s, o->seed, 7, n, hp, &got);
    AMLS_AGREE(S->q.gr->world, lrc);
    AMLS_TRY(run_flat(S, hp, got));
cleanup:
    amls__free(hp);
    return rc;
}

/* The data the schedule needs (a group's copy, or this rank's partition) and, for resumable
 * trainers, the model buffers. Collective on world. */
static int search_setup(search *S, MPI_Comm world, void *data)
{
    int rc = AMLS_OK;
    const amls_tune_opts *o = S->o;
    amls__groups *gr = S->q.gr;
    if (o->schedule == AMLS_SCHEDULE_MOP)
        AMLS_TRY(S->t->mop_data(world, data, o->seed, o->folds, &S->gdata, S->res->fold_rows));
    else
        AMLS_TRY(S->t->group_data(world, gr->comm, gr->ngroups, data, o->seed, o->folds, &S->gdata,
                                  S->res->fold_rows));
    AMLS_AGREE(world, check_folds(S->res));
    S->len = S->t->state_len ? S->t->state_len(data) : 0;
    S->resume = S->len > 0 && !o->no_warm_start;
    amls__vec_init(&S->kept, sizeof(double));
    S->task_state = amls__malloc((size_t)S->len + 1, sizeof *S->task_state);
    AMLS_AGREE(world, amls__alloc_status(S->task_state != NULL));
cleanup:
    return rc;
}

/* The best trial: the best mean among the trials at the full budget. */
static void pick_best(const amls_tune_opts *o, amls_tune_result *res)
{
    for (int64_t i = 0; i < res->ntrials; i++)
        if (res->trials[i].budget == o->budget &&
            (res->best < 0 || better(o->metric, res->trials[i].mean, res->trials[res->best].mean)))
            res->best = i;
}

int amls_tune_run(MPI_Comm world, const amls_trainer *t, void *data, const amls_tune_space *s,
                  const amls_tune_opts *o, amls_tune_result *res)
{
    int rc = AMLS_OK;
    amls__groups gr = {.comm = MPI_COMM_NULL};
    search S = {.t = t, .s = s, .o = o, .res = res};
    double t0 = amls__now();
    memset(res, 0, sizeof *res);
    res->nparams = t->nparams;
    res->folds = o->folds;
    res->best = -1;
    S.q.win = MPI_WIN_NULL;
    S.q.gr = &gr;
    AMLS_AGREE(world, check_opts(t, s, o));
    AMLS_TRY(amls__groups_new(world, o->schedule == AMLS_SCHEDULE_MOP ? 1 : o->groups, &gr));
    AMLS_TRY(amls__queue_new(&gr, &S.q));
    AMLS_TRY(search_setup(&S, world, data));
    AMLS_TRY(search_all(&S));
    pick_best(o, res);
cleanup:
    res->seconds = amls__now() - t0;
    if (S.gdata)
        t->free_gdata(S.gdata);
    amls__free(S.folds_done);
    amls__free(S.states);
    amls__free(S.done);
    amls__free(S.task_state);
    amls__vec_free(&S.kept);
    int frc = amls__queue_free(&S.q);
    int grc = amls__groups_free(&gr);
    rc = rc < 0 ? rc : frc < 0 ? frc : grc;
    if (rc < 0)
        amls_tune_result_free(res);
    return rc;
}

const amls_trainer *amls_trainer_find(const char *model, const char *solver)
{
    static const amls_trainer *const all[] = {&amls__trainer_logreg, &amls__trainer_logreg_sgd,
                                              &amls__trainer_linreg, &amls__trainer_linreg_sgd,
                                              &amls__trainer_svm,    &amls__trainer_als};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        if (strcmp(all[i]->model, model) == 0 &&
            (solver == NULL || strcmp(all[i]->solver_key, solver) == 0))
            return all[i];
    return NULL;
}
