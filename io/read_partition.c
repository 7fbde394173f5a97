/* ---------------------------------------------------------------------------------------------
 * io/read_partition.c — partition files (METIS .part format: one part number per line, in
 * original-id order), read in parallel; the engine routes the entries to the ranks that hold
 * their vertices.
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#include "io_internal.h"

typedef struct part_ctx {
    amls__vec part; /* int32 */
    int32_t max;
} part_ctx;

static int part_line(void *ud, char *line, int64_t rel, amls__perr *err)
{
    part_ctx *c = ud;
    const char *p = amls__skip_ws(line);
    if (*p == '#' || *p == '%' || *p == '\0')
        return 0;
    int64_t v;
    if (amls__parse_i64(&p, &v) != 1 || !amls__at_end(p) || v < 0 || v > INT32_MAX)
        return amls__perr_set(err, AMLS_ERR_PARTITION, rel,
                              "expected one non-negative part number per line, got \"%.40s\"",
                              line);
    int32_t x = (int32_t)v;
    if (amls__vec_push(&c->part, &x) < 0)
        return amls__perr_set(err, AMLS_ERR_NOMEM, rel, "out of memory");
    c->max = AMLS_MAX(c->max, x);
    return 0;
}

void amls_part_entries_free(amls_part_entries *e)
{
    if (e == NULL)
        return;
    amls__free(e->part);
    memset(e, 0, sizeof *e);
}

int amls_part_file_read(MPI_Comm comm, const char *path, amls_part_entries *out)
{
    int rc = AMLS_OK;
    part_ctx c = {.max = -1};
    amls__vec_init(&c.part, sizeof(int32_t));
    memset(out, 0, sizeof *out);
    AMLS_TRY(amls__read_body(comm, path, 0, 0, part_line, &c, NULL));
    int64_t cnt[2] = {(int64_t)c.part.len, c.max};
    AMLS_TRY(amls__exscan_i64(comm, cnt[0], &out->first));
    AMLS_TRY(amls__allreduce_i64(comm, &cnt[0], 1, MPI_SUM));
    AMLS_TRY(amls__allreduce_i64(comm, &cnt[1], 1, MPI_MAX));
    out->n = (int64_t)c.part.len;
    out->part = amls__vec_steal(&c.part);
    out->total = cnt[0];
    out->max_part = (int32_t)cnt[1];
cleanup:
    amls__vec_free(&c.part);
    return rc;
}
