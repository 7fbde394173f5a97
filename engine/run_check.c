/* ---------------------------------------------------------------------------------------------
 * engine/run_check.c — what the engine checks before a program runs: the descriptor (ABI
 * versions, sizes, callbacks, tables) and the parameter values.
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#include "run_internal.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <strings.h>

/* ABI versions and the descriptor's size. */
static int check_abi(const amls_vprog *p, char *err, size_t errlen)
{
    if (p->abi_major != AMLS_ABI_MAJOR) {
        snprintf(err, errlen,
                 "ABI major version %u, but this engine implements major version %d; rebuild "
                 "the program against this engine's amls/vprog.h",
                 p->abi_major, AMLS_ABI_MAJOR);
        return AMLS_ERR_ABI;
    }
    if (p->abi_minor > AMLS_ABI_MINOR) {
        snprintf(err, errlen,
                 "ABI version %u.%u is newer than this engine's %d.%d; use a newer engine",
                 p->abi_major, p->abi_minor, AMLS_ABI_MAJOR, AMLS_ABI_MINOR);
        return AMLS_ERR_ABI;
    }
    if (p->struct_size < offsetof(amls_vprog, finalize)) {
        snprintf(err, errlen, "descriptor struct_size %u is too small", p->struct_size);
        return AMLS_ERR_ABI;
    }
    return AMLS_OK;
}

/* Sizes and the combiner. */
static int check_messages(const amls_vprog *p, const char *name, char *err, size_t errlen)
{
    if (p->state_size == 0 || p->state_size > (1u << 20)) {
        snprintf(err, errlen, "%s: state_size %zu must be in 1..1048576", name, p->state_size);
        return AMLS_ERR_VPROG;
    }
    if (p->msg_size > (1u << 16)) {
        snprintf(err, errlen, "%s: msg_size %zu exceeds 65536", name, p->msg_size);
        return AMLS_ERR_VPROG;
    }
    if (p->combiner.op == AMLS_OP_NONE)
        return AMLS_OK;
    const amls_combiner *c = &p->combiner;
    size_t tsz = c->type == AMLS_TYPE_I64 || c->type == AMLS_TYPE_F64 ? 8 : 4;
    /* [1.2] ANY keeps whole messages of any size; MIN/MAX may be keyed: a message longer than
     * its I64/F64 key. */
    bool v12 = p->abi_minor >= 2;
    bool keyed =
        v12 && (c->op == AMLS_OP_MIN || c->op == AMLS_OP_MAX) && tsz == 8 && p->msg_size > 8;
    bool ok = c->op == AMLS_OP_USER ? c->fn != NULL
              : c->op == AMLS_OP_ANY
                  ? v12 && p->msg_size > 0
                  : c->op < AMLS_OP_USER && c->type >= AMLS_TYPE_I64 && c->type <= AMLS_TYPE_F32 &&
                        (tsz == p->msg_size || keyed);
    if (!ok) {
        snprintf(err, errlen, "%s: combiner does not match msg_size %zu", name, p->msg_size);
        return AMLS_ERR_VPROG;
    }
    return AMLS_OK;
}

static bool builtin_op(amls_op op, amls_type type)
{
    return (op == AMLS_OP_SUM || op == AMLS_OP_MIN || op == AMLS_OP_MAX) &&
           (type == AMLS_TYPE_I64 || type == AMLS_TYPE_F64);
}

/* The aggregator tables (scalar, then [1.1] extended). */
static int check_aggregators(const amls_vprog *p, const char *name, char *err, size_t errlen)
{
    for (int i = 0; i < p->naggregators; i++)
        if (!builtin_op(p->aggregators[i].op, p->aggregators[i].type)) {
            snprintf(err, errlen, "%s: aggregator %d needs op SUM/MIN/MAX and type I64/F64", name,
                     i);
            return AMLS_ERR_VPROG;
        }
    if (p->struct_size < offsetof(amls_vprog, naggregators_ext) + sizeof(int))
        return AMLS_OK; /* built before [1.1]: no extended aggregators */
    if (p->naggregators_ext < 0 || (p->naggregators_ext > 0 && p->aggregators_ext == NULL)) {
        snprintf(err, errlen, "%s: extended aggregator table is inconsistent", name);
        return AMLS_ERR_VPROG;
    }
    for (int i = 0; i < p->naggregators_ext; i++) {
        const amls_aggregator_ext *e = &p->aggregators_ext[i];
        bool ok = e->op == AMLS_OP_USER
                      ? e->fn != NULL && e->size >= 1 && e->size <= 4096
                      : builtin_op(e->op, e->type) && e->count >= 1 && e->count <= 512;
        if (!ok) {
            snprintf(err, errlen,
                     "%s: aggregator %d needs op SUM/MIN/MAX over 1..512 I64/F64 values, or "
                     "AMLS_OP_USER with fn and a size of 1..4096 bytes",
                     name, p->naggregators + i);
            return AMLS_ERR_VPROG;
        }
    }
    return AMLS_OK;
}

/* The declared parameter named `name`, or NULL. */
static const amls_param *param_named(const amls_vprog *p, const char *name)
{
    for (int i = 0; name && i < p->nparams; i++)
        if (p->params[i].name && strcmp(p->params[i].name, name) == 0)
            return &p->params[i];
    return NULL;
}

/* The [1.2] range table: each entry names a numeric parameter and has min <= max. */
static int check_ranges(const amls_vprog *p, const char *name, char *err, size_t errlen)
{
    if (p->struct_size < offsetof(amls_vprog, nparam_ranges) + sizeof(int))
        return AMLS_OK; /* built before [1.2]: no ranges */
    if (p->nparam_ranges < 0 || (p->nparam_ranges > 0 && p->param_ranges == NULL)) {
        snprintf(err, errlen, "%s: parameter range table is inconsistent", name);
        return AMLS_ERR_VPROG;
    }
    for (int i = 0; i < p->nparam_ranges; i++) {
        const amls_param_range *r = &p->param_ranges[i];
        const amls_param *d = param_named(p, r->name);
        if (d == NULL || (d->type != AMLS_PARAM_INT && d->type != AMLS_PARAM_FLOAT) ||
            !(r->min <= r->max)) {
            snprintf(err, errlen,
                     "%s: parameter range %d must name an INT or FLOAT parameter and have "
                     "min <= max",
                     name, i);
            return AMLS_ERR_VPROG;
        }
    }
    return AMLS_OK;
}

/* The declared range of parameter d, or NULL. */
static const amls_param_range *range_of(const amls_vprog *p, const amls_param *d)
{
    if (p->struct_size < offsetof(amls_vprog, nparam_ranges) + sizeof(int))
        return NULL;
    for (int i = 0; i < p->nparam_ranges && p->param_ranges; i++)
        if (p->param_ranges[i].name && strcmp(p->param_ranges[i].name, d->name) == 0)
            return &p->param_ranges[i];
    return NULL;
}

int amls_vprog_check(const amls_vprog *p, char *err, size_t errlen)
{
    if (p == NULL) {
        snprintf(err, errlen, "the entry point returned no descriptor");
        return AMLS_ERR_VPROG;
    }
    int rc = check_abi(p, err, errlen);
    if (rc < 0)
        return rc;
    const char *name = p->name ? p->name : "(unnamed)";
    if (p->name == NULL || p->name[0] == '\0') {
        snprintf(err, errlen, "descriptor has no name");
        return AMLS_ERR_VPROG;
    }
    if (p->compute == NULL) {
        snprintf(err, errlen, "%s: descriptor has no compute callback", name);
        return AMLS_ERR_VPROG;
    }
    if ((rc = check_messages(p, name, err, errlen)) < 0)
        return rc;
    if (p->naggregators < 0 || (p->naggregators > 0 && p->aggregators == NULL) || p->nparams < 0 ||
        (p->nparams > 0 && p->params == NULL)) {
        snprintf(err, errlen, "%s: aggregator or parameter table is inconsistent", name);
        return AMLS_ERR_VPROG;
    }
    if ((rc = check_aggregators(p, name, err, errlen)) < 0)
        return rc;
    if (p->struct_size >= offsetof(amls_vprog, reply) + sizeof p->reply &&
        ((p->reply_size > 0) != (p->reply != NULL) || p->reply_size > (1u << 16))) {
        snprintf(err, errlen, "%s: reply needs both reply_size (1..65536) and the callback", name);
        return AMLS_ERR_VPROG;
    }
    for (int i = 0; i < p->nparams; i++)
        if (p->params[i].name == NULL || p->params[i].type < AMLS_PARAM_INT ||
            p->params[i].type > AMLS_PARAM_VERTEX) {
            snprintf(err, errlen, "%s: parameter %d has no name or an unknown type", name, i);
            return AMLS_ERR_VPROG;
        }
    if ((rc = check_ranges(p, name, err, errlen)) < 0)
        return rc;
    if (p->format == NULL && p->result_type != AMLS_TYPE_I64 && p->result_type != AMLS_TYPE_F64 &&
        p->result_type != 0) {
        snprintf(err, errlen, "%s: result_type must be I64 or F64", name);
        return AMLS_ERR_VPROG;
    }
    return AMLS_OK;
}

/* One parameter value of declared type d. */
static int parse_one(const amls_vprog *p, const amls_param *d, const char *v, amls__parval *out)
{
    char *end = NULL;
    errno = 0;
    switch (d->type) {
    case AMLS_PARAM_INT:
    case AMLS_PARAM_VERTEX:
        out->i = strtoll(v, &end, 10);
        if (*v == '\0' || *end != '\0' || errno)
            return amls_error(AMLS_ERR_PARAM, "%s: parameter --%s expects an integer, got '%s'",
                              p->name, d->name, v);
        return AMLS_OK;
    case AMLS_PARAM_FLOAT:
        out->f = strtod(v, &end);
        if (*v == '\0' || *end != '\0' || isnan(out->f))
            return amls_error(AMLS_ERR_PARAM, "%s: parameter --%s expects a number, got '%s'",
                              p->name, d->name, v);
        return AMLS_OK;
    case AMLS_PARAM_BOOL:
        if (!strcasecmp(v, "1") || !strcasecmp(v, "true") || !strcasecmp(v, "yes"))
            out->i = 1;
        else if (!strcasecmp(v, "0") || !strcasecmp(v, "false") || !strcasecmp(v, "no"))
            out->i = 0;
        else
            return amls_error(AMLS_ERR_PARAM, "%s: parameter --%s expects true or false, got '%s'",
                              p->name, d->name, v);
        return AMLS_OK;
    default:
        out->s = v;
        return AMLS_OK;
    }
}

int amls__params_parse(const amls_vprog *p, const char *const *vals, amls__parval *par)
{
    int rc = AMLS_OK;
    for (int i = 0; i < p->nparams; i++) {
        const amls_param *d = &p->params[i];
        const char *v = vals && vals[i] ? vals[i] : d->def;
        AMLS_CHECK(v != NULL, AMLS_ERR_PARAM, "%s: parameter --%s is required (%s)", p->name,
                   d->name, d->help ? d->help : "");
        AMLS_TRY(parse_one(p, d, v, &par[i]));
        const amls_param_range *r = range_of(p, d);
        double x = d->type == AMLS_PARAM_FLOAT ? par[i].f : (double)par[i].i;
        AMLS_CHECK(r == NULL || (x >= r->min && x <= r->max), AMLS_ERR_PARAM,
                   "%s: parameter --%s %s: out of range (%g..%g)", p->name, d->name, v,
                   r ? r->min : 0.0, r ? r->max : 0.0);
    }
cleanup:
    return rc;
}

int amls_params_check(const amls_vprog *p, const char *const *vals)
{
    int rc = AMLS_OK;
    amls__parval *par = NULL;
    char why[256] = "";
    rc = amls_vprog_check(p, why, sizeof why);
    AMLS_CHECK(rc == AMLS_OK, rc, "%s", why);
    AMLS_CALLOC(par, p->nparams + 1);
    AMLS_TRY(amls__params_parse(p, vals, par));
cleanup:
    amls__free(par);
    return rc;
}

void amls__params_text(const amls_vprog *p, const char *const *vals, char *buf, size_t cap)
{
    buf[0] = '\0';
    for (int i = 0, at = 0; i < p->nparams && at < (int)cap - 1; i++) {
        const char *v = vals && vals[i] ? vals[i] : p->params[i].def;
        at += snprintf(buf + at, cap - (size_t)at, "%s%s=%s", i ? " " : "", p->params[i].name,
                       v ? v : "");
    }
}

int amls__params_check_vertices(const amls_graph *g, const amls_vprog *p, const amls__parval *par)
{
    int rc = AMLS_OK;
    for (int i = 0; i < p->nparams; i++) {
        if (p->params[i].type != AMLS_PARAM_VERTEX)
            continue;
        int64_t gid = -1;
        AMLS_TRY(amls_graph_find(g, par[i].i, &gid));
        if (gid < 0)
            AMLS_AGREE(g->comm, g->rank == 0
                                    ? amls_error(AMLS_ERR_NOT_FOUND,
                                                 "%s: --%s %lld: no such vertex in the "
                                                 "graph",
                                                 p->name, p->params[i].name, (long long)par[i].i)
                                    : AMLS_ERR_NOT_FOUND);
    }
cleanup:
    return rc;
}
