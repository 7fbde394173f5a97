/* ---------------------------------------------------------------------------------------------
 * engine/results_h5.c — run results as HDF5: /ids and /values in original-id order, written
 * collectively by hyperslab, with provenance attributes.
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#include "engine/graph_util.h"
#include "io/h5util.h"

#include "amls/engine.h"

#include <errno.h>
#include <stdio.h>
#include <unistd.h>

int amls_run_write_h5(const amls_run *r, const char *path, const amls_provenance *pv)
{
    const amls_graph *g = r->g;
    int rc = AMLS_OK;
    hid_t f = -1;
    char *vals = NULL;
    amls_vid *ids = NULL;
    char tmp[4200];
    bool f64 = r->p->result_type == AMLS_TYPE_F64;
    if (r->p->result_type != AMLS_TYPE_F64 && r->p->result_type != AMLS_TYPE_I64)
        return amls_agree(g->comm,
                          amls_error(AMLS_ERR_UNSUPPORTED,
                                     "%s: HDF5 output needs a program with a result_type", path),
                          NULL);
    amls__tmp_name(g->comm, path, tmp, sizeof tmp);
    AMLS_TRY(amls__to_dense_order(g, r->state, r->p->state_size, (void **)&vals));
    AMLS_TRY(amls__to_dense_order(g, g->orig, sizeof *g->orig, (void **)&ids));
    int64_t lo = g->dir_off[g->rank], nb = g->dir_off[g->rank + 1] - lo;
    /* The result is the state's first field: compact it. */
    for (int64_t i = 0; i < nb; i++)
        memmove(vals + (size_t)i * 8, vals + (size_t)i * r->p->state_size, 8);
    AMLS_TRY(amls__h5_create(g->comm, tmp, &f));
    int lrc = AMLS_OK;
    lrc = lrc ? lrc : amls__h5_attr_str(f, "format", "amls-graph result");
    lrc = lrc ? lrc : amls__h5_attr_str(f, "algorithm", r->p->name);
    lrc = lrc ? lrc : amls__h5_attr_str(f, "parameters", r->params);
    lrc = lrc ? lrc : amls__h5_attr_str(f, "engine_version", "amls-graph 0.1.0");
    lrc =
        lrc ? lrc
            : amls__h5_attr_str(f, "command_line", pv && pv->command_line ? pv->command_line : "");
    lrc = lrc ? lrc : amls__h5_attr_str(f, "input", pv && pv->input ? pv->input : "");
    lrc = lrc ? lrc : amls__h5_attr_i64(f, "input_crc32", pv ? (int64_t)pv->input_crc32 : 0);
    lrc = lrc ? lrc : amls__h5_attr_i64(f, "ranks", g->nranks);
    lrc = lrc ? lrc : amls__h5_attr_i64(f, "vertices", g->n);
    lrc = lrc ? lrc : amls__h5_attr_i64(f, "edges", g->edges);
    lrc = lrc ? lrc : amls__h5_attr_i64(f, "supersteps", r->supersteps);
    lrc = lrc ? lrc : amls__h5_attr_f64(f, "wall_seconds", r->seconds);
    AMLS_TRY(amls_agree(g->comm, lrc, NULL));
    AMLS_TRY(amls__h5_write(f, "/ids", H5T_NATIVE_INT64, g->n, lo, nb, ids));
    AMLS_TRY(amls__h5_write(f, "/values", f64 ? H5T_NATIVE_DOUBLE : H5T_NATIVE_INT64, g->n, lo, nb,
                            vals));
cleanup:
    amls__h5_close(&f);
    amls__free(vals);
    amls__free(ids);
    return amls__commit(g->comm, rc, tmp, path);
}
