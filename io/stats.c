/* ---------------------------------------------------------------------------------------------
 * io/stats.c — statistics documents (amls/stats.h): a cJSON tree built on rank 0, written as one
 * file by rank 0 like a result (a new temporary file beside it, every write checked, renamed
 * over the name; the ranks agree on the outcome).
 * SPDX-License-Identifier: MIT
 *
 * Numbers go through cJSON, which prints integers up to 2^53 exactly and any other double with
 * enough digits to read back the same value; NaN and infinities become null.
 * ------------------------------------------------------------------------------------------- */
#include "amls/stats.h"

#include "core.h"

#include "amls/io.h"
#include "amls/version.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

struct amls_stats {
    MPI_Comm comm;
    int rank;
    cJSON *doc; /* rank 0 only */
};

int amls_stats_new(MPI_Comm comm, const char *command, amls_stats **out)
{
    int rc = AMLS_OK, nranks = 1;
    amls_stats *s = NULL;
    *out = NULL;
    AMLS_CALLOC(s, 1);
    s->comm = comm;
    AMLS_TRY(amls__comm_rank(comm, &s->rank, &nranks));
    if (s->rank == 0) {
        s->doc = cJSON_CreateObject();
        AMLS_CHECK(s->doc != NULL, AMLS_ERR_NOMEM, "out of memory");
        AMLS_TRY(amls_stats_set_str(s, NULL, "schema", AMLS_STATS_SCHEMA));
        AMLS_TRY(amls_stats_set_i64(s, NULL, "schema_version", AMLS_STATS_SCHEMA_VERSION));
        AMLS_TRY(amls_stats_set_str(s, NULL, "version", AMLS_VERSION_STRING));
        AMLS_TRY(amls_stats_set_str(s, NULL, "command", command));
        AMLS_TRY(amls_stats_set_i64(s, NULL, "ranks", nranks));
    }
    *out = s;
    s = NULL;
cleanup:
    amls_stats_free(&s);
    return rc;
}

void amls_stats_free(amls_stats **s)
{
    if (s == NULL || *s == NULL)
        return;
    cJSON_Delete((*s)->doc);
    amls__free(*s);
    *s = NULL;
}

MPI_Comm amls_stats_comm(const amls_stats *s)
{
    return s->comm;
}

void amls_buffer_free(void *p)
{
    amls__free(p);
}

/* The object that holds section's keys (the document itself for NULL), created if absent. */
static cJSON *section_of(const amls_stats *s, const char *section)
{
    if (section == NULL)
        return s->doc;
    cJSON *sec = cJSON_GetObjectItemCaseSensitive(s->doc, section);
    if (cJSON_IsObject(sec))
        return sec;
    sec = cJSON_CreateObject();
    if (sec && !cJSON_AddItemToObject(s->doc, section, sec)) {
        cJSON_Delete(sec);
        return NULL;
    }
    return sec;
}

static cJSON *number(double x)
{
    return isfinite(x) ? cJSON_CreateNumber(x) : cJSON_CreateNull();
}

/* The JSON value of a field. NULL when out of memory. */
static cJSON *value_of(const amls_stats_field *f)
{
    cJSON *a = NULL;
    switch (f->kind) {
    case AMLS_STATS_I64:
        return cJSON_CreateNumber((double)f->i);
    case AMLS_STATS_F64:
        return number(f->f);
    case AMLS_STATS_STR:
        return f->s ? cJSON_CreateString(f->s) : cJSON_CreateNull();
    case AMLS_STATS_BOOL:
        return cJSON_CreateBool(f->i != 0);
    case AMLS_STATS_F64_ARRAY:
    case AMLS_STATS_I64_ARRAY:
        a = cJSON_CreateArray();
        for (int64_t k = 0; a && k < f->n; k++) {
            cJSON *x = f->kind == AMLS_STATS_F64_ARRAY ? number(f->fa[k])
                                                       : cJSON_CreateNumber((double)f->ia[k]);
            if (x == NULL || !cJSON_AddItemToArray(a, x)) {
                cJSON_Delete(x);
                cJSON_Delete(a);
                return NULL;
            }
        }
        return a;
    }
    return cJSON_CreateNull();
}

/* Puts `v` (taken over) as obj.name, replacing an older value. */
static int put(cJSON *obj, const char *name, cJSON *v)
{
    if (obj == NULL || v == NULL) {
        cJSON_Delete(v);
        return amls_error(AMLS_ERR_NOMEM, "out of memory building statistics");
    }
    if (cJSON_GetObjectItemCaseSensitive(obj, name))
        return cJSON_ReplaceItemInObjectCaseSensitive(obj, name, v)
                   ? AMLS_OK
                   : amls_error(AMLS_ERR_NOMEM, "out of memory building statistics");
    if (!cJSON_AddItemToObject(obj, name, v)) {
        cJSON_Delete(v);
        return amls_error(AMLS_ERR_NOMEM, "out of memory building statistics");
    }
    return AMLS_OK;
}

int amls_stats_set(amls_stats *s, const char *section, const amls_stats_field *f)
{
    if (s == NULL || s->doc == NULL)
        return AMLS_OK;
    return put(section_of(s, section), f->name, value_of(f));
}

int amls_stats_set_i64(amls_stats *s, const char *section, const char *name, int64_t v)
{
    amls_stats_field f = {.name = name, .kind = AMLS_STATS_I64, .i = v};
    return amls_stats_set(s, section, &f);
}

int amls_stats_set_f64(amls_stats *s, const char *section, const char *name, double v)
{
    amls_stats_field f = {.name = name, .kind = AMLS_STATS_F64, .f = v};
    return amls_stats_set(s, section, &f);
}

int amls_stats_set_str(amls_stats *s, const char *section, const char *name, const char *v)
{
    amls_stats_field f = {.name = name, .kind = AMLS_STATS_STR, .s = v};
    return amls_stats_set(s, section, &f);
}

int amls_stats_set_bool(amls_stats *s, const char *section, const char *name, bool v)
{
    amls_stats_field f = {.name = name, .kind = AMLS_STATS_BOOL, .i = v};
    return amls_stats_set(s, section, &f);
}

int amls_stats_append(amls_stats *s, const char *section, const char *name,
                      const amls_stats_field *fields, int n)
{
    int rc = AMLS_OK;
    if (s == NULL || s->doc == NULL)
        return AMLS_OK;
    cJSON *sec = section_of(s, section), *row = cJSON_CreateObject();
    AMLS_CHECK(sec != NULL && row != NULL, AMLS_ERR_NOMEM, "out of memory building statistics");
    cJSON *arr = cJSON_GetObjectItemCaseSensitive(sec, name);
    if (!cJSON_IsArray(arr)) {
        AMLS_TRY(put(sec, name, cJSON_CreateArray()));
        arr = cJSON_GetObjectItemCaseSensitive(sec, name);
    }
    for (int k = 0; k < n; k++)
        AMLS_TRY(put(row, fields[k].name, value_of(&fields[k])));
    AMLS_CHECK(cJSON_AddItemToArray(arr, row), AMLS_ERR_NOMEM, "out of memory building statistics");
    row = NULL;
cleanup:
    cJSON_Delete(row);
    return rc;
}

/* Gathers one 8-byte value per rank onto rank 0 and sets it as an array. Collective. */
static int set_ranks(amls_stats *s, const char *section, const char *name, const void *v,
                     MPI_Datatype type, amls_stats_kind kind)
{
    int rc = AMLS_OK, nranks = 1;
    char *all = NULL;
    AMLS_TRY(amls__comm_rank(s->comm, NULL, &nranks));
    if (s->rank == 0)
        all = amls__malloc((size_t)nranks, 8);
    AMLS_AGREE(s->comm, amls__alloc_status(s->rank != 0 || all != NULL));
    AMLS_MPI_TRY(MPI_Gather(v, 1, type, all, 1, type, 0, s->comm));
    amls_stats_field f = {.name = name, .kind = kind, .n = nranks};
    f.fa = (const double *)(const void *)all;
    f.ia = (const int64_t *)(const void *)all;
    AMLS_AGREE(s->comm, amls_stats_set(s, section, &f));
cleanup:
    amls__free(all);
    return rc;
}

int amls_stats_set_ranks_f64(amls_stats *s, const char *section, const char *name, double v)
{
    return set_ranks(s, section, name, &v, MPI_DOUBLE, AMLS_STATS_F64_ARRAY);
}

int amls_stats_set_ranks_i64(amls_stats *s, const char *section, const char *name, int64_t v)
{
    return set_ranks(s, section, name, &v, MPI_INT64_T, AMLS_STATS_I64_ARRAY);
}

int amls_stats_set_pairs(amls_stats *s, const char *section, const char *name, const char *text)
{
    int rc = AMLS_OK;
    char key[256], val[1024];
    if (s == NULL || s->doc == NULL)
        return AMLS_OK;
    cJSON *obj = cJSON_CreateObject();
    AMLS_CHECK(obj != NULL, AMLS_ERR_NOMEM, "out of memory building statistics");
    for (const char *p = text ? text : ""; *p;) {
        while (*p == ' ')
            p++;
        size_t kl = strcspn(p, "= "), vl = 0;
        if (kl == 0 || p[kl] != '=') {
            p += kl + (p[kl] != '\0');
            continue;
        }
        vl = strcspn(p + kl + 1, " ");
        snprintf(key, sizeof key, "%.*s", (int)kl, p);
        snprintf(val, sizeof val, "%.*s", (int)vl, p + kl + 1);
        AMLS_TRY(put(obj, key, cJSON_CreateString(val)));
        p += kl + 1 + vl;
    }
    rc = put(section_of(s, section), name, obj);
    obj = NULL;
cleanup:
    cJSON_Delete(obj);
    return rc;
}

int amls_stats_add_memory(amls_stats *s)
{
    int rc = AMLS_OK;
    int64_t peak = amls__peak_rss(), max = peak;
    AMLS_TRY(amls__allreduce_i64(s->comm, &max, 1, MPI_MAX));
    AMLS_TRY(amls_stats_set_ranks_i64(s, "memory", "peak_rss_bytes", peak));
    AMLS_AGREE(s->comm, amls_stats_set_i64(s, "memory", "peak_rss_bytes_max", max));
cleanup:
    return rc;
}

int amls_stats_json(const amls_stats *s, char **text)
{
    *text = NULL;
    char *t = s->doc ? cJSON_Print(s->doc) : NULL;
    size_t len = t ? strlen(t) : 2;
    *text = amls__malloc(len + 2, 1);
    if (*text == NULL) {
        cJSON_free(t);
        return amls_error(AMLS_ERR_NOMEM, "out of memory printing statistics");
    }
    snprintf(*text, len + 2, "%s\n", t ? t : "{}");
    cJSON_free(t);
    return AMLS_OK;
}

/* Writes text to path on this rank alone: into a new temporary file beside it (created
 * exclusively under an unpredictable name, never through a link, so no planted file or link is
 * written through), every byte checked, synced and closed, then renamed over path (a link at
 * path is replaced, not followed). On failure nothing is left. Local. */
static int write_atomic(const char *path, const char *text)
{
    int rc = AMLS_OK, fd = -1;
    bool created = false;
    char tmp[4200], tag[17];
    amls__random_tag(tag, 16);
    AMLS_CHECK(snprintf(tmp, sizeof tmp, "%s.tmp-%s", path, tag) < (int)sizeof tmp, AMLS_ERR_PARAM,
               "%s: file name too long", path);
    AMLS_TRY(amls__create_excl(tmp, &fd));
    created = true;
    AMLS_TRY(amls__write_all(fd, text, strlen(text), path));
    int cfd = fd;
    fd = -1;
    AMLS_TRY(amls__close_synced(cfd, path));
    AMLS_CHECK(rename(tmp, path) == 0, AMLS_ERR_IO, "%s: rename failed: %s", path, strerror(errno));
cleanup:
    if (fd >= 0)
        close(fd);
    if (rc < 0 && created)
        unlink(tmp);
    return rc;
}

int amls_stats_write(const amls_stats *s, const char *path)
{
    int rc = AMLS_OK;
    char *text = NULL;
    AMLS_CHECK(path != NULL && *path != '\0', AMLS_ERR_PARAM, "--stats: empty file name");
    if (s->rank == 0) {
        AMLS_TRY(amls_stats_json(s, &text));
        AMLS_TRY(write_atomic(path, text));
    }
cleanup:
    amls__free(text);
    return amls_agree(s->comm, rc, NULL);
}
