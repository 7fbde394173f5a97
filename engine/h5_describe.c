/* ---------------------------------------------------------------------------------------------
 * engine/h5_describe.c — reading amls-graph's HDF5 files on one rank: the root attributes and
 * dataset lengths of any of them (results, checkpoints, containers) as JSON, and the ids and
 * values of a result file.
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#include "h5.h"

#include "amls/engine.h"

#include <cjson/cJSON.h>
#include <stdio.h>

/* One root attribute as a JSON value: integers, floats, strings (others: null). */
static cJSON *attr_value(hid_t a)
{
    hid_t t = H5Aget_type(a);
    cJSON *v = NULL;
    if (t < 0)
        return NULL;
    H5T_class_t cls = H5Tget_class(t);
    if (cls == H5T_INTEGER) {
        int64_t x = 0;
        v = H5Aread(a, H5T_NATIVE_INT64, &x) >= 0 ? cJSON_CreateNumber((double)x) : NULL;
    } else if (cls == H5T_FLOAT) {
        double x = 0;
        v = H5Aread(a, H5T_NATIVE_DOUBLE, &x) >= 0 ? cJSON_CreateNumber(x) : NULL;
    } else if (cls == H5T_STRING && !H5Tis_variable_str(t)) {
        size_t n = H5Tget_size(t);
        char *buf = amls__calloc(n + 1, 1);
        hid_t mt = H5Tcopy(H5T_C_S1);
        if (buf && mt >= 0 && H5Tset_size(mt, n) >= 0 && H5Aread(a, mt, buf) >= 0)
            v = cJSON_CreateString(buf);
        if (mt >= 0)
            H5Tclose(mt);
        amls__free(buf);
    } else {
        v = cJSON_CreateNull();
    }
    H5Tclose(t);
    return v;
}

static herr_t on_attr(hid_t loc, const char *name, const H5A_info_t *info, void *ud)
{
    (void)info;
    hid_t a = H5Aopen(loc, name, H5P_DEFAULT);
    cJSON *v = a >= 0 ? attr_value(a) : NULL;
    if (a >= 0)
        H5Aclose(a);
    if (v == NULL || !cJSON_AddItemToObject(ud, name, v)) {
        cJSON_Delete(v);
        return -1;
    }
    return 0;
}

static herr_t on_object(hid_t loc, const char *name, const H5O_info_t *info, void *ud)
{
    if (info->type != H5O_TYPE_DATASET)
        return 0;
    hid_t ds = H5Dopen2(loc, name, H5P_DEFAULT);
    hid_t sp = ds >= 0 ? H5Dget_space(ds) : -1;
    hssize_t n = sp >= 0 ? H5Sget_simple_extent_npoints(sp) : -1;
    if (sp >= 0)
        H5Sclose(sp);
    if (ds >= 0)
        H5Dclose(ds);
    char key[1024];
    snprintf(key, sizeof key, "/%s", name);
    cJSON *v = n >= 0 ? cJSON_CreateNumber((double)n) : NULL;
    if (v == NULL || !cJSON_AddItemToObject(ud, key, v)) {
        cJSON_Delete(v);
        return -1;
    }
    return 0;
}

/* The description of an open file. Local. */
static int describe(hid_t f, const char *path, char **json)
{
    int rc = AMLS_OK;
    char *text = NULL;
    cJSON *doc = cJSON_CreateObject(), *attrs = cJSON_CreateObject(), *sets = cJSON_CreateObject();
    AMLS_CHECK(doc && attrs && sets, AMLS_ERR_NOMEM, "out of memory");
    cJSON_AddItemToObject(doc, "attributes", attrs);
    cJSON_AddItemToObject(doc, "datasets", sets);
    attrs = sets = NULL; /* owned by doc */
    hsize_t idx = 0;
    AMLS_CHECK(H5Aiterate2(f, H5_INDEX_NAME, H5_ITER_INC, &idx, on_attr,
                           cJSON_GetObjectItem(doc, "attributes")) >= 0,
               AMLS_ERR_FORMAT, "%s: cannot read its attributes", path);
    AMLS_CHECK(H5Ovisit(f, H5_INDEX_NAME, H5_ITER_INC, on_object,
                        cJSON_GetObjectItem(doc, "datasets")) >= 0,
               AMLS_ERR_FORMAT, "%s: cannot list its datasets", path);
    text = cJSON_PrintUnformatted(doc);
    AMLS_CHECK(text != NULL, AMLS_ERR_NOMEM, "out of memory");
    *json = amls__strdup(text);
    AMLS_CHECK(*json != NULL, AMLS_ERR_NOMEM, "out of memory");
cleanup:
    cJSON_free(text);
    cJSON_Delete(attrs);
    cJSON_Delete(sets);
    cJSON_Delete(doc);
    return rc;
}

int amls_h5_describe(const char *path, char **json)
{
    int rc = AMLS_OK;
    hid_t f = -1;
    *json = NULL;
    AMLS_TRY(amls__h5_open(MPI_COMM_SELF, path, &f));
    AMLS_TRY(describe(f, path, json));
cleanup:
    amls__h5_close(&f);
    return rc;
}

/* The type of /values: AMLS_TYPE_F64 for floats, AMLS_TYPE_I64 for integers, 0 otherwise. */
static int values_type(hid_t f)
{
    hid_t ds = H5Dopen2(f, "/values", H5P_DEFAULT);
    hid_t t = ds >= 0 ? H5Dget_type(ds) : -1;
    H5T_class_t cls = t >= 0 ? H5Tget_class(t) : H5T_NO_CLASS;
    if (t >= 0)
        H5Tclose(t);
    if (ds >= 0)
        H5Dclose(ds);
    return cls == H5T_FLOAT ? AMLS_TYPE_F64 : cls == H5T_INTEGER ? AMLS_TYPE_I64 : 0;
}

int amls_h5_read_result(const char *path, int64_t *n, int *type, int64_t *ids, void *values)
{
    int rc = AMLS_OK;
    hid_t f = -1;
    char format[64] = "";
    int64_t vertices = 0;
    const amls__h5_field attrs[] = {AMLS__H5_BUF("format", format, sizeof format),
                                    AMLS__H5_I64("vertices", &vertices)};
    AMLS_TRY(amls__h5_open(MPI_COMM_SELF, path, &f));
    AMLS_CHECK(
        amls__h5_get_fields(f, attrs, 2) == AMLS_OK && strcmp(format, "amls-graph result") == 0,
        AMLS_ERR_FORMAT, "%s: not an amls-graph result file (written by --output R.h5)", path);
    *n = vertices;
    *type = values_type(f);
    AMLS_CHECK(*type != 0, AMLS_ERR_FORMAT, "%s: /values is neither integer nor float", path);
    if (ids)
        AMLS_TRY(amls__h5_read(f, "/ids", H5T_NATIVE_INT64, 0, vertices, ids));
    if (values)
        AMLS_TRY(amls__h5_read(f, "/values",
                               *type == AMLS_TYPE_F64 ? H5T_NATIVE_DOUBLE : H5T_NATIVE_INT64, 0,
                               vertices, values));
cleanup:
    amls__h5_close(&f);
    return rc;
}
