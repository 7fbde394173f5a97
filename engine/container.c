/* ---------------------------------------------------------------------------------------------
 * engine/container.c — the HDF5 graph container: save a distributed graph, load it back with
 * each rank reading only its own hyperslabs.
 * SPDX-License-Identifier: MIT
 *
 * The graph is stored in the id order of its partition (parts contiguous), so that loading on
 * a rank count that maps onto the stored parts needs no shuffle at all: a rank reads its rows'
 * offsets, targets (global ids) and weights, and builds its ghosts and plan locally. Asking for
 * another partitioner falls back to reading even blocks of rows as edges and building anew.
 * The container stays in engine/ because loading it is a way of building a graph: it fills the
 * engine's graph and finishes it with the builder's own last step (amls__graph_finish).
 * ------------------------------------------------------------------------------------------- */
#include "graph_internal.h"
#include "h5.h"

#include <stdio.h>
#include <zlib.h>

#define FORMAT_NAME    "amls-graph container"
#define FORMAT_VERSION 1

/* Prefixes the current error message with the file name. */
static int with_path(int rc, const char *path)
{
    char msg[AMLS_MSG_LEN];
    snprintf(msg, sizeof msg, "%s", amls_last_error());
    if (strstr(msg, path) != NULL)
        return rc;
    return amls_error(rc, "%s: %s", path, msg);
}

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
    int64_t m_local = ptr[g->n_local], before = 0, total = m_local;
    int64_t *off = NULL, *tg = NULL;
    char name[64];
    bool last = g->rank == g->nranks - 1, narrow = g->n <= INT32_MAX; /* 32-bit ids halve it */
    AMLS_TRY(amls__exscan_i64(g->comm, m_local, &before));
    AMLS_TRY(amls__allreduce_i64(g->comm, &total, 1, MPI_SUM));
    off = amls__malloc((size_t)g->n_local + 2, sizeof *off);
    tg = amls__malloc((size_t)m_local + 1, sizeof *tg);
    AMLS_AGREE(g->comm, amls__alloc_status(off && tg));
    for (int64_t i = 0; i <= g->n_local; i++)
        off[i] = before + ptr[i];
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
    amls__free(off);
    amls__free(tg);
    return rc;
}

int amls_graph_save_h5(const amls_graph *g, const char *path, const amls_source_info *src)
{
    int rc = AMLS_OK;
    hid_t f = -1;
    char tmp[4200];
    int64_t version = FORMAT_VERSION, directed = g->directed, weighted = g->weighted;
    int64_t has_in = g->directed && g->in_ptr != NULL, parts = g->nparts;
    int64_t ssize = src ? src->size : 0, scrc = src ? (int64_t)src->crc32 : 0;
    const amls__h5_field attrs[] = {
        AMLS__H5_STR("format", FORMAT_NAME),
        AMLS__H5_I64("format_version", &version),
        AMLS__H5_I64("vertices", &g->n),
        AMLS__H5_I64("arcs", &g->arcs),
        AMLS__H5_I64("edges", &g->edges),
        AMLS__H5_I64("self_loops", &g->self_loops),
        AMLS__H5_I64("edges_read", &g->edges_read),
        AMLS__H5_I64("directed", &directed),
        AMLS__H5_I64("weighted", &weighted),
        AMLS__H5_I64("has_in_edges", &has_in),
        AMLS__H5_I64("parts", &parts),
        AMLS__H5_STR("source_name", src && src->name ? src->name : ""),
        AMLS__H5_I64("source_size", &ssize),
        AMLS__H5_I64("source_crc32", &scrc),
    };
    /* ids twice, then per stored direction: row pointers, targets and weights. */
    int64_t per_arc = 8 + (g->weighted ? 8 : 0), dirs = has_in ? 2 : 1;
    int64_t bytes = 16 * g->n + dirs * (8 * (g->n + 1) + per_arc * g->arcs) + 8 * (parts + 1);
    AMLS_TRY(amls__tmp_name(g->comm, path, tmp, sizeof tmp));
    AMLS_TRY(amls__h5_create(g->comm, tmp, bytes, &f));
    AMLS_AGREE(g->comm, amls__h5_put_fields(f, attrs, (int)(sizeof attrs / sizeof attrs[0])));
    AMLS_TRY(
        amls__h5_write(f, "/vertices/orig", H5T_NATIVE_INT64, g->n, g->lo, g->n_local, g->orig));
    AMLS_TRY(
        amls__h5_write(f, "/vertices/dense", H5T_NATIVE_INT64, g->n, g->lo, g->n_local, g->dense));
    AMLS_TRY(amls__h5_write(f, "/partition/part_off", H5T_NATIVE_INT64, g->nparts + 1, 0,
                            g->rank == 0 ? g->nparts + 1 : 0, g->part_off));
    AMLS_TRY(save_csr(f, g, "out", g->out_ptr, g->out_col, g->out_w));
    if (g->directed && g->in_ptr)
        AMLS_TRY(save_csr(f, g, "in", g->in_ptr, g->in_col, g->in_w));
cleanup:;
    int frc = amls__h5_finish(g->comm, &f, tmp);
    return amls__commit(g->comm, rc < 0 ? rc : frc, tmp, path);
}

/* Rows [lo, hi) of one stored CSR: ptr (rebased, hi-lo+1), global-id targets, weights. */
typedef struct rows {
    int64_t *ptr, m;
    uint32_t *tg;
    double *w;
} rows;

static void rows_free(rows *r)
{
    amls__free(r->ptr);
    amls__free(r->tg);
    amls__free(r->w);
    memset(r, 0, sizeof *r);
}

/* Targets are stored as 32-bit ids when the graph has fewer than 2^31 vertices, else as 64-bit
 * ones: read them as stored and narrow those in place. Collective. */
static int load_targets(MPI_Comm comm, hid_t f, const char *name, int64_t base, rows *r)
{
    int rc = AMLS_OK;
    bool narrow = amls__h5_type_size(f, name) == 4;
    int64_t *wide = NULL;
    if (narrow) {
        r->tg = amls__malloc((size_t)r->m + 1, sizeof *r->tg);
        AMLS_AGREE(comm, amls__alloc_status(r->tg != NULL));
        AMLS_TRY(amls__h5_read(f, name, H5T_NATIVE_UINT32, base, r->m, r->tg));
        goto cleanup;
    }
    wide = amls__malloc((size_t)r->m + 1, sizeof *wide);
    AMLS_AGREE(comm, amls__alloc_status(wide != NULL));
    AMLS_TRY(amls__h5_read(f, name, H5T_NATIVE_INT64, base, r->m, wide));
    r->tg = (uint32_t *)wide;
    for (int64_t j = 0; j < r->m; j++)
        r->tg[j] = wide[j] < 0 || wide[j] > UINT32_MAX ? UINT32_MAX : (uint32_t)wide[j];
    wide = NULL;
cleanup:
    amls__free(wide);
    return rc;
}

/* The rows hold what a CSR over n vertices can: offsets that grow, targets below n. Local. */
static int check_rows(const rows *r, int64_t nr, int64_t n, const char *grp)
{
    for (int64_t i = 0; i < nr; i++)
        if (r->ptr[i + 1] < r->ptr[i])
            return amls_error(AMLS_ERR_FORMAT, "/%s/offsets decrease at row %lld", grp,
                              (long long)i);
    int64_t lim = AMLS_MIN(n, (int64_t)UINT32_MAX); /* UINT32_MAX: a 64-bit id that did not fit */
    for (int64_t j = 0; j < r->m; j++)
        if ((int64_t)r->tg[j] >= lim)
            return amls_error(AMLS_ERR_FORMAT, "/%s/targets holds %lld, not a vertex", grp,
                              (long long)r->tg[j]);
    return AMLS_OK;
}

static int load_rows(MPI_Comm comm, hid_t f, const char *grp, int64_t lo, int64_t hi, int64_t n,
                     bool weighted, rows *r)
{
    int rc = AMLS_OK;
    char name[64];
    int64_t nr = hi - lo;
    memset(r, 0, sizeof *r);
    r->ptr = amls__malloc((size_t)nr + 2, sizeof *r->ptr);
    AMLS_AGREE(comm, amls__alloc_status(r->ptr != NULL));
    snprintf(name, sizeof name, "/%s/offsets", grp);
    AMLS_TRY(amls__h5_read(f, name, H5T_NATIVE_INT64, lo, nr + 1, r->ptr));
    int64_t base = r->ptr[0];
    r->m = AMLS_MAX(r->ptr[nr] - base, (int64_t)0);
    for (int64_t i = 0; i <= nr; i++)
        r->ptr[i] -= base;
    snprintf(name, sizeof name, "/%s/targets", grp);
    AMLS_TRY(load_targets(comm, f, name, base, r));
    if (weighted) {
        r->w = amls__malloc((size_t)r->m + 1, sizeof *r->w);
        AMLS_AGREE(comm, amls__alloc_status(r->w != NULL));
        snprintf(name, sizeof name, "/%s/weights", grp);
        AMLS_TRY(amls__h5_read(f, name, H5T_NATIVE_DOUBLE, base, r->m, r->w));
    }
    AMLS_AGREE(comm, check_rows(r, nr, n, grp));
cleanup:
    if (rc < 0)
        rows_free(r);
    return rc;
}

/* What the container's attributes say. */
typedef struct header {
    int64_t n, directed, weighted, has_in, parts, edges_read, ssize, scrc;
} header;

/* The graph object for the stored partition, parts mapped onto ranks as the builder maps
 * them, with this rank's vertices' ids read. Collective. */
static int stored_graph(MPI_Comm comm, hid_t f, const header *h, bool need_in, amls_graph *g)
{
    int rc = AMLS_OK;
    int K = (int)h->parts;
    AMLS_MPI_TRY(MPI_Comm_dup(comm, &g->comm));
    AMLS_TRY(amls__comm_rank(comm, &g->rank, &g->nranks));
    int R = g->nranks;
    g->n = h->n;
    g->directed = h->directed != 0;
    g->weighted = h->weighted != 0;
    g->has_in = !g->directed || (h->has_in && need_in);
    g->nparts = K;
    g->part_off = amls__malloc((size_t)K + 1, sizeof *g->part_off);
    g->owner_off = amls__malloc((size_t)R + 1, sizeof *g->owner_off);
    g->dir_off = amls__malloc((size_t)R + 1, sizeof *g->dir_off);
    AMLS_AGREE(comm, amls__alloc_status(g->part_off && g->owner_off && g->dir_off));
    AMLS_TRY(amls__h5_read(f, "/partition/part_off", H5T_NATIVE_INT64, 0, K + 1, g->part_off));
    for (int r = 0, p = 0; r <= R; r++) {
        while (p < K && (int64_t)p * R / K < r)
            p++;
        g->owner_off[r] = g->part_off[p];
    }
    g->owner_off[R] = g->n;
    for (int p = 0; p <= R; p++)
        g->dir_off[p] = amls__muldiv(g->n, p, R);
    g->lo = g->owner_off[g->rank];
    g->n_local = g->owner_off[g->rank + 1] - g->lo;
    g->orig = amls__malloc((size_t)g->n_local + 1, sizeof *g->orig);
    g->dense = amls__malloc((size_t)g->n_local + 1, sizeof *g->dense);
    AMLS_AGREE(comm, amls__alloc_status(g->orig && g->dense));
    AMLS_TRY(amls__h5_read(f, "/vertices/orig", H5T_NATIVE_INT64, g->lo, g->n_local, g->orig));
    AMLS_TRY(amls__h5_read(f, "/vertices/dense", H5T_NATIVE_INT64, g->lo, g->n_local, g->dense));
cleanup:
    return rc;
}

/* Fast path: the stored partition; every rank reads its own rows. Collective. */
static int load_stored(MPI_Comm comm, hid_t f, const header *h, bool need_in, amls_graph **out)
{
    int rc = AMLS_OK;
    rows ro = {0}, ri = {0};
    amls_graph *g = amls__calloc(1, sizeof *g);
    *out = NULL;
    if (g)
        g->comm = MPI_COMM_NULL;
    AMLS_AGREE(comm, amls__alloc_status(g != NULL));
    AMLS_TRY(stored_graph(comm, f, h, need_in, g));
    g->part_method = AMLS_PART_FILE; /* the partition stored in the file */
    AMLS_TRY(load_rows(comm, f, "out", g->lo, g->lo + g->n_local, g->n, g->weighted, &ro));
    g->out_ptr = ro.ptr;
    g->out_w = ro.w;
    ro.ptr = NULL;
    ro.w = NULL;
    if (g->directed && h->has_in && need_in) {
        AMLS_TRY(load_rows(comm, f, "in", g->lo, g->lo + g->n_local, g->n, g->weighted, &ri));
        g->in_ptr = ri.ptr;
        g->in_w = ri.w;
        ri.ptr = NULL;
        ri.w = NULL;
    }
    rc = amls__graph_finish(g, ro.tg, ro.m, ri.tg, ri.m);
    ro.tg = ri.tg = NULL; /* taken over */
    AMLS_TRY(rc);
    *out = g;
    g = NULL;
cleanup:
    rows_free(&ro);
    rows_free(&ri);
    amls_graph_free(&g);
    return rc;
}

/* Rows [lo, hi) as raw edges with original ids; an undirected edge is stored both ways and
 * taken once. Local. */
static int rows_to_raw(const int64_t *orig, int64_t lo, int64_t hi, const rows *r, bool directed,
                       amls_raw_graph *raw)
{
    int rc = AMLS_OK;
    for (int64_t i = 0; i < hi - lo; i++)
        for (int64_t j = r->ptr[i]; j < r->ptr[i + 1]; j++)
            if (directed || lo + i <= r->tg[j])
                AMLS_TRY(
                    amls_raw_graph_push(raw, orig[lo + i], orig[r->tg[j]], r->w ? r->w[j] : 1.0));
    AMLS_ALLOC(raw->vlist, hi - lo + 1);
    memcpy(raw->vlist, orig + lo, (size_t)(hi - lo) * sizeof *raw->vlist);
cleanup:
    return rc;
}

/* Generic path: even blocks of stored rows become raw edges with original ids; the builder
 * partitions them as asked. Collective. */
static int load_repartition(MPI_Comm comm, hid_t f, const header *h, const amls_build_opts *o,
                            amls_graph **out)
{
    int rc = AMLS_OK, rank = 0, R = 1;
    amls_raw_graph raw = {.compact = true};
    int64_t *orig = NULL;
    rows r = {0};
    AMLS_TRY(amls__comm_rank(comm, &rank, &R));
    int64_t lo = amls__muldiv(h->n, rank, R), hi = amls__muldiv(h->n, rank + 1, R);
    orig = amls__malloc((size_t)h->n + 1, sizeof *orig);
    AMLS_AGREE(comm, amls__alloc_status(orig != NULL));
    AMLS_TRY(amls__h5_read(f, "/vertices/orig", H5T_NATIVE_INT64, 0, h->n, orig));
    AMLS_TRY(load_rows(comm, f, "out", lo, hi, h->n, h->weighted != 0, &r));
    AMLS_AGREE(comm, rows_to_raw(orig, lo, hi, &r, h->directed != 0, &raw));
    raw.nvlist = hi - lo;
    raw.vset = AMLS_VSET_LIST;
    raw.directed = h->directed != 0;
    raw.weighted = h->weighted != 0;
    raw.edges_read = h->edges_read;
    amls__free(orig);
    orig = NULL;
    rows_free(&r);
    rc = amls_graph_build(comm, &raw, o, out);
cleanup:
    amls__free(orig);
    rows_free(&r);
    amls_raw_graph_free(&raw);
    return rc;
}

/* The container's attributes, checked. Local (every rank reads the same file). */
static int read_header(hid_t f, const char *path, header *h, char *src_name, size_t src_cap)
{
    int rc = AMLS_OK;
    char fmt[64] = "";
    int64_t version = 0;
    const amls__h5_field attrs[] = {
        AMLS__H5_I64("vertices", &h->n),
        AMLS__H5_I64("directed", &h->directed),
        AMLS__H5_I64("weighted", &h->weighted),
        AMLS__H5_I64("has_in_edges", &h->has_in),
        AMLS__H5_I64("parts", &h->parts),
        AMLS__H5_I64("edges_read", &h->edges_read),
        AMLS__H5_I64("source_size", &h->ssize),
        AMLS__H5_I64("source_crc32", &h->scrc),
        AMLS__H5_BUF("source_name", src_name, src_cap),
    };
    const amls__h5_field head[] = {AMLS__H5_BUF("format", fmt, sizeof fmt),
                                   AMLS__H5_I64("format_version", &version)};
    AMLS_TRY(amls__h5_get_fields(f, head, 1));
    AMLS_CHECK(strcmp(fmt, FORMAT_NAME) == 0, AMLS_ERR_FORMAT,
               "%s: not an amls-graph container (format '%s')", path, fmt);
    AMLS_TRY(amls__h5_get_fields(f, head + 1, 1));
    AMLS_CHECK(version == FORMAT_VERSION, AMLS_ERR_FORMAT,
               "%s: container format version %lld, this engine reads %d", path, (long long)version,
               FORMAT_VERSION);
    AMLS_TRY(amls__h5_get_fields(f, attrs, src_name ? 9 : 8));
    AMLS_CHECK(h->n >= 0 && h->parts >= 1 && h->parts <= (1 << 20), AMLS_ERR_FORMAT,
               "%s: inconsistent container header", path);
cleanup:
    return rc < 0 ? with_path(rc, path) : rc;
}

int amls_graph_load_h5(MPI_Comm comm, const char *path, const amls_build_opts *o, bool use_stored,
                       amls_graph **out, amls_source_info *src, char *src_name, size_t src_cap)
{
    int rc = AMLS_OK;
    hid_t f = -1;
    header h = {0};
    *out = NULL;
    AMLS_TRY(amls__h5_open(comm, path, &f));
    AMLS_AGREE(comm, read_header(f, path, &h, src_name, src_cap));
    if (src) {
        src->name = src_name;
        src->size = h.ssize;
        src->crc32 = (uint32_t)h.scrc;
    }
    if (use_stored && (o == NULL || o->nparts == 0 || o->nparts == h.parts))
        rc = load_stored(comm, f, &h, o == NULL || o->need_in_edges, out);
    else
        rc = load_repartition(comm, f, &h, o, out);
    if (rc == AMLS_OK)
        (*out)->edges_read = h.edges_read;
    if (rc < 0)
        rc = with_path(rc, path);
cleanup:
    amls__h5_close(&f);
    return amls_agree(comm, rc, NULL);
}

int amls_graph_probe_h5(MPI_Comm comm, const char *path, amls_graph_size *out)
{
    int rc = AMLS_OK;
    hid_t f = -1;
    header h = {0};
    int64_t arcs = 0;
    const amls__h5_field attr[] = {AMLS__H5_I64("arcs", &arcs)};
    memset(out, 0, sizeof *out);
    AMLS_TRY(amls__h5_open(comm, path, &f));
    AMLS_AGREE(comm, read_header(f, path, &h, NULL, 0));
    AMLS_AGREE(comm, amls__h5_get_fields(f, attr, 1));
    out->stored = out->exact = true;
    out->vertices = h.n;
    out->records = arcs;
    out->directed = h.directed != 0;
    out->weighted = h.weighted != 0;
    out->has_in = h.has_in != 0;
cleanup:
    amls__h5_close(&f);
    return rc;
}

int amls_graph_input_crc32(MPI_Comm comm, const char *input, uint32_t *crc)
{
    int rc = AMLS_OK;
    int64_t size = 0, v = 0;
    hid_t f = -1;
    *crc = 0;
    if (strncmp(input, "gen:", 4) == 0) {
        *crc = (uint32_t)crc32(0L, (const Bytef *)input, (uInt)strlen(input));
        return AMLS_OK;
    }
    if (!amls_is_h5_path(input))
        return amls_file_crc32(comm, input, crc, &size);
    /* The container records its source's checksum. */
    const amls__h5_field attr[] = {AMLS__H5_I64("source_crc32", &v)};
    AMLS_TRY(amls__h5_open(comm, input, &f));
    AMLS_AGREE(comm, amls__h5_get_fields(f, attr, 1));
    *crc = (uint32_t)v;
cleanup:
    amls__h5_close(&f);
    return rc;
}
