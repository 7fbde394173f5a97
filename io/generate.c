/* ---------------------------------------------------------------------------------------------
 * io/generate.c — graph generators: Kronecker (R-MAT with the Graph500 initiator), uniform
 * random and 2-D grids.
 * SPDX-License-Identifier: MIT
 *
 * Every random choice is a function of (seed, edge index), never of the rank, so the same seed
 * gives the same edge set at every rank count. Kronecker vertex labels are scrambled with a
 * bijection of [0, 2^scale) so that degree is not correlated with id (as Graph500 does with
 * its permutation). Graph500 parameters: A = 0.57, B = C = 0.19, edge factor 16.
 * ------------------------------------------------------------------------------------------- */
#include "io_internal.h"

#include <stdio.h>
#include <strings.h>

void amls_gen_spec_default(amls_gen_spec *s)
{
    memset(s, 0, sizeof *s);
    snprintf(s->kind, sizeof s->kind, "kron");
    s->scale = 10;
    s->edge_factor = 16;
    s->seed = 1;
    s->a = 0.57;
    s->b = 0.19;
    s->c = 0.19;
}

int amls_gen_spec_parse(const char *text, amls_gen_spec *s)
{
    amls_gen_spec_default(s);
    if (strncmp(text, "gen:", 4) == 0)
        text += 4;
    char buf[512];
    snprintf(buf, sizeof buf, "%s", text);
    char *colon = strchr(buf, ':');
    if (colon)
        *colon = '\0';
    if (strcmp(buf, "kron") && strcmp(buf, "uniform") && strcmp(buf, "grid"))
        return amls_error(AMLS_ERR_INVALID,
                          "generator '%s': unknown kind (expected kron, uniform or grid)", buf);
    memcpy(s->kind, buf, strlen(buf) + 1); /* checked above: one of three short names */
    char *save = NULL;
    for (char *kv = colon ? strtok_r(colon + 1, ",", &save) : NULL; kv;
         kv = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(kv, '=');
        if (eq == NULL)
            return amls_error(AMLS_ERR_INVALID, "generator option '%s': expected key=value", kv);
        *eq = '\0';
        const char *k = kv, *v = eq + 1;
        char *end = NULL;
        double x = strtod(v, &end);
        if (end == v || *end != '\0')
            return amls_error(AMLS_ERR_INVALID, "generator option %s=%s: expected a number", k, v);
        if (!strcmp(k, "scale"))
            s->scale = (int)x;
        else if (!strcmp(k, "edge-factor") || !strcmp(k, "ef"))
            s->edge_factor = (int)x;
        else if (!strcmp(k, "seed"))
            s->seed = (uint64_t)x;
        else if (!strcmp(k, "rows"))
            s->rows = (int64_t)x;
        else if (!strcmp(k, "cols"))
            s->cols = (int64_t)x;
        else if (!strcmp(k, "weighted"))
            s->weighted = x != 0;
        else if (!strcmp(k, "a"))
            s->a = x;
        else if (!strcmp(k, "b"))
            s->b = x;
        else if (!strcmp(k, "c"))
            s->c = x;
        else
            return amls_error(AMLS_ERR_INVALID,
                              "generator option '%s' unknown (scale, edge-factor, seed, rows, "
                              "cols, weighted, a, b, c)",
                              k);
    }
    return AMLS_OK;
}

/* A bijection of [0, 2^bits): multiply by odd constants, add a seed, xor-shift. */
static uint64_t scramble(uint64_t x, int bits, uint64_t seed)
{
    if (bits == 0)
        return 0;
    uint64_t mask = bits >= 64 ? ~(uint64_t)0 : (((uint64_t)1 << bits) - 1);
    int sh = (bits + 1) / 2;
    uint64_t k = amls__mix64(seed);
    x = (x * 0x9e3779b97f4a7c15ULL + k) & mask;
    x ^= x >> sh;
    x = (x * (0xbf58476d1ce4e5b9ULL | 1)) & mask;
    x ^= x >> sh;
    x = (x * (0x94d049bb133111ebULL | 1) + (k >> 7)) & mask;
    x ^= x >> sh;
    return x;
}

static double weight_of(const amls_gen_spec *s, uint64_t e)
{
    if (!s->weighted)
        return 1.0; /* not stored: a compact graph keeps no weights until one differs from 1 */
    return (double)(1 + amls__rand64(s->seed, 3, e) % 255);
}

/* This rank's share of a rows x cols grid (edges right and down). Local. */
static int gen_grid(const amls_gen_spec *s, int rank, int nranks, amls_raw_graph *out)
{
    int rc = AMLS_OK;
    int64_t rows = s->rows, cols = s->cols;
    if (rows <= 0 && cols <= 0) {
        rows = (int64_t)1 << (s->scale / 2);
        cols = (int64_t)1 << (s->scale - s->scale / 2);
    } else if (rows <= 0) {
        rows = cols;
    } else if (cols <= 0) {
        cols = rows;
    }
    AMLS_CHECK(rows > 0 && cols > 0 && rows <= INT64_MAX / cols, AMLS_ERR_INVALID,
               "grid %lld x %lld: bad size", (long long)rows, (long long)cols);
    int64_t n = rows * cols;
    int64_t lo = amls__muldiv(n, rank, nranks), hi = amls__muldiv(n, rank + 1, nranks);
    for (int64_t k = lo; k < hi; k++) {
        if (k % cols + 1 < cols)
            AMLS_TRY(amls_raw_graph_push(out, k, k + 1, weight_of(s, 2 * (uint64_t)k)));
        if (k + cols < n)
            AMLS_TRY(amls_raw_graph_push(out, k, k + cols, weight_of(s, 2 * (uint64_t)k + 1)));
    }
    out->nverts = n;
    out->edges_read = rows * (cols - 1) + (rows - 1) * cols;
cleanup:
    return rc;
}

/* Endpoints of Kronecker edge e: one quadrant per level, then scrambled labels. */
static void kron_edge(const amls_gen_spec *s, int64_t e, uint64_t *pu, uint64_t *pv)
{
    double ab = s->a + s->b, abc = s->a + s->b + s->c;
    uint64_t u = 0, v = 0;
    for (int lvl = 0; lvl < s->scale; lvl++) {
        double r = amls__u01(amls__rand64(s->seed, 1, (uint64_t)e * 64 + (uint64_t)lvl));
        u <<= 1;
        v <<= 1;
        if (r < s->a) {
        } else if (r < ab) {
            v |= 1;
        } else if (r < abc) {
            u |= 1;
        } else {
            u |= 1;
            v |= 1;
        }
    }
    *pu = scramble(u, s->scale, s->seed);
    *pv = scramble(v, s->scale, s->seed);
}

/* This rank's share of the edges of a Kronecker or uniform random graph. Local. */
static int gen_random(const amls_gen_spec *s, int rank, int nranks, amls_raw_graph *out)
{
    int rc = AMLS_OK;
    AMLS_CHECK(s->scale >= 0 && s->scale <= 40, AMLS_ERR_INVALID,
               "generator scale %d out of range 0..40", s->scale);
    AMLS_CHECK(s->edge_factor >= 0, AMLS_ERR_INVALID, "negative edge factor");
    bool kron = !strcmp(s->kind, "kron");
    AMLS_CHECK(!kron || (s->a >= 0 && s->b >= 0 && s->c >= 0 && s->a + s->b + s->c <= 1),
               AMLS_ERR_INVALID, "Kronecker initiator a=%g b=%g c=%g is not a distribution", s->a,
               s->b, s->c);
    int64_t n = (int64_t)1 << s->scale;
    int64_t m = (int64_t)s->edge_factor * n;
    int64_t lo = amls__muldiv(m, rank, nranks), hi = amls__muldiv(m, rank + 1, nranks);
    for (int64_t e = lo; e < hi; e++) {
        uint64_t u = 0, v = 0;
        if (kron) {
            kron_edge(s, e, &u, &v);
        } else {
            u = amls__rand64(s->seed, 1, 2 * (uint64_t)e) % (uint64_t)n;
            v = amls__rand64(s->seed, 1, 2 * (uint64_t)e + 1) % (uint64_t)n;
        }
        AMLS_TRY(amls_raw_graph_push(out, (amls_vid)u, (amls_vid)v, weight_of(s, (uint64_t)e)));
    }
    out->nverts = n;
    out->edges_read = m;
cleanup:
    return rc;
}

int amls_generate(MPI_Comm comm, const amls_gen_spec *s, amls_raw_graph *out)
{
    return amls__generate(comm, s, false, out);
}

int amls__generate(MPI_Comm comm, const amls_gen_spec *s, bool compact, amls_raw_graph *out)
{
    int rc = AMLS_OK, rank = 0, nranks = 1;
    memset(out, 0, sizeof *out);
    out->compact = compact;
    AMLS_TRY(amls__comm_rank(comm, &rank, &nranks));
    out->format = AMLS_FORMAT_GEN;
    out->directed = false;
    out->weighted = s->weighted;
    out->vset = AMLS_VSET_RANGE;
    out->vbase = 0;
    AMLS_AGREE(comm, !strcmp(s->kind, "grid") ? gen_grid(s, rank, nranks, out)
                                              : gen_random(s, rank, nranks, out));
    amls__raw_graph_trim(out);
cleanup:
    if (rc < 0)
        amls_raw_graph_free(out);
    return rc;
}
