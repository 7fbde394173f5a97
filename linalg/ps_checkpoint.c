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
#include "io/h5util.h"
#include "linalg/ps_internal.h"

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
    hid_t f = -1;
    const amls_ps_opts *o = cx->o;
    AMLS_TRY(amls__h5_create(MPI_COMM_SELF, tmp, &f));
    AMLS_TRY(amls__h5_attr_str(f, "format", CKPT_FORMAT));
    AMLS_TRY(amls__h5_attr_i64(f, "version", CKPT_VERSION));
    AMLS_TRY(amls__h5_attr_i64(f, "epoch", epoch));
    AMLS_TRY(amls__h5_attr_i64(f, "model", o->hp.model));
    AMLS_TRY(amls__h5_attr_i64(f, "optimizer", o->hp.optimizer));
    AMLS_TRY(amls__h5_attr_i64(f, "parameters", cx->m));
    AMLS_TRY(amls__h5_attr_i64(f, "train_rows", cx->ntrain));
    AMLS_TRY(amls__h5_attr_str(f, "data", o->data_id ? o->data_id : ""));
    AMLS_TRY(amls__h5_attr_str(f, "update", update_name(o->update)));
    AMLS_TRY(amls__h5_attr_i64(f, "seed", (int64_t)o->hp.seed));
    AMLS_TRY(amls__h5_attr_i64(f, "workers", cx->W));
    AMLS_TRY(amls__h5_attr_i64(f, "servers", cx->M));
    AMLS_TRY(amls__h5_attr_i64(f, "updates", st->updates));
    AMLS_TRY(amls__h5_write(f, "/w", H5T_NATIVE_DOUBLE, cx->m, 0, cx->m, w));
    if (h != NULL)
        AMLS_TRY(amls__h5_write(f, "/h", H5T_NATIVE_DOUBLE, cx->m, 0, cx->m, h));
cleanup:
    amls__h5_close(&f);
    return rc;
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
    snprintf(tmp, sizeof tmp, "%s.tmp-%ld", path, (long)getpid());
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
    hid_t f = -1;
    char fmt[64] = "", data[1024] = "";
    int64_t ver = 0, model = 0, opt = 0, pm = 0, rows = 0, len = 0;
    AMLS_TRY(amls__h5_open(MPI_COMM_SELF, path, &f));
    AMLS_TRY(amls__h5_get_str(f, "format", fmt, sizeof fmt));
    AMLS_CHECK(strcmp(fmt, CKPT_FORMAT) == 0, AMLS_ERR_FORMAT,
               "%s: not a parameter-server checkpoint", path);
    AMLS_TRY(amls__h5_get_i64(f, "version", &ver));
    AMLS_CHECK(ver == CKPT_VERSION, AMLS_ERR_FORMAT, "%s: checkpoint version %lld unknown", path,
               (long long)ver);
    AMLS_TRY(amls__h5_get_i64(f, "epoch", epoch));
    AMLS_TRY(amls__h5_get_i64(f, "model", &model));
    AMLS_TRY(amls__h5_get_i64(f, "optimizer", &opt));
    AMLS_TRY(amls__h5_get_i64(f, "parameters", &pm));
    AMLS_TRY(amls__h5_get_i64(f, "train_rows", &rows));
    AMLS_TRY(amls__h5_get_str(f, "data", data, sizeof data));
    AMLS_CHECK(model == o->hp.model && opt == o->hp.optimizer, AMLS_ERR_PARAM,
               "%s: the checkpoint is of another model or optimizer", path);
    AMLS_CHECK(pm == m && rows == ntrain, AMLS_ERR_PARAM,
               "%s: the checkpoint has %lld parameters and %lld training rows, this run %lld "
               "and %lld",
               path, (long long)pm, (long long)rows, (long long)m, (long long)ntrain);
    AMLS_CHECK(!o->data_id || !data[0] || strcmp(data, o->data_id) == 0, AMLS_ERR_PARAM,
               "%s: the checkpoint was made from other data (%s)", path, data);
    AMLS_TRY(amls__h5_length(f, "/w", &len));
    AMLS_CHECK(len == m, AMLS_ERR_FORMAT, "%s: /w has %lld values", path, (long long)len);
    AMLS_TRY(amls__h5_read(f, "/w", H5T_NATIVE_DOUBLE, 0, m, w));
    if (h != NULL)
        AMLS_TRY(amls__h5_read(f, "/h", H5T_NATIVE_DOUBLE, 0, m, h));
cleanup:
    amls__h5_close(&f);
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
    MPI_Comm_rank(comm, &rank);
    if (rank == 0)
        rc = find_ckpt(dir, o, m, ntrain, w, h, epoch);
    AMLS_TRY(amls_agree(comm, rc, NULL));
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

static int put_metrics(hid_t f, const char *set, const amls_sgd_metrics *mt)
{
    int rc = AMLS_OK;
    char name[64];
    snprintf(name, sizeof name, "%s_rows", set);
    AMLS_TRY(amls__h5_attr_i64(f, name, mt->rows));
    snprintf(name, sizeof name, "%s_loss", set);
    AMLS_TRY(amls__h5_attr_f64(f, name, mt->loss));
    snprintf(name, sizeof name, "%s_accuracy", set);
    AMLS_TRY(amls__h5_attr_f64(f, name, mt->accuracy));
    snprintf(name, sizeof name, "%s_rmse", set);
    AMLS_TRY(amls__h5_attr_f64(f, name, mt->rmse));
cleanup:
    return rc;
}

static int write_model_h5(const char *tmp, const amls_ps_opts *o, const amls_ps_result *res,
                          const amls_sgd_provenance *pv)
{
    int rc = AMLS_OK;
    hid_t f = -1;
    int64_t m = res->nfeat + 1, *ids = NULL;
    AMLS_TRY(amls__h5_create(MPI_COMM_SELF, tmp, &f));
    AMLS_TRY(amls__h5_attr_str(f, "format", "amls-graph model"));
    AMLS_TRY(amls__h5_attr_str(f, "model", model_name(o->hp.model)));
    AMLS_TRY(amls__h5_attr_str(f, "engine_version", "amls-graph 0.1.0"));
    AMLS_TRY(amls__h5_attr_str(f, "command_line", pv && pv->command_line ? pv->command_line : ""));
    AMLS_TRY(
        amls__h5_attr_str(f, "configuration", pv && pv->configuration ? pv->configuration : ""));
    AMLS_TRY(amls__h5_attr_str(f, "train", pv && pv->train ? pv->train : ""));
    AMLS_TRY(amls__h5_attr_i64(f, "train_crc32", pv ? (int64_t)pv->train_crc32 : 0));
    AMLS_TRY(amls__h5_attr_str(f, "test", pv && pv->test ? pv->test : ""));
    AMLS_TRY(amls__h5_attr_i64(f, "test_crc32", pv ? (int64_t)pv->test_crc32 : 0));
    AMLS_TRY(amls__h5_attr_i64(f, "seed", (int64_t)o->hp.seed));
    AMLS_TRY(amls__h5_attr_str(f, "update", update_name(o->update)));
    AMLS_TRY(amls__h5_attr_i64(f, "epochs", res->epochs));
    AMLS_TRY(amls__h5_attr_i64(f, "workers", res->workers));
    AMLS_TRY(amls__h5_attr_i64(f, "servers", res->servers));
    AMLS_TRY(put_metrics(f, "train", &res->final.train));
    AMLS_TRY(put_metrics(f, "test", &res->final.test));
    AMLS_TRY(amls__h5_attr_f64(f, "objective", res->objective));
    AMLS_TRY(amls__h5_attr_f64(f, "seconds", res->seconds));
    AMLS_TRY(amls__h5_attr_i64(f, "updates", res->updates));
    AMLS_TRY(amls__h5_attr_i64(f, "dropped", res->dropped));
    AMLS_TRY(amls__h5_attr_i64(f, "max_staleness", res->max_staleness));
    AMLS_ALLOC(ids, m);
    for (int64_t q = 0; q < m; q++)
        ids[q] = q;
    AMLS_TRY(amls__h5_write(f, "/ids", H5T_NATIVE_INT64, m, 0, m, ids));
    AMLS_TRY(amls__h5_write(f, "/values", H5T_NATIVE_DOUBLE, m, 0, m, res->w));
cleanup:
    amls__free(ids);
    amls__h5_close(&f);
    return rc;
}

int amls_ps_model_write(MPI_Comm comm, const char *path, const amls_ps_opts *o,
                        const amls_ps_result *res, const amls_sgd_provenance *pv)
{
    int rank = 0, rc = AMLS_OK;
    size_t len = strlen(path);
    MPI_Comm_rank(comm, &rank);
    if (len > 3 && strcmp(path + len - 3, ".h5") == 0) {
        char tmp[4300];
        amls__tmp_name(comm, path, tmp, sizeof tmp);
        if (rank == 0)
            rc = write_model_h5(tmp, o, res, pv);
        return amls__commit(comm, rc, tmp, path);
    }
    amls__vec txt;
    amls__vec_init(&txt, 1);
    for (int64_t q = 0; rank == 0 && q <= res->nfeat && rc == AMLS_OK; q++) {
        char line[40];
        int n = snprintf(line, sizeof line, "%.17g\n", res->w[q]);
        for (int i = 0; i < n && rc == AMLS_OK; i++)
            rc = amls__vec_push(&txt, &line[i]);
    }
    rc = amls_agree(comm, rc, NULL);
    if (rc == AMLS_OK)
        rc = amls_write_text(comm, path, txt.data, txt.len, false);
    amls__vec_free(&txt);
    return rc;
}
