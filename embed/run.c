/* ---------------------------------------------------------------------------------------------
 * embed/run.c — running a built-in algorithm or a plugin for an embedding program: parameters
 * by name, the vertex engine or linear algebra, results kept with the plugin that formats them.
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#include "core.h"

#include "amls/algorithms.h"
#include "amls/embed.h"
#include "amls/linalg.h"
#include "amls/plugin.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>

struct amls_result {
    amls_plugin *plugin; /* owned; NULL for a built-in */
    amls_run *run;       /* the vertex engine's run, or NULL */
    void *la_values;     /* linear algebra's values, or NULL */
    amls_values v;
    int64_t iterations;
    double seconds, spi;
};

void amls_result_free(amls_result **r)
{
    if (r == NULL || *r == NULL)
        return;
    amls_run_free(&(*r)->run);
    amls__free((*r)->la_values);
    amls_plugin_free(&(*r)->plugin);
    amls__free(*r);
    *r = NULL;
}

/* A plugin path rather than an algorithm name. */
static bool is_plugin_path(const char *name)
{
    size_t n = strlen(name);
    return strchr(name, '/') != NULL || (n > 3 && strcmp(name + n - 3, ".so") == 0);
}

/* The program `name` names: a built-in, or a plugin loaded into res. Collective. */
static int find_program(MPI_Comm comm, const char *name, amls_result *res, const amls_vprog **p)
{
    int rc = AMLS_OK;
    *p = NULL;
    AMLS_AGREE(comm, name && *name ? AMLS_OK
                                   : amls_error(AMLS_ERR_PARAM, "no algorithm or plugin given"));
    if (is_plugin_path(name)) {
        AMLS_TRY(amls_plugin_load(comm, name, &res->plugin));
        *p = &res->plugin->vprog;
        goto cleanup;
    }
    const amls_builtin *b = amls_builtin_find(name);
    if (b == NULL) {
        char known[256] = "";
        for (const amls_builtin *k = amls_builtins(); k->name; k++)
            snprintf(known + strlen(known), sizeof known - strlen(known), "%s%s",
                     known[0] ? ", " : "", k->name);
        AMLS_AGREE(comm, amls_error(AMLS_ERR_NOT_FOUND,
                                    "no built-in algorithm '%s' (known: %s; a plugin is a path "
                                    "to a .so file)",
                                    name, known));
    }
    *p = b->get();
cleanup:
    return rc;
}

/* True if `name` is one of the comma-separated names in `list` (may be NULL). */
static bool in_names(const char *list, const char *name)
{
    size_t n = strlen(name);
    for (const char *at = list; at && *at; at += strcspn(at, ","), at += *at == ',') {
        size_t len = strcspn(at, ",");
        if (len == n && strncmp(at, name, n) == 0)
            return true;
    }
    return false;
}

/* vals[i] = the value given for the program's parameter i (NULL: its default); a key that is
 * not the program's but one of la_only (the linear-algebra form's own parameters, e.g. sssp's
 * delta; NULL: none) goes to extra[k]; any other key is an error naming the known ones.
 * Local. */
static int match_params(const amls_vprog *p, const char *la_only, int n, const char *const *keys,
                        const char *const *values, const char **vals, const char **extra)
{
    for (int k = 0; k < n; k++) {
        int i = 0;
        while (i < p->nparams && strcmp(p->params[i].name, keys[k]) != 0)
            i++;
        extra[k] = NULL;
        if (i == p->nparams && in_names(la_only, keys[k])) {
            extra[k] = values[k];
            continue;
        }
        if (i == p->nparams) {
            char known[512] = "";
            for (int j = 0; j < p->nparams; j++)
                snprintf(known + strlen(known), sizeof known - strlen(known), "%s%s", j ? ", " : "",
                         p->params[j].name);
            return amls_error(AMLS_ERR_PARAM, "%s: unknown parameter '%s' (parameters: %s)",
                              p->name, keys[k], p->nparams ? known : "none");
        }
        vals[i] = values[k];
    }
    return AMLS_OK;
}

/* One parameter's text as linear algebra takes it: a number for FLOAT parameters, a string
 * parameter only at its default (it steers the vertex program), otherwise an integer with all
 * 64 bits (a vertex id above 2^53 stays that vertex). Local. */
static int param_typed(const amls_vprog *p, const amls_param *d, const char *v,
                       amls_param_value *pv)
{
    char *end = NULL;
    errno = 0;
    if (d->type == AMLS_PARAM_STRING) { /* the vertex program's own choice (wcc --contract) */
        pv->i = 0;
        return v == NULL || (d->def != NULL && strcmp(v, d->def) == 0)
                   ? AMLS_OK
                   : amls_error(AMLS_ERR_PARAM, "%s: parameter %s is for --engine vertex only",
                                p->name, d->name);
    }
    if (v != NULL && d->type == AMLS_PARAM_FLOAT)
        pv->f = strtod(v, &end);
    else if (v != NULL)
        pv->i = strtoll(v, &end, 10);
    bool ok = v != NULL && end != v && *end == '\0' && errno == 0 &&
              (d->type != AMLS_PARAM_FLOAT || isfinite(pv->f));
    return ok ? AMLS_OK
              : amls_error(AMLS_ERR_PARAM, "%s: parameter %s: expected %s, got '%s'", p->name,
                           d->name, d->type == AMLS_PARAM_FLOAT ? "a number" : "an integer",
                           v ? v : "(none: it is required)");
}

/* The parameters, parsed by their declared types, for linear algebra. Local. */
static int params_typed(const amls_vprog *p, const char *const *vals, amls_param_value *pv)
{
    int rc = AMLS_OK;
    for (int i = 0; i < p->nparams; i++)
        AMLS_TRY(param_typed(p, &p->params[i], vals[i] ? vals[i] : p->params[i].def, &pv[i]));
cleanup:
    return rc;
}

/* The "run" section of a linear-algebra run. Local. */
static int la_stats(amls_stats *st, const amls_vprog *p, const char *const *vals,
                    const amls_result *res)
{
    int rc = AMLS_OK;
    char text[1024] = "";
    for (int i = 0; i < p->nparams; i++) {
        const char *v = vals[i] ? vals[i] : p->params[i].def;
        size_t at = strlen(text);
        snprintf(text + at, sizeof text - at, "%s%s=%s", i ? " " : "", p->params[i].name,
                 v ? v : "");
    }
    AMLS_TRY(amls_stats_set_str(st, "run", "engine", "linalg"));
    AMLS_TRY(amls_stats_set_str(st, "run", "program", p->name));
    AMLS_TRY(amls_stats_set_pairs(st, "run", "parameters", text));
    AMLS_TRY(amls_stats_set_i64(st, "run", "iterations", res->iterations));
    AMLS_TRY(amls_stats_set_f64(st, "run", "seconds", res->seconds));
    AMLS_TRY(amls_stats_set_f64(st, "time", "run_seconds", res->seconds));
    if (res->spi > 0)
        AMLS_TRY(amls_stats_set_f64(st, "run", "seconds_per_iteration", res->spi));
cleanup:
    return rc;
}

/* The values of the linear-algebra entry's parameters (amls_la_algorithm.params), in its order:
 * the program's own where it has the name, else an extra key (keys[k] with extra[k] set), else
 * 0 (the algorithm's default). Local. */
static int la_params(const amls_vprog *p, const amls_param_value *prog, int n,
                     const char *const *keys, const char *const *extra, amls_param_value *la)
{
    const amls_la_algorithm *e = amls_la_find(p->name);
    char name[64];
    int k = 0;
    for (const char *at = e ? e->params : NULL; at && *at && k < 16; k++) {
        size_t len = strcspn(at, ",");
        snprintf(name, sizeof name, "%.*s", (int)len, at);
        at += len + (at[len] == ',');
        la[k].i = 0;
        for (int i = 0; i < p->nparams; i++)
            if (strcmp(p->params[i].name, name) == 0)
                la[k] = prog[i];
        for (int j = 0; j < n; j++) {
            char *end = NULL;
            if (extra[j] == NULL || strcmp(keys[j], name) != 0)
                continue;
            la[k].f = strtod(extra[j], &end);
            if (end == extra[j] || *end != '\0' || isnan(la[k].f))
                return amls_error(AMLS_ERR_PARAM, "%s: parameter %s: expected a number, got '%s'",
                                  p->name, name, extra[j]);
        }
    }
    return AMLS_OK;
}

/* A built-in through linear algebra; keys[k] with extra[k] set are linear algebra's own
 * parameters. Collective. */
static int run_linalg(amls_graph *g, const amls_vprog *p, const char *variant,
                      const char *const *vals, int n, const char *const *keys,
                      const char *const *extra, amls_stats *stats, amls_result *res)
{
    int rc = AMLS_OK;
    amls_param_value *prog = NULL, pv[16] = {{0}};
    double t0 = amls__now();
    amls_type type = 0;
    prog = amls__calloc((size_t)p->nparams + 1, sizeof *prog);
    rc = amls__alloc_status(prog != NULL);
    if (rc == AMLS_OK)
        rc = params_typed(p, vals, prog);
    AMLS_AGREE(g->comm, rc == AMLS_OK ? la_params(p, prog, n, keys, extra, pv) : rc);
    AMLS_TRY(
        amls_la_run(g, p->name, pv, variant, &res->la_values, &type, &res->iterations, &res->spi));
    res->v = (amls_values){g, res->la_values, 8, type, NULL};
    res->seconds = amls__now() - t0;
    if (stats)
        AMLS_AGREE(g->comm, la_stats(stats, p, vals, res));
cleanup:
    amls__free(prog);
    return rc;
}

/* A program on the vertex engine. Collective. */
static int run_vertex(amls_graph *g, const amls_vprog *p, const char *const *vals,
                      int64_t max_supersteps, unsigned flags, amls_stats *stats, amls_result *res)
{
    int rc = AMLS_OK;
    amls_run_opts o = {.max_supersteps = max_supersteps,
                       .quiet = (flags & AMLS_RUN_PROGRESS) == 0,
                       .no_combiner = (flags & AMLS_RUN_NO_COMBINER) != 0,
                       .param_values = vals,
                       .stats = stats};
    AMLS_TRY(amls_run_program(g, p, &o, &res->run));
    res->v = amls_run_values(res->run);
    res->iterations = res->run->supersteps;
    res->seconds = res->run->seconds;
cleanup:
    return rc;
}

int amls_algorithm_run(amls_graph *g, const char *name, const char *engine, const char *variant,
                       int nparams, const char *const *keys, const char *const *values,
                       int64_t max_supersteps, unsigned flags, amls_stats *stats, amls_result **out)
{
    int rc = AMLS_OK;
    amls_result *res = NULL;
    const amls_vprog *p = NULL;
    const char **vals = NULL, **extra = NULL;
    bool linalg = engine && strcmp(engine, "linalg") == 0;
    *out = NULL;
    res = amls__calloc(1, sizeof *res);
    AMLS_AGREE(g->comm, amls__alloc_status(res != NULL));
    AMLS_AGREE(g->comm,
               !engine || linalg || strcmp(engine, "vertex") == 0
                   ? AMLS_OK
                   : amls_error(AMLS_ERR_PARAM, "engine '%s': expected vertex or linalg", engine));
    AMLS_TRY(find_program(g->comm, name, res, &p));
    AMLS_AGREE(g->comm,
               !linalg || res->plugin == NULL
                   ? AMLS_OK
                   : amls_error(AMLS_ERR_PARAM, "the linalg engine runs built-in algorithms only"));
    vals = amls__calloc((size_t)p->nparams + 1, sizeof *vals);
    extra = amls__calloc((size_t)nparams + 1, sizeof *extra);
    rc = amls__alloc_status(vals != NULL && extra != NULL);
    const amls_la_algorithm *la = linalg ? amls_la_find(p->name) : NULL;
    AMLS_AGREE(g->comm, rc == AMLS_OK ? match_params(p, la ? la->params : NULL, nparams, keys,
                                                     values, vals, extra)
                                      : rc);
    if (linalg)
        AMLS_TRY(run_linalg(g, p, variant, vals, nparams, keys, extra, stats, res));
    else
        AMLS_TRY(run_vertex(g, p, vals, max_supersteps, flags, stats, res));
    *out = res;
    res = NULL;
cleanup:
    amls__free(vals);
    amls__free(extra);
    amls_result_free(&res);
    return rc;
}

int amls_result_type(const amls_result *r)
{
    return (int)r->v.type;
}

int64_t amls_result_iterations(const amls_result *r)
{
    return r->iterations;
}

double amls_result_seconds(const amls_result *r)
{
    return r->seconds;
}

double amls_result_seconds_per_iteration(const amls_result *r)
{
    return r->spi;
}

const amls_values *amls_result_values(const amls_result *r)
{
    return &r->v;
}

int amls_result_local(const amls_result *r, int64_t *ids, void *values)
{
    const amls_graph *g = r->v.g;
    if (ids)
        amls_graph_local_ids(g, ids);
    for (int64_t i = 0; values && i < g->n_local; i++)
        memcpy((char *)values + (size_t)i * 8, (const char *)r->v.data + (size_t)i * r->v.stride,
               8);
    return AMLS_OK;
}

int amls_result_gather(const amls_result *r, int root, int64_t *ids, void *values)
{
    int rc = AMLS_OK;
    const amls_graph *g = r->v.g;
    char *packed = NULL;
    /* Values are the first 8 bytes of each element: pack them, then gather. */
    packed = amls__malloc((size_t)g->n_local + 1, 8);
    AMLS_AGREE(g->comm, amls__alloc_status(packed != NULL));
    amls_result_local(r, NULL, packed);
    AMLS_TRY(amls_graph_gather_values(g, root, packed, (int)r->v.type, ids, values));
cleanup:
    amls__free(packed);
    return rc;
}

int amls_error_share(MPI_Comm comm, int rc, char *msg, size_t cap, int *who)
{
    int rank = 0, from = -1;
    char buf[AMLS_MSG_LEN];
    if (cap > 0)
        msg[0] = '\0';
    if (who)
        *who = -1;
    rc = amls_agree(comm, rc, &from);
    if (rc >= 0 || from < 0)
        return rc;
    if (MPI_Comm_rank(comm, &rank) != MPI_SUCCESS)
        return rc;
    if (rank == from) {
        const char *m = amls_last_error();
        snprintf(buf, sizeof buf, "[rank %d] %s", from, m[0] ? m : amls_strerror(rc));
    }
    if (MPI_Bcast(buf, (int)sizeof buf, MPI_CHAR, from, comm) != MPI_SUCCESS)
        snprintf(buf, sizeof buf, "[rank %d] %s", from, amls_strerror(rc));
    if (cap > 0)
        snprintf(msg, cap, "%s", buf);
    if (who)
        *who = from;
    return rc;
}
