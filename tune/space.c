/* ---------------------------------------------------------------------------------------------
 * tune/space.c — search spaces: parsing "NAME=SPEC", grid points, sampling, the Hyperband
 * bracket plan, fold hashing and metric names. Everything here is local and deterministic.
 * SPDX-License-Identifier: MIT
 *
 * A spec is a list ("0.1,1,10"), a linear or logarithmic range with a number of points
 * ("lin:0:1:5", "log:1e-6:1:13", both ends included), an integer range ("int:1:10[:step]"), or
 * a distribution for random search and Hyperband ("uniform:A:B", "loguniform:A:B"). Every
 * value is checked against the parameter's declared range here, so a bad spec is refused
 * before any data are read. Sampling uses the counter-based RNG of io/util.h, so every rank
 * draws the same configurations.
 * ------------------------------------------------------------------------------------------- */
#include "tune_internal.h"

#include <math.h>
#include <stdio.h>

static const char *metric_names[AMLS_METRIC_COUNT] = {"accuracy", "logloss", "rmse"};

int amls_metric_parse(const char *name)
{
    for (int m = 0; m < AMLS_METRIC_COUNT; m++)
        if (strcmp(name, metric_names[m]) == 0)
            return m;
    return -1;
}

const char *amls_metric_name(amls_metric m)
{
    return m >= 0 && m < AMLS_METRIC_COUNT ? metric_names[m] : "?";
}

bool amls_metric_higher_is_better(amls_metric m)
{
    return m == AMLS_METRIC_ACCURACY;
}

void amls_tune_format_double(double x, char *buf, size_t cap)
{
    if (x == floor(x) && fabs(x) < 1e15) { /* integers without an exponent: 1000, not 1e+03 */
        snprintf(buf, cap, "%.0f", x);
        return;
    }
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, cap, "%.*g", prec, x);
        if (strtod(buf, NULL) == x)
            return;
    }
}

/* ---- parsing ----------------------------------------------------------------------------------
 */

/* Parses one finite number ending at `stop` or the end of the string; *end after it. */
static bool number(const char *p, char stop, double *x, const char **end)
{
    char *e = NULL;
    *x = strtod(p, &e);
    if (e == p || !isfinite(*x) || (*e != '\0' && *e != stop))
        return false;
    *end = e;
    return true;
}

/* Splits "A:B[:C]" into up to 3 numbers; returns how many, or -1 if malformed. */
static int numbers(const char *p, double *v, int max)
{
    int n = 0;
    for (;;) {
        const char *e;
        if (n == max || !number(p, ':', &v[n], &e))
            return -1;
        n++;
        if (*e == '\0')
            return n;
        p = e + 1;
    }
}

static int in_range(const amls_tune_param *pp, const char *text, double v)
{
    bool ok = pp->lo_open ? v > pp->lo : v >= pp->lo;
    if (!ok || v > pp->hi) {
        char lo[32], hi[32];
        amls_tune_format_double(pp->lo, lo, sizeof lo);
        amls_tune_format_double(pp->hi, hi, sizeof hi);
        return amls_error(AMLS_ERR_PARAM, "--param %s: %s = %g is outside %s%s, %s]", text,
                          pp->name, v, pp->lo_open ? "(" : "[", lo, hi);
    }
    if (pp->type == AMLS_TUNE_INT && floor(v) != v)
        return amls_error(AMLS_ERR_PARAM, "--param %s: %s takes integers, not %g", text, pp->name,
                          v);
    return AMLS_OK;
}

/* Fills d->values from a range spec ("lin", "log", "int") with numbers v[0..nv). */
static int range_values(amls_tune_domain *d, const char *kind, const double *v, int nv,
                        const char *text)
{
    bool isint = strcmp(kind, "int") == 0, islog = strcmp(kind, "log") == 0;
    if (nv != (isint ? 2 : 3) && !(isint && nv == 3))
        return amls_error(AMLS_ERR_PARAM, "--param %s: expected %s:A:B%s", text, kind,
                          isint ? "[:STEP]" : ":N");
    double a = v[0], b = v[1], c = nv == 3 ? v[2] : 1;
    if (floor(c) != c || (isint && (floor(a) != a || floor(b) != b)))
        return amls_error(AMLS_ERR_PARAM, "--param %s: %s needs integer %s", text, kind,
                          isint ? "bounds and step" : "N");
    if (isint && c < 1)
        return amls_error(AMLS_ERR_PARAM, "--param %s: the step must be >= 1", text);
    if (b < a || (!isint && c < 1))
        return amls_error(AMLS_ERR_PARAM, "--param %s: empty range (%s)", text,
                          b < a ? "the upper end is below the lower end" : "no points");
    if (islog && !(a > 0))
        return amls_error(AMLS_ERR_PARAM, "--param %s: a log range needs positive ends", text);
    double n = isint ? floor((b - a) / c) + 1 : c;
    if (n > AMLS_TUNE_MAX_CONFIG)
        return amls_error(AMLS_ERR_PARAM, "--param %s: more than %d values", text,
                          AMLS_TUNE_MAX_CONFIG);
    d->nvalues = (int64_t)n;
    d->values = amls__malloc((size_t)d->nvalues, sizeof *d->values);
    if (d->values == NULL)
        return amls_error(AMLS_ERR_NOMEM, "out of memory");
    for (int64_t i = 0; i < d->nvalues; i++) {
        double t = d->nvalues > 1 ? (double)i / (double)(d->nvalues - 1) : 0.0;
        if (isint)
            d->values[i] = a + (double)i * c;
        else if (islog)
            d->values[i] = pow(10.0, log10(a) + t * (log10(b) - log10(a)));
        else
            d->values[i] = a + t * (b - a);
    }
    if (!isint && d->nvalues > 1) {
        d->values[0] = a; /* both ends exactly as given */
        d->values[d->nvalues - 1] = b;
    }
    return AMLS_OK;
}

static int list_values(amls_tune_domain *d, const char *spec, const char *text)
{
    int64_t n = 1;
    for (const char *p = spec; *p; p++)
        n += *p == ',';
    d->values = amls__malloc((size_t)n, sizeof *d->values);
    if (d->values == NULL)
        return amls_error(AMLS_ERR_NOMEM, "out of memory");
    const char *p = spec;
    for (d->nvalues = 0; d->nvalues < n; d->nvalues++) {
        const char *e;
        if (!number(p, ',', &d->values[d->nvalues], &e))
            return amls_error(AMLS_ERR_PARAM,
                              "--param %s: expected a number, a list A,B,...,  lin:A:B:N, "
                              "log:A:B:N, int:A:B[:STEP], uniform:A:B or loguniform:A:B",
                              text);
        p = e + (*e == ',');
    }
    return AMLS_OK;
}

static int parse_domain(amls_tune_domain *d, const amls_tune_param *pp, const char *spec,
                        const char *text)
{
    const char *colon = strchr(spec, ':');
    size_t klen = colon ? (size_t)(colon - spec) : 0;
    char kind[16] = "";
    if (colon && klen < sizeof kind)
        memcpy(kind, spec, klen);
    int rc = AMLS_OK;
    if (colon == NULL) {
        d->kind = AMLS_TUNE_VALUES;
        rc = list_values(d, spec, text);
    } else {
        double v[3];
        int nv = numbers(colon + 1, v, 3);
        if (nv < 0)
            return amls_error(AMLS_ERR_PARAM, "--param %s: malformed numbers after '%s:'", text,
                              kind);
        if (!strcmp(kind, "lin") || !strcmp(kind, "log") || !strcmp(kind, "int")) {
            d->kind = AMLS_TUNE_VALUES;
            rc = range_values(d, kind, v, nv, text);
        } else if (!strcmp(kind, "uniform") || !strcmp(kind, "loguniform")) {
            d->kind = kind[0] == 'u' ? AMLS_TUNE_UNIFORM : AMLS_TUNE_LOGUNIFORM;
            if (nv != 2)
                return amls_error(AMLS_ERR_PARAM, "--param %s: expected %s:A:B", text, kind);
            d->lo = v[0];
            d->hi = v[1];
            if (!(d->lo < d->hi))
                return amls_error(AMLS_ERR_PARAM, "--param %s: empty range (A >= B)", text);
            if (d->kind == AMLS_TUNE_LOGUNIFORM && !(d->lo > 0))
                return amls_error(AMLS_ERR_PARAM, "--param %s: loguniform needs A > 0", text);
            if (pp->type == AMLS_TUNE_INT && (floor(d->lo) != d->lo || floor(d->hi) != d->hi))
                return amls_error(AMLS_ERR_PARAM, "--param %s: %s takes integer bounds", text,
                                  pp->name);
            if ((rc = in_range(pp, text, d->lo)) < 0 || (rc = in_range(pp, text, d->hi)) < 0)
                return rc;
            return AMLS_OK;
        } else {
            return amls_error(AMLS_ERR_PARAM,
                              "--param %s: unknown range '%s' (expected lin, log, int, uniform or "
                              "loguniform)",
                              text, kind);
        }
    }
    for (int64_t i = 0; rc == AMLS_OK && i < d->nvalues; i++) {
        rc = in_range(pp, text, d->values[i]);
        for (int64_t j = 0; rc == AMLS_OK && j < i; j++)
            if (d->values[j] == d->values[i])
                rc = amls_error(AMLS_ERR_PARAM, "--param %s: the value %g appears twice", text,
                                d->values[i]);
    }
    return rc;
}

void amls_tune_space_init(amls_tune_space *s, const amls_tune_param *params, int nparams)
{
    memset(s, 0, sizeof *s);
    s->params = params;
    s->nparams = nparams;
}

int amls_tune_space_add(amls_tune_space *s, const char *text)
{
    const char *eq = strchr(text, '=');
    if (eq == NULL || eq == text || eq[1] == '\0')
        return amls_error(AMLS_ERR_PARAM, "--param %s: expected NAME=SPEC", text);
    size_t nl = (size_t)(eq - text);
    int p = -1;
    for (int i = 0; i < s->nparams; i++)
        if (strlen(s->params[i].name) == nl && strncmp(s->params[i].name, text, nl) == 0)
            p = i;
    if (p < 0) {
        char known[256] = "";
        for (int i = 0; i < s->nparams; i++)
            snprintf(known + strlen(known), sizeof known - strlen(known), "%s%s", i ? ", " : "",
                     s->params[i].name);
        return amls_error(AMLS_ERR_PARAM, "--param %s: unknown parameter '%.*s' (known: %s)", text,
                          (int)nl, text, known);
    }
    for (int i = 0; i < s->ndom; i++)
        if (s->dom[i].param == p)
            return amls_error(AMLS_ERR_PARAM, "--param %s: %s is given twice", text,
                              s->params[p].name);
    if (s->ndom == AMLS_TUNE_MAX_PARAMS)
        return amls_error(AMLS_ERR_PARAM, "--param %s: too many parameters", text);
    amls_tune_domain *d = &s->dom[s->ndom];
    memset(d, 0, sizeof *d);
    d->param = p;
    int rc = parse_domain(d, &s->params[p], eq + 1, text);
    if (rc < 0) {
        amls__free(d->values);
        memset(d, 0, sizeof *d);
        return rc;
    }
    s->ndom++;
    return AMLS_OK;
}

void amls_tune_space_free(amls_tune_space *s)
{
    for (int i = 0; i < s->ndom; i++)
        amls__free(s->dom[i].values);
    s->ndom = 0;
}

int64_t amls_tune_space_size(const amls_tune_space *s)
{
    int64_t n = 1;
    for (int i = 0; i < s->ndom; i++) {
        if (s->dom[i].kind != AMLS_TUNE_VALUES)
            return -1;
        n = n > INT64_MAX / s->dom[i].nvalues ? INT64_MAX : n * s->dom[i].nvalues;
    }
    return n;
}

void amls_tune_space_point(const amls_tune_space *s, int64_t i, double *hp)
{
    for (int p = 0; p < s->nparams; p++)
        hp[p] = s->params[p].def;
    for (int k = s->ndom - 1; k >= 0; k--) { /* the last domain varies fastest */
        const amls_tune_domain *d = &s->dom[k];
        hp[d->param] = d->values[i % d->nvalues];
        i /= d->nvalues;
    }
}

/* One draw from every domain (distributions and lists alike). */
static void draw_point(const amls_tune_space *s, uint64_t seed, uint64_t stream, uint64_t *ctr,
                       double *hp)
{
    for (int p = 0; p < s->nparams; p++)
        hp[p] = s->params[p].def;
    for (int k = 0; k < s->ndom; k++) {
        const amls_tune_domain *d = &s->dom[k];
        double u = amls__u01(amls__rand64(seed, stream, (*ctr)++)), v;
        bool isint = s->params[d->param].type == AMLS_TUNE_INT;
        if (d->kind == AMLS_TUNE_VALUES)
            v = d->values[AMLS_MIN((int64_t)(u * (double)d->nvalues), d->nvalues - 1)];
        else if (d->kind == AMLS_TUNE_UNIFORM)
            v = isint ? fmin(d->hi, floor(d->lo + u * (d->hi - d->lo + 1)))
                      : d->lo + u * (d->hi - d->lo);
        else
            v = exp(log(d->lo) + u * (log(d->hi) - log(d->lo)));
        hp[d->param] = isint ? round(v) : v;
    }
}

/* n distinct indices of [0, N) drawn without replacement (N > n). */
static int distinct_indices(int64_t N, int64_t n, uint64_t seed, uint64_t stream, int64_t *out)
{
    if (N <= 1000000) { /* partial Fisher-Yates over the whole index range */
        int64_t *perm = amls__malloc((size_t)N, sizeof *perm);
        if (perm == NULL)
            return amls_error(AMLS_ERR_NOMEM, "out of memory");
        for (int64_t i = 0; i < N; i++)
            perm[i] = i;
        for (int64_t i = 0; i < n; i++) {
            int64_t j = i + (int64_t)(amls__rand64(seed, stream, (uint64_t)i) % (uint64_t)(N - i));
            int64_t t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
            out[i] = perm[i];
        }
        amls__free(perm);
        return AMLS_OK;
    }
    /* A huge grid: draw, sort, drop repeats, draw again until there are n. */
    size_t have = 0;
    uint64_t ctr = 0;
    while ((int64_t)have < n) {
        for (size_t i = have; i < (size_t)n; i++)
            out[i] = (int64_t)(amls__rand64(seed, stream, ctr++) % (uint64_t)N);
        int rc = amls__sort_unique_i64(out, (size_t)n, &have);
        if (rc < 0)
            return rc;
    }
    return AMLS_OK;
}

int amls_tune_space_sample(const amls_tune_space *s, uint64_t seed, uint64_t stream, int64_t n,
                           double *hp, int64_t *got)
{
    int64_t N = amls_tune_space_size(s);
    *got = 0;
    if (N < 0) {
        uint64_t ctr = 0;
        for (int64_t i = 0; i < n; i++)
            draw_point(s, seed, stream, &ctr, hp + i * s->nparams);
        *got = n;
        return AMLS_OK;
    }
    int64_t m = AMLS_MIN(n, N);
    int64_t *idx = amls__malloc((size_t)m + 1, sizeof *idx);
    if (idx == NULL)
        return amls_error(AMLS_ERR_NOMEM, "out of memory");
    int rc = AMLS_OK;
    if (m == N)
        for (int64_t i = 0; i < m; i++)
            idx[i] = i;
    else
        rc = distinct_indices(N, m, seed, stream, idx);
    for (int64_t i = 0; rc == AMLS_OK && i < m; i++)
        amls_tune_space_point(s, idx[i], hp + i * s->nparams);
    amls__free(idx);
    if (rc == AMLS_OK)
        *got = m;
    return rc;
}

void amls_tune_format_config(const amls_tune_space *s, const double *hp, char *buf, size_t cap)
{
    size_t at = 0;
    buf[0] = '\0';
    for (int k = 0; k < s->ndom && at < cap; k++) {
        char v[40];
        int p = s->dom[k].param;
        amls_tune_format_double(hp[p], v, sizeof v);
        at += (size_t)snprintf(buf + at, cap - at, "%s%s=%s", k ? " " : "", s->params[p].name, v);
    }
}

/* ---- Hyperband --------------------------------------------------------------------------------
 */

int amls_tune_hyperband_plan(int64_t R, int64_t r_min, int eta, amls_tune_bracket *bracket,
                             int *nbrackets)
{
    *nbrackets = 0;
    if (eta < 2 || r_min < 1 || R < r_min)
        return amls_error(AMLS_ERR_PARAM,
                          "hyperband: needs eta >= 2 and 1 <= --min-budget <= --max-iterations "
                          "(got eta %d, min %lld, max %lld)",
                          eta, (long long)r_min, (long long)R);
    int smax = 0;
    for (double r = (double)r_min * eta; r <= (double)R && smax + 1 < AMLS_TUNE_MAX_BRACKETS;
         r *= eta)
        smax++;
    for (int s = smax; s >= 0; s--) {
        amls_tune_bracket *b = &bracket[smax - s];
        double es = pow((double)eta, s);
        b->s = s;
        b->n = (int64_t)ceil((double)(smax + 1) * es / (double)(s + 1) - 1e-9);
        int64_t n = b->n;
        for (int i = 0; i <= s; i++) {
            double r = (double)R * pow((double)eta, i - s);
            b->rung[i].n = AMLS_MAX(n, (int64_t)1);
            b->rung[i].budget = i == s ? R : AMLS_MAX((int64_t)llround(r), (int64_t)1);
            n /= eta;
        }
    }
    *nbrackets = smax + 1;
    return AMLS_OK;
}

/* ---- folds ------------------------------------------------------------------------------------
 */

int amls_tune_fold(uint64_t seed, int k, int64_t row)
{
    return (int)(amls__rand64(seed, 0xf01d5eedULL, (uint64_t)row) % (uint64_t)k);
}

int amls_tune_fold_pair(uint64_t seed, int k, int64_t user, int64_t item)
{
    return (int)(amls__rand64(seed ^ amls__mix64((uint64_t)user), 0xf01d5eedULL, (uint64_t)item) %
                 (uint64_t)k);
}
