/* ---------------------------------------------------------------------------------------------
 * tests/mpi/test_tune.c — the machinery of model selection at 1-4 ranks: groups of ranks, the
 * copy of the rows onto every group, and the dynamic task queue (every task runs exactly once,
 * whatever the number of groups; a failing task's message reaches rank 0).
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#include "harness.h"
#include "tune_internal.h"

#include <math.h>
#include <unistd.h>

/* Rows with known contents: global row i has label i, features (i % 5) and 5 + (i % 3) with
 * values i and -i. Rank r holds an uneven share (rank 0 the fewest). */
static void make_rows(int64_t n, amls_rows *X)
{
    int rank, P;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &P);
    int64_t lo = n * rank * (rank + 1) / (P * (P + 1)),
            hi = n * (rank + 1) * (rank + 2) / (P * (P + 1));
    memset(X, 0, sizeof *X);
    X->n_local = hi - lo;
    X->n_global = n;
    X->nfeat = 8;
    X->nnz = 2 * X->n_local;
    X->ptr = amls__calloc((size_t)X->n_local + 1, sizeof *X->ptr);
    X->idx = amls__malloc((size_t)X->nnz + 1, sizeof *X->idx);
    X->val = amls__malloc((size_t)X->nnz + 1, sizeof *X->val);
    X->y = amls__malloc((size_t)X->n_local + 1, sizeof *X->y);
    for (int64_t i = 0; i < X->n_local; i++) {
        int64_t g = lo + i;
        X->y[i] = (double)g;
        X->idx[2 * i] = (int32_t)(g % 5);
        X->idx[2 * i + 1] = (int32_t)(5 + g % 3);
        X->val[2 * i] = (double)g;
        X->val[2 * i + 1] = -(double)g;
        X->ptr[i + 1] = 2 * (i + 1);
    }
}

static void test_groups_and_rows(void)
{
    int P;
    MPI_Comm_size(MPI_COMM_WORLD, &P);
    amls_rows X;
    make_rows(101, &X);
    for (int G = 1; G <= P; G++) {
        amls__groups gr;
        CHECK(amls__groups_new(MPI_COMM_WORLD, G, &gr) == AMLS_OK, "split into %d groups", G);
        int lo = amls__group_first(gr.group, G, P), hi = amls__group_first(gr.group + 1, G, P);
        CHECK(gr.gsize == hi - lo, "G=%d: group %d has %d ranks, expected %d", G, gr.group,
              gr.gsize, hi - lo);
        CHECK(gr.grank == gr.rank - lo, "G=%d: group rank %d of world rank %d", G, gr.grank,
              gr.rank);
        CHECK(P / G <= gr.gsize && gr.gsize <= (P + G - 1) / G, "G=%d: balanced sizes", G);
        amls_rows Y;
        int64_t first = -1, total = 0;
        CHECK(amls__rows_to_group(&gr, &X, &Y, &first) == AMLS_OK, "rows to %d groups", G);
        MPI_Allreduce(&Y.n_local, &total, 1, MPI_INT64_T, MPI_SUM, gr.comm);
        CHECK(total == 101, "G=%d: the group holds %lld rows", G, (long long)total);
        CHECK(first == amls__muldiv(101, gr.grank, gr.gsize) &&
                  Y.n_local == amls__muldiv(101, gr.grank + 1, gr.gsize) - first,
              "G=%d: member %d holds rows %lld..+%lld, not its balanced block", G, gr.grank,
              (long long)first, (long long)Y.n_local);
        int bad = 0;
        for (int64_t i = 0; i < Y.n_local; i++) {
            int64_t g = first + i;
            bad += Y.y[i] != (double)g || Y.ptr[i + 1] - Y.ptr[i] != 2 ||
                   Y.idx[Y.ptr[i]] != g % 5 || Y.idx[Y.ptr[i] + 1] != 5 + g % 3 ||
                   Y.val[Y.ptr[i]] != (double)g || Y.val[Y.ptr[i] + 1] != -(double)g;
        }
        CHECK(bad == 0, "G=%d: %d rows differ from global rows %lld..", G, bad, (long long)first);
        CHECK(Y.nfeat == 8, "nfeat kept");
        /* Fold subsets partition the rows. */
        uint8_t *fold = malloc((size_t)Y.n_local + 1);
        for (int64_t i = 0; i < Y.n_local; i++)
            fold[i] = (uint8_t)amls_tune_fold(1, 3, first + i);
        amls_rows in, out;
        CHECK(amls__rows_subset(&Y, fold, 1, true, &in) == AMLS_OK, "subset");
        CHECK(amls__rows_subset(&Y, fold, 1, false, &out) == AMLS_OK, "complement");
        CHECK(in.n_local + out.n_local == Y.n_local, "the fold and the rest cover the rows");
        for (int64_t i = 0; i < in.n_local; i++)
            CHECK(amls_tune_fold(1, 3, (int64_t)in.y[i]) == 1, "row %g is in fold 1", in.y[i]);
        amls_rows_free(&in);
        amls_rows_free(&out);
        free(fold);
        amls_rows_free(&Y);
        amls__groups_free(&gr);
    }
    amls_rows_free(&X);
}

/* A task's "score" is a function of its index; some tasks take longer. */
typedef struct fake {
    amls__groups *gr;
    int64_t ran; /* tasks this group ran (counted by the leader) */
    int64_t fail_task;
} fake;

static double expected(int64_t t)
{
    return sqrt((double)t) + 0.25 * (double)(t % 7);
}

static int fake_task(void *arg, int64_t t, double *rec)
{
    fake *f = arg;
    int rc = AMLS_OK;
    if (t % 5 == 0)
        usleep(2000); /* uneven tasks: the queue balances them */
    /* Every member takes part in a group collective, as a trainer does. */
    double v = expected(t), sum = 0;
    MPI_Allreduce(&v, &sum, 1, MPI_DOUBLE, MPI_SUM, f->gr->comm);
    rec[AMLS__REC_SCORE] = sum / f->gr->gsize;
    rec[AMLS__REC_USED] = (double)(t + 1);
    if (f->gr->grank == 0)
        f->ran++;
    if (t == f->fail_task && f->gr->grank == f->gr->gsize - 1)
        rc = amls_error(AMLS_ERR_NUMERIC, "task %lld failed on world rank %d", (long long)t,
                        f->gr->rank);
    return amls_agree(f->gr->comm, rc, NULL);
}

static int64_t seen_records;
static void count_record(void *arg, const double *rec)
{
    (void)arg;
    (void)rec;
    seen_records++;
}

static void test_queue(void)
{
    int P;
    MPI_Comm_size(MPI_COMM_WORLD, &P);
    for (int G = 1; G <= P; G++) {
        amls__groups gr;
        amls__queue q;
        CHECK(amls__groups_new(MPI_COMM_WORLD, G, &gr) == AMLS_OK, "groups");
        CHECK(amls__queue_new(&gr, &q) == AMLS_OK, "queue");
        fake f = {.gr = &gr, .fail_task = -1};
        for (int phase = 0; phase < 3; phase++) { /* the counter carries over between phases */
            int64_t T = 17 + 6 * phase;
            double *rec = calloc((size_t)T * AMLS__REC_LEN, sizeof *rec);
            f.ran = 0;
            seen_records = 0;
            int rc = amls__queue_phase(&q, T, fake_task, &f, count_record, NULL, rec);
            CHECK(rc == AMLS_OK, "G=%d phase %d: %s", G, phase, amls_last_error());
            int bad = 0;
            for (int64_t t = 0; t < T; t++) {
                const double *r = rec + t * AMLS__REC_LEN;
                bad += r[AMLS__REC_TASK] != (double)t || r[AMLS__REC_RC] != 0 ||
                       fabs(r[AMLS__REC_SCORE] - expected(t)) > 1e-12 ||
                       r[AMLS__REC_USED] != (double)(t + 1) || r[AMLS__REC_GROUP] < 0 ||
                       r[AMLS__REC_GROUP] >= G;
            }
            CHECK(bad == 0, "G=%d phase %d: %d wrong records", G, phase, bad);
            int64_t ran = 0;
            MPI_Allreduce(&f.ran, &ran, 1, MPI_INT64_T, MPI_SUM, MPI_COMM_WORLD);
            CHECK(ran == T, "G=%d phase %d: %lld tasks ran, %lld expected (each exactly once)", G,
                  phase, (long long)ran, (long long)T);
            if (gr.rank == 0)
                CHECK(seen_records == T, "rank 0 saw %lld records as they came, expected %lld",
                      (long long)seen_records, (long long)T);
            free(rec);
        }
        amls__queue_free(&q);
        amls__groups_free(&gr);
    }
}

static void test_queue_failure(void)
{
    int P;
    MPI_Comm_size(MPI_COMM_WORLD, &P);
    for (int G = 1; G <= P; G++) {
        amls__groups gr;
        amls__queue q;
        amls_clear_error();
        CHECK(amls__groups_new(MPI_COMM_WORLD, G, &gr) == AMLS_OK, "groups");
        CHECK(amls__queue_new(&gr, &q) == AMLS_OK, "queue");
        fake f = {.gr = &gr, .fail_task = 5};
        double rec[12 * AMLS__REC_LEN];
        int rc = amls__queue_phase(&q, 12, fake_task, &f, NULL, NULL, rec);
        CHECK(rc == AMLS_ERR_NUMERIC, "G=%d: every rank gets the failure (rc %d)", G, rc);
        int who = -1;
        amls_agree(MPI_COMM_WORLD, rc, &who);
        CHECK(who == 0, "G=%d: rank 0 reports the failure (rank %d does)", G, who);
        if (gr.rank == 0)
            CHECK(strstr(amls_last_error(), "task 5 failed on world rank") != NULL,
                  "G=%d: rank 0 holds the failing rank's message: '%s'", G, amls_last_error());
        amls__queue_free(&q);
        amls__groups_free(&gr);
        amls_clear_error();
    }
}

int main(int argc, char **argv)
{
    h_init(&argc, &argv);
    test_groups_and_rows();
    test_queue();
    test_queue_failure();
    return h_finish("tune machinery");
}
