/* ---------------------------------------------------------------------------------------------
 * engine/results_h5.c — per-vertex values as HDF5: /ids and /values in original-id order,
 * written collectively by hyperslab, with provenance attributes.
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#include "h5.h"
#include "run_internal.h"

#include "amls/version.h"

static const char *or_empty(const char *s)
{
    return s ? s : "";
}

int amls_values_write_h5(const amls_values *v, const char *path, const amls_provenance *pv)
{
    int rc = AMLS_OK;
    const amls_graph *g = v->g;
    hid_t f = -1;
    char *vals = NULL, tmp[4200] = "";
    amls_vid *ids = NULL;
    amls_provenance p = {0};
    if (pv)
        p = *pv;
    int64_t crc = p.input_crc32, ranks = g->nranks;
    const amls__h5_field attrs[] = {
        AMLS__H5_STR("format", "amls-graph result"),
        AMLS__H5_STR("algorithm", or_empty(p.algorithm)),
        AMLS__H5_STR("parameters", or_empty(p.parameters)),
        AMLS__H5_STR("engine_version", "amls-graph " AMLS_VERSION_STRING),
        AMLS__H5_STR("command_line", or_empty(p.command_line)),
        AMLS__H5_STR("input", or_empty(p.input)),
        AMLS__H5_I64("input_crc32", &crc),
        AMLS__H5_I64("ranks", &ranks),
        AMLS__H5_I64("vertices", &g->n),
        AMLS__H5_I64("edges", &g->edges),
        AMLS__H5_I64("supersteps", &p.supersteps),
        AMLS__H5_F64("wall_seconds", &p.seconds),
    };
    if (v->type != AMLS_TYPE_F64 && v->type != AMLS_TYPE_I64)
        return amls_agree(g->comm,
                          amls_error(AMLS_ERR_UNSUPPORTED,
                                     "%s: HDF5 output needs a program with a result_type", path),
                          NULL);
    AMLS_TRY(amls__tmp_name(g->comm, path, tmp, sizeof tmp));
    AMLS_TRY(amls__to_dense_order(g, v->data, v->stride, (void **)&vals));
    AMLS_TRY(amls__to_dense_order(g, g->orig, sizeof *g->orig, (void **)&ids));
    int64_t lo = g->dir_off[g->rank], nb = g->dir_off[g->rank + 1] - lo;
    /* The value is the element's first 8 bytes: compact them. */
    for (int64_t i = 0; i < nb; i++)
        memmove(vals + (size_t)i * 8, vals + (size_t)i * v->stride, 8);
    AMLS_TRY(amls__h5_create(g->comm, tmp, 16 * g->n, &f));
    AMLS_AGREE(g->comm, amls__h5_put_fields(f, attrs, (int)(sizeof attrs / sizeof attrs[0])));
    AMLS_TRY(amls__h5_write(f, "/ids", H5T_NATIVE_INT64, g->n, lo, nb, ids));
    AMLS_TRY(amls__h5_write(f, "/values",
                            v->type == AMLS_TYPE_F64 ? H5T_NATIVE_DOUBLE : H5T_NATIVE_INT64, g->n,
                            lo, nb, vals));
cleanup:;
    int frc = amls__h5_finish(g->comm, &f, tmp);
    amls__free(vals);
    amls__free(ids);
    return amls__commit(g->comm, rc < 0 ? rc : frc, tmp, path);
}
