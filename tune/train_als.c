/* ---------------------------------------------------------------------------------------------
 * tune/train_als.c — the ALS trainer: matrix factorisation of a rating graph (amls_als_run)
 * under cross-validation.
 * SPDX-License-Identifier: MIT
 *
 * The ratings are read once over all ranks as a bipartite raw graph with every rating in the
 * training set. Each group receives a copy of the raw edges (every rank sends its edges to one
 * member of every group) and builds its own partitioned graph on its communicator. A rating's
 * fold is a hash of (user, item), so both arcs of a rating, wherever they are stored, agree.
 * To validate on fold f the group negates the weights of f's ratings, which is how
 * amls_als_run marks held-out ratings: it fits on the positive ones and reports the RMSE of
 * the negative ones. The budget unit is the ALS iteration (one user and one item half-step);
 * ALS always runs its full budget.
 * ------------------------------------------------------------------------------------------- */
#include "tune_internal.h"

#include "amls/graph.h"

#include <math.h>

enum { P_RANK = 0, P_LAMBDA = 1 };

static const amls_tune_param als_params[] = {
    {"rank", AMLS_TUNE_INT, 10, 1, 1000, false, "latent factors K"},
    {"lambda", AMLS_TUNE_REAL, 0.1, 0, INFINITY, true, "weighted-lambda regularisation"},
};

typedef struct als_data {
    amls_raw_graph raw; /* all ratings, over world (consumed by the refit) */
    int64_t ratings;
    char partition[256];
} als_data;

typedef struct als_gdata {
    amls_graph *g;
    double *wabs;  /* |rating| per stored arc */
    uint8_t *fold; /* fold per stored arc */
    uint64_t seed;
} als_gdata;

typedef struct als_model {
    amls_graph *g;
    double *factors; /* K per owned vertex */
    int K;
} als_model;

static amls_build_opts build_opts(const als_data *d)
{
    amls_build_opts bo = {.method = amls_part_method_parse(d->partition)};
    bo.part_file = bo.method == AMLS_PART_FILE ? d->partition : NULL;
    return bo;
}

static void als_free_data(void *data)
{
    als_data *d = data;
    if (d == NULL)
        return;
    amls_raw_graph_free(&d->raw);
    amls__free(d);
}

static int als_load(MPI_Comm world, const char *train, const char *test, const char *part,
                    void **out)
{
    int rc = AMLS_OK;
    als_data *d = amls__calloc(1, sizeof *d);
    *out = NULL;
    AMLS_AGREE(world, amls__alloc_status(d != NULL));
    AMLS_CHECK(test == NULL, AMLS_ERR_UNSUPPORTED,
               "tune --model als: --test is not supported (the score is the cross-validated "
               "RMSE)");
    AMLS_TRY(amls_als_read(world, train, 0.0, 1, &d->raw));
    snprintf(d->partition, sizeof d->partition, "%s", part ? part : "metis");
    d->ratings = d->raw.edges_read;
    *out = d;
    d = NULL;
cleanup:
    als_free_data(d);
    return rc;
}

static int64_t als_rows(const void *data)
{
    return ((const als_data *)data)->ratings;
}

enum { EDGE_BYTES = 3 * sizeof(int64_t) };

/* Packs every edge once for one member of each group (groups are contiguous runs of ranks). */
static int pack_edges(amls__xchg *x, int rank, int P, int ngroups, const amls_raw_graph *raw)
{
    int rc = AMLS_OK;
    AMLS_TRY(amls__xchg_init(x, x->comm));
    for (int g = 0; g < ngroups; g++) {
        int lo = amls__group_first(g, ngroups, P), s = amls__group_first(g + 1, ngroups, P) - lo;
        amls__xchg_count(x, lo + rank % s, raw->nedges * (int64_t)EDGE_BYTES);
    }
    AMLS_TRY(amls__xchg_pack(x));
    for (int g = 0; g < ngroups; g++) {
        int lo = amls__group_first(g, ngroups, P), s = amls__group_first(g + 1, ngroups, P) - lo;
        for (int64_t e = 0; e < raw->nedges; e++) {
            char *p = amls__xchg_put(x, lo + rank % s, EDGE_BYTES);
            memcpy(p, &raw->src[e], 8);
            memcpy(p + 8, &raw->dst[e], 8);
            memcpy(p + 16, &raw->w[e], 8);
        }
    }
cleanup:
    return rc;
}

/* The received edges as a raw graph. Local. */
static int unpack_edges(const amls__xchg *x, const amls_raw_graph *raw, amls_raw_graph *out)
{
    int rc = AMLS_OK;
    for (int64_t at = 0; at < x->nrecv; at += EDGE_BYTES) {
        amls_vid u, v;
        double w;
        memcpy(&u, x->recv + at, 8);
        memcpy(&v, x->recv + at + 8, 8);
        memcpy(&w, x->recv + at + 16, 8);
        AMLS_TRY(amls_raw_graph_push(out, u, v, w));
    }
    out->directed = false;
    out->weighted = true;
    out->vset = AMLS_VSET_IMPLICIT;
    out->format = AMLS_FORMAT_EDGELIST;
    out->edges_read = raw->edges_read;
cleanup:
    return rc;
}

/* A copy of every rank's raw edges on one member of each group. Collective on world. */
static int raw_to_group(MPI_Comm world, int ngroups, const amls_raw_graph *raw, amls_raw_graph *out)
{
    int rc = AMLS_OK, rank = 0, P = 1;
    amls__xchg x = {.comm = world};
    memset(out, 0, sizeof *out);
    AMLS_TRY(amls__comm_rank(world, &rank, &P));
    AMLS_TRY(amls__xchg_run(&x, pack_edges(&x, rank, P, ngroups, raw)));
    AMLS_AGREE(world, unpack_edges(&x, raw, out));
cleanup:
    amls__xchg_free(&x);
    if (rc < 0)
        amls_raw_graph_free(out);
    return rc;
}

static void als_free_gdata(void *gdata)
{
    als_gdata *a = gdata;
    if (a == NULL)
        return;
    amls_graph_free(&a->g);
    amls__free(a->wabs);
    amls__free(a->fold);
    amls__free(a);
}

/* Folds of the stored arcs, and the number of ratings per fold (counted from the user side). */
static void assign_folds(als_gdata *a, int k, int64_t *counts)
{
    const amls_graph *g = a->g;
    memset(counts, 0, (size_t)k * sizeof *counts);
    for (int64_t v = 0; v < g->n_local; v++)
        for (int64_t j = g->out_ptr[v]; j < g->out_ptr[v + 1]; j++) {
            amls_vid x = g->orig[v], y = amls_graph_orig(g, g->out_col[j]);
            bool user_side = x < AMLS_ALS_ITEM_BASE;
            amls_vid user = user_side ? x : y, item = (user_side ? y : x) - AMLS_ALS_ITEM_BASE;
            a->wabs[j] = fabs(g->out_w[j]);
            a->fold[j] = (uint8_t)amls_tune_fold_pair(a->seed, k, user, item);
            if (user_side)
                counts[a->fold[j]]++;
        }
}

static int als_group(MPI_Comm world, MPI_Comm group, int ngroups, const void *data, uint64_t seed,
                     int k, void **out, int64_t *counts)
{
    int rc = AMLS_OK;
    const als_data *d = data;
    amls_raw_graph graw = {0};
    als_gdata *a = amls__calloc(1, sizeof *a);
    amls_build_opts bo = build_opts(d);
    *out = NULL;
    AMLS_AGREE(world, amls__alloc_status(a != NULL));
    a->seed = seed;
    AMLS_TRY(raw_to_group(world, ngroups, &d->raw, &graw));
    AMLS_AGREE(world, amls_graph_build(group, &graw, &bo, &a->g));
    int64_t arcs = a->g->out_ptr[a->g->n_local];
    a->wabs = amls__malloc((size_t)arcs + 1, sizeof *a->wabs);
    a->fold = amls__malloc((size_t)arcs + 1, 1);
    AMLS_AGREE(world, amls__alloc_status(a->wabs && a->fold));
    assign_folds(a, k, counts);
    AMLS_AGREE(world, amls__allreduce_i64(group, counts, k, MPI_SUM));
    *out = a;
    a = NULL;
cleanup:
    amls_raw_graph_free(&graw);
    als_free_gdata(a);
    return rc;
}

/* The factors start from the same seeded values in every fit (seed 1, as `amls-graph als`). */
static amls_als_opts als_opts(const double *hp, int64_t budget)
{
    return (amls_als_opts){.rank = (int)hp[P_RANK],
                           .lambda = hp[P_LAMBDA],
                           .iterations = (int)budget,
                           .seed = 1,
                           .quiet = true};
}

static int als_evaluate(void *gdata, const double *hp, int64_t budget, int fold, amls_metric m,
                        double *state, int64_t done, amls_tune_fit *out)
{
    (void)state;
    (void)done;
    als_gdata *a = gdata;
    amls_graph *g = a->g;
    (void)m; /* RMSE is the only metric */
    for (int64_t j = 0; j < g->out_ptr[g->n_local]; j++)
        g->out_w[j] = a->fold[j] == fold ? -a->wabs[j] : a->wabs[j];
    amls_als_opts o = als_opts(hp, budget);
    amls_als_result res = {0};
    int rc = amls_als_run(g, &o, &res, NULL);
    out->score = res.test_rmse;
    out->objective = res.train_rmse;
    out->budget_used = budget;
    out->seconds = res.seconds;
    out->converged = true;
    amls_solve_info_free(&res.info); /* the convergence history is not needed here */
    return rc;
}

static void als_free_model(void *model)
{
    als_model *r = model;
    if (r == NULL)
        return;
    amls_graph_free(&r->g);
    amls__free(r->factors);
    amls__free(r);
}

/* Fits on every rating; the score is the training RMSE. Consumes the raw ratings. */
static int als_refit(MPI_Comm world, void *data, const double *hp, int64_t budget, uint64_t seed,
                     amls_metric m, void **model, amls_tune_fit *out)
{
    int rc = AMLS_OK;
    als_data *d = data;
    als_model *r = amls__calloc(1, sizeof *r);
    amls_als_result res = {0};
    amls_build_opts bo = build_opts(d);
    amls_als_opts o = als_opts(hp, budget);
    (void)m;
    (void)seed;
    *model = NULL;
    AMLS_AGREE(world, amls__alloc_status(r != NULL));
    AMLS_TRY(amls_graph_build(world, &d->raw, &bo, &r->g));
    r->K = o.rank;
    AMLS_TRY(amls_als_run(r->g, &o, &res, &r->factors));
    out->score = res.train_rmse;
    out->objective = res.train_rmse;
    out->budget_used = budget;
    out->seconds = res.seconds;
    out->converged = true;
    *model = r;
    r = NULL;
cleanup:
    amls_solve_info_free(&res.info);
    als_free_model(r);
    return rc;
}

static int als_write_model(MPI_Comm world, const void *data, const void *model, amls_h5file *f)
{
    int rc = AMLS_OK;
    const als_model *r = model;
    const amls_graph *g = r->g;
    char *ids = NULL, *fac = NULL;
    int64_t K = r->K, base = AMLS_ALS_ITEM_BASE;
    const amls_h5_attr attrs[] = {AMLS_H5_ATTR_I64("factors_rank", &K),
                                  AMLS_H5_ATTR_I64("item_id_base", &base)};
    (void)data;
    AMLS_AGREE(world, amls_h5file_put_attrs(f, attrs, 2));
    AMLS_TRY(amls_graph_to_dense_order(g, g->orig, sizeof *g->orig, (void **)&ids));
    AMLS_TRY(amls_graph_to_dense_order(g, r->factors, (size_t)K * sizeof(double), (void **)&fac));
    int64_t lo = g->dir_off[g->rank], nb = g->dir_off[g->rank + 1] - lo;
    AMLS_TRY(amls_h5file_write(f, "/ids", AMLS_H5_I64, g->n, lo, nb, ids));
    AMLS_TRY(amls_h5file_write(f, "/factors", AMLS_H5_F64, g->n * K, lo * K, nb * K, fac));
cleanup:
    amls__free(ids);
    amls__free(fac);
    return rc;
}

const amls_trainer amls__trainer_als = {
    .model = "als",
    .solver = "ALS (weighted-lambda)",
    .solver_key = "als",
    .budget_unit = "iterations",
    .default_budget = 10,
    .params = als_params,
    .nparams = 2,
    .metrics = 1u << AMLS_METRIC_RMSE,
    .default_metric = AMLS_METRIC_RMSE,
    .load = als_load,
    .rows = als_rows,
    .group_data = als_group,
    .evaluate = als_evaluate,
    .refit = als_refit,
    .write_model = als_write_model,
    .free_gdata = als_free_gdata,
    .free_model = als_free_model,
    .free_data = als_free_data,
};
