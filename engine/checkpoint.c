/* ---------------------------------------------------------------------------------------------
 * engine/checkpoint.c — superstep checkpoints in HDF5 and restart from them.
 * SPDX-License-Identifier: MIT
 *
 * A checkpoint taken between supersteps s and s+1 holds everything that superstep s+1 reads:
 * vertex states, halted flags (and the keys of sleeping vertices), the messages delivered to s+1
 * (combined values, or every message), published values and aggregates, with the superstep number,
 * the program, its parameters and the graph's identity. Per-vertex data is stored in original-id
 * order, so a checkpoint can be restored under any partition and rank count. Files are written
 * under a temporary name and renamed when complete; the last two are kept. On restart the newest
 * checkpoint that reads back cleanly (HDF5 metadata checksums, Fletcher-32 on the data) is
 * used; a damaged one is reported and skipped, a mismatched one (other graph, program or
 * parameters) is refused. Checkpoints stay in engine/ because they are the run context's
 * state: restoring one refills the inbox and rebuilds published values through the run's own
 * exchange (run_published.c), which no longer depends on this file.
 * ------------------------------------------------------------------------------------------- */
#include "h5.h"
#include "run_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/file.h>
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

/* Writes a fixed-size per-vertex array (owned, vsz bytes each) in dense order. Collective. */
static int put_fixed(hid_t f, const amls_graph *g, const char *name, const void *vals, size_t vsz)
{
    int rc = AMLS_OK;
    void *blk = NULL;
    AMLS_TRY(amls__to_dense_order(g, vals, vsz, &blk));
    AMLS_TRY(amls__h5_write(f, name, H5T_NATIVE_UINT8, g->n * (int64_t)vsz,
                            block_lo(g) * (int64_t)vsz, block_n(g) * (int64_t)vsz, blk));
cleanup:
    amls__free(blk);
    return rc;
}

/* Writes variable-length per-vertex data: NAME_len (int64 per vertex) and NAME_data. */
static int put_var(hid_t f, const amls_graph *g, const char *name, const int64_t *len,
                   const int64_t *off, const char *data)
{
    int rc = AMLS_OK;
    int64_t *blen = NULL, tot = 0, before = 0, all = 0;
    char *bdata = NULL, n1[64], n2[64];
    AMLS_TRY(amls__to_dense_order_var(g, len, off, data, &blen, &bdata, &tot));
    AMLS_TRY(amls__exscan_i64(g->comm, tot, &before));
    all = tot;
    AMLS_TRY(amls__allreduce_i64(g->comm, &all, 1, MPI_SUM));
    snprintf(n1, sizeof n1, "%s_len", name);
    snprintf(n2, sizeof n2, "%s_data", name);
    AMLS_TRY(amls__h5_write(f, n1, H5T_NATIVE_INT64, g->n, block_lo(g), block_n(g), blen));
    AMLS_TRY(amls__h5_write(f, n2, H5T_NATIVE_UINT8, all, before, tot, bdata));
cleanup:
    amls__free(blen);
    amls__free(bdata);
    return rc;
}

static int get_fixed(hid_t f, const amls_graph *g, const char *name, void *out, size_t vsz)
{
    int rc = AMLS_OK;
    char *blk = amls__malloc((size_t)block_n(g) * vsz + 1, 1);
    AMLS_AGREE(g->comm, amls__alloc_status(blk != NULL));
    AMLS_TRY(amls__h5_read(f, name, H5T_NATIVE_UINT8, block_lo(g) * (int64_t)vsz,
                           block_n(g) * (int64_t)vsz, blk));
    AMLS_TRY(amls__from_dense_order(g, blk, vsz, out));
cleanup:
    amls__free(blk);
    return rc;
}

/* Per owned vertex: *len bytes at *data + *off (allocated). Collective. */
static int get_var(hid_t f, const amls_graph *g, const char *name, int64_t **len, int64_t **off,
                   char **data)
{
    int rc = AMLS_OK;
    char n1[64], n2[64], *bdata = NULL;
    int64_t *blen = amls__malloc((size_t)block_n(g) + 1, sizeof *blen), tot = 0, before = 0;
    snprintf(n1, sizeof n1, "%s_len", name);
    snprintf(n2, sizeof n2, "%s_data", name);
    AMLS_AGREE(g->comm, amls__alloc_status(blen != NULL));
    AMLS_TRY(amls__h5_read(f, n1, H5T_NATIVE_INT64, block_lo(g), block_n(g), blen));
    for (int64_t k = 0; k < block_n(g); k++)
        tot += AMLS_MAX(blen[k], (int64_t)0);
    AMLS_TRY(amls__exscan_i64(g->comm, tot, &before));
    bdata = amls__malloc((size_t)tot + 1, 1);
    AMLS_AGREE(g->comm, amls__alloc_status(bdata != NULL));
    AMLS_TRY(amls__h5_read(f, n2, H5T_NATIVE_UINT8, before, tot, bdata));
    AMLS_TRY(amls__from_dense_order_var(g, blen, bdata, len, off, data));
cleanup:
    amls__free(blen);
    amls__free(bdata);
    return rc;
}

/* The attributes that identify a checkpoint. */
typedef struct ckpt_id {
    char format[64], program[256], params[1100];
    int64_t version, superstep, vertices, arcs, loops, crc, combined, state_size, ranks;
} ckpt_id;

#define CKPT_FIELDS(c)                                                                             \
    {                                                                                              \
        AMLS__H5_BUF("format", (c)->format, sizeof(c)->format),                                    \
            AMLS__H5_I64("format_version", &(c)->version),                                         \
            AMLS__H5_BUF("program", (c)->program, sizeof(c)->program),                             \
            AMLS__H5_BUF("parameters", (c)->params, sizeof(c)->params),                            \
            AMLS__H5_I64("superstep", &(c)->superstep), AMLS__H5_I64("vertices", &(c)->vertices),  \
            AMLS__H5_I64("arcs", &(c)->arcs), AMLS__H5_I64("self_loops", &(c)->loops),             \
            AMLS__H5_I64("input_crc32", &(c)->crc), AMLS__H5_I64("combined", &(c)->combined),      \
            AMLS__H5_I64("state_size", &(c)->state_size), AMLS__H5_I64("ranks", &(c)->ranks)       \
    }
enum { CKPT_NFIELDS = 12 };

/* This run's identity, as a checkpoint of it would record it. */
static void identity(const amls_ctx *cx, const amls_run_opts *o, const char *params, int64_t next,
                     ckpt_id *c)
{
    const amls_graph *g = cx->g;
    *c = (ckpt_id){.version = CKPT_VERSION,
                   .superstep = next,
                   .vertices = g->n,
                   .arcs = g->arcs,
                   .loops = g->self_loops,
                   .crc = (int64_t)o->input_crc32,
                   .combined = cx->m.comb.kind != AMLS__COMB_NONE,
                   .state_size = (int64_t)cx->p->state_size,
                   .ranks = g->nranks};
    snprintf(c->format, sizeof c->format, "%s", CKPT_FORMAT);
    snprintf(c->program, sizeof c->program, "%s", cx->p->name);
    snprintf(c->params, sizeof c->params, "%s", params);
}

/* The uncombined inbox as one variable-length value per owned vertex. Collective. */
static int put_messages(hid_t f, const amls_ctx *cx)
{
    int rc = AMLS_OK;
    const amls_graph *g = cx->g;
    int64_t nl = g->n_local, *len = NULL, *off = NULL;
    size_t msz = cx->m.msz;
    len = amls__malloc((size_t)nl + 1, sizeof *len);
    off = amls__malloc((size_t)nl + 1, sizeof *off);
    AMLS_AGREE(g->comm, amls__alloc_status(len && off));
    for (int64_t v = 0; v < nl; v++) {
        len[v] = cx->m.icnt[v] * (int64_t)msz;
        off[v] = len[v] > 0 ? cx->m.istart[v] * (int64_t)msz : 0;
    }
    AMLS_TRY(put_var(f, g, "/messages", len, off, cx->m.idata ? cx->m.idata : ""));
cleanup:
    amls__free(len);
    amls__free(off);
    return rc;
}

/* The bytes of data a checkpoint holds, over all ranks (for the space reservation). */
static int ckpt_bytes(const amls_ctx *cx, int64_t *bytes)
{
    const amls_graph *g = cx->g;
    const amls__pub *pb = &cx->pub;
    int64_t nl = g->n_local, b = nl * (int64_t)(cx->p->state_size + 1);
    if (cx->p->msg_size > 0 && cx->m.comb.kind != AMLS__COMB_NONE)
        b += nl * (int64_t)(cx->m.msz + 1);
    else if (cx->p->msg_size > 0)
        for (int64_t v = 0; v < nl; v++)
            b += 8 + cx->m.icnt[v] * (int64_t)cx->m.msz;
    if (cx->p->pub_size == AMLS_PUB_VARIABLE)
        for (int64_t v = 0; v < nl; v++)
            b += 8 + pb->vcur_len[v];
    else if (cx->p->pub_size > 0)
        b += nl * (int64_t)(pb->psz + 1);
    if (cx->req.rsz > 0) /* answers to last superstep's requests */
        b += nl * (int64_t)(cx->req.rsz + 1);
    if (cx->sl.key) /* keys of sleeping vertices */
        b += nl * 8;
    b += (int64_t)cx->agg.bytes + 8; /* aggregates, engine flags */
    *bytes = b;
    return amls__allreduce_i64(g->comm, bytes, 1, MPI_SUM);
}

static int write_file(amls_ctx *cx, const amls_run_opts *o, const char *params, int64_t next,
                      const char *path)
{
    int rc = AMLS_OK;
    amls_graph *g = cx->g;
    const amls_vprog *p = cx->p;
    const amls__pub *pb = &cx->pub;
    hid_t f = -1;
    ckpt_id id;
    identity(cx, o, params, next, &id);
    const amls__h5_field attrs[] = CKPT_FIELDS(&id);
    int64_t bytes = 0, sleeping = cx->sl.key != NULL;
    AMLS_TRY(amls__allreduce_i64(g->comm, &sleeping, 1, MPI_MAX)); /* a vertex ever slept */
    AMLS_AGREE(g->comm, sleeping ? amls__sleep_keys(cx) : AMLS_OK);
    AMLS_TRY(ckpt_bytes(cx, &bytes));
    AMLS_TRY(amls__h5_create(g->comm, path, bytes, &f));
    AMLS_AGREE(g->comm, amls__h5_put_fields(f, attrs, CKPT_NFIELDS));
    AMLS_TRY(put_fixed(f, g, "/state", cx->state, p->state_size));
    AMLS_TRY(put_fixed(f, g, "/halted", cx->halted, 1));
    if (sleeping)
        AMLS_TRY(put_fixed(f, g, "/sleep_key", cx->sl.key, sizeof(int64_t)));
    if (p->msg_size > 0 && cx->m.comb.kind != AMLS__COMB_NONE) {
        AMLS_TRY(put_fixed(f, g, "/inbox_has", cx->m.ihas, 1));
        AMLS_TRY(put_fixed(f, g, "/inbox", cx->m.ival, cx->m.msz));
    } else if (p->msg_size > 0) {
        AMLS_TRY(put_messages(f, cx));
    }
    if (cx->req.rsz > 0) { /* answers to last superstep's requests */
        AMLS_TRY(put_fixed(f, g, "/reply_has", cx->req.has, 1));
        AMLS_TRY(put_fixed(f, g, "/reply", cx->req.val, cx->req.rsz));
    }
    if (p->pub_size == AMLS_PUB_VARIABLE) {
        AMLS_TRY(put_var(f, g, "/published", pb->vcur_len, pb->vcur_off,
                         pb->vcur.data ? pb->vcur.data : ""));
    } else if (p->pub_size > 0) {
        AMLS_TRY(put_fixed(f, g, "/published_has", pb->cur_has, 1));
        AMLS_TRY(put_fixed(f, g, "/published", pb->cur, pb->psz));
    }
    if (cx->agg.bytes > 0)
        AMLS_TRY(amls__h5_write(f, "/aggregates", H5T_NATIVE_UINT8, (int64_t)cx->agg.bytes, 0,
                                g->rank == 0 ? (int64_t)cx->agg.bytes : 0, cx->agg.cur));
    int64_t flags = cx->wake_all; /* the master step's amls_wake_all for the next superstep */
    AMLS_TRY(amls__h5_write(f, "/engine_flags", H5T_NATIVE_INT64, 1, 0, g->rank == 0, &flags));
cleanup:;
    int frc = amls__h5_finish(g->comm, &f, path);
    return amls_agree(g->comm, rc < 0 ? rc : frc, NULL);
}

/* Steps of the complete checkpoints in dir, newest first (rank 0 lists them). Local. */
static int scan_dir(const char *dir, int64_t *steps, int *n, int cap)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return amls_error(AMLS_ERR_IO, "%s: cannot open checkpoint directory: %s", dir,
                          strerror(errno));
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        long long s;
        char tail[8];
        if (sscanf(e->d_name, "ckpt-%lld.h%7s", &s, tail) == 2 && strcmp(tail, "5") == 0 &&
            *n < cap)
            steps[(*n)++] = s;
    }
    closedir(d);
    for (int i = 1; i < *n; i++) /* newest first */
        for (int j = i; j > 0 && steps[j] > steps[j - 1]; j--) {
            int64_t t = steps[j];
            steps[j] = steps[j - 1];
            steps[j - 1] = t;
        }
    return AMLS_OK;
}

/* The checkpoints of dir, newest first, on every rank. Collective. */
static int list_checkpoints(MPI_Comm comm, const char *dir, int64_t *steps, int *n, int cap)
{
    int rc = AMLS_OK, rank = 0;
    *n = 0;
    AMLS_TRY(amls__comm_rank(comm, &rank, NULL));
    AMLS_AGREE(comm, rank == 0 ? scan_dir(dir, steps, n, cap) : AMLS_OK);
    AMLS_MPI_TRY(MPI_Bcast(n, 1, MPI_INT, 0, comm));
    AMLS_MPI_TRY(MPI_Bcast(steps, *n, MPI_INT64_T, 0, comm));
cleanup:
    return rc;
}

/* Rank 0: creates the checkpoint directory, takes its lock (.lock, held until the run ends:
 * a second job cannot write into a directory in use) and removes the temporary files a killed
 * job left (nobody else can be writing them while we hold the lock). Local. */
static int lock_dir(amls_ctx *cx, const char *dir)
{
    int rc = AMLS_OK;
    char path[4200];
    AMLS_CHECK(mkdir(dir, 0777) == 0 || errno == EEXIST, AMLS_ERR_IO,
               "%s: cannot create checkpoint directory: %s", dir, strerror(errno));
    snprintf(path, sizeof path, "%s/.lock", dir);
    cx->ckpt_lock = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0666);
    AMLS_CHECK(cx->ckpt_lock >= 0, AMLS_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    AMLS_CHECK(flock(cx->ckpt_lock, LOCK_EX | LOCK_NB) == 0, AMLS_ERR_IO,
               "%s: checkpoint directory in use by another running job (its lock %s is held)", dir,
               path);
    DIR *d = opendir(dir);
    AMLS_CHECK(d != NULL, AMLS_ERR_IO, "%s: cannot open: %s", dir, strerror(errno));
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strncmp(e->d_name, "ckpt-", 5) == 0 && strstr(e->d_name, ".h5.tmp-") != NULL) {
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            if (unlink(path) == 0)
                fprintf(stderr, "amls-graph: removed %s, left by a job that did not finish\n",
                        path);
        }
    closedir(d);
cleanup:
    return rc;
}

int amls__ckpt_prepare(amls_ctx *cx, const amls_run_opts *o)
{
    amls_graph *g = cx->g;
    return amls_agree(g->comm, g->rank == 0 ? lock_dir(cx, o->checkpoint_dir) : AMLS_OK, NULL);
}

int amls__ckpt_write(amls_ctx *cx, const amls_run_opts *o, const char *params, int64_t next)
{
    int rc = AMLS_OK, n = 0;
    amls_graph *g = cx->g;
    char path[4200], tmp[4300];
    int64_t steps[256];
    snprintf(path, sizeof path, "%s/ckpt-%012lld.h5", o->checkpoint_dir, (long long)next);
    AMLS_TRY(amls__tmp_name(g->comm, path, tmp, sizeof tmp));
    AMLS_TRY(amls__commit(g->comm, write_file(cx, o, params, next, tmp), tmp, path));
    /* Keep the newest two. */
    AMLS_TRY(list_checkpoints(g->comm, o->checkpoint_dir, steps, &n, 256));
    for (int i = 2; i < n && g->rank == 0; i++) {
        snprintf(path, sizeof path, "%s/ckpt-%012lld.h5", o->checkpoint_dir, (long long)steps[i]);
        unlink(path);
    }
cleanup:
    return rc;
}

/* Checks a checkpoint's attributes against this run. Damage: AMLS_ERR_FORMAT; a mismatch:
 * AMLS_ERR_INVALID. Local. */
static int check_identity(const char *path, const ckpt_id *c, const ckpt_id *want)
{
    int rc = AMLS_OK;
    AMLS_CHECK(strcmp(c->format, CKPT_FORMAT) == 0 && c->version == CKPT_VERSION, AMLS_ERR_FORMAT,
               "%s: not an amls-graph checkpoint of version %d", path, CKPT_VERSION);
    AMLS_CHECK(strcmp(c->program, want->program) == 0, AMLS_ERR_INVALID,
               "%s: checkpoint of program '%s', cannot restart '%s' from it", path, c->program,
               want->program);
    AMLS_CHECK(strcmp(c->params, want->params) == 0, AMLS_ERR_INVALID,
               "%s: checkpoint parameters '%s' differ from this run's '%s'", path, c->params,
               want->params);
    AMLS_CHECK(c->vertices == want->vertices && c->arcs == want->arcs && c->loops == want->loops &&
                   (uint32_t)c->crc == (uint32_t)want->crc,
               AMLS_ERR_INVALID,
               "%s: checkpoint of another graph (%lld vertices, %lld arcs, input crc32 %08x; this "
               "graph: %lld, %lld, %08x)",
               path, (long long)c->vertices, (long long)c->arcs, (unsigned)c->crc,
               (long long)want->vertices, (long long)want->arcs, (unsigned)want->crc);
    AMLS_CHECK(c->combined == want->combined && c->state_size == want->state_size, AMLS_ERR_INVALID,
               "%s: checkpoint taken %s the combiner; restart the same way", path,
               c->combined ? "with" : "without");
cleanup:
    return rc;
}

/* Reads the attributes and checks them. Local (every rank reads the same file). */
static int read_identity(hid_t f, const char *path, const ckpt_id *want, int64_t *next)
{
    ckpt_id c = {0};
    const amls__h5_field attrs[] = CKPT_FIELDS(&c);
    int rc = amls__h5_get_fields(f, attrs, CKPT_NFIELDS - 1); /* "ranks" is informative */
    if (rc < 0)
        return amls_error(AMLS_ERR_FORMAT, "%s: damaged checkpoint header", path);
    *next = c.superstep;
    return check_identity(path, &c, want);
}

/* The uncombined inbox from its variable-length form (bytes in arrival order). Collective. */
static int get_messages(hid_t f, amls_ctx *cx)
{
    int rc = AMLS_OK;
    amls__msgs *m = &cx->m;
    int64_t nl = cx->g->n_local, *len = NULL, *off = NULL;
    char *data = NULL;
    AMLS_TRY(get_var(f, cx->g, "/messages", &len, &off, &data));
    int64_t total = 0;
    for (int64_t v = 0; v < nl; v++) {
        m->icnt[v] = len[v] / (int64_t)m->msz;
        m->istart[v] = total;
        total += m->icnt[v];
    }
    amls__free(m->idata);
    m->idata_cap = (size_t)total * m->msz + 1;
    m->idata = amls__malloc(m->idata_cap, 1);
    AMLS_AGREE(cx->g->comm, amls__alloc_status(m->idata != NULL));
    for (int64_t v = 0; v < nl; v++)
        if (len[v] > 0)
            memcpy(m->idata + (size_t)m->istart[v] * m->msz, data + off[v], (size_t)len[v]);
cleanup:
    amls__free(len);
    amls__free(off);
    amls__free(data);
    return rc;
}

/* Published values: the owned ones, then the ghosts through the run's exchange. Collective. */
static int get_published(hid_t f, amls_ctx *cx)
{
    int rc = AMLS_OK;
    int64_t *len = NULL, *off = NULL;
    char *data = NULL;
    if (cx->p->pub_size == AMLS_PUB_VARIABLE) {
        AMLS_TRY(get_var(f, cx->g, "/published", &len, &off, &data));
        AMLS_AGREE(cx->g->comm, amls__pub_set_next_var(cx, len, off, data));
    } else {
        AMLS_TRY(get_fixed(f, cx->g, "/published_has", cx->pub.next_has, 1));
        AMLS_TRY(get_fixed(f, cx->g, "/published", cx->pub.next, cx->pub.psz));
    }
    AMLS_TRY(amls__pub_exchange(cx));
cleanup:
    amls__free(len);
    amls__free(off);
    amls__free(data);
    return rc;
}

/* Reads one checkpoint into the context. Collective. */
static int restore_file(amls_ctx *cx, const amls_run_opts *o, const char *params, const char *path,
                        int64_t *next)
{
    int rc = AMLS_OK;
    amls_graph *g = cx->g;
    const amls_vprog *p = cx->p;
    hid_t f = -1;
    ckpt_id want;
    identity(cx, o, params, 0, &want);
    AMLS_TRY(amls__h5_open(g->comm, path, &f));
    AMLS_AGREE(g->comm, read_identity(f, path, &want, next));
    AMLS_TRY(get_fixed(f, g, "/state", cx->state, p->state_size));
    AMLS_TRY(get_fixed(f, g, "/halted", cx->halted, 1));
    if (H5Lexists(f, "/sleep_key", H5P_DEFAULT) > 0) { /* [1.3] vertices slept */
        AMLS_TRY(amls__sleep_keys(cx));
        AMLS_TRY(get_fixed(f, g, "/sleep_key", cx->sl.key, sizeof(int64_t)));
        AMLS_TRY(amls__sleep_rebuild(cx));
    }
    if (p->msg_size > 0 && cx->m.comb.kind != AMLS__COMB_NONE) {
        AMLS_TRY(get_fixed(f, g, "/inbox_has", cx->m.ihas, 1));
        AMLS_TRY(get_fixed(f, g, "/inbox", cx->m.ival, cx->m.msz));
    } else if (p->msg_size > 0) {
        AMLS_TRY(get_messages(f, cx));
    }
    if (cx->req.rsz > 0) {
        AMLS_TRY(get_fixed(f, g, "/reply_has", cx->req.has, 1));
        AMLS_TRY(get_fixed(f, g, "/reply", cx->req.val, cx->req.rsz));
    }
    if (p->pub_size > 0)
        AMLS_TRY(get_published(f, cx));
    if (cx->agg.bytes > 0)
        AMLS_TRY(amls__h5_read(f, "/aggregates", H5T_NATIVE_UINT8, 0, (int64_t)cx->agg.bytes,
                               cx->agg.cur));
    if (H5Lexists(f, "/engine_flags", H5P_DEFAULT) > 0) { /* absent before ABI 1.2 */
        int64_t flags = 0;
        AMLS_TRY(amls__h5_read(f, "/engine_flags", H5T_NATIVE_INT64, 0, 1, &flags));
        cx->wake_all = flags & 1;
    }
cleanup:
    amls__h5_close(&f);
    return amls_agree(g->comm, rc, NULL);
}

int amls__ckpt_restore(amls_ctx *cx, const amls_run_opts *o, const char *params, int64_t *next)
{
    int rc = AMLS_OK, n = 0;
    amls_graph *g = cx->g;
    int64_t steps[256];
    AMLS_TRY(list_checkpoints(g->comm, o->restart_dir, steps, &n, 256));
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
    AMLS_AGREE(g->comm, g->rank == 0 ? amls_error(AMLS_ERR_NOT_FOUND,
                                                  "%s: no usable checkpoint (%d found, all "
                                                  "damaged or none)",
                                                  o->restart_dir, n)
                                     : AMLS_ERR_NOT_FOUND);
cleanup:
    return rc;
}
