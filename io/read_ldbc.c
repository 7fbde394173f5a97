/* ---------------------------------------------------------------------------------------------
 * io/read_ldbc.c — LDBC Graphalytics graphs: NAME.v (vertex ids, isolated vertices included),
 * NAME.e (edges, read as an edge list) and NAME.properties (direction, weights, and the
 * algorithms' default parameters, kept as text for amls_props_get).
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#include "io_internal.h"

#include <errno.h>
#include <stdio.h>
#include <unistd.h>

/* Reads a whole (small) file into a NUL-terminated buffer; AMLS_ERR_NOT_FOUND if absent. */
static int slurp(const char *path, char **out)
{
    int rc = AMLS_OK;
    amls__vec v;
    amls__vec_init(&v, 1);
    *out = NULL;
    int fd = -1;
    FILE *f = NULL;
    if (access(path, F_OK) != 0)
        return AMLS_ERR_NOT_FOUND;
    AMLS_TRY(amls__open_read(path, &fd));
    f = fdopen(fd, "rb");
    AMLS_CHECK(f != NULL, AMLS_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    fd = -1;
    char tmp[4096];
    size_t got;
    while ((got = fread(tmp, 1, sizeof tmp, f)) > 0)
        AMLS_TRY(amls__vec_append(&v, tmp, got));
    AMLS_CHECK(!ferror(f), AMLS_ERR_IO, "%s: read error", path);
    AMLS_CHECK(memchr(v.data, '\0', v.len) == NULL, AMLS_ERR_PARSE, "%s: NUL byte: not text", path);
    AMLS_TRY(amls__vec_append(&v, "", 1));
    *out = amls__vec_steal(&v);
cleanup:
    if (f)
        fclose(f);
    if (fd >= 0)
        close(fd);
    amls__vec_free(&v);
    return rc;
}

typedef struct v_ctx {
    amls__vec ids, lines; /* listed ids and their line indices in this rank's share */
} v_ctx;

static int vfile_line(void *ud, char *line, int64_t rel, amls__perr *err)
{
    v_ctx *c = ud;
    const char *p = amls__skip_ws(line);
    if (*p == '\0' || *p == '#' || *p == '%')
        return 0;
    int64_t id;
    int r = amls__parse_i64(&p, &id);
    if (r != 1)
        return amls__perr_set(err, r == -2 ? AMLS_ERR_RANGE : AMLS_ERR_PARSE, rel,
                              "%s in \"%.60s\"", amls__id_error(r), line);
    if (!amls__at_end(p))
        return amls__perr_set(err, AMLS_ERR_PARSE, rel,
                              "unexpected extra field in \"%.60s\": expected one vertex id", line);
    if (id < 0)
        return amls__perr_set(err, AMLS_ERR_RANGE, rel, "negative vertex id in \"%.60s\"", line);
    int prc = amls__vec_push_i64(&c->ids, id);
    if (prc == AMLS_OK)
        prc = amls__vec_push_i64(&c->lines, rel);
    if (prc < 0)
        return amls__perr_set(err, prc, rel, "%s", amls_last_error());
    return 0;
}

/* NAME from NAME.e, NAME.v or NAME.properties. */
static void base_name(const char *path, char *base, size_t cap)
{
    snprintf(base, cap, "%s", path);
    size_t n = strlen(base);
    if (amls__ends_with(base, ".e") || amls__ends_with(base, ".v"))
        base[n - 2] = '\0';
    else if (amls__ends_with(base, ".properties"))
        base[n - 11] = '\0';
}

int amls__read_ldbc(MPI_Comm comm, const char *path, const amls_read_opts *o, amls_raw_graph *g)
{
    int rc = AMLS_OK;
    char base[4096], vpath[4200], epath[4200], ppath[4200];
    char *props = NULL;
    v_ctx vc;
    amls__body vb = {0};
    amls__vec_init(&vc.ids, sizeof(int64_t));
    amls__vec_init(&vc.lines, sizeof(int64_t));
    base_name(path, base, sizeof base);
    snprintf(vpath, sizeof vpath, "%s.v", base);
    snprintf(epath, sizeof epath, "%s.e", base);
    snprintf(ppath, sizeof ppath, "%s.properties", base);

    /* Properties are small: every rank reads them. A missing file is fine. */
    int prc = slurp(ppath, &props);
    AMLS_AGREE(comm, prc == AMLS_ERR_NOT_FOUND ? AMLS_OK : prc);
    const char *d = amls_props_get(props, "directed");
    g->directed = amls__want_directed(o->direction, d == NULL || strcmp(d, "true") == 0);
    AMLS_TRY(amls__read_body(comm, vpath, 0, 0, vfile_line, &vc, &vb));
    for (size_t i = 0; i < vc.lines.len; i++) /* absolute line numbers */
        ((int64_t *)vc.lines.data)[i] += vb.lines_before + 1;
    amls__el_ctx c = {.g = g};
    AMLS_TRY(amls__read_body(comm, epath, 0, 0, amls__edgelist_line, &c, NULL));
    AMLS_TRY(
        amls__ldbc_check(comm, vpath, epath, vc.ids.data, vc.lines.data, (int64_t)vc.ids.len, g));
    const char *wn = amls_props_get(props, "edge-properties.names");
    AMLS_TRY(amls__finish_edges(comm, g, c.records, c.with_w,
                                wn != NULL && strstr(wn, "weight") != NULL ? 1 : -1));
    g->vset = AMLS_VSET_LIST;
    g->nvlist = (int64_t)vc.ids.len;
    g->vlist = amls__vec_steal(&vc.ids);
    g->props = props;
    props = NULL;
cleanup:
    amls__vec_free(&vc.ids);
    amls__vec_free(&vc.lines);
    amls__free(props);
    return rc;
}
