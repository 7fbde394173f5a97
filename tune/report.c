/* ---------------------------------------------------------------------------------------------
 * tune/report.c — the results of a search: the printed table, CSV and JSON files, and the
 * refitted best model as HDF5 with its provenance.
 * SPDX-License-Identifier: MIT
 *
 * Every rank holds the same result; rank 0 formats the text (open_memstream) and the collective
 * writers put it under a temporary name, renamed when complete, so a failure leaves no file.
 * Numbers are written with the shortest text that reads back as the same double.
 * ------------------------------------------------------------------------------------------- */
#include "tune_internal.h"

#include "amls/version.h"

#include <math.h>
#include <stdio.h>

static const char *search_name(amls_tune_search s)
{
    return s == AMLS_SEARCH_GRID ? "grid" : s == AMLS_SEARCH_RANDOM ? "random" : "hyperband";
}

/* Shortest round-trip text, or "nan"/"inf" (CSV) / null (JSON) for non-finite values. */
static const char *num(double x, char *buf, size_t cap, bool json)
{
    if (!isfinite(x))
        snprintf(buf, cap, "%s", json ? "null" : isnan(x) ? "nan" : x > 0 ? "inf" : "-inf");
    else
        amls_tune_format_double(x, buf, cap);
    return buf;
}

/* Width of the column of domain k: its name or its longest value. */
static int column_width(const amls_tune_space *s, const amls_tune_result *res, int k)
{
    char b[40];
    int p = s->dom[k].param, w = (int)strlen(s->params[p].name);
    for (int64_t t = 0; t < res->ntrials; t++) {
        num(res->configs[res->trials[t].config * res->nparams + p], b, sizeof b, false);
        w = AMLS_MAX(w, (int)strlen(b));
    }
    return w;
}

void amls_tune_print(FILE *f, const amls_tune_space *s, const amls_tune_opts *o,
                     const amls_tune_result *res)
{
    const char *mn = amls_metric_name(o->metric);
    char b[40];
    int width[AMLS_TUNE_MAX_PARAMS];
    fprintf(f, "%-6s", "trial");
    if (o->search == AMLS_SEARCH_HYPERBAND)
        fprintf(f, " %-7s %-4s", "bracket", "rung");
    for (int k = 0; k < s->ndom; k++) {
        width[k] = column_width(s, res, k);
        fprintf(f, " %-*s", width[k], s->params[s->dom[k].param].name);
    }
    fprintf(f, " %8s %-10s %-10s", "budget", mn, "std");
    for (int k = 0; k < res->folds; k++)
        fprintf(f, " fold%-6d", k + 1);
    fprintf(f, " %10s %8s\n", "used", "seconds");
    for (int64_t t = 0; t < res->ntrials; t++) {
        const amls_tune_trial *tr = &res->trials[t];
        const double *hp = res->configs + tr->config * res->nparams;
        fprintf(f, "%-6lld", (long long)t + 1);
        if (o->search == AMLS_SEARCH_HYPERBAND)
            fprintf(f, " %-7d %-4d", tr->bracket, tr->rung);
        for (int k = 0; k < s->ndom; k++)
            fprintf(f, " %-*s", width[k], num(hp[s->dom[k].param], b, sizeof b, false));
        fprintf(f, " %8lld %-10.6f %-10.6f", (long long)tr->budget, tr->mean, tr->std);
        for (int k = 0; k < res->folds; k++)
            fprintf(f, " %-10.6f", tr->fold[k]);
        fprintf(f, " %10lld %8.3f%s\n", (long long)tr->budget_used, tr->seconds,
                t == res->best ? "  <- best" : "");
    }
    if (res->best >= 0) {
        const amls_tune_trial *tr = &res->trials[res->best];
        char cfg[512];
        amls_tune_format_config(s, res->configs + tr->config * res->nparams, cfg, sizeof cfg);
        fprintf(f, "best: %s\nbest_score: %s\n", cfg, num(tr->mean, b, sizeof b, false));
    }
    fflush(f);
}

/* Rank 0's text through fmt_fn, written collectively to path. */
typedef void (*fmt_fn)(FILE *f, const void *arg);
static int write_formatted(MPI_Comm world, const char *path, fmt_fn fn, const void *arg)
{
    int rank = 0, rc = AMLS_OK, lrc = AMLS_OK;
    char *buf = NULL;
    size_t len = 0;
    AMLS_TRY(amls__comm_rank(world, &rank, NULL));
    if (rank == 0) {
        FILE *f = open_memstream(&buf, &len);
        if (f != NULL)
            fn(f, arg);
        lrc = amls__alloc_status(f != NULL && fclose(f) == 0);
    }
    AMLS_AGREE(world, lrc);
    AMLS_TRY(amls_write_text(world, path, buf ? buf : "", buf ? len : 0, false));
cleanup:
    free(buf); /* allocated by open_memstream */
    return rc;
}

typedef struct report_args {
    const amls_tune_space *s;
    const amls_tune_opts *o;
    const amls_trainer *t;
    const amls_tune_result *res;
} report_args;

static void csv(FILE *f, const void *arg)
{
    const report_args *a = arg;
    const amls_tune_result *res = a->res;
    char b[40];
    fprintf(f, "trial,bracket,rung");
    for (int k = 0; k < a->s->ndom; k++)
        fprintf(f, ",%s", a->s->params[a->s->dom[k].param].name);
    fprintf(f, ",budget,mean,std");
    for (int k = 0; k < res->folds; k++)
        fprintf(f, ",fold%d", k + 1);
    fprintf(f, ",budget_used,seconds\n");
    for (int64_t t = 0; t < res->ntrials; t++) {
        const amls_tune_trial *tr = &res->trials[t];
        const double *hp = res->configs + tr->config * res->nparams;
        fprintf(f, "%lld,%d,%d", (long long)t + 1, tr->bracket, tr->rung);
        for (int k = 0; k < a->s->ndom; k++)
            fprintf(f, ",%s", num(hp[a->s->dom[k].param], b, sizeof b, false));
        fprintf(f, ",%lld,%s", (long long)tr->budget, num(tr->mean, b, sizeof b, false));
        fprintf(f, ",%s", num(tr->std, b, sizeof b, false));
        for (int k = 0; k < res->folds; k++)
            fprintf(f, ",%s", num(tr->fold[k], b, sizeof b, false));
        fprintf(f, ",%lld,%.6f\n", (long long)tr->budget_used, tr->seconds);
    }
}

int amls_tune_write_csv(MPI_Comm world, const char *path, const amls_tune_space *s,
                        const amls_tune_result *res)
{
    report_args a = {.s = s, .res = res};
    return write_formatted(world, path, csv, &a);
}

/* {"lambda": 0.001, ...}: the searched parameters, or all of them. */
static void json_params(FILE *f, const amls_tune_space *s, const double *hp, bool all)
{
    char b[40];
    fprintf(f, "{");
    int n = all ? s->nparams : s->ndom;
    for (int k = 0; k < n; k++) {
        int p = all ? k : s->dom[k].param;
        fprintf(f, "%s\"%s\": %s", k ? ", " : "", s->params[p].name, num(hp[p], b, sizeof b, true));
    }
    fprintf(f, "}");
}

/* Hyperband: every bracket's rungs with their budgets and trial numbers (ranked from rung 1). */
static void json_brackets(FILE *f, const amls_tune_opts *o, const amls_tune_result *res)
{
    fprintf(f, ",\n  \"eta\": %d,\n  \"min_budget\": %lld,\n  \"brackets\": [", o->eta,
            (long long)o->min_budget);
    for (int b = 0; b < res->nbrackets; b++) {
        const amls_tune_bracket *p = &res->plan[b];
        fprintf(f, "%s\n    {\"s\": %d, \"n\": %lld, \"rungs\": [", b ? "," : "", p->s,
                (long long)p->n);
        for (int i = 0; i <= p->s; i++) {
            fprintf(f, "%s{\"budget\": %lld, \"trials\": [", i ? ", " : "",
                    (long long)p->rung[i].budget);
            for (int64_t k = 0; k < res->rung_size[b][i]; k++)
                fprintf(f, "%s%lld", k ? ", " : "", (long long)res->rung_trials[b][i][k] + 1);
            fprintf(f, "]}");
        }
        fprintf(f, "]}");
    }
    fprintf(f, "\n  ]");
}

static void json(FILE *f, const void *arg)
{
    const report_args *a = arg;
    const amls_tune_result *res = a->res;
    char b[40];
    fprintf(f, "{\n  \"model\": \"%s\",\n  \"solver\": \"%s\",\n  \"search\": \"%s\",\n",
            a->t->model, a->t->solver, search_name(a->o->search));
    fprintf(f, "  \"metric\": \"%s\",\n  \"higher_is_better\": %s,\n",
            amls_metric_name(a->o->metric),
            amls_metric_higher_is_better(a->o->metric) ? "true" : "false");
    fprintf(f, "  \"folds\": %d,\n  \"seed\": %llu,\n  \"fold_rows\": [", res->folds,
            (unsigned long long)a->o->seed);
    for (int k = 0; k < res->folds; k++)
        fprintf(f, "%s%lld", k ? ", " : "", (long long)res->fold_rows[k]);
    fprintf(f, "],\n  \"budget_unit\": \"%s\",\n  \"max_budget\": %lld,\n", a->t->budget_unit,
            (long long)a->o->budget);
    fprintf(f, "  \"budget_used\": %lld,\n  \"fits\": %lld,\n  \"seconds\": %.6f,\n  \"trials\": [",
            (long long)res->budget_used, (long long)res->fits, res->seconds);
    for (int64_t t = 0; t < res->ntrials; t++) {
        const amls_tune_trial *tr = &res->trials[t];
        fprintf(f, "%s\n    {\"trial\": %lld, \"bracket\": %d, \"rung\": %d, \"params\": ",
                t ? "," : "", (long long)t + 1, tr->bracket, tr->rung);
        json_params(f, a->s, res->configs + tr->config * res->nparams, false);
        fprintf(f, ", \"budget\": %lld, \"fold_scores\": [", (long long)tr->budget);
        for (int k = 0; k < res->folds; k++)
            fprintf(f, "%s%s", k ? ", " : "", num(tr->fold[k], b, sizeof b, true));
        fprintf(f, "], \"mean\": %s", num(tr->mean, b, sizeof b, true));
        fprintf(f, ", \"std\": %s, \"budget_used\": %lld, \"seconds\": %.6f}",
                num(tr->std, b, sizeof b, true), (long long)tr->budget_used, tr->seconds);
    }
    fprintf(f, "\n  ]");
    if (res->nbrackets > 0)
        json_brackets(f, a->o, res);
    if (res->best >= 0) {
        const amls_tune_trial *tr = &res->trials[res->best];
        const double *hp = res->configs + tr->config * res->nparams;
        fprintf(f, ",\n  \"best_trial\": %lld,\n  \"best\": ", (long long)res->best + 1);
        json_params(f, a->s, hp, false);
        fprintf(f, ",\n  \"best_all_params\": ");
        json_params(f, a->s, hp, true);
        fprintf(f, ",\n  \"best_score\": %s", num(tr->mean, b, sizeof b, true));
    }
    fprintf(f, "\n}\n");
}

int amls_tune_write_json(MPI_Comm world, const char *path, const amls_tune_space *s,
                         const amls_tune_opts *o, const amls_trainer *t,
                         const amls_tune_result *res)
{
    report_args a = {.s = s, .o = o, .t = t, .res = res};
    return write_formatted(world, path, json, &a);
}

/* Comma-separated numbers (fold scores, fold sizes) as one attribute string. */
static void join(char *buf, size_t cap, const double *d, const int64_t *n, int count)
{
    size_t at = 0;
    buf[0] = '\0';
    for (int k = 0; k < count && at < cap; k++) {
        char b[40];
        if (d)
            num(d[k], b, sizeof b, false);
        else
            snprintf(b, sizeof b, "%lld", (long long)n[k]);
        at += (size_t)snprintf(buf + at, cap - at, "%s%s", k ? "," : "", b);
    }
}

/* The provenance attributes; every rank makes the same calls. */
static int model_attrs(amls_h5file *f, const amls_trainer *t, const amls_tune_space *s,
                       const amls_tune_opts *o, const amls_tune_result *res,
                       const amls_tune_fit *refit, const amls_tune_provenance *pv)
{
    const amls_tune_trial *tr = &res->trials[res->best];
    const double *hp = res->configs + tr->config * res->nparams;
    char cfg[512], all[512] = "", scores[4096], sizes[4096];
    amls_tune_format_config(s, hp, cfg, sizeof cfg);
    for (int p = 0; p < s->nparams; p++) {
        char b[40];
        snprintf(all + strlen(all), sizeof all - strlen(all), "%s%s=%s", p ? " " : "",
                 s->params[p].name, num(hp[p], b, sizeof b, false));
    }
    join(scores, sizeof scores, tr->fold, NULL, res->folds);
    join(sizes, sizeof sizes, NULL, res->fold_rows, res->folds);
    int64_t version = 1, folds = res->folds, seed = (int64_t)o->seed, ntrials = res->ntrials,
            crc = pv->train_crc32, ranks = pv->ranks, groups = pv->groups;
    const amls_h5_attr attrs[] = {
        AMLS_H5_ATTR_STR("format", "amls-graph model"),
        AMLS_H5_ATTR_I64("format_version", &version),
        AMLS_H5_ATTR_STR("model", t->model),
        AMLS_H5_ATTR_STR("solver", t->solver),
        AMLS_H5_ATTR_STR("parameters", cfg),
        AMLS_H5_ATTR_STR("all_parameters", all),
        AMLS_H5_ATTR_STR("metric", amls_metric_name(o->metric)),
        AMLS_H5_ATTR_F64("cv_mean", &tr->mean),
        AMLS_H5_ATTR_F64("cv_std", &tr->std),
        AMLS_H5_ATTR_STR("cv_fold_scores", scores),
        AMLS_H5_ATTR_I64("cv_folds", &folds),
        AMLS_H5_ATTR_STR("fold_rows", sizes),
        AMLS_H5_ATTR_I64("fold_seed", &seed),
        AMLS_H5_ATTR_STR("fold_rule",
                         "fold = splitmix64(seed, stream 0xf01d5eed, row) mod k; row = 0-based "
                         "index of the data row in the training file (ratings: hash of user, "
                         "item)"),
        AMLS_H5_ATTR_STR("search", pv->search),
        AMLS_H5_ATTR_STR("schedule", o->schedule == AMLS_SCHEDULE_MOP ? "mop" : "groups"),
        AMLS_H5_ATTR_I64("trials", &ntrials),
        AMLS_H5_ATTR_STR("budget_unit", t->budget_unit),
        AMLS_H5_ATTR_I64("budget", &o->budget),
        AMLS_H5_ATTR_I64("search_budget_used", &res->budget_used),
        AMLS_H5_ATTR_F64("search_seconds", &res->seconds),
        AMLS_H5_ATTR_I64("refit_budget_used", &refit->budget_used),
        AMLS_H5_ATTR_F64("refit_objective", &refit->objective),
        AMLS_H5_ATTR_F64("refit_score", &refit->score),
        AMLS_H5_ATTR_STR("train", pv->train),
        AMLS_H5_ATTR_I64("train_crc32", &crc),
        AMLS_H5_ATTR_I64("train_bytes", &pv->train_bytes),
        AMLS_H5_ATTR_STR("engine_version", "amls-graph " AMLS_VERSION_STRING),
        AMLS_H5_ATTR_STR("command_line", pv->command_line ? pv->command_line : ""),
        AMLS_H5_ATTR_I64("ranks", &ranks),
        AMLS_H5_ATTR_I64("groups", &groups),
    };
    return amls_h5file_put_attrs(f, attrs, (int)(sizeof attrs / sizeof attrs[0]));
}

int amls_tune_write_model(MPI_Comm world, const char *path, const amls_trainer *t, const void *data,
                          const void *model, const amls_tune_space *s, const amls_tune_opts *o,
                          const amls_tune_result *res, const amls_tune_fit *refit,
                          const amls_tune_provenance *pv)
{
    int rc = AMLS_OK;
    amls_h5file *f = NULL;
    char tmp[4200] = "";
    AMLS_TRY(amls__tmp_name(world, path, tmp, sizeof tmp));
    AMLS_TRY(amls_h5file_create(world, tmp, &f));
    AMLS_AGREE(world, model_attrs(f, t, s, o, res, refit, pv));
    AMLS_TRY(t->write_model(world, data, model, f));
cleanup:;
    int crc = amls_h5file_close(&f); /* agreed on every rank */
    rc = rc < 0 ? rc : crc;
    return tmp[0] ? amls__commit(world, rc, tmp, path) : rc;
}
