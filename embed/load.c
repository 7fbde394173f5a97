/* ---------------------------------------------------------------------------------------------
 * embed/load.c — graphs for embedding programs: one call that loads any input (a file in any
 * supported format, a generator spec, an HDF5 container), graphs from edge arrays, size and id
 * queries, gathering per-vertex values, and the graph's statistics sections.
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#include "core.h"
#include "embed_internal.h"

#include <stdio.h>

void amls_load_info_free(amls_load_info *info)
{
    if (info == NULL)
        return;
    amls__free(info->props);
    info->props = NULL;
}

/* Reading and building options from the arguments. Local. */
static int load_opts(const char *input, const char *format, int direction, const char *partition,
                     int nparts, unsigned flags, amls_read_opts *ro, amls_build_opts *bo)
{
    int rc = AMLS_OK;
    AMLS_CHECK(input != NULL && *input != '\0', AMLS_ERR_PARAM, "no input graph given");
    if (format && strcmp(format, "h5") != 0) {
        int f = amls_format_parse(format);
        AMLS_CHECK(f >= 0, AMLS_ERR_PARAM,
                   "format '%s': unknown (expected edgelist, csv, ldbc, mtx, metis, dimacs or h5)",
                   format);
        ro->format = (amls_format)f;
    }
    AMLS_CHECK(direction >= AMLS_DIRECTION_FROM_FILE && direction <= AMLS_DIRECTION_UNDIRECTED,
               AMLS_ERR_PARAM, "direction %d: expected 0 (from the file), 1 or 2", direction);
    AMLS_CHECK(nparts >= 0 && nparts <= 1 << 20, AMLS_ERR_PARAM, "parts %d: out of range", nparts);
    ro->direction = (amls_direction)direction;
    ro->compact = true; /* 32-bit ids while they fit: the lean loader */
    bo->method = partition ? amls_part_method_parse(partition) : AMLS_PART_AUTO;
    bo->part_file = partition;
    bo->nparts = nparts;
    bo->need_in_edges = (flags & AMLS_LOAD_IN_EDGES) != 0;
    bo->drop_weights = (flags & AMLS_LOAD_NO_WEIGHTS) != 0;
cleanup:
    return rc;
}

/* The "input" and "time" sections of a load. Local (rank 0's values count). */
static int load_stats(amls_stats *st, const char *input, const amls_graph *g,
                      const amls_load_info *li)
{
    int rc = AMLS_OK;
    AMLS_TRY(amls_stats_set_str(st, "input", "path", input));
    AMLS_TRY(amls_stats_set_bool(st, "input", "container", li->container));
    AMLS_TRY(amls_stats_set_bool(st, "input", "directed", g->directed));
    AMLS_TRY(amls_stats_set_bool(st, "input", "weighted", g->weighted));
    AMLS_TRY(amls_stats_set_f64(st, "time", "load_seconds", li->seconds));
    AMLS_TRY(amls_stats_set_f64(st, "time", "read_seconds", li->read_seconds));
    AMLS_TRY(amls_stats_set_f64(st, "time", "build_seconds", li->build_seconds));
    AMLS_TRY(amls_stats_set_f64(st, "time", "partition_seconds", li->partition_seconds));
cleanup:
    return rc;
}

int amls_graph_load(MPI_Comm comm, const char *input, const char *format, int direction,
                    const char *partition, int nparts, unsigned flags, amls_graph **out,
                    amls_load_info *info, amls_stats *stats)
{
    return amls__graph_load(comm, input, format, direction, partition, nparts, flags, NULL, out,
                            info, stats);
}

int amls__graph_load(MPI_Comm comm, const char *input, const char *format, int direction,
                     const char *partition, int nparts, unsigned flags, const amls_read_opts *read,
                     amls_graph **out, amls_load_info *info, amls_stats *stats)
{
    int rc = AMLS_OK;
    amls_raw_graph raw = {0};
    amls_read_opts ro = {0};
    amls_build_opts bo = {0};
    amls_load_info li = {0};
    double t0 = amls__now();
    *out = NULL;
    if (read) {
        ro.csv_delimiter = read->csv_delimiter;
        ro.csv_header = read->csv_header;
        ro.csv_columns = read->csv_columns;
    }
    AMLS_AGREE(comm, load_opts(input, format, direction, partition, nparts, flags, &ro, &bo));
    if (amls_is_h5_path(input) || (format && strcmp(format, "h5") == 0)) {
        li.container = true;
        AMLS_TRY(amls_graph_load_h5(comm, input, &bo, partition == NULL, out, NULL, NULL, 0));
        AMLS_AGREE(comm,
                   (*out)->directed && bo.need_in_edges && (*out)->in_ptr == NULL
                       ? amls_error(AMLS_ERR_FORMAT, "%s: the container has no in-edges", input)
                       : AMLS_OK);
    } else {
        AMLS_TRY(amls_graph_read(comm, input, &ro, &raw));
        if (flags & AMLS__LOAD_SUM_DUPLICATES)
            AMLS_TRY(amls_raw_graph_sum_duplicates(comm, &raw));
        li.read_seconds = amls__now() - t0;
        li.props = raw.props;
        raw.props = NULL;
        AMLS_TRY(amls_graph_build(comm, &raw, &bo, out));
    }
    li.seconds = amls__now() - t0;
    li.build_seconds = li.container ? li.seconds : li.seconds - li.read_seconds;
    li.partition_seconds = (*out)->partition_seconds;
    if (stats) {
        AMLS_AGREE(comm, load_stats(stats, input, *out, &li));
        AMLS_TRY(amls_graph_describe(*out, stats));
    }
cleanup:
    amls_raw_graph_free(&raw);
    if (rc < 0)
        amls_graph_free(out);
    if (rc == AMLS_OK && info)
        *info = li;
    else
        amls_load_info_free(&li);
    return rc;
}

/* This rank's share of the edges as a raw graph. Local. */
static int raw_from_edges(int64_t nedges, const int64_t *src, const int64_t *dst, const double *w,
                          int64_t nverts, bool directed, amls_raw_graph *raw)
{
    int rc = AMLS_OK;
    AMLS_CHECK(nedges >= 0, AMLS_ERR_PARAM, "negative edge count");
    for (int64_t k = 0; k < nedges; k++) {
        AMLS_CHECK(src[k] >= 0 && dst[k] >= 0, AMLS_ERR_RANGE,
                   "edge %lld: vertex ids must be >= 0 (%lld -> %lld)", (long long)k,
                   (long long)src[k], (long long)dst[k]);
        AMLS_CHECK(nverts <= 0 || (src[k] < nverts && dst[k] < nverts), AMLS_ERR_RANGE,
                   "edge %lld: vertex id out of range 0..%lld (%lld -> %lld)", (long long)k,
                   (long long)nverts - 1, (long long)src[k], (long long)dst[k]);
        AMLS_CHECK(w == NULL || w[k] == w[k], AMLS_ERR_NUMERIC, "edge %lld: weight is NaN",
                   (long long)k);
        AMLS_TRY(amls_raw_graph_push(raw, src[k], dst[k], w ? w[k] : 1.0));
    }
    raw->directed = directed;
    raw->weighted = w != NULL;
    raw->vset = nverts > 0 ? AMLS_VSET_RANGE : AMLS_VSET_IMPLICIT;
    raw->vbase = 0;
    raw->nverts = nverts > 0 ? nverts : 0;
cleanup:
    return rc;
}

int amls_graph_from_edges(MPI_Comm comm, int64_t nedges, const int64_t *src, const int64_t *dst,
                          const double *w, int64_t nverts, bool directed, const char *partition,
                          unsigned flags, amls_graph **out)
{
    int rc = AMLS_OK;
    amls_raw_graph raw = {0};
    amls_build_opts bo = {.method = partition ? amls_part_method_parse(partition) : AMLS_PART_HASH,
                          .part_file = partition,
                          .need_in_edges = (flags & AMLS_LOAD_IN_EDGES) != 0,
                          .drop_weights = (flags & AMLS_LOAD_NO_WEIGHTS) != 0};
    *out = NULL;
    AMLS_AGREE(comm, raw_from_edges(nedges, src, dst, w, nverts, directed, &raw));
    raw.edges_read = nedges;
    AMLS_TRY(amls__allreduce_i64(comm, &raw.edges_read, 1, MPI_SUM));
    /* The graph is weighted when any rank gave weights. */
    int64_t wt = raw.weighted;
    AMLS_TRY(amls__allreduce_i64(comm, &wt, 1, MPI_MAX));
    raw.weighted = wt != 0;
    AMLS_TRY(amls_graph_build(comm, &raw, &bo, out));
cleanup:
    amls_raw_graph_free(&raw);
    return rc;
}

int64_t amls_graph_num_vertices(const amls_graph *g)
{
    return g->n;
}

int64_t amls_graph_num_edges(const amls_graph *g)
{
    return g->edges;
}

int64_t amls_graph_num_local(const amls_graph *g)
{
    return g->n_local;
}

bool amls_graph_is_directed(const amls_graph *g)
{
    return g->directed;
}

void amls_graph_local_ids(const amls_graph *g, int64_t *ids)
{
    if (g->n_local > 0)
        memcpy(ids, g->orig, (size_t)g->n_local * sizeof *ids);
}

int amls_graph_gather_values(const amls_graph *g, int root, const void *local, int type,
                             int64_t *ids, void *values)
{
    int rc = AMLS_OK;
    double *f = NULL;
    int64_t *i = NULL, *gids = NULL;
    amls_values v = {g, local, 8, (amls_type)type, NULL};
    AMLS_AGREE(g->comm,
               type == AMLS_TYPE_I64 || type == AMLS_TYPE_F64
                   ? AMLS_OK
                   : amls_error(AMLS_ERR_PARAM, "values of type %d cannot be gathered", type));
    /* Both gathers run on every rank: ids and values may be NULL away from root. */
    AMLS_TRY(amls_values_gather(&v, root, type == AMLS_TYPE_F64 ? &f : NULL,
                                type == AMLS_TYPE_I64 ? &i : NULL));
    AMLS_TRY(amls_graph_gather_ids(g, root, &gids));
    if (g->rank == root) {
        size_t bytes = (size_t)g->n * 8;
        if (values && g->n > 0)
            memcpy(values, type == AMLS_TYPE_F64 ? (void *)f : (void *)i, bytes);
        if (ids && g->n > 0)
            memcpy(ids, gids, bytes);
    }
cleanup:
    amls__free(f);
    amls__free(i);
    amls__free(gids);
    return rc;
}

/* The graph section and the partition section from amls_graph_stats_get. Local. */
static int describe_local(const amls_graph *g, const amls_graph_stats *gs, amls_stats *st)
{
    int rc = AMLS_OK;
    AMLS_TRY(amls_stats_set_i64(st, "graph", "vertices", gs->vertices));
    AMLS_TRY(amls_stats_set_i64(st, "graph", "edges", gs->edges));
    AMLS_TRY(amls_stats_set_i64(st, "graph", "arcs", gs->arcs));
    AMLS_TRY(amls_stats_set_i64(st, "graph", "self_loops", gs->self_loops));
    AMLS_TRY(amls_stats_set_i64(st, "graph", "edges_read", gs->edges_read));
    AMLS_TRY(amls_stats_set_bool(st, "graph", "directed", g->directed));
    AMLS_TRY(amls_stats_set_bool(st, "graph", "weighted", g->weighted));
    AMLS_TRY(amls_stats_set_i64(st, "graph", "max_out_degree", gs->max_out_degree));
    AMLS_TRY(amls_stats_set_i64(st, "graph", "max_in_degree", gs->max_in_degree));
    AMLS_TRY(amls_stats_set_i64(st, "graph", "isolated", gs->isolated));
    AMLS_TRY(amls_stats_set_i64(st, "partition", "parts", gs->nparts));
    AMLS_TRY(amls_stats_set_i64(st, "partition", "edge_cut", gs->edge_cut));
    AMLS_TRY(amls_stats_set_f64(st, "partition", "imbalance", gs->imbalance));
    AMLS_TRY(amls_stats_set_f64(st, "partition", "edge_imbalance", gs->edge_imbalance));
    AMLS_TRY(amls_stats_set_i64(st, "partition", "ghosts_max", gs->ghosts_max));
cleanup:
    return rc;
}

int amls_graph_describe(const amls_graph *g, amls_stats *stats)
{
    int rc = AMLS_OK;
    amls_graph_stats gs;
    AMLS_TRY(amls_graph_stats_get(g, &gs));
    AMLS_AGREE(g->comm, describe_local(g, &gs, stats));
    AMLS_TRY(amls_stats_set_ranks_i64(stats, "partition", "vertices_per_rank", g->n_local));
cleanup:
    return rc;
}

/* This rank's degree histogram as (degree, count) pairs, sorted by degree. Local. */
static int local_histogram(const int64_t *ptr, int64_t n, int64_t **pairs, int64_t *npairs)
{
    int rc = AMLS_OK;
    int64_t *deg = NULL;
    *pairs = NULL;
    *npairs = 0;
    AMLS_ALLOC(deg, n + 1);
    AMLS_ALLOC(*pairs, 2 * n + 2);
    for (int64_t v = 0; v < n; v++)
        deg[v] = ptr[v + 1] - ptr[v];
    AMLS_TRY(amls__sort_i64(deg, NULL, (size_t)n));
    for (int64_t v = 0; v < n; v++) {
        if (*npairs == 0 || (*pairs)[2 * (*npairs - 1)] != deg[v]) {
            (*pairs)[2 * *npairs] = deg[v];
            (*pairs)[2 * *npairs + 1] = 0;
            (*npairs)++;
        }
        (*pairs)[2 * (*npairs - 1) + 1]++;
    }
cleanup:
    amls__free(deg);
    return rc;
}

/* Root: merges the ranks' sorted pairs (all[2k], all[2k+1]) into distinct degrees and their
 * counts (allocated). Local. */
static int merge_histograms(const int64_t *all, int64_t total, int64_t **deg, int64_t **count,
                            int64_t *m)
{
    int rc = AMLS_OK;
    int64_t *d = NULL, *cnt = NULL;
    *m = 0;
    AMLS_ALLOC(d, total + 1);
    AMLS_ALLOC(cnt, total + 1);
    for (int64_t k = 0; k < total; k++) {
        d[k] = all[2 * k];
        cnt[k] = all[2 * k + 1];
    }
    AMLS_TRY(amls__sort_i64(d, cnt, (size_t)total));
    for (int64_t k = 0; k < total; k++) {
        if (*m > 0 && d[*m - 1] == d[k]) {
            cnt[*m - 1] += cnt[k];
        } else {
            d[*m] = d[k];
            cnt[(*m)++] = cnt[k];
        }
    }
    *deg = d;
    *count = cnt;
    d = cnt = NULL;
cleanup:
    amls__free(d);
    amls__free(cnt);
    return rc;
}

int amls_graph_degree_hist(const amls_graph *g, bool in, int root, int64_t **deg, int64_t **count,
                           int64_t *m)
{
    int rc = AMLS_OK;
    int64_t *pairs = NULL, np = 0, *all = NULL, total = 0;
    int *cnt = NULL, *displ = NULL;
    *deg = *count = NULL;
    *m = 0;
    const int64_t *ptr = in ? g->in_ptr : g->out_ptr;
    rc = ptr ? local_histogram(ptr, g->n_local, &pairs, &np)
             : amls_error(AMLS_ERR_INVALID, "in-degrees need a graph loaded with in-edges");
    if (g->rank == root && rc == AMLS_OK) {
        cnt = amls__calloc((size_t)g->nranks, sizeof *cnt);
        displ = amls__calloc((size_t)g->nranks + 1, sizeof *displ);
        rc = amls__alloc_status(cnt && displ);
    }
    AMLS_AGREE(g->comm, rc);
    int mine = (int)(2 * np);
    AMLS_MPI_TRY(MPI_Gather(&mine, 1, MPI_INT, cnt, 1, MPI_INT, root, g->comm));
    for (int q = 0; g->rank == root && q < g->nranks; q++)
        total += cnt[q];
    for (int q = 0; g->rank == root && q < g->nranks && total <= INT32_MAX; q++)
        displ[q + 1] = displ[q] + cnt[q];
    AMLS_AGREE(g->comm, total <= INT32_MAX
                            ? AMLS_OK
                            : amls_error(AMLS_ERR_UNSUPPORTED, "too many distinct degrees"));
    if (g->rank == root)
        all = amls__malloc((size_t)total + 1, sizeof *all);
    AMLS_AGREE(g->comm, amls__alloc_status(g->rank != root || all != NULL));
    AMLS_MPI_TRY(
        MPI_Gatherv(pairs, mine, MPI_INT64_T, all, cnt, displ, MPI_INT64_T, root, g->comm));
    AMLS_AGREE(g->comm,
               g->rank == root ? merge_histograms(all, total / 2, deg, count, m) : AMLS_OK);
cleanup:
    amls__free(pairs);
    amls__free(all);
    amls__free(cnt);
    amls__free(displ);
    return rc;
}

/* degrees.NAME and degrees.NAME_vertices from a histogram. Local. */
static int set_histogram(amls_stats *st, const char *name, const int64_t *deg, const int64_t *count,
                         int64_t m)
{
    int rc = AMLS_OK;
    char key[64];
    amls_stats_field f = {.name = name, .kind = AMLS_STATS_I64_ARRAY, .ia = deg, .n = m};
    AMLS_TRY(amls_stats_set(st, "degrees", &f));
    snprintf(key, sizeof key, "%s_vertices", name);
    f = (amls_stats_field){.name = key, .kind = AMLS_STATS_I64_ARRAY, .ia = count, .n = m};
    AMLS_TRY(amls_stats_set(st, "degrees", &f));
cleanup:
    return rc;
}

int amls_graph_degrees(const amls_graph *g, amls_stats *stats)
{
    int rc = AMLS_OK;
    int64_t *deg = NULL, *count = NULL, m = 0;
    for (int in = 0; in < 1 + (g->directed && g->in_ptr != NULL); in++) {
        AMLS_TRY(amls_graph_degree_hist(g, in, 0, &deg, &count, &m));
        const char *name = in ? "in_degree" : g->directed ? "out_degree" : "degree";
        AMLS_AGREE(g->comm, g->rank == 0 ? set_histogram(stats, name, deg, count, m) : AMLS_OK);
        amls__free(deg);
        amls__free(count);
        deg = count = NULL;
    }
cleanup:
    amls__free(deg);
    amls__free(count);
    return rc;
}
