/* ---------------------------------------------------------------------------------------------
 * bench/graphblas_pr.c — the PageRank iteration of the linear-algebra path, written against
 * SuiteSparse:GraphBLAS, for side-by-side timing (built by bench/bench_linalg_peers.sh, not by
 * the main build). Reads a gapbs serialized graph (.sg: a bool "directed", int64 arcs, int64 n,
 * int64 offsets[n+1], int32 targets[arcs], then the in-CSR when directed), imports the in-CSR
 * (the out-CSR of an undirected graph) as a pattern matrix P, P(i,j) for each arc j -> i, and
 * runs, with D = outdeg / damping,
 *     sink = sum of r over sinks;  t = r ./ D;  r = (1-d)/n + d sink/n;  r += P t
 * (r dense throughout) for ITER iterations with THREADS threads. Prints the seconds per iteration
 * (loading and the import excluded), the sum of the ranks, and the largest rank. Usage:
 * graphblas_pr FILE.sg [ITER=20] [THREADS=2] SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#include <GraphBLAS.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define TRY(call)                                                                                  \
    do {                                                                                           \
        GrB_Info info_ = (call);                                                                   \
        if (info_ != GrB_SUCCESS) {                                                                \
            fprintf(stderr, "graphblas_pr: %s failed: %d\n", #call, (int)info_);                   \
            exit(1);                                                                               \
        }                                                                                          \
    } while (0)

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void must_read(void *p, size_t sz, size_t n, FILE *f)
{
    if (fread(p, sz, n, f) != n) {
        fprintf(stderr, "graphblas_pr: short read\n");
        exit(1);
    }
}

/* The pull matrix's CSR (the in-CSR, or the out-CSR of an undirected graph) as GraphBLAS
 * indices, and the out-degrees. */
static void read_sg(const char *path, GrB_Index *n_out, GrB_Index **ap, GrB_Index **aj,
                    GrB_Index *arcs_out, double **deg)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        perror(path);
        exit(1);
    }
    bool directed;
    int64_t arcs, n;
    must_read(&directed, 1, 1, f);
    must_read(&arcs, 8, 1, f);
    must_read(&n, 8, 1, f);
    int64_t *off = malloc((size_t)(n + 1) * 8);
    int32_t *nb = malloc((size_t)arcs * 4);
    must_read(off, 8, (size_t)n + 1, f);
    must_read(nb, 4, (size_t)arcs, f);
    *deg = malloc((size_t)n * sizeof **deg);
    for (int64_t i = 0; i < n; i++)
        (*deg)[i] = (double)(off[i + 1] - off[i]);
    if (directed) {
        must_read(off, 8, (size_t)n + 1, f);
        must_read(nb, 4, (size_t)arcs, f);
    }
    fclose(f);
    *ap = malloc((size_t)(n + 1) * sizeof **ap);
    *aj = malloc((size_t)arcs * sizeof **aj);
    for (int64_t i = 0; i <= n; i++)
        (*ap)[i] = (GrB_Index)off[i];
    for (int64_t j = 0; j < arcs; j++)
        (*aj)[j] = (GrB_Index)nb[j];
    free(off);
    free(nb);
    *n_out = (GrB_Index)n;
    *arcs_out = (GrB_Index)arcs;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: graphblas_pr FILE.sg [ITER] [THREADS]\n");
        return 2;
    }
    int iters = argc > 2 ? atoi(argv[2]) : 20, threads = argc > 3 ? atoi(argv[3]) : 2;
    TRY(GrB_init(GrB_NONBLOCKING));
    TRY(GxB_Global_Option_set(GxB_NTHREADS, threads));
    GrB_Index n, arcs, *ap, *aj;
    double *deg;
    const double damp = 0.85;
    read_sg(argv[1], &n, &ap, &aj, &arcs, &deg);
    double one = 1.0; /* an iso-valued FP64 matrix: the semiring's own type, no typecasts */
    void *ax = malloc(sizeof one);
    *(double *)ax = one;
    GrB_Matrix A; /* A(i,j): arc j -> i */
    TRY(GxB_Matrix_import_CSR(&A, GrB_FP64, n, n, &ap, &aj, &ax, (n + 1) * sizeof(GrB_Index),
                              arcs * sizeof(GrB_Index), sizeof one, true, false, NULL));
    GrB_Vector r, t, d, sinks, rs;
    TRY(GrB_Vector_new(&r, GrB_FP64, n));
    TRY(GrB_Vector_new(&t, GrB_FP64, n));
    TRY(GrB_Vector_new(&d, GrB_FP64, n));
    TRY(GrB_Vector_new(&sinks, GrB_FP64, n));
    TRY(GrB_Vector_new(&rs, GrB_FP64, n));
    for (GrB_Index i = 0; i < n; i++) {
        TRY(GrB_Vector_setElement_FP64(d, deg[i] > 0 ? deg[i] / damp : 1.0, i));
        if (deg[i] == 0)
            TRY(GrB_Vector_setElement_FP64(sinks, 1.0, i));
    }
    TRY(GrB_Vector_assign_FP64(r, NULL, NULL, 1.0 / (double)n, GrB_ALL, n, NULL));
    TRY(GrB_Vector_wait(d, GrB_MATERIALIZE));
    TRY(GrB_Vector_wait(r, GrB_MATERIALIZE));
    double t0 = now();
    for (int k = 0; k < iters; k++) {
        double sink = 0;
        TRY(GrB_eWiseMult(rs, NULL, NULL, GrB_FIRST_FP64, r, sinks, NULL));
        TRY(GrB_Vector_reduce_FP64(&sink, NULL, GrB_PLUS_MONOID_FP64, rs, NULL));
        TRY(GrB_eWiseMult(t, NULL, NULL, GrB_DIV_FP64, r, d, NULL));
        double base = (1.0 - damp) / (double)n + damp * sink / (double)n;
        TRY(GrB_Vector_assign_FP64(r, NULL, NULL, base, GrB_ALL, n, NULL));
        TRY(GrB_mxv(r, NULL, GrB_PLUS_FP64, GxB_PLUS_SECOND_FP64, A, t, NULL));
        TRY(GrB_Vector_wait(r, GrB_MATERIALIZE));
    }
    double spi = (now() - t0) / iters, sum = 0, mx = 0;
    TRY(GrB_Vector_reduce_FP64(&sum, NULL, GrB_PLUS_MONOID_FP64, r, NULL));
    TRY(GrB_Vector_reduce_FP64(&mx, NULL, GrB_MAX_MONOID_FP64, r, NULL));
    printf("vertices %llu arcs %llu iterations %d threads %d\n", (unsigned long long)n,
           (unsigned long long)arcs, iters, threads);
    printf("sec_per_iteration %.6f\nrank_sum %.12f\nrank_max %.12e\n", spi, sum, mx);
    GrB_Matrix_free(&A);
    GrB_Vector_free(&r);
    GrB_Vector_free(&t);
    GrB_Vector_free(&d);
    GrB_Vector_free(&sinks);
    GrB_Vector_free(&rs);
    free(deg);
    GrB_finalize();
    return 0;
}
