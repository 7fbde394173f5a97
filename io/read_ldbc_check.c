/* ---------------------------------------------------------------------------------------------
 * io/read_ldbc_check.c — an LDBC Graphalytics vertex file must list every vertex once, and
 * every edge of the edge file must name listed vertices. Both are checked in parallel: the
 * listed ids go to the rank their hash names (which finds ids listed twice), then every edge
 * asks those ranks about its two ends, in rounds of bounded size. A failure names the file
 * and the line: the .v line of the second listing, or the .e line of the first edge found
 * with an unlisted end (found again by counting edge records, on the error path only).
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#include "io_internal.h"

#define EDGES_PER_ROUND ((int64_t)1 << 19)

typedef struct vset {
    int nranks;
    const int64_t *ids, *lines; /* this rank's listed ids and their lines (routing) */
    int64_t *set;               /* the ids that hash to this rank, sorted */
    int64_t nset;
} vset;

static int id_owner(const void *ud, int64_t id)
{
    const vset *s = ud;
    return (int)(amls__mix64((uint64_t)id) % (uint64_t)s->nranks);
}
static int dest_listed(const void *ud, int64_t i)
{
    const vset *s = ud;
    return id_owner(s, s->ids[i]);
}
static void pack_listed(const void *ud, int64_t i, void *rec)
{
    const vset *s = ud;
    int64_t r[2] = {s->ids[i], s->lines[i]};
    memcpy(rec, r, sizeof r);
}

/* The received (id, line) records sorted by id; a repeated id is an error at its second
 * line. Leaves the unique ids in s->set. Local; the error is in err (absolute line). */
static int collect_set(vset *s, const amls__xchg *x, amls__perr *err)
{
    int rc = AMLS_OK;
    int64_t n = x->nrecv / 16, *lines = NULL, best = -1;
    AMLS_ALLOC(s->set, n + 1);
    AMLS_ALLOC(lines, n + 1);
    for (int64_t i = 0; i < n; i++) {
        memcpy(&s->set[i], x->recv + 16 * i, 8);
        memcpy(&lines[i], x->recv + 16 * i + 8, 8);
    }
    /* Stable: records arrive in rank order, which is line order, so repeats keep it. */
    AMLS_TRY(amls__sort_i64(s->set, lines, (size_t)n));
    for (int64_t i = 1; i < n; i++)
        if (s->set[i] == s->set[i - 1] && (best < 0 || lines[i] < lines[best]))
            best = i;
    if (best >= 0) {
        err->abs_known = true;
        amls__perr_set(err, AMLS_ERR_FORMAT, lines[best],
                       "vertex %lld is listed twice (first at line %lld)", (long long)s->set[best],
                       (long long)lines[best - 1]);
    }
    s->nset = n;
cleanup:
    amls__free(lines);
    return rc;
}

/* Routes the listed ids to their hash ranks and checks for repeats. Collective. */
static int check_listed(MPI_Comm comm, const char *vpath, vset *s, int64_t n)
{
    int rc = AMLS_OK;
    amls__xchg x = {0};
    amls__perr err = {0};
    AMLS_TRY(amls__xchg_route(&x, comm, AMLS_OK, n, 16, dest_listed, pack_listed, s));
    AMLS_AGREE(comm, collect_set(s, &x, &err));
    AMLS_TRY(amls__perr_finish(comm, &err, vpath, 0));
cleanup:
    amls__xchg_free(&x);
    return rc;
}

static void answer_listed(const void *ud, int64_t id, void *out)
{
    const vset *s = ud;
    uint8_t yes = amls__bsearch_i64(s->set, s->nset, id) >= 0;
    memcpy(out, &yes, 1);
}

/* The local index of the first edge with an unlisted end (or -1) and that end. Collective
 * (rounds). */
static int find_unlisted(MPI_Comm comm, const amls_raw_graph *g, vset *s, int64_t *bad,
                         int64_t *missing)
{
    int rc = AMLS_OK;
    int64_t rounds = (g->nedges + EDGES_PER_ROUND - 1) / EDGES_PER_ROUND, *keys = NULL;
    uint8_t *yes = NULL;
    *bad = -1;
    AMLS_TRY(amls__allreduce_i64(comm, &rounds, 1, MPI_MAX));
    keys = amls__malloc(2 * (size_t)EDGES_PER_ROUND, sizeof *keys);
    yes = amls__malloc(2 * (size_t)EDGES_PER_ROUND, 1);
    AMLS_AGREE(comm, keys && yes
                         ? AMLS_OK
                         : amls_error(AMLS_ERR_NOMEM, "out of memory for the LDBC vertex check"));
    for (int64_t r = 0; r < rounds; r++) {
        int64_t e0 = AMLS_MIN(r * EDGES_PER_ROUND, g->nedges);
        int64_t ne = AMLS_MIN(EDGES_PER_ROUND, g->nedges - e0);
        for (int64_t k = 0; k < ne; k++) {
            keys[2 * k] = amls_raw_src(g, e0 + k);
            keys[2 * k + 1] = amls_raw_dst(g, e0 + k);
        }
        AMLS_TRY(amls__xchg_lookup(comm, keys, 2 * ne, id_owner, s, answer_listed, s, 1, yes));
        for (int64_t k = 0; k < 2 * ne && *bad < 0; k++)
            if (!yes[k]) {
                *bad = e0 + k / 2;
                *missing = keys[k];
            }
    }
cleanup:
    amls__free(keys);
    amls__free(yes);
    return rc;
}

/* Error path: counts edge records again to name the line of local edge `bad`. */
typedef struct recount {
    const amls_raw_graph *g;
    int64_t bad, missing, k;
    const char *vpath;
} recount;

static int recount_line(void *ud, char *line, int64_t rel, amls__perr *err)
{
    recount *c = ud;
    const char *p = amls__skip_ws(line);
    if (*p == '\0' || *p == '#' || *p == '%' || c->k++ != c->bad)
        return 0;
    return amls__perr_set(err, AMLS_ERR_NOT_FOUND, rel,
                          "edge %lld %lld: vertex %lld is not listed in %s",
                          (long long)amls_raw_src(c->g, c->bad),
                          (long long)amls_raw_dst(c->g, c->bad), (long long)c->missing, c->vpath);
}

int amls__ldbc_check(MPI_Comm comm, const char *vpath, const char *epath, const int64_t *ids,
                     const int64_t *lines, int64_t n, const amls_raw_graph *g)
{
    int rc = AMLS_OK, nranks = 1;
    vset s = {.ids = ids, .lines = lines};
    int64_t bad = -1, missing = -1, any = 0;
    AMLS_TRY(amls__comm_rank(comm, NULL, &nranks));
    s.nranks = nranks;
    AMLS_TRY(check_listed(comm, vpath, &s, n));
    AMLS_TRY(find_unlisted(comm, g, &s, &bad, &missing));
    any = bad >= 0;
    AMLS_TRY(amls__allreduce_i64(comm, &any, 1, MPI_MAX));
    if (any) {
        recount c = {g, bad, missing, 0, vpath};
        AMLS_TRY(amls__read_body(comm, epath, 0, 0, recount_line, &c, NULL));
        AMLS_AGREE(comm,
                   amls_error(AMLS_ERR_INTERNAL, "%s: unlisted vertex not found again", epath));
    }
cleanup:
    amls__free(s.set);
    return rc;
}
