/* ---------------------------------------------------------------------------------------------
 * linalg/ps_checkpoint.c — checkpoints of the server state after an epoch, restart from the
 * newest readable one, and the trained model as a file (text, or HDF5 with provenance).
 * SPDX-License-Identifier: MIT
 *
 * A checkpoint is one HDF5 file DIR/ps-EEEEEEEEEEEE.h5 (E = epochs done) written by server 0
 * from the model it assembles at the epoch's end: /w (nfeat + 1 values) and, with Adagrad, /h
 * (the accumulated squared gradients), and attributes naming the model, the optimizer, the
 * data, the epoch and the run. It is written under a temporary name and renamed when complete;
 * the newest two are kept. Parameters are stored whole, not by server, and the data order
 * depends only on the seed, the epoch and the worker count: a restart may use another number
 * of servers or workers, and at the same counts a BSP run continues its trajectory bit for bit.
 * ------------------------------------------------------------------------------------------- */
#include "ps_internal.h"

#include "amls/h5file.h"
#include "amls/version.h"

#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#define CKPT_FORMAT  "amls-graph ps checkpoint"
#define CKPT_VERSION 1

static const char *update_name(amls_ps_update u)
{
    static const char *names[] = {"", "bsp", "asp", "ssp", "backup"};
    return u >= AMLS_PS_BSP && u <= AMLS_PS_BACKUP ? names[u] : "?";
}

static int write_ckpt_file(const amls__ps_ctx *cx, const char *tmp, int64_t epoch, const double *w,
                           const double *h, const amls__ps_stats *st)
{
    int rc = AMLS_OK;
    amls_h5file *f = NULL;
    const amls_ps_opts *o = cx->o;
    int64_t version = CKPT_VERSION, model = o->hp.model, opt = o->hp.optimizer,
            seed = (int64_t)o->hp.seed, workers = cx->W, servers = cx->M;
    const amls_h5_attr attrs[] = {
        AMLS_H5_ATTR_STR("format", CKPT_FORMAT),
        AMLS_H5_ATTR_I64("version", &version),
        AMLS_H5_ATTR_I64("epoch", &epoch),
        AMLS_H5_ATTR_I64("model", &model),
        AMLS_H5_ATTR_I64("optimizer", &opt),
        AMLS_H5_ATTR_I64("parameters", &cx->m),
        AMLS_H5_ATTR_I64("train_rows", &cx->ntrain),
        AMLS_H5_ATTR_STR("data", o->data_id ? o->data_id : ""),
        AMLS_H5_ATTR_STR("update", update_name(o->update)),
        AMLS_H5_ATTR_I64("seed", &seed),
        AMLS_H5_ATTR_I64("workers", &workers),
        AMLS_H5_ATTR_I64("servers", &servers),
        AMLS_H5_ATTR_I64("updates", &st->updates),
    };
    AMLS_TRY(amls_h5file_create(MPI_COMM_SELF, tmp, &f));
    AMLS_TRY(amls_h5file_put_attrs(f, attrs, (int)(sizeof attrs / sizeof attrs[0])));
    AMLS_TRY(amls_h5file_write(f, "/w", AMLS_H5_F64, cx->m, 0, cx->m, w));
    if (h != NULL)
        AMLS_TRY(amls_h5file_write(f, "/h", AMLS_H5_F64, cx->m, 0, cx->m, h));
cleanup:;
    int crc = amls_h5file_close(&f); /* the metadata is written here: a full disk shows */
    return rc < 0 ? rc : crc;
}

/* Epochs of the checkpoints in dir, newest first. Local. */
static int list_ckpts(const char *dir, int64_t *epochs, int *n, int cap)
{
    DIR *d = opendir(dir);
    *n = 0;
    if (d == NULL)
        return amls_error(AMLS_ERR_IO, "%s: cannot open the checkpoint directory: %s", dir,
                          strerror(errno));
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        long long ep;
        char tail[8];
        if (sscanf(e->d_name, "ps-%lld.h%7s", &ep, tail) == 2 && strcmp(tail, "5") == 0 && *n < cap)
            epochs[(*n)++] = ep;
    }
    closedir(d);
    for (int i = 1; i < *n; i++)
        for (int j = i; j > 0 && epochs[j] > epochs[j - 1]; j--) {
            int64_t t = epochs[j];
            epochs[j] = epochs[j - 1];
            epochs[j - 1] = t;
        }
    return AMLS_OK;
}

int amls__ps_ckpt_write(const amls__ps_ctx *cx, int64_t epoch, const double *w, const double *h,
                        const amls__ps_stats *st)
{
    const char *dir = cx->o->checkpoint_dir;
    char path[4200], tmp[4300];
    int64_t epochs[64];
    int n = 0;
    if (mkdir(dir, 0777) != 0 && errno != EEXIST)
        return amls_error(AMLS_ERR_IO, "%s: cannot create the checkpoint directory: %s", dir,
                          strerror(errno));
    snprintf(path, sizeof path, "%s/ps-%012lld.h5", dir, (long long)epoch);
    char tag[17];
    amls__random_tag(tag, 16); /* a name that cannot be planted in advance */
    snprintf(tmp, sizeof tmp, "%s.tmp-%s", path, tag);
    int rc = write_ckpt_file(cx, tmp, epoch, w, h, st);
    if (rc == AMLS_OK && rename(tmp, path) != 0)
        rc = amls_error(AMLS_ERR_IO, "%s: rename failed: %s", path, strerror(errno));
    if (rc < 0) {
        unlink(tmp);
        return rc;
    }
    rc = list_ckpts(dir, epochs, &n, 64);
    for (int i = 2; rc == AMLS_OK && i < n; i++) { /* keep the newest two */
        snprintf(path, sizeof path, "%s/ps-%012lld.h5", dir, (long long)epochs[i]);
        unlink(path);
    }
    return rc;
}

/* Reads one checkpoint on this rank. Damage: AMLS_ERR_IO/FORMAT; mismatch: AMLS_ERR_PARAM. */
static int read_ckpt_file(const char *path, const amls_ps_opts *o, int64_t m, int64_t ntrain,
                          double *w, double *h, int64_t *epoch)
{
    int rc = AMLS_OK;
    amls_h5file *f = NULL;
    char fmt[64] = "", data[1024] = "";
    int64_t ver = 0, model = 0, opt = 0, pm = 0, rows = 0, len = 0;
    const amls_h5_attr head[] = {AMLS_H5_ATTR_BUF("format", fmt, sizeof fmt),
                                 AMLS_H5_ATTR_I64("version", &ver)};
    const amls_h5_attr attrs[] = {
        AMLS_H5_ATTR_I64("epoch", epoch),      AMLS_H5_ATTR_I64("model", &model),
        AMLS_H5_ATTR_I64("optimizer", &opt),   AMLS_H5_ATTR_I64("parameters", &pm),
        AMLS_H5_ATTR_I64("train_rows", &rows), AMLS_H5_ATTR_BUF("data", data, sizeof data),
    };
    AMLS_TRY(amls_h5file_open(MPI_COMM_SELF, path, &f));
    AMLS_TRY(amls_h5file_get_attrs(f, head, 1));
    AMLS_CHECK(strcmp(fmt, CKPT_FORMAT) == 0, AMLS_ERR_FORMAT,
               "%s: not a parameter-server checkpoint", path);
    AMLS_TRY(amls_h5file_get_attrs(f, head + 1, 1));
    AMLS_CHECK(ver == CKPT_VERSION, AMLS_ERR_FORMAT, "%s: checkpoint version %lld unknown", path,
               (long long)ver);
    AMLS_TRY(amls_h5file_get_attrs(f, attrs, (int)(sizeof attrs / sizeof attrs[0])));
    AMLS_CHECK(model == o->hp.model && opt == o->hp.optimizer, AMLS_ERR_PARAM,
               "%s: the checkpoint is of another model or optimizer", path);
    AMLS_CHECK(pm == m && rows == ntrain, AMLS_ERR_PARAM,
               "%s: the checkpoint has %lld parameters and %lld training rows, this run %lld "
               "and %lld",
               path, (long long)pm, (long long)rows, (long long)m, (long long)ntrain);
    AMLS_CHECK(!o->data_id || !data[0] || strcmp(data, o->data_id) == 0, AMLS_ERR_PARAM,
               "%s: the checkpoint was made from other data (%s)", path, data);
    AMLS_TRY(amls_h5file_length(f, "/w", &len));
    AMLS_CHECK(len == m, AMLS_ERR_FORMAT, "%s: /w has %lld values", path, (long long)len);
    AMLS_TRY(amls_h5file_read(f, "/w", AMLS_H5_F64, 0, m, w));
    if (h != NULL)
        AMLS_TRY(amls_h5file_read(f, "/h", AMLS_H5_F64, 0, m, h));
cleanup:
    amls_h5file_close(&f);
    return rc;
}

/* Rank 0 tries the checkpoints newest first: damage moves on to the previous one, a
 * mismatch stops. */
static int find_ckpt(const char *dir, const amls_ps_opts *o, int64_t m, int64_t ntrain, double *w,
                     double *h, int64_t *epoch)
{
    int64_t epochs[64];
    int n = 0;
    int rc = list_ckpts(dir, epochs, &n, 64);
    if (rc == AMLS_OK && n == 0)
        rc = amls_error(AMLS_ERR_NOT_FOUND, "%s: no checkpoint (ps-*.h5) to restart from", dir);
    for (int i = 0; rc == AMLS_OK && i < n; i++) {
        char path[4200];
        snprintf(path, sizeof path, "%s/ps-%012lld.h5", dir, (long long)epochs[i]);
        rc = read_ckpt_file(path, o, m, ntrain, w, h, epoch);
        if (rc == AMLS_OK || rc == AMLS_ERR_PARAM)
            break;
        fprintf(stderr, "amls-graph: warning: skipping checkpoint %s: %s\n", path,
                amls_last_error());
        rc = i + 1 < n ? AMLS_OK : amls_error(AMLS_ERR_FORMAT, "%s: no readable checkpoint", dir);
    }
    return rc;
}

int amls__ps_ckpt_read(MPI_Comm comm, const amls_ps_opts *o, int64_t m, int64_t ntrain,
                       const char *dir, double *w, double *h, int64_t *epoch)
{
    int rank = 0, rc = AMLS_OK;
    AMLS_TRY(amls__comm_rank(comm, &rank, NULL));
    AMLS_AGREE(comm, rank == 0 ? find_ckpt(dir, o, m, ntrain, w, h, epoch) : AMLS_OK);
    AMLS_MPI_TRY(MPI_Bcast(epoch, 1, MPI_INT64_T, 0, comm));
    AMLS_MPI_TRY(MPI_Bcast(w, (int)m, MPI_DOUBLE, 0, comm));
    if (h != NULL)
        AMLS_MPI_TRY(MPI_Bcast(h, (int)m, MPI_DOUBLE, 0, comm));
cleanup:
    return rc;
}

static const char *model_name(amls_sgd_model m)
{
    return m == AMLS_SGD_LINREG ? "linreg" : (m == AMLS_SGD_SVM ? "svm" : "logreg");
}

static const char *or_empty(const char *s)
{
    return s ? s : "";
}

static int write_model_h5(const char *tmp, const amls_ps_opts *o, const amls_ps_result *res,
                          const amls_sgd_provenance *pv)
{
    int rc = AMLS_OK;
    amls_h5file *f = NULL;
    int64_t m = res->nfeat + 1, *ids = NULL, seed = (int64_t)o->hp.seed, workers = res->workers,
            servers = res->servers, crc_train = pv ? (int64_t)pv->train_crc32 : 0,
            crc_test = pv ? (int64_t)pv->test_crc32 : 0;
    amls_sgd_provenance p = {0};
    if (pv)
        p = *pv;
    const amls_sgd_metrics *tr = &res->final.train, *te = &res->final.test;
    const amls_h5_attr attrs[] = {
        AMLS_H5_ATTR_STR("format", "amls-graph model"),
        AMLS_H5_ATTR_STR("model", model_name(o->hp.model)),
        AMLS_H5_ATTR_STR("engine_version", "amls-graph " AMLS_VERSION_STRING),
        AMLS_H5_ATTR_STR("command_line", or_empty(p.command_line)),
        AMLS_H5_ATTR_STR("configuration", or_empty(p.configuration)),
        AMLS_H5_ATTR_STR("train", or_empty(p.train)),
        AMLS_H5_ATTR_I64("train_crc32", &crc_train),
        AMLS_H5_ATTR_STR("test", or_empty(p.test)),
        AMLS_H5_ATTR_I64("test_crc32", &crc_test),
        AMLS_H5_ATTR_I64("seed", &seed),
        AMLS_H5_ATTR_STR("update", update_name(o->update)),
        AMLS_H5_ATTR_I64("epochs", &res->epochs),
        AMLS_H5_ATTR_I64("workers", &workers),
        AMLS_H5_ATTR_I64("servers", &servers),
        AMLS_H5_ATTR_I64("train_rows", &tr->rows),
        AMLS_H5_ATTR_F64("train_loss", &tr->loss),
        AMLS_H5_ATTR_F64("train_accuracy", &tr->accuracy),
        AMLS_H5_ATTR_F64("train_rmse", &tr->rmse),
        AMLS_H5_ATTR_I64("test_rows", &te->rows),
        AMLS_H5_ATTR_F64("test_loss", &te->loss),
        AMLS_H5_ATTR_F64("test_accuracy", &te->accuracy),
        AMLS_H5_ATTR_F64("test_rmse", &te->rmse),
        AMLS_H5_ATTR_F64("objective", &res->objective),
        AMLS_H5_ATTR_F64("seconds", &res->seconds),
        AMLS_H5_ATTR_I64("updates", &res->updates),
        AMLS_H5_ATTR_I64("dropped", &res->dropped),
        AMLS_H5_ATTR_I64("max_staleness", &res->max_staleness),
    };
    AMLS_TRY(amls_h5file_create(MPI_COMM_SELF, tmp, &f));
    AMLS_TRY(amls_h5file_put_attrs(f, attrs, (int)(sizeof attrs / sizeof attrs[0])));
    AMLS_ALLOC(ids, m);
    for (int64_t q = 0; q < m; q++)
        ids[q] = q;
    AMLS_TRY(amls_h5file_write(f, "/ids", AMLS_H5_I64, m, 0, m, ids));
    AMLS_TRY(amls_h5file_write(f, "/values", AMLS_H5_F64, m, 0, m, res->w));
cleanup:
    amls__free(ids);
    int crc = amls_h5file_close(&f);
    return rc < 0 ? rc : crc;
}

/* The model as text on rank 0: one value per line, intercept first. */
static int model_text(const amls_ps_result *res, amls__vec *txt)
{
    int rc = AMLS_OK;
    for (int64_t q = 0; q <= res->nfeat; q++) {
        char line[40];
        int n = snprintf(line, sizeof line, "%.17g\n", res->w[q]);
        AMLS_TRY(amls__vec_append(txt, line, (size_t)n));
    }
cleanup:
    return rc;
}

int amls_ps_model_write(MPI_Comm comm, const char *path, const amls_ps_opts *o,
                        const amls_ps_result *res, const amls_sgd_provenance *pv)
{
    int rank = 0, rc = AMLS_OK;
    size_t len = strlen(path);
    char tmp[4300] = "";
    amls__vec txt;
    amls__vec_init(&txt, 1);
    AMLS_TRY(amls__comm_rank(comm, &rank, NULL));
    if (len > 3 && strcmp(path + len - 3, ".h5") == 0) {
        AMLS_TRY(amls__tmp_name(comm, path, tmp, sizeof tmp));
        rc = amls__commit(comm, rank == 0 ? write_model_h5(tmp, o, res, pv) : AMLS_OK, tmp, path);
        goto cleanup;
    }
    AMLS_AGREE(comm, rank == 0 ? model_text(res, &txt) : AMLS_OK);
    AMLS_TRY(amls_write_text(comm, path, txt.data, txt.len, false));
cleanup:
    amls__vec_free(&txt);
    return rc;
}
