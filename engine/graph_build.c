/* ---------------------------------------------------------------------------------------------
 * engine/graph_build.c — from raw edges to the distributed graph.
 * SPDX-License-Identifier: MIT
 *
 * Steps (all collective, errors agreed after each):
 *   1. Directory: the vertex set sorted by original id and cut into one block per rank; a
 *      vertex's position in that order is its dense id. Declared ranges (mtx, METIS, DIMACS,
 *      generators) need no sort; otherwise a sample sort of the ids that occur (or of the LDBC
 *      vertex list) builds it.
 *   2. Edge endpoints are translated to dense ids by asking the directory.
 *   3. The partitioner assigns a part to every directory entry.
 *   4. Final ids: parts are laid out one after the other, keeping original-id order inside a
 *      part; each rank owns a contiguous run of parts, hence of ids.
 *   5. Endpoints are translated again (dense -> final) and the edges shuffled to the owner of
 *      the source (and of the target, for in-edges); each rank sorts its rows, removes
 *      duplicate edges (keeping the smallest weight) and maps targets to local indices.
 *   6. The communication plan: the ghosts each rank needs, grouped by owner, and the mirror
 *      lists of local vertices each peer needs.
 * ------------------------------------------------------------------------------------------- */
#include "amls/graph.h"

#include "engine/dist.h"
#include "engine/partition.h"

#include <stdio.h>

typedef struct dir_ctx {
    int nranks;
    const int64_t *dir_off;
    const int64_t *ids;    /* sorted original ids of this rank's block (sorted mode) */
    int64_t nids, lo;
    amls_vid vbase;
    bool sorted;
    const int64_t *value;  /* per directory entry answer (final ids) */
    const amls_vid *orig;  /* graph's owned original ids (for ghost lookup) */
    int64_t glo;
} dir_ctx;

static int route_by_dense(const void *ctx, int64_t key)
{
    const dir_ctx *d = ctx;
    return amls__owner_of(d->dir_off, d->nranks, key);
}

/* Answer: dense id of an original id, or -1 if it is not in the vertex set. */
static int64_t answer_dense(const void *ctx, int64_t key)
{
    const dir_ctx *d = ctx;
    int64_t i = amls__bsearch_i64(d->ids, d->nids, key);
    return i < 0 ? -1 : d->lo + i;
}

static int64_t answer_value(const void *ctx, int64_t key)
{
    const dir_ctx *d = ctx;
    return d->value[key - d->lo];
}

static int64_t answer_orig(const void *ctx, int64_t key)
{
    const dir_ctx *d = ctx;
    return d->orig[key - d->glo];
}

int amls_graph_owner(const amls_graph *g, int64_t gid)
{
    return amls__owner_of(g->owner_off, g->nranks, gid);
}

void amls_graph_free(amls_graph **gp)
{
    if (gp == NULL || *gp == NULL)
        return;
    amls_graph *g = *gp;
    amls__free(g->owner_off);
    amls__free(g->part_off);
    amls__free(g->orig);
    amls__free(g->dense);
    amls__free(g->dir_off);
    if (g->in_ptr != g->out_ptr) {
        amls__free(g->in_ptr);
        amls__free(g->in_col);
        amls__free(g->in_w);
    }
    amls__free(g->out_ptr);
    amls__free(g->out_col);
    amls__free(g->out_w);
    amls__free(g->ghost_gid);
    amls__free(g->ghost_orig);
    amls__free(g->recv_off);
    amls__free(g->send_off);
    amls__free(g->send_idx);
    if (g->comm != MPI_COMM_NULL)
        MPI_Comm_free(&g->comm);
    amls__free(g);
    *gp = NULL;
}

/* ---- CSR assembly --------------------------------------------------------------------------- */

typedef struct erec {
    int64_t u, v;
    double w;
} erec;

static int cmp_rec_v(const void *a, const void *b)
{
    const erec *x = a, *y = b;
    if (x->v != y->v)
        return (x->v > y->v) - (x->v < y->v);
    return (x->w > y->w) - (x->w < y->w);
}

/* Shuffles records to the owner of .u and builds a CSR with global targets (int64). Rows are
 * sorted by target and de-duplicated (smallest weight kept). */
static int shuffle_build(amls_graph *g, erec *recs, int64_t nrec, bool keep_w, int64_t **ptr_out,
                         int64_t **gcol_out, double **w_out, int64_t *ne_out)
{
    int rc = AMLS_OK, R = g->nranks;
    int64_t *cnt = NULL, *rcnt = NULL, *pos = NULL, *ptr = NULL, *gcol = NULL;
    double *w = NULL;
    erec *send = NULL, *recv = NULL;
    int64_t nrecv = 0;
    AMLS_CALLOC(cnt, R);
    AMLS_CALLOC(rcnt, R);
    AMLS_CALLOC(pos, R);
    AMLS_ALLOC(send, nrec);
    for (int64_t e = 0; e < nrec; e++)
        cnt[amls_graph_owner(g, recs[e].u)]++;
    for (int p = 1; p < R; p++)
        pos[p] = pos[p - 1] + cnt[p - 1];
    for (int64_t e = 0; e < nrec; e++)
        send[pos[amls_graph_owner(g, recs[e].u)]++] = recs[e];
    for (int p = 0; p < R; p++)
        cnt[p] *= (int64_t)sizeof(erec);
cleanup:
    rc = amls_agree(g->comm, rc, NULL);
    if (rc < 0)
        goto out;
    rc = amls__alltoallv_bytes(g->comm, send, cnt, (void **)&recv, rcnt, &nrecv);
    amls__free(send);
    send = NULL;
    if (rc < 0)
        goto out;
    nrecv /= (int64_t)sizeof(erec);
    {
        int64_t nl = g->n_local;
        ptr = amls__calloc((size_t)nl + 2, sizeof *ptr);
        erec *sorted = amls__malloc((size_t)nrecv + 1, sizeof *sorted);
        if (ptr == NULL || sorted == NULL) {
            amls__free(sorted);
            rc = amls_error(AMLS_ERR_NOMEM, "out of memory building the CSR (%lld edges)",
                            (long long)nrecv);
            goto agree;
        }
        for (int64_t e = 0; e < nrecv; e++)
            ptr[recv[e].u - g->lo + 1]++;
        for (int64_t i = 0; i < nl; i++)
            ptr[i + 1] += ptr[i];
        int64_t *fill = pos;
        amls__free(cnt);
        cnt = amls__malloc((size_t)nl + 1, sizeof *cnt);
        if (cnt == NULL) {
            amls__free(sorted);
            rc = amls_error(AMLS_ERR_NOMEM, "out of memory");
            goto agree;
        }
        (void)fill;
        memcpy(cnt, ptr, (size_t)nl * sizeof *cnt);
        for (int64_t e = 0; e < nrecv; e++)
            sorted[cnt[recv[e].u - g->lo]++] = recv[e];
        amls__free(recv);
        recv = sorted;
        /* Sort each row by target, drop duplicates, compact. */
        int64_t k = 0;
        for (int64_t i = 0; i < nl; i++) {
            int64_t b = ptr[i], e = ptr[i + 1];
            if (e - b > 1)
                qsort(recv + b, (size_t)(e - b), sizeof *recv, cmp_rec_v);
            ptr[i] = k;
            for (int64_t j = b; j < e; j++)
                if (j == b || recv[j].v != recv[j - 1].v)
                    recv[k++] = recv[j];
        }
        ptr[nl] = k;
        gcol = amls__malloc((size_t)k + 1, sizeof *gcol);
        w = keep_w ? amls__malloc((size_t)k + 1, sizeof *w) : NULL;
        if (gcol == NULL || (keep_w && w == NULL)) {
            rc = amls_error(AMLS_ERR_NOMEM, "out of memory");
            goto agree;
        }
        for (int64_t j = 0; j < k; j++) {
            gcol[j] = recv[j].v;
            if (w)
                w[j] = recv[j].w;
        }
        *ne_out = k;
    }
agree:
    rc = amls_agree(g->comm, rc, NULL);
    if (rc == AMLS_OK) {
        *ptr_out = ptr;
        *gcol_out = gcol;
        *w_out = w;
        ptr = gcol = NULL;
        w = NULL;
    }
out:
    amls__free(cnt);
    amls__free(rcnt);
    amls__free(pos);
    amls__free(send);
    amls__free(recv);
    amls__free(ptr);
    amls__free(gcol);
    amls__free(w);
    return rc;
}

/* Maps global targets to local indices, creating the ghost list. */
static int localise(amls_graph *g, int64_t *gout, int64_t nout, int64_t *gin, int64_t nin)
{
    int rc = AMLS_OK;
    int64_t *remote = NULL;
    size_t nr = 0;
    int64_t hi = g->lo + g->n_local;
    AMLS_ALLOC(remote, nout + nin + 1);
    for (int64_t j = 0; j < nout; j++)
        if (gout[j] < g->lo || gout[j] >= hi)
            remote[nr++] = gout[j];
    for (int64_t j = 0; j < nin; j++)
        if (gin[j] < g->lo || gin[j] >= hi)
            remote[nr++] = gin[j];
    size_t ng = 0;
    AMLS_TRY(amls__sort_unique_i64(remote, nr, &ng));
    AMLS_CHECK((uint64_t)g->n_local + ng < UINT32_MAX, AMLS_ERR_RANGE,
               "rank %d would hold %lld local and %zu remote vertices, more than 32-bit local "
               "indices allow; use more ranks",
               g->rank, (long long)g->n_local, ng);
    g->n_ghost = (int64_t)ng;
    g->ghost_gid = amls__realloc(remote, ng + 1, sizeof *remote);
    AMLS_CHECK(g->ghost_gid != NULL, AMLS_ERR_NOMEM, "out of memory");
    remote = NULL;
    for (int pass = 0; pass < 2; pass++) {
        int64_t *a = pass == 0 ? gout : gin;
        int64_t na = pass == 0 ? nout : nin;
        for (int64_t j = 0; j < na; j++) {
            int64_t x = a[j];
            if (x >= g->lo && x < hi)
                a[j] = x - g->lo;
            else
                a[j] = g->n_local + amls__bsearch_i64(g->ghost_gid, g->n_ghost, x);
        }
    }
cleanup:
    amls__free(remote);
    return rc;
}

static uint32_t *to_u32(int64_t *a, int64_t n)
{
    uint32_t *b = amls__malloc((size_t)n + 1, sizeof *b);
    if (b == NULL)
        return NULL;
    for (int64_t j = 0; j < n; j++)
        b[j] = (uint32_t)a[j];
    return b;
}

/* Builds the communication plan from the sorted ghost list. */
static int build_plan(amls_graph *g)
{
    int rc = AMLS_OK, R = g->nranks;
    int64_t *cnt = NULL, *rcnt = NULL, *recv = NULL;
    AMLS_CALLOC(g->recv_off, R + 1);
    AMLS_CALLOC(g->send_off, R + 1);
    AMLS_CALLOC(cnt, R);
    AMLS_CALLOC(rcnt, R);
    for (int64_t k = 0; k < g->n_ghost; k++)
        cnt[amls_graph_owner(g, g->ghost_gid[k])]++;
    for (int p = 0; p < R; p++) {
        g->recv_off[p + 1] = g->recv_off[p] + cnt[p];
        cnt[p] *= (int64_t)sizeof(int64_t);
    }
cleanup:
    rc = amls_agree(g->comm, rc, NULL);
    if (rc < 0)
        goto out;
    int64_t nrecv = 0;
    rc = amls__alltoallv_bytes(g->comm, g->ghost_gid, cnt, (void **)&recv, rcnt, &nrecv);
    if (rc < 0)
        goto out;
    nrecv /= (int64_t)sizeof(int64_t);
    for (int p = 0; p < R; p++)
        g->send_off[p + 1] = g->send_off[p] + rcnt[p] / (int64_t)sizeof(int64_t);
    g->send_idx = amls__malloc((size_t)nrecv + 1, sizeof *g->send_idx);
    if (g->send_idx == NULL)
        rc = amls_error(AMLS_ERR_NOMEM, "out of memory");
    else
        for (int64_t k = 0; k < nrecv; k++)
            g->send_idx[k] = (uint32_t)(recv[k] - g->lo);
    rc = amls_agree(g->comm, rc, NULL);
out:
    amls__free(cnt);
    amls__free(rcnt);
    amls__free(recv);
    return rc;
}

/* ---- the pipeline ---------------------------------------------------------------------------- */

/* Local checks inside a section of the pipeline: on failure set rc and jump to the section's
 * end, where every rank agrees before the next collective step. */
#define SEC_CHECK(cond, label, code, ...)                                                          \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            rc = amls_error((code), __VA_ARGS__);                                                  \
            goto label;                                                                            \
        }                                                                                          \
    } while (0)
#define SEC_ALLOC(ptr, n, label)                                                                   \
    SEC_CHECK(((ptr) = amls__malloc((size_t)(n) + 1, sizeof *(ptr))) != NULL, label,               \
              AMLS_ERR_NOMEM, "out of memory allocating %zu bytes",                                \
              ((size_t)(n) + 1) * sizeof *(ptr))
#define SEC_CALLOC(ptr, n, label)                                                                  \
    SEC_CHECK(((ptr) = amls__calloc((size_t)(n) + 1, sizeof *(ptr))) != NULL, label,               \
              AMLS_ERR_NOMEM, "out of memory allocating %zu bytes",                                \
              ((size_t)(n) + 1) * sizeof *(ptr))
#define SEC_END(label)                                                                             \
    label:                                                                                         \
    rc = amls_agree(comm, rc, NULL);                                                               \
    if (rc < 0)                                                                                    \
        goto done

int amls_graph_build(MPI_Comm comm, amls_raw_graph *raw, const amls_build_opts *opts,
                     amls_graph **out)
{
    int rc = AMLS_OK, R = 1, me = 0, K = 1;
    amls_build_opts o = {0};
    if (opts)
        o = *opts;
    amls_graph *g = NULL;
    int64_t *dir_ids = NULL, *ends = NULL, *splitters = NULL, *final = NULL, *cnt = NULL;
    int64_t *before = NULL, *total = NULL, *gout = NULL, *gin = NULL, *meta = NULL;
    int64_t *rcnt = NULL, *pos = NULL, *mrecv = NULL, *c3 = NULL, *keys = NULL, *sd = NULL;
    int32_t *part = NULL;
    erec *recs = NULL;
    int64_t ndir = 0, dlo = 0, nd = 0, ne = raw->nedges, nout = 0, nin = 0;
    double t0 = amls__now(), tp = 0;
    dir_ctx dc = {0};
    *out = NULL;
    MPI_Comm_rank(comm, &me);
    MPI_Comm_size(comm, &R);

    /* 0. The graph object. */
    SEC_CHECK((g = amls__calloc(1, sizeof *g)) != NULL, s0, AMLS_ERR_NOMEM, "out of memory");
    g->comm = MPI_COMM_NULL;
    SEC_END(s0);
    MPI_Comm_dup(comm, &g->comm);
    g->rank = me;
    g->nranks = R;
    g->directed = raw->directed;
    {
        /* Agree on weightedness: a rank with no edges may have w == NULL. */
        int wl = raw->weighted && !o.drop_weights ? 1 : 0, wg = 0;
        MPI_Allreduce(&wl, &wg, 1, MPI_INT, MPI_MAX, comm);
        g->weighted = wg != 0;
    }
    g->edges_read = raw->edges_read;
    K = o.nparts > 0 ? o.nparts : R;

    /* 1. Directory. */
    SEC_CALLOC(g->dir_off, R, s1);
    SEC_ALLOC(splitters, R, s1);
    SEC_ALLOC(ends, 2 * ne, s1);
    dc.nranks = R;
    dc.dir_off = g->dir_off;
    if (raw->vset == AMLS_VSET_RANGE) {
        g->n = raw->nverts;
        for (int p = 0; p <= R; p++)
            g->dir_off[p] = (int64_t)((amls__i128)g->n * p / R);
        for (int64_t e = 0; e < ne; e++) {
            ends[2 * e] = raw->src[e] - raw->vbase;
            ends[2 * e + 1] = raw->dst[e] - raw->vbase;
            SEC_CHECK(ends[2 * e] >= 0 && ends[2 * e] < g->n && ends[2 * e + 1] >= 0 &&
                          ends[2 * e + 1] < g->n,
                      s1, AMLS_ERR_RANGE, "edge (%lld, %lld) refers to a vertex outside %lld..%lld",
                      (long long)raw->src[e], (long long)raw->dst[e], (long long)raw->vbase,
                      (long long)(raw->vbase + g->n - 1));
        }
    } else {
        int64_t nk = raw->vset == AMLS_VSET_LIST ? raw->nvlist : 2 * ne;
        SEC_ALLOC(keys, nk, s1);
        if (raw->vset == AMLS_VSET_LIST)
            memcpy(keys, raw->vlist, (size_t)nk * sizeof *keys);
        else
            for (int64_t e = 0; e < ne; e++) {
                keys[2 * e] = raw->src[e];
                keys[2 * e + 1] = raw->dst[e];
            }
        for (int64_t e = 0; e < ne; e++) {
            ends[2 * e] = raw->src[e];
            ends[2 * e + 1] = raw->dst[e];
        }
    }
    SEC_END(s1);
    if (raw->vset != AMLS_VSET_RANGE) {
        int64_t nk = raw->vset == AMLS_VSET_LIST ? raw->nvlist : 2 * ne;
        AMLS_TRY(amls__dist_sort_unique(comm, keys, nk, &dir_ids, &ndir, splitters));
        amls__free(keys);
        keys = NULL;
        MPI_Allgather(&ndir, 1, MPI_INT64_T, g->dir_off + 1, 1, MPI_INT64_T, comm);
        g->dir_off[0] = 0;
        for (int p = 0; p < R; p++)
            g->dir_off[p + 1] += g->dir_off[p];
        g->n = g->dir_off[R];
        /* 2. Translate endpoints to dense ids (-1: not in the vertex set). */
        amls__splitters sp = {splitters, R};
        dc.ids = dir_ids;
        dc.nids = ndir;
        dc.lo = g->dir_off[me];
        AMLS_TRY(amls__dist_lookup(comm, ends, 2 * ne, ends, amls__splitter_route, &sp,
                                   answer_dense, &dc));
        for (int64_t e = 0; e < 2 * ne; e++)
            SEC_CHECK(ends[e] >= 0, s2, AMLS_ERR_NOT_FOUND,
                      "edge (%lld, %lld) refers to vertex %lld, which the vertex file does not "
                      "list",
                      (long long)raw->src[e / 2], (long long)raw->dst[e / 2],
                      (long long)(e % 2 ? raw->dst[e / 2] : raw->src[e / 2]));
    }
    SEC_END(s2);

    /* 3. Partition. */
    tp = amls__now();
    dlo = g->dir_off[me];
    nd = g->dir_off[me + 1] - dlo;
    SEC_ALLOC(part, nd, s3);
    if (o.method == AMLS_PART_METIS) {
        SEC_ALLOC(sd, 2 * ne, s3);
        for (int64_t e = 0; e < ne; e++) {
            sd[e] = ends[2 * e];
            sd[ne + e] = ends[2 * e + 1];
        }
    }
    SEC_END(s3);
    {
        amls__part_input pin = {.comm = comm,
                                .rank = me,
                                .nranks = R,
                                .method = o.method,
                                .file = o.part_file,
                                .nparts = K,
                                .n = g->n,
                                .dir_off = g->dir_off,
                                .dir_orig = raw->vset == AMLS_VSET_RANGE ? NULL : dir_ids,
                                .vbase = raw->vbase,
                                .src = sd,
                                .dst = sd ? sd + ne : NULL,
                                .nedges = ne};
        AMLS_TRY(amls__partition_compute(&pin, part, &K));
        amls__free(sd);
        sd = NULL;
    }
    SEC_CHECK(K >= 1, s4, AMLS_ERR_PARTITION, "the partition has no parts");
    g->partition_seconds = amls__now() - tp;

    /* 4. Final ids: parts one after the other, original order inside a part. */
    SEC_CALLOC(cnt, K, s4);
    SEC_CALLOC(before, K, s4);
    SEC_CALLOC(total, K, s4);
    SEC_ALLOC(final, nd, s4);
    SEC_CALLOC(g->part_off, K, s4);
    SEC_CALLOC(g->owner_off, R, s4);
    for (int64_t i = 0; i < nd; i++)
        cnt[part[i]]++;
    SEC_END(s4);
    MPI_Exscan(cnt, before, K, MPI_INT64_T, MPI_SUM, comm);
    if (me == 0)
        memset(before, 0, (size_t)K * sizeof *before);
    MPI_Allreduce(cnt, total, K, MPI_INT64_T, MPI_SUM, comm);
    g->nparts = K;
    for (int p = 0; p < K; p++)
        g->part_off[p + 1] = g->part_off[p] + total[p];
    /* Rank r owns the parts p with p*R/K == r: a contiguous run. */
    for (int r = 0, p = 0; r <= R; r++) {
        while (p < K && (int64_t)p * R / K < r)
            p++;
        g->owner_off[r] = g->part_off[p];
    }
    g->owner_off[R] = g->n;
    for (int64_t i = 0; i < nd; i++) {
        int p = part[i];
        final[i] = g->part_off[p] + before[p]++;
    }
    g->lo = g->owner_off[me];
    g->n_local = g->owner_off[me + 1] - g->lo;

    /* 5a. Vertex metadata to owners: (final, orig, dense). */
    SEC_CALLOC(rcnt, R, s5);
    SEC_CALLOC(pos, R, s5);
    SEC_CALLOC(c3, R, s5);
    SEC_ALLOC(meta, 3 * nd, s5);
    SEC_ALLOC(g->orig, g->n_local, s5);
    SEC_ALLOC(g->dense, g->n_local, s5);
    for (int64_t i = 0; i < nd; i++)
        c3[amls_graph_owner(g, final[i])]++;
    for (int p = 1; p < R; p++)
        pos[p] = pos[p - 1] + 3 * c3[p - 1];
    for (int64_t i = 0; i < nd; i++) {
        int d = amls_graph_owner(g, final[i]);
        meta[pos[d]++] = final[i];
        meta[pos[d]++] = raw->vset == AMLS_VSET_RANGE ? raw->vbase + dlo + i : dir_ids[i];
        meta[pos[d]++] = dlo + i;
    }
    for (int p = 0; p < R; p++)
        c3[p] *= 3 * (int64_t)sizeof(int64_t);
    SEC_END(s5);
    {
        int64_t nm = 0;
        AMLS_TRY(amls__alltoallv_bytes(comm, meta, c3, (void **)&mrecv, rcnt, &nm));
        nm /= 3 * (int64_t)sizeof(int64_t);
        for (int64_t k = 0; k < nm; k++) {
            int64_t l = mrecv[3 * k] - g->lo;
            g->orig[l] = mrecv[3 * k + 1];
            g->dense[l] = mrecv[3 * k + 2];
        }
    }
    amls__free(meta);
    meta = NULL;
    amls__free(mrecv);
    mrecv = NULL;
    amls__free(dir_ids);
    dir_ids = NULL;
    amls__free(part);
    part = NULL;

    /* 5b. Endpoints dense -> final. */
    dc.value = final;
    dc.lo = dlo;
    AMLS_TRY(amls__dist_lookup(comm, ends, 2 * ne, ends, route_by_dense, &dc, answer_value, &dc));
    amls__free(final);
    final = NULL;

    /* 5c. Shuffle and build the CSRs. */
    {
        bool undirected = !g->directed;
        int64_t nrec = undirected ? 2 * ne : ne;
        SEC_ALLOC(recs, nrec, s6);
        int64_t k = 0;
        for (int64_t e = 0; e < ne; e++) {
            double w = raw->w ? raw->w[e] : 1.0;
            recs[k++] = (erec){ends[2 * e], ends[2 * e + 1], w};
            if (undirected)
                recs[k++] = (erec){ends[2 * e + 1], ends[2 * e], w};
        }
        nrec = k;
        SEC_END(s6);
        AMLS_TRY(shuffle_build(g, recs, nrec, g->weighted, &g->out_ptr, &gout, &g->out_w, &nout));
        g->has_in = !g->directed || o.need_in_edges;
        if (g->directed && o.need_in_edges) {
            for (int64_t e = 0; e < ne; e++) {
                double w = raw->w ? raw->w[e] : 1.0;
                recs[e] = (erec){ends[2 * e + 1], ends[2 * e], w};
            }
            AMLS_TRY(shuffle_build(g, recs, ne, g->weighted, &g->in_ptr, &gin, &g->in_w, &nin));
        }
    }
    amls__free(recs);
    recs = NULL;
    amls__free(ends);
    ends = NULL;
    amls_raw_graph_free(raw);
    rc = localise(g, gout, nout, gin, nin);
    if (rc == AMLS_OK) {
        g->out_col = to_u32(gout, nout);
        if (gin)
            g->in_col = to_u32(gin, nin);
        if (g->out_col == NULL || (gin != NULL && g->in_col == NULL))
            rc = amls_error(AMLS_ERR_NOMEM, "out of memory");
    }
    rc = amls_agree(comm, rc, NULL);
    if (rc < 0)
        goto done;
    if (!g->directed) {
        g->in_ptr = g->out_ptr;
        g->in_col = g->out_col;
        g->in_w = g->out_w;
    }
    {
        /* Global edge statistics. */
        int64_t loops = 0;
        for (int64_t i = 0; i < g->n_local; i++)
            for (int64_t j = g->out_ptr[i]; j < g->out_ptr[i + 1]; j++)
                if (g->out_col[j] == (uint32_t)i)
                    loops++;
        int64_t loc[2] = {nout, loops}, glob[2] = {0, 0};
        MPI_Allreduce(loc, glob, 2, MPI_INT64_T, MPI_SUM, comm);
        g->arcs = glob[0];
        g->self_loops = glob[1];
        g->edges = g->directed ? g->arcs : (g->arcs - g->self_loops) / 2 + g->self_loops;
    }

    /* 6. Communication plan and ghost original ids. */
    AMLS_TRY(build_plan(g));
    SEC_ALLOC(g->ghost_orig, g->n_ghost, s8);
    SEC_END(s8);
    {
        dir_ctx oc = {.nranks = R, .dir_off = g->owner_off, .orig = g->orig, .glo = g->lo};
        AMLS_TRY(amls__dist_lookup(comm, g->ghost_gid, g->n_ghost, g->ghost_orig, route_by_dense,
                                   &oc, answer_orig, &oc));
    }
    g->build_seconds = amls__now() - t0;

cleanup:
done:
    amls__free(dir_ids);
    amls__free(ends);
    amls__free(splitters);
    amls__free(final);
    amls__free(cnt);
    amls__free(before);
    amls__free(total);
    amls__free(gout);
    amls__free(gin);
    amls__free(meta);
    amls__free(rcnt);
    amls__free(pos);
    amls__free(c3);
    amls__free(keys);
    amls__free(sd);
    amls__free(mrecv);
    amls__free(part);
    amls__free(recs);
    amls_raw_graph_free(raw);
    if (rc < 0)
        amls_graph_free(&g);
    *out = g;
    return rc;
}
