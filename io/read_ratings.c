/* ---------------------------------------------------------------------------------------------
 * io/read_ratings.c — rating files ("user item rating [timestamp]", MovieLens u.data) read in
 * parallel into a bipartite raw graph, with a train/test split that does not depend on the
 * rank count.
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#include "io_internal.h"

#include <math.h>

typedef struct rt_ctx {
    amls_raw_graph *g;
    double fraction;
    uint64_t seed;
    int64_t records;
} rt_ctx;

static bool is_test(uint64_t seed, int64_t u, int64_t i, double fraction)
{
    return amls__u01(amls__rand64(seed, 0x7e57, (uint64_t)u * 0x100000000ULL + (uint64_t)i)) <
           fraction;
}

static int rating_line(void *ud, char *line, int64_t rel, amls__perr *err)
{
    rt_ctx *c = ud;
    const char *p = amls__skip_ws(line);
    if (*p == '\0' || *p == '#' || *p == '%')
        return 0;
    int64_t u, i;
    double rating;
    if (amls__parse_i64(&p, &u) != 1 || amls__parse_i64(&p, &i) != 1 ||
        amls__parse_f64(&p, &rating) != 1)
        return amls__perr_set(err, AMLS_ERR_PARSE, rel,
                              "expected 'user item rating [timestamp]', got \"%.40s\"", line);
    if (u < 0 || i < 0 || u >= AMLS_RATINGS_ITEM_BASE || i >= AMLS_RATINGS_ITEM_BASE)
        return amls__perr_set(err, AMLS_ERR_RANGE, rel, "user or item id out of range");
    if (!isfinite(rating) || rating <= 0)
        return amls__perr_set(err, AMLS_ERR_NUMERIC, rel,
                              "rating must be a positive finite number, got %g", rating);
    double w = is_test(c->seed, u, i, c->fraction) ? -rating : rating;
    if (amls_raw_graph_push(c->g, u, AMLS_RATINGS_ITEM_BASE + i, w) < 0)
        return amls__perr_set(err, AMLS_ERR_NOMEM, rel, "out of memory");
    c->records++;
    return 0;
}

int amls_ratings_read(MPI_Comm comm, const char *path, double fraction, uint64_t seed,
                      amls_raw_graph *out)
{
    int rc = AMLS_OK;
    memset(out, 0, sizeof *out);
    rt_ctx c = {.g = out, .fraction = fraction, .seed = seed};
    AMLS_TRY(amls__read_body(comm, path, 0, 0, rating_line, &c, NULL));
    AMLS_TRY(amls__finish_edges(comm, out, c.records, 0, 1));
    out->directed = false;
    out->vset = AMLS_VSET_IMPLICIT;
    out->format = AMLS_FORMAT_EDGELIST;
cleanup:
    if (rc < 0)
        amls_raw_graph_free(out);
    return rc;
}

int amls_ratings_from_arrays(MPI_Comm comm, int64_t n, const int64_t *users, const int64_t *items,
                             const double *ratings, double fraction, uint64_t seed,
                             amls_raw_graph *out)
{
    int rc = AMLS_OK;
    memset(out, 0, sizeof *out);
    for (int64_t k = 0; k < n && rc == AMLS_OK; k++) {
        int64_t u = users[k], i = items[k];
        double r = ratings[k];
        if (u < 0 || i < 0 || u >= AMLS_RATINGS_ITEM_BASE || i >= AMLS_RATINGS_ITEM_BASE)
            rc = amls_error(AMLS_ERR_RANGE, "rating %lld: user or item id out of range",
                            (long long)k);
        else if (!isfinite(r) || r <= 0)
            rc = amls_error(AMLS_ERR_NUMERIC,
                            "rating %lld: must be a positive finite number, got %g", (long long)k,
                            r);
        else
            rc = amls_raw_graph_push(out, u, AMLS_RATINGS_ITEM_BASE + i,
                                     is_test(seed, u, i, fraction) ? -r : r);
    }
    AMLS_AGREE(comm, rc);
    AMLS_TRY(amls__finish_edges(comm, out, n, 0, 1));
    out->directed = false;
    out->vset = AMLS_VSET_IMPLICIT;
    out->format = AMLS_FORMAT_EDGELIST;
cleanup:
    if (rc < 0)
        amls_raw_graph_free(out);
    return rc;
}
