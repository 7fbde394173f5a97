/* ---------------------------------------------------------------------------------------------
 * core/pull.c — the cache-blocked pull: a CSR pattern regrouped by column segment so that each
 * pass reads a slice of x that fits the second-level cache (CSR segmenting). The linear-algebra
 * SpMV (linalg/la_pull.c) and the vertex engine's pull supersteps (engine/run_pull.c) share it.
 * SPDX-License-Identifier: MIT
 *
 * A row's sum is accumulated segment by segment; the summation order (segments in order,
 * columns in CSR order within a segment) is fixed for a given partition.
 * ------------------------------------------------------------------------------------------- */
#include "core.h"

/* Bytes of x one segment should span: half the second-level cache of the machines we run on
 * (2 MiB per core), leaving room for the streamed columns and y. */
enum { SEG_BYTES = 1 << 20 };

typedef struct seg_map {
    int64_t nl, width;
    int nseg_owned;
} seg_map;

static inline int seg_of(const seg_map *m, uint32_t c)
{
    return c < m->nl ? (int)(c / m->width) : m->nseg_owned + (int)((c - m->nl) / m->width);
}

/* Pass 1: entries and columns per segment. Local. */
static void count(const amls__csr *A, const seg_map *m, int64_t *ent, int64_t *cols, int64_t *last)
{
    for (int64_t i = 0; i < A->nrows; i++)
        for (int64_t j = A->ptr[i]; j < A->ptr[i + 1]; j++) {
            int s = seg_of(m, A->col[j]);
            cols[s + 1]++;
            if (last[s] != i) {
                last[s] = i;
                ent[s + 1]++;
            }
        }
}

/* Pass 2: rows, run lengths and columns, segment-major. Local. */
static void fill(const amls__csr *A, const seg_map *m, amls__pull *p, int64_t *ecur, int64_t *ccur,
                 int64_t *last)
{
    for (int64_t i = 0; i < A->nrows; i++)
        for (int64_t j = A->ptr[i]; j < A->ptr[i + 1]; j++) {
            int s = seg_of(m, A->col[j]);
            if (last[s] != i) {
                last[s] = i;
                p->row[ecur[s]] = (uint32_t)i;
                p->len[ecur[s]++] = 0;
            }
            p->len[ecur[s] - 1]++;
            p->col[ccur[s]++] = A->col[j];
        }
}

/* The segment width: `width`, else AMLS_PULL_WIDTH from the environment (for benchmarks),
 * else SEG_BYTES of values. */
static int64_t pick_width(int64_t width, size_t vsz)
{
    const char *e = getenv("AMLS_PULL_WIDTH");
    if (width <= 0 && e != NULL)
        width = strtoll(e, NULL, 10);
    return width > 0 ? width : (int64_t)(SEG_BYTES / vsz);
}

int64_t amls__pull_width(size_t vsz)
{
    return pick_width(0, vsz);
}

int amls__pull_new(const amls__csr *A, int64_t width, size_t vsz, amls__pull **out)
{
    int rc = AMLS_OK;
    amls__pull *p = NULL;
    int64_t *ecur = NULL, *ccur = NULL, *last = NULL;
    int64_t nl = A->nrows, ng = A->ncols - A->nrows;
    seg_map m = {nl, pick_width(width, vsz), 0};
    *out = NULL;
    AMLS_CALLOC(p, 1);
    m.nseg_owned = (int)((nl + m.width - 1) / m.width);
    p->nrows = nl;
    p->nseg_owned = m.nseg_owned;
    p->nseg = m.nseg_owned + (int)((ng + m.width - 1) / m.width);
    AMLS_CALLOC(p->seg_ent, p->nseg + 1);
    AMLS_CALLOC(p->seg_col, p->nseg + 1);
    AMLS_ALLOC(ecur, p->nseg + 1);
    AMLS_ALLOC(ccur, p->nseg + 1);
    AMLS_ALLOC(last, p->nseg + 1);
    for (int s = 0; s < p->nseg; s++)
        last[s] = -1;
    count(A, &m, p->seg_ent, p->seg_col, last);
    for (int s = 0; s < p->nseg; s++) {
        p->seg_ent[s + 1] += p->seg_ent[s];
        p->seg_col[s + 1] += p->seg_col[s];
        ecur[s] = p->seg_ent[s];
        ccur[s] = p->seg_col[s];
        last[s] = -1;
    }
    AMLS_ALLOC(p->row, p->seg_ent[p->nseg] + 1);
    AMLS_ALLOC(p->len, p->seg_ent[p->nseg] + 1);
    AMLS_ALLOC(p->col, p->seg_col[p->nseg] + 1);
    fill(A, &m, p, ecur, ccur, last);
    *out = p;
    p = NULL;
cleanup:
    amls__pull_free(&p);
    amls__free(ecur);
    amls__free(ccur);
    amls__free(last);
    return rc;
}

void amls__pull_free(amls__pull **pp)
{
    if (pp == NULL || *pp == NULL)
        return;
    amls__pull *p = *pp;
    amls__free(p->seg_ent);
    amls__free(p->seg_col);
    amls__free(p->row);
    amls__free(p->len);
    amls__free(p->col);
    amls__free(p);
    *pp = NULL;
}

/* One segment: y[row] += the sum of x over the entry's columns. */
void amls__pull_seg_f64(const amls__pull *p, int s, const double *x, double *y)
{
    const uint32_t *c = p->col + p->seg_col[s];
    for (int64_t e = p->seg_ent[s]; e < p->seg_ent[s + 1]; e++) {
        double acc = 0.0;
        for (uint32_t k = p->len[e]; k > 0; k--)
            acc += x[*c++];
        y[p->row[e]] += acc;
    }
}

void amls__pull_seg_f32(const amls__pull *p, int s, const float *x, double *y)
{
    const uint32_t *c = p->col + p->seg_col[s];
    for (int64_t e = p->seg_ent[s]; e < p->seg_ent[s + 1]; e++) {
        double acc = 0.0;
        for (uint32_t k = p->len[e]; k > 0; k--)
            acc += (double)x[*c++];
        y[p->row[e]] += acc;
    }
}
