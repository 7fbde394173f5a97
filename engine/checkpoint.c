/* ---------------------------------------------------------------------------------------------
 * engine/checkpoint.c — superstep checkpoints in HDF5 and restart from them.
 * SPDX-License-Identifier: MIT
 *
 * A checkpoint taken between supersteps s and s+1 holds everything that superstep s+1 reads:
 * vertex states, halted flags, the messages delivered to s+1 (combined values, or every
 * message), published values and aggregates, with the superstep number, the program, its
 * parameters and the graph's identity. Per-vertex data is stored in original-id order, so a
 * checkpoint can be restored under any partition and rank count. Files are written under a
 * temporary name and renamed when complete; the last two are kept. On restart the newest
 * checkpoint that reads back cleanly (HDF5 metadata checksums, Fletcher-32 on the data) is
 * used; a damaged one is reported and skipped, a mismatched one (other graph, program or
 * parameters) is refused.
 * ------------------------------------------------------------------------------------------- */
#include "engine/checkpoint.h"

#include "engine/graph_util.h"
#include "io/h5util.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#define CKPT_FORMAT  "amls-graph checkpoint"
#define CKPT_VERSION 1

static int64_t block_lo(const amls_graph *g)
{
    return g->dir_off[g->rank];
}
static int64_t block_n(const amls_graph *g)
{
    return g->dir_off[g->rank + 1] - g->dir_off[g->rank];
}

/* Writes a fixed-size per-vertex array (owned, vsz bytes each) in dense order. */
static int put_fixed(hid_t f, const amls_graph *g, const char *name, const void *vals, size_t vsz)
{
    void *blk = NULL;
    int rc = amls__to_dense_order(g, vals, vsz, &blk);
    if (rc == AMLS_OK)
        rc = amls__h5_write(f, name, H5T_NATIVE_UINT8, g->n * (int64_t)vsz,
                            block_lo(g) * (int64_t)vsz, block_n(g) * (int64_t)vsz, blk);
    amls__free(blk);
    return rc;
}

/* Writes variable-length per-vertex data: NAME_len (int64 per vertex) and NAME_data. */
static int put_var(hid_t f, const amls_graph *g, const char *name, const int64_t *len,
                   const int64_t *off, const char *data)
{
    int64_t *blen = NULL, tot = 0, before = 0, all = 0;
    char *bdata = NULL, n1[64], n2[64];
    int rc = amls__to_dense_order_var(g, len, off, data, &blen, &bdata, &tot);
    if (rc < 0)
        return rc;
    MPI_Exscan(&tot, &before, 1, MPI_INT64_T, MPI_SUM, g->comm);
    if (g->rank == 0)
        before = 0;
    MPI_Allreduce(&tot, &all, 1, MPI_INT64_T, MPI_SUM, g->comm);
    snprintf(n1, sizeof n1, "%s_len", name);
    snprintf(n2, sizeof n2, "%s_data", name);
    rc = amls__h5_write(f, n1, H5T_NATIVE_INT64, g->n, block_lo(g), block_n(g), blen);
    if (rc == AMLS_OK)
        rc = amls__h5_write(f, n2, H5T_NATIVE_UINT8, all, before, tot, bdata);
    amls__free(blen);
    amls__free(bdata);
    return rc;
}

static int get_fixed(hid_t f, const amls_graph *g, const char *name, void *out, size_t vsz)
{
    char *blk = amls__malloc((size_t)block_n(g) * vsz + 1, 1);
    int rc = amls_agree(g->comm, blk ? AMLS_OK : amls_error(AMLS_ERR_NOMEM, "out of memory"), NULL);
    if (rc == AMLS_OK)
        rc = amls__h5_read(f, name, H5T_NATIVE_UINT8, block_lo(g) * (int64_t)vsz,
                           block_n(g) * (int64_t)vsz, blk);
    if (rc == AMLS_OK)
        rc = amls__from_dense_order(g, blk, vsz, out);
    amls__free(blk);
    return rc;
}

static int get_var(hid_t f, const amls_graph *g, const char *name, int64_t **len, int64_t **off,
                   char **data)
{
    int rc = AMLS_OK;
    char n1[64], n2[64];
    int64_t *blen = amls__malloc((size_t)block_n(g) + 1, sizeof *blen), tot = 0, before = 0;
    char *bdata = NULL;
    snprintf(n1, sizeof n1, "%s_len", name);
    snprintf(n2, sizeof n2, "%s_data", name);
    rc = amls_agree(g->comm, blen ? AMLS_OK : amls_error(AMLS_ERR_NOMEM, "out of memory"), NULL);
    if (rc == AMLS_OK)
        rc = amls__h5_read(f, n1, H5T_NATIVE_INT64, block_lo(g), block_n(g), blen);
    if (rc == AMLS_OK) {
        for (int64_t k = 0; k < block_n(g); k++)
            tot += blen[k] > 0 ? blen[k] : 0;
        MPI_Exscan(&tot, &before, 1, MPI_INT64_T, MPI_SUM, g->comm);
        if (g->rank == 0)
            before = 0;
        bdata = amls__malloc((size_t)tot + 1, 1);
        rc = amls_agree(g->comm, bdata ? AMLS_OK : amls_error(AMLS_ERR_NOMEM, "out of memory"),
                        NULL);
    }
    if (rc == AMLS_OK)
        rc = amls__h5_read(f, n2, H5T_NATIVE_UINT8, before, tot, bdata);
    if (rc == AMLS_OK)
        rc = amls__from_dense_order_var(g, blen, bdata, len, off, data);
    amls__free(blen);
    amls__free(bdata);
    return rc;
}

static int write_file(amls_ctx *cx, const amls_run_opts *o, const char *params, int64_t next,
                      const char *path)
{
    amls_graph *g = cx->g;
    const amls_vprog *p = cx->p;
    int64_t nl = g->n_local;
    int rc = AMLS_OK;
    hid_t f = -1;
    int64_t *len = NULL, *off = NULL;
    AMLS_TRY(amls__h5_create(g->comm, path, &f));
    int lrc = AMLS_OK;
    lrc = lrc ? lrc : amls__h5_attr_str(f, "format", CKPT_FORMAT);
    lrc = lrc ? lrc : amls__h5_attr_i64(f, "format_version", CKPT_VERSION);
    lrc = lrc ? lrc : amls__h5_attr_str(f, "program", p->name);
    lrc = lrc ? lrc : amls__h5_attr_str(f, "parameters", params);
    lrc = lrc ? lrc : amls__h5_attr_i64(f, "superstep", next);
    lrc = lrc ? lrc : amls__h5_attr_i64(f, "vertices", g->n);
    lrc = lrc ? lrc : amls__h5_attr_i64(f, "arcs", g->arcs);
    lrc = lrc ? lrc : amls__h5_attr_i64(f, "self_loops", g->self_loops);
    lrc = lrc ? lrc : amls__h5_attr_i64(f, "input_crc32", (int64_t)o->input_crc32);
    lrc = lrc ? lrc : amls__h5_attr_i64(f, "combined", cx->kind != 0);
    lrc = lrc ? lrc : amls__h5_attr_i64(f, "state_size", (int64_t)p->state_size);
    lrc = lrc ? lrc : amls__h5_attr_i64(f, "ranks", g->nranks);
    AMLS_TRY(amls_agree(g->comm, lrc, NULL));
    AMLS_TRY(put_fixed(f, g, "/state", cx->state, p->state_size));
    AMLS_TRY(put_fixed(f, g, "/halted", cx->halted, 1));
    if (p->msg_size > 0) {
        if (cx->kind != 0) {
            AMLS_TRY(put_fixed(f, g, "/inbox_has", cx->ihas, 1));
            AMLS_TRY(put_fixed(f, g, "/inbox", cx->ival, cx->msz));
        } else {
            len = amls__malloc((size_t)nl + 1, sizeof *len);
            off = amls__malloc((size_t)nl + 1, sizeof *off);
            AMLS_TRY(amls_agree(
                g->comm, len && off ? AMLS_OK : amls_error(AMLS_ERR_NOMEM, "out of memory"), NULL));
            for (int64_t v = 0; v < nl; v++) {
                len[v] = (cx->ioff[v + 1] - cx->ioff[v]) * (int64_t)cx->msz;
                off[v] = cx->ioff[v] * (int64_t)cx->msz;
            }
            AMLS_TRY(put_var(f, g, "/messages", len, off, cx->idata ? cx->idata : ""));
        }
    }
    if (p->pub_size == AMLS_PUB_VARIABLE) {
        AMLS_TRY(put_var(f, g, "/published", cx->vpub_len, cx->vpub_off,
                         cx->vpub.data ? cx->vpub.data : ""));
    } else if (p->pub_size > 0) {
        AMLS_TRY(put_fixed(f, g, "/published_has", cx->pub_has, 1));
        AMLS_TRY(put_fixed(f, g, "/published", cx->pub, cx->psz));
    }
    if (p->naggregators > 0)
        AMLS_TRY(amls__h5_write(f, "/aggregates", H5T_NATIVE_UINT8, 8 * (int64_t)p->naggregators, 0,
                                g->rank == 0 ? 8 * (int64_t)p->naggregators : 0, cx->agg_cur));
cleanup:
    amls__h5_close(&f);
    amls__free(len);
    amls__free(off);
    return amls_agree(g->comm, rc, NULL);
}

/* Steps of the complete checkpoints in dir, newest first (rank 0 lists, all receive). */
static int list_checkpoints(MPI_Comm comm, const char *dir, int64_t *steps, int *n, int cap)
{
    int rank = 0, rc = AMLS_OK, cnt = 0;
    MPI_Comm_rank(comm, &rank);
    if (rank == 0) {
        DIR *d = opendir(dir);
        if (d == NULL) {
            rc = amls_error(AMLS_ERR_IO, "%s: cannot open checkpoint directory: %s", dir,
                            strerror(errno));
        } else {
            struct dirent *e;
            while ((e = readdir(d)) != NULL) {
                long long s;
                char tail[8];
                if (sscanf(e->d_name, "ckpt-%lld.h%7s", &s, tail) == 2 && strcmp(tail, "5") == 0 &&
                    cnt < cap)
                    steps[cnt++] = s;
            }
            closedir(d);
            for (int i = 1; i < cnt; i++) /* newest first */
                for (int j = i; j > 0 && steps[j] > steps[j - 1]; j--) {
                    int64_t t = steps[j];
                    steps[j] = steps[j - 1];
                    steps[j - 1] = t;
                }
        }
    }
    rc = amls_agree(comm, rc, NULL);
    MPI_Bcast(&cnt, 1, MPI_INT, 0, comm);
    MPI_Bcast(steps, cnt, MPI_INT64_T, 0, comm);
    *n = cnt;
    return rc;
}

int amls__ckpt_write(amls_ctx *cx, const amls_run_opts *o, const char *params, int64_t next)
{
    amls_graph *g = cx->g;
    int rc = AMLS_OK;
    char path[4200], tmp[4300];
    if (g->rank == 0 && mkdir(o->checkpoint_dir, 0777) != 0 && errno != EEXIST)
        rc = amls_error(AMLS_ERR_IO, "%s: cannot create checkpoint directory: %s",
                        o->checkpoint_dir, strerror(errno));
    rc = amls_agree(g->comm, rc, NULL);
    if (rc < 0)
        return rc;
    snprintf(path, sizeof path, "%s/ckpt-%012lld.h5", o->checkpoint_dir, (long long)next);
    amls__tmp_name(g->comm, path, tmp, sizeof tmp);
    rc = amls__commit(g->comm, write_file(cx, o, params, next, tmp), tmp, path);
    if (rc < 0)
        return rc;
    /* Keep the newest two. */
    int64_t steps[256];
    int n = 0;
    rc = list_checkpoints(g->comm, o->checkpoint_dir, steps, &n, 256);
    if (rc == AMLS_OK && g->rank == 0)
        for (int i = 2; i < n; i++) {
            snprintf(path, sizeof path, "%s/ckpt-%012lld.h5", o->checkpoint_dir,
                     (long long)steps[i]);
            unlink(path);
        }
    return rc;
}

/* Reads one checkpoint into the context. Damage: AMLS_ERR_IO/FORMAT; mismatch: INVALID. */
static int restore_file(amls_ctx *cx, const amls_run_opts *o, const char *params, const char *path,
                        int64_t *next)
{
    amls_graph *g = cx->g;
    const amls_vprog *p = cx->p;
    int64_t nl = g->n_local;
    int rc = AMLS_OK;
    hid_t f = -1;
    int64_t *len = NULL, *off = NULL;
    char *data = NULL;
    AMLS_TRY(amls__h5_open(g->comm, path, &f));
    {
        char fmt[64] = "", prog[256] = "", par[1100] = "";
        int64_t ver = 0, step = 0, n = -1, arcs = -1, loops = -1, crc = 0, comb = -1, ss = -1;
        int lrc = amls__h5_get_str(f, "format", fmt, sizeof fmt);
        lrc = lrc ? lrc : amls__h5_get_i64(f, "format_version", &ver);
        lrc = lrc ? lrc : amls__h5_get_str(f, "program", prog, sizeof prog);
        lrc = lrc ? lrc : amls__h5_get_str(f, "parameters", par, sizeof par);
        lrc = lrc ? lrc : amls__h5_get_i64(f, "superstep", &step);
        lrc = lrc ? lrc : amls__h5_get_i64(f, "vertices", &n);
        lrc = lrc ? lrc : amls__h5_get_i64(f, "arcs", &arcs);
        lrc = lrc ? lrc : amls__h5_get_i64(f, "self_loops", &loops);
        lrc = lrc ? lrc : amls__h5_get_i64(f, "input_crc32", &crc);
        lrc = lrc ? lrc : amls__h5_get_i64(f, "combined", &comb);
        lrc = lrc ? lrc : amls__h5_get_i64(f, "state_size", &ss);
        if (lrc == AMLS_OK && (strcmp(fmt, CKPT_FORMAT) != 0 || ver != CKPT_VERSION))
            lrc = amls_error(AMLS_ERR_FORMAT, "%s: not an amls-graph checkpoint of version %d",
                             path, CKPT_VERSION);
        else if (lrc < 0)
            lrc = amls_error(AMLS_ERR_FORMAT, "%s: damaged checkpoint header", path);
        else if (strcmp(prog, p->name) != 0)
            lrc = amls_error(AMLS_ERR_INVALID,
                             "%s: checkpoint of program '%s', cannot restart '%s' from it", path,
                             prog, p->name);
        else if (strcmp(par, params) != 0)
            lrc = amls_error(AMLS_ERR_INVALID,
                             "%s: checkpoint parameters '%s' differ from this run's '%s'", path,
                             par, params);
        else if (n != g->n || arcs != g->arcs || loops != g->self_loops ||
                 (uint32_t)crc != o->input_crc32)
            lrc = amls_error(AMLS_ERR_INVALID,
                             "%s: checkpoint of another graph (%lld vertices, %lld arcs, input "
                             "crc32 %08x; this graph: %lld, %lld, %08x)",
                             path, (long long)n, (long long)arcs, (unsigned)crc, (long long)g->n,
                             (long long)g->arcs, (unsigned)o->input_crc32);
        else if (comb != (cx->kind != 0) || ss != (int64_t)p->state_size)
            lrc = amls_error(AMLS_ERR_INVALID,
                             "%s: checkpoint taken %s the combiner; restart the same way", path,
                             comb ? "with" : "without");
        AMLS_TRY(amls_agree(g->comm, lrc, NULL));
        *next = step;
    }
    AMLS_TRY(get_fixed(f, g, "/state", cx->state, p->state_size));
    AMLS_TRY(get_fixed(f, g, "/halted", cx->halted, 1));
    if (p->msg_size > 0) {
        if (cx->kind != 0) {
            AMLS_TRY(get_fixed(f, g, "/inbox_has", cx->ihas, 1));
            AMLS_TRY(get_fixed(f, g, "/inbox", cx->ival, cx->msz));
        } else {
            AMLS_TRY(get_var(f, g, "/messages", &len, &off, &data));
            cx->ioff[0] = 0;
            for (int64_t v = 0; v < nl; v++)
                cx->ioff[v + 1] = cx->ioff[v] + len[v] / (int64_t)cx->msz;
            /* The restored bytes are in arrival order: repack them by vertex. */
            amls__free(cx->idata);
            cx->idata = amls__malloc((size_t)cx->ioff[nl] * cx->msz + 1, 1);
            AMLS_TRY(amls_agree(
                g->comm, cx->idata ? AMLS_OK : amls_error(AMLS_ERR_NOMEM, "out of memory"), NULL));
            for (int64_t v = 0; v < nl; v++)
                if (len[v] > 0)
                    memcpy(cx->idata + (size_t)cx->ioff[v] * cx->msz, data + off[v],
                           (size_t)len[v]);
            amls__free(data);
            data = NULL;
        }
    }
    if (p->pub_size == AMLS_PUB_VARIABLE) {
        amls__free(len);
        amls__free(off);
        amls__free(data);
        len = off = NULL;
        data = NULL;
        AMLS_TRY(get_var(f, g, "/published", &len, &off, &data));
        cx->vpub_next.len = 0;
        int64_t total = 0;
        for (int64_t v = 0; v < nl; v++)
            total += len[v] > 0 ? len[v] : 0;
        int lrc = amls__vec_reserve(&cx->vpub_next, (size_t)total + 1);
        for (int64_t v = 0; v < nl && lrc == AMLS_OK; v++) {
            cx->vpub_next_len[v] = len[v];
            cx->vpub_next_off[v] = (int64_t)cx->vpub_next.len;
            if (len[v] > 0) {
                memcpy((char *)cx->vpub_next.data + cx->vpub_next.len, data + off[v],
                       (size_t)len[v]);
                cx->vpub_next.len += (size_t)len[v];
            }
        }
        AMLS_TRY(amls_agree(g->comm, lrc, NULL));
        AMLS_TRY(amls__exchange_published(cx));
    } else if (p->pub_size > 0) {
        AMLS_TRY(get_fixed(f, g, "/published_has", cx->pub_next_has, 1));
        AMLS_TRY(get_fixed(f, g, "/published", cx->pub_next, cx->psz));
        AMLS_TRY(amls__exchange_published(cx));
    }
    if (p->naggregators > 0)
        AMLS_TRY(amls__h5_read(f, "/aggregates", H5T_NATIVE_UINT8, 0, 8 * (int64_t)p->naggregators,
                               cx->agg_cur));
cleanup:
    amls__h5_close(&f);
    amls__free(len);
    amls__free(off);
    amls__free(data);
    return amls_agree(g->comm, rc, NULL);
}

int amls__ckpt_restore(amls_ctx *cx, const amls_run_opts *o, const char *params, int64_t *next)
{
    amls_graph *g = cx->g;
    int64_t steps[256];
    int n = 0;
    int rc = list_checkpoints(g->comm, o->restart_dir, steps, &n, 256);
    if (rc < 0)
        return rc;
    for (int i = 0; i < n; i++) {
        char path[4200];
        snprintf(path, sizeof path, "%s/ckpt-%012lld.h5", o->restart_dir, (long long)steps[i]);
        rc = restore_file(cx, o, params, path, next);
        if (rc == AMLS_OK) {
            if (g->rank == 0)
                fprintf(stderr, "amls-graph: resuming from %s (superstep %lld)\n", path,
                        (long long)*next);
            return AMLS_OK;
        }
        if (rc != AMLS_ERR_IO && rc != AMLS_ERR_FORMAT)
            return rc; /* a mismatch: do not silently use an older one */
        if (g->rank == 0)
            fprintf(stderr, "amls-graph: warning: skipping damaged checkpoint %s\n", path);
        amls_clear_error();
    }
    return amls_agree(g->comm,
                      g->rank == 0 ? amls_error(AMLS_ERR_NOT_FOUND,
                                                "%s: no usable checkpoint (%d found, all damaged "
                                                "or none)",
                                                o->restart_dir, n)
                                   : AMLS_ERR_NOT_FOUND,
                      NULL);
}
