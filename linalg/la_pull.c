/* ---------------------------------------------------------------------------------------------
 * linalg/la_pull.c — the cache-blocked pull SpMV over the segments of core/pull.c: the owned
 * segments need no ghost values, so they run while the ghost values travel.
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#include "la_internal.h"

int amls__pull_run(const amls__pull *p, const void *x, size_t vsz, double *y, amls__nbx *ex)
{
    int rc = AMLS_OK;
    memset(y, 0, (size_t)p->nrows * sizeof *y);
    for (int s = 0; s < p->nseg; s++) {
        if (s == p->nseg_owned && ex != NULL)
            AMLS_TRY(amls__nbx_gather_end(ex));
        if (vsz == 4)
            amls__pull_seg_f32(p, s, x, y);
        else
            amls__pull_seg_f64(p, s, x, y);
        if (s + 1 < p->nseg_owned && ex != NULL)
            AMLS_TRY(amls__nbx_progress(ex));
    }
    if (p->nseg == p->nseg_owned && ex != NULL)
        AMLS_TRY(amls__nbx_gather_end(ex));
cleanup:
    return rc;
}
