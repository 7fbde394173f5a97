/* ---------------------------------------------------------------------------------------------
 * engine/container.c — the HDF5 graph container: save a distributed graph, load it back with
 * each rank reading only its own hyperslabs.
 * SPDX-License-Identifier: MIT
 *
 * The graph is stored in the id order of its partition (parts contiguous), so that loading on
 * a rank count that maps onto the stored parts needs no shuffle at all: a rank reads its rows'
 * offsets, targets (global ids) and weights, and builds its ghosts and plan locally. Asking for
 * another partitioner falls back to reading even blocks of rows as edges and building anew.
 * ------------------------------------------------------------------------------------------- */
#include "engine/graph_internal.h"
#include "io/h5util.h"

#include "amls/graph.h"

#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#define FORMAT_NAME "amls-graph container"

/* Prefixes the current error message with the file name. */
static int with_path(int rc, const char *path)
{
    char msg[AMLS_MSG_LEN];
    snprintf(msg, sizeof msg, "%s", amls_last_error());
    if (strstr(msg, path) != NULL)
        return rc;
    return amls_error(rc, "%s: %s", path, msg);
}
#define FORMAT_VERSION 1

bool amls_is_h5_path(const char *path)
{
    size_t n = strlen(path);
    return (n > 3 && strcmp(path + n - 3, ".h5") == 0) ||
           (n > 5 && strcmp(path + n - 5, ".hdf5") == 0);
}

/* Writes one CSR (offsets over global ids, targets as global ids, weights). Collective. */
static int save_csr(hid_t f, const amls_graph *g, const char *grp, const int64_t *ptr,
                    const uint32_t *col, const double *w)
{
    int rc = AMLS_OK;
    int64_t m_local = ptr[g->n_local], before = 0, total = 0;
    int64_t *off = NULL, *tg = NULL;
    char name[64];
    MPI_Exscan(&m_local, &before, 1, MPI_INT64_T, MPI_SUM, g->comm);
    if (g->rank == 0)
        before = 0;
    MPI_Allreduce(&m_local, &total, 1, MPI_INT64_T, MPI_SUM, g->comm);
    bool last = g->rank == g->nranks - 1;
    off = amls__malloc((size_t)g->n_local + 2, sizeof *off);
    tg = amls__malloc((size_t)m_local + 1, sizeof *tg);
    rc = amls_agree(g->comm, off && tg ? AMLS_OK : amls_error(AMLS_ERR_NOMEM, "out of memory"),
                    NULL);
    if (rc < 0)
        goto out;
    for (int64_t i = 0; i <= g->n_local; i++)
        off[i] = before + ptr[i];
    bool narrow = g->n <= INT32_MAX; /* 32-bit ids on disk halve the file */
    for (int64_t j = 0; j < m_local; j++) {
        int64_t x = amls_graph_gid(g, col[j]);
        if (narrow)
            ((int32_t *)tg)[j] = (int32_t)x;
        else
            tg[j] = x;
    }
    snprintf(name, sizeof name, "/%s/offsets", grp);
    AMLS_TRY(amls__h5_write(f, name, H5T_NATIVE_INT64, g->n + 1, g->lo, g->n_local + (last ? 1 : 0),
                            off));
    snprintf(name, sizeof name, "/%s/targets", grp);
    AMLS_TRY(amls__h5_write(f, name, narrow ? H5T_NATIVE_INT32 : H5T_NATIVE_INT64, total, before,
                            m_local, tg));
    if (w) {
        snprintf(name, sizeof name, "/%s/weights", grp);
        AMLS_TRY(amls__h5_write(f, name, H5T_NATIVE_DOUBLE, total, before, m_local, w));
    }
cleanup:
out:
    amls__free(off);
    amls__free(tg);
    return rc;
}

int amls_graph_save_h5(const amls_graph *g, const char *path, const amls_source_info *src)
{
    int rc = AMLS_OK;
    hid_t f = -1;
    char tmp[4200];
    amls__tmp_name(g->comm, path, tmp, sizeof tmp);
    AMLS_TRY(amls__h5_create(g->comm, tmp, &f));
    int lrc = AMLS_OK;
    lrc = lrc ? lrc : amls__h5_attr_str(f, "format", FORMAT_NAME);
    lrc = lrc ? lrc : amls__h5_attr_i64(f, "format_version", FORMAT_VERSION);
    lrc = lrc ? lrc : amls__h5_attr_i64(f, "vertices", g->n);
    lrc = lrc ? lrc : amls__h5_attr_i64(f, "arcs", g->arcs);
    lrc = lrc ? lrc : amls__h5_attr_i64(f, "edges", g->edges);
    lrc = lrc ? lrc : amls__h5_attr_i64(f, "self_loops", g->self_loops);
    lrc = lrc ? lrc : amls__h5_attr_i64(f, "edges_read", g->edges_read);
    lrc = lrc ? lrc : amls__h5_attr_i64(f, "directed", g->directed);
    lrc = lrc ? lrc : amls__h5_attr_i64(f, "weighted", g->weighted);
    lrc = lrc ? lrc : amls__h5_attr_i64(f, "has_in_edges", g->directed && g->in_ptr != NULL);
    lrc = lrc ? lrc : amls__h5_attr_i64(f, "parts", g->nparts);
    lrc = lrc ? lrc : amls__h5_attr_str(f, "source_name", src && src->name ? src->name : "");
    lrc = lrc ? lrc : amls__h5_attr_i64(f, "source_size", src ? src->size : 0);
    lrc = lrc ? lrc : amls__h5_attr_i64(f, "source_crc32", src ? (int64_t)src->crc32 : 0);
    AMLS_TRY(amls_agree(g->comm, lrc, NULL));
    AMLS_TRY(
        amls__h5_write(f, "/vertices/orig", H5T_NATIVE_INT64, g->n, g->lo, g->n_local, g->orig));
    AMLS_TRY(
        amls__h5_write(f, "/vertices/dense", H5T_NATIVE_INT64, g->n, g->lo, g->n_local, g->dense));
    AMLS_TRY(amls__h5_write(f, "/partition/part_off", H5T_NATIVE_INT64, g->nparts + 1, 0,
                            g->rank == 0 ? g->nparts + 1 : 0, g->part_off));
    AMLS_TRY(save_csr(f, g, "out", g->out_ptr, g->out_col, g->out_w));
    if (g->directed && g->in_ptr)
        AMLS_TRY(save_csr(f, g, "in", g->in_ptr, g->in_col, g->in_w));
cleanup:
    amls__h5_close(&f);
    return amls__commit(g->comm, rc, tmp, path);
}

/* Reads rows [lo, hi) of one stored CSR: ptr (rebased, hi-lo+1), gid targets, weights. */
static int load_rows(hid_t f, const char *grp, int64_t lo, int64_t hi, bool weighted, int64_t **ptr,
                     int64_t **tg, double **w, int64_t *m)
{
    int rc = AMLS_OK;
    char name[64];
    int64_t nr = hi - lo;
    *ptr = amls__malloc((size_t)nr + 2, sizeof **ptr);
    if (*ptr == NULL)
        rc = amls_error(AMLS_ERR_NOMEM, "out of memory");
    MPI_Comm comm = amls__h5_comm(f);
    rc = amls_agree(comm, rc, NULL);
    if (rc < 0)
        goto out;
    snprintf(name, sizeof name, "/%s/offsets", grp);
    AMLS_TRY(amls__h5_read(f, name, H5T_NATIVE_INT64, lo, nr + 1, *ptr));
    int64_t base = (*ptr)[0];
    *m = (*ptr)[nr] - base;
    for (int64_t i = 0; i <= nr; i++)
        (*ptr)[i] -= base;
    *tg = amls__malloc((size_t)*m + 1, sizeof **tg);
    *w = weighted ? amls__malloc((size_t)*m + 1, sizeof **w) : NULL;
    AMLS_TRY(amls_agree(
        comm, *tg && (!weighted || *w) ? AMLS_OK : amls_error(AMLS_ERR_NOMEM, "out of memory"),
        NULL));
    snprintf(name, sizeof name, "/%s/targets", grp);
    {
        /* Targets are stored as 32-bit ids when they fit: read them as such and widen. */
        hid_t ds = H5Dopen2(f, name, H5P_DEFAULT);
        hid_t t = ds >= 0 ? H5Dget_type(ds) : -1;
        bool narrow = t >= 0 && H5Tget_size(t) == 4;
        if (t >= 0)
            H5Tclose(t);
        if (ds >= 0)
            H5Dclose(ds);
        AMLS_TRY(
            amls__h5_read(f, name, narrow ? H5T_NATIVE_INT32 : H5T_NATIVE_INT64, base, *m, *tg));
        if (narrow)
            for (int64_t j = *m - 1; j >= 0; j--)
                (*tg)[j] = ((const int32_t *)*tg)[j];
    }
    if (weighted) {
        snprintf(name, sizeof name, "/%s/weights", grp);
        AMLS_TRY(amls__h5_read(f, name, H5T_NATIVE_DOUBLE, base, *m, *w));
    }
cleanup:
out:
    if (comm != MPI_COMM_NULL)
        MPI_Comm_free(&comm);
    return rc;
}

/* Fast path: the stored partition, parts mapped onto ranks as the builder maps them. */
static int load_stored(MPI_Comm comm, hid_t f, int64_t n, int K, bool directed, bool weighted,
                       bool has_in, bool need_in, amls_graph **out)
{
    int rc = AMLS_OK;
    amls_graph *g = amls__calloc(1, sizeof *g);
    int64_t *gout = NULL, *gin = NULL, nout = 0, nin = 0;
    *out = NULL;
    rc = amls_agree(comm, g ? AMLS_OK : amls_error(AMLS_ERR_NOMEM, "out of memory"), NULL);
    if (rc < 0)
        return rc;
    g->comm = MPI_COMM_NULL;
    MPI_Comm_dup(comm, &g->comm);
    MPI_Comm_rank(comm, &g->rank);
    MPI_Comm_size(comm, &g->nranks);
    int R = g->nranks;
    g->n = n;
    g->directed = directed;
    g->weighted = weighted;
    g->has_in = !directed || (has_in && need_in);
    g->nparts = K;
    g->part_off = amls__malloc((size_t)K + 1, sizeof *g->part_off);
    g->owner_off = amls__malloc((size_t)R + 1, sizeof *g->owner_off);
    g->dir_off = amls__malloc((size_t)R + 1, sizeof *g->dir_off);
    AMLS_TRY(amls_agree(comm,
                        g->part_off && g->owner_off && g->dir_off
                            ? AMLS_OK
                            : amls_error(AMLS_ERR_NOMEM, "out of memory"),
                        NULL));
    AMLS_TRY(amls__h5_read(f, "/partition/part_off", H5T_NATIVE_INT64, 0, K + 1, g->part_off));
    for (int r = 0, p = 0; r <= R; r++) {
        while (p < K && (int64_t)p * R / K < r)
            p++;
        g->owner_off[r] = g->part_off[p];
    }
    g->owner_off[R] = n;
    for (int p = 0; p <= R; p++)
        g->dir_off[p] = amls__muldiv(n, p, R);
    g->lo = g->owner_off[g->rank];
    g->n_local = g->owner_off[g->rank + 1] - g->lo;
    g->orig = amls__malloc((size_t)g->n_local + 1, sizeof *g->orig);
    g->dense = amls__malloc((size_t)g->n_local + 1, sizeof *g->dense);
    AMLS_TRY(amls_agree(
        comm, g->orig && g->dense ? AMLS_OK : amls_error(AMLS_ERR_NOMEM, "out of memory"), NULL));
    AMLS_TRY(amls__h5_read(f, "/vertices/orig", H5T_NATIVE_INT64, g->lo, g->n_local, g->orig));
    AMLS_TRY(amls__h5_read(f, "/vertices/dense", H5T_NATIVE_INT64, g->lo, g->n_local, g->dense));
    AMLS_TRY(load_rows(f, "out", g->lo, g->lo + g->n_local, weighted, &g->out_ptr, &gout, &g->out_w,
                       &nout));
    if (directed && has_in && need_in)
        AMLS_TRY(load_rows(f, "in", g->lo, g->lo + g->n_local, weighted, &g->in_ptr, &gin, &g->in_w,
                           &nin));
    AMLS_TRY(amls__graph_finish(g, gout, nout, gin, nin));
    *out = g;
    g = NULL;
cleanup:
    amls__free(gout);
    amls__free(gin);
    amls_graph_free(&g);
    return rc;
}

/* Generic path: even blocks of stored rows become raw edges with original ids; the builder
 * partitions them as asked. */
static int load_repartition(MPI_Comm comm, hid_t f, int64_t n, bool directed, bool weighted,
                            int64_t edges_read, const amls_build_opts *o, amls_graph **out)
{
    int rc = AMLS_OK, rank = 0, R = 1;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &R);
    amls_raw_graph raw = {0};
    int64_t *orig = NULL, *ptr = NULL, *tg = NULL, m = 0;
    double *w = NULL;
    int64_t lo = amls__muldiv(n, rank, R), hi = amls__muldiv(n, rank + 1, R);
    orig = amls__malloc((size_t)n + 1, sizeof *orig);
    AMLS_TRY(amls_agree(comm, orig ? AMLS_OK : amls_error(AMLS_ERR_NOMEM, "out of memory"), NULL));
    AMLS_TRY(amls__h5_read(f, "/vertices/orig", H5T_NATIVE_INT64, 0, n, orig));
    AMLS_TRY(load_rows(f, "out", lo, hi, weighted, &ptr, &tg, &w, &m));
    int lrc = AMLS_OK;
    for (int64_t i = 0; i < hi - lo && lrc == AMLS_OK; i++)
        for (int64_t j = ptr[i]; j < ptr[i + 1] && lrc == AMLS_OK; j++)
            if (directed || lo + i <= tg[j]) /* an undirected edge is stored both ways */
                lrc = amls_raw_graph_push(&raw, orig[lo + i], orig[tg[j]], w ? w[j] : 1.0);
    raw.vlist = amls__malloc((size_t)(hi - lo) + 1, sizeof *raw.vlist);
    if (raw.vlist == NULL && lrc == AMLS_OK)
        lrc = amls_error(AMLS_ERR_NOMEM, "out of memory");
    else if (raw.vlist)
        memcpy(raw.vlist, orig + lo, (size_t)(hi - lo) * sizeof *raw.vlist);
    AMLS_TRY(amls_agree(comm, lrc, NULL));
    raw.nvlist = hi - lo;
    raw.vset = AMLS_VSET_LIST;
    raw.directed = directed;
    raw.weighted = weighted;
    raw.edges_read = edges_read;
    if (!weighted) {
        amls__free(raw.w);
        raw.w = NULL;
    }
    amls__free(orig);
    orig = NULL;
    rc = amls_graph_build(comm, &raw, o, out);
cleanup:
    amls__free(orig);
    amls__free(ptr);
    amls__free(tg);
    amls__free(w);
    amls_raw_graph_free(&raw);
    return rc;
}

int amls_graph_load_h5(MPI_Comm comm, const char *path, const amls_build_opts *o, bool use_stored,
                       amls_graph **out, amls_source_info *src, char *src_name, size_t src_cap)
{
    int rc = AMLS_OK;
    hid_t f = -1;
    char fmt[64] = "";
    int64_t version = 0, n = 0, directed = 0, weighted = 0, has_in = 0, parts = 0;
    int64_t edges_read = 0, ssize = 0, scrc = 0;
    *out = NULL;
    AMLS_TRY(amls__h5_open(comm, path, &f));
    int lrc = amls__h5_get_str(f, "format", fmt, sizeof fmt);
    if (lrc == AMLS_OK && strcmp(fmt, FORMAT_NAME) != 0)
        lrc =
            amls_error(AMLS_ERR_FORMAT, "%s: not an amls-graph container (format '%s')", path, fmt);
    lrc = lrc ? lrc : amls__h5_get_i64(f, "format_version", &version);
    if (lrc == AMLS_OK && version != FORMAT_VERSION)
        lrc = amls_error(AMLS_ERR_FORMAT, "%s: container format version %lld, this engine reads %d",
                         path, (long long)version, FORMAT_VERSION);
    lrc = lrc ? lrc : amls__h5_get_i64(f, "vertices", &n);
    lrc = lrc ? lrc : amls__h5_get_i64(f, "directed", &directed);
    lrc = lrc ? lrc : amls__h5_get_i64(f, "weighted", &weighted);
    lrc = lrc ? lrc : amls__h5_get_i64(f, "has_in_edges", &has_in);
    lrc = lrc ? lrc : amls__h5_get_i64(f, "parts", &parts);
    lrc = lrc ? lrc : amls__h5_get_i64(f, "edges_read", &edges_read);
    lrc = lrc ? lrc : amls__h5_get_i64(f, "source_size", &ssize);
    lrc = lrc ? lrc : amls__h5_get_i64(f, "source_crc32", &scrc);
    if (lrc == AMLS_OK && src_name)
        lrc = amls__h5_get_str(f, "source_name", src_name, src_cap);
    if (lrc < 0)
        lrc = with_path(lrc, path);
    if (lrc == AMLS_OK && (n < 0 || parts < 1 || parts > (1 << 20)))
        lrc = amls_error(AMLS_ERR_FORMAT, "%s: inconsistent container header", path);
    AMLS_TRY(amls_agree(comm, lrc, NULL));
    if (src) {
        src->name = src_name;
        src->size = ssize;
        src->crc32 = (uint32_t)scrc;
    }
    bool stored = use_stored && (o == NULL || o->nparts == 0 || o->nparts == parts);
    if (stored)
        rc = load_stored(comm, f, n, (int)parts, directed != 0, weighted != 0, has_in != 0,
                         o == NULL || o->need_in_edges, out);
    else
        rc = load_repartition(comm, f, n, directed != 0, weighted != 0, edges_read, o, out);
    if (rc == AMLS_OK)
        (*out)->edges_read = edges_read;
    if (rc < 0)
        rc = with_path(rc, path);
cleanup:
    amls__h5_close(&f);
    return amls_agree(comm, rc, NULL);
}
