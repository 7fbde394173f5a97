/* ---------------------------------------------------------------------------------------------
 * tests/mpi/test_mop.c — SGD for model selection at 1-4 ranks: model hopping (MOP) with one
 * model equals sequential SGD over the same data order, bit for bit; several models hopping
 * at once each equal their own sequential run; synchronous data-parallel SGD gives the same
 * bits at every rank count; and both continue across budgets exactly (warm starts).
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#include "harness.h"
#include "ps_internal.h"
#include "tune_internal.h"

#include <math.h>

enum { B = 4, K = 2 };
static const uint64_t SEED = 11;

/* Global row g: label +-1 from a fixed linear rule with noise, 3 features out of 6. */
static void fill_row(int64_t g, amls_rows *X, int64_t i, bool linear)
{
    int64_t at = X->ptr[i];
    double z = 0.2;
    for (int k = 0; k < 3; k++) {
        int32_t f = (int32_t)((g * 7 + k * 2) % 6);
        double v = (double)((g * 13 + k * 5) % 17) / 8.0 - 1.0;
        X->idx[at + k] = f;
        X->val[at + k] = v;
        z += (f % 2 ? 1.0 : -0.7) * v;
    }
    double noise = (double)((g * 31) % 7) / 7.0 - 0.5;
    X->y[i] = linear ? z + 0.3 * noise : (z + noise > 0 ? 1.0 : -1.0);
    X->ptr[i + 1] = at + 3;
}

/* Rank r holds rows [lo_r, lo_r + n_r) with n_r = per(r) (sorted features not needed). */
static void make_rows(int64_t (*per)(int r), bool linear, amls_rows *X)
{
    int rank, P;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &P);
    int64_t lo = 0, n = 0;
    for (int r = 0; r < P; r++) {
        if (r < rank)
            lo += per(r);
        n += per(r);
    }
    amls_rows_alloc(per(rank), 3 * per(rank), 6, X);
    X->n_global = n;
    for (int64_t i = 0; i < X->n_local; i++)
        fill_row(lo + i, X, i, linear);
}

static int64_t per_batches(int r)
{
    return B * (r + 1); /* whole batches: partition boundaries are batch boundaries */
}

static int64_t per_uneven(int r)
{
    return 9 + 5 * r + (r % 2);
}

/* All rows on rank 0 in global order (others get none). */
static void gather_rows(const amls_rows *X, amls_rows *all)
{
    int64_t *row = amls__malloc((size_t)X->n_local + 1, sizeof *row);
    int *dest = amls__malloc((size_t)X->n_local + 1, sizeof *dest);
    for (int64_t i = 0; i < X->n_local; i++) {
        row[i] = i;
        dest[i] = 0;
    }
    CHECK(amls_rows_exchange(MPI_COMM_WORLD, X, X->n_local, row, dest, NULL, all, NULL) == AMLS_OK,
          "gather rows");
    amls__free(row);
    amls__free(dest);
}

/* The trainer's hyper-parameters as amls_sgd_hparams (tune/train_sgd.c's mapping). */
static amls_sgd_hparams sgd_hp(amls_sgd_model kind, const double *hp)
{
    amls_sgd_hparams h;
    amls_sgd_hparams_default(&h);
    h.model = kind;
    h.lr = hp[0];
    h.lambda = hp[1];
    h.batch = (int64_t)hp[2];
    h.lr_decay = hp[3];
    h.schedule = hp[3] < 1 ? AMLS_LR_DECAY : AMLS_LR_CONSTANT;
    h.seed = SEED;
    return h;
}

/* Synchronous SGD at every rank count: the world's run equals rank 0 alone on all rows, and
 * epochs [0, 2) then [2, 4) equal [0, 4). */
static void test_sync(amls_sgd_model kind)
{
    amls_rows X, all;
    make_rows(per_uneven, kind == AMLS_SGD_LINREG, &X);
    gather_rows(&X, &all);
    const double hp[4] = {kind == AMLS_SGD_LINREG ? 0.05 : 0.5, 0.01, B, 0.8};
    amls_sgd_hparams h = sgd_hp(kind, hp);
    uint8_t *role = amls__malloc((size_t)X.n_local + 1, 1), *arole = NULL;
    int64_t lo = 0;
    amls__exscan_i64(MPI_COMM_WORLD, X.n_local, &lo);
    for (int64_t i = 0; i < X.n_local; i++)
        role[i] = (lo + i) % 3 == 0 ? AMLS_ROW_TEST : AMLS_ROW_TRAIN;
    double w[7] = {0}, w2[7] = {0}, ref[7] = {0};
    CHECK(amls_sgd_sync(MPI_COMM_WORLD, &h, &X, role, 6, 0, 4, w) == AMLS_OK, "sync 0..4");
    CHECK(amls_sgd_sync(MPI_COMM_WORLD, &h, &X, role, 6, 0, 2, w2) == AMLS_OK, "sync 0..2");
    CHECK(amls_sgd_sync(MPI_COMM_WORLD, &h, &X, role, 6, 2, 4, w2) == AMLS_OK, "sync 2..4");
    CHECK(memcmp(w, w2, sizeof w) == 0, "kind %d: 0..2 then 2..4 differs from 0..4", kind);
    if (h_rank == 0) {
        arole = amls__malloc((size_t)all.n_local + 1, 1);
        for (int64_t i = 0; i < all.n_local; i++)
            arole[i] = i % 3 == 0 ? AMLS_ROW_TEST : AMLS_ROW_TRAIN;
        CHECK(amls_sgd_sync(MPI_COMM_SELF, &h, &all, arole, 6, 0, 4, ref) == AMLS_OK, "on 1");
        for (int q = 0; q < 7; q++)
            CHECK(memcmp(&w[q], &ref[q], sizeof w[q]) == 0,
                  "kind %d: w[%d] = %.17g on the world, %.17g on one rank", kind, q, w[q], ref[q]);
        CHECK(isfinite(ref[0]) && ref[1] != 0, "kind %d: a model was trained", kind);
    }
    amls__free(role);
    amls__free(arole);
    amls_rows_free(&X);
    amls_rows_free(&all);
}

/* Sequential SGD on rank 0 over all rows: epochs [from, to) of model (hp, fold, start), a
 * sub-epoch per partition in hop order. `whole`: one local epoch over the concatenated order
 * instead (partitions of whole batches only). */
static void reference(const amls_rows *all, const int64_t *off, int P, const double *hp, int fold,
                      int start, int64_t from, int64_t to, bool whole, double *w)
{
    int64_t n = all->n_local, *gi = amls__malloc((size_t)n + 1, sizeof *gi), *ord = NULL;
    uint8_t *role = amls__malloc((size_t)n + 1, 1);
    amls_sgd_hparams h = sgd_hp(AMLS_SGD_LOGREG, hp);
    for (int64_t i = 0; i < n; i++)
        gi[i] = i;
    for (int64_t e = from; e < to; e++) {
        if (whole) { /* the order: partition start, start + 1, ...; each by its permutation */
            uint64_t key = amls__sgd_order_key(SEED, e);
            int64_t at = 0;
            double loss = 0;
            ord = amls__malloc((size_t)n + 1, sizeof *ord);
            for (int h2 = 0; h2 < P; h2++) {
                int p = (start + h2) % P;
                uint64_t *pos = amls__malloc((size_t)(off[p + 1] - off[p]) + 1, sizeof *pos);
                for (int64_t i = off[p]; i < off[p + 1]; i++) {
                    pos[i - off[p]] = (uint64_t)amls__ps_perm(key, n, i);
                    ord[at + i - off[p]] = i;
                }
                amls__sort_u64(pos, (uint64_t *)(ord + at), (size_t)(off[p + 1] - off[p]));
                at += off[p + 1] - off[p];
                amls__free(pos);
            }
            CHECK(amls_sgd_local_epoch(&h, e, all, ord, n, 6, w, NULL, &loss) == AMLS_OK, "ref");
            amls__free(ord);
            continue;
        }
        for (int h2 = 0; h2 < P; h2++) {
            int p = (start + h2) % P;
            for (int64_t i = 0; i < n; i++)
                role[i] = i >= off[p] && i < off[p + 1] &&
                                  (fold < 0 || amls_tune_fold(SEED, K, i) != fold)
                              ? AMLS_ROW_TRAIN
                              : AMLS_ROW_SKIP;
            CHECK(amls_sgd_sub_epoch(&h, e, all, role, gi, n, 6, w) == AMLS_OK, "ref sub-epoch");
        }
    }
    amls__free(gi);
    amls__free(role);
}

/* Partition offsets (P + 1) from every rank's row count. */
static void offsets(const amls_rows *X, int P, int64_t *off)
{
    int64_t *cnt = amls__calloc((size_t)P, sizeof *cnt);
    MPI_Allgather(&X->n_local, 1, MPI_INT64_T, cnt, 1, MPI_INT64_T, MPI_COMM_WORLD);
    off[0] = 0;
    for (int p = 0; p < P; p++)
        off[p + 1] = off[p] + cnt[p];
    amls__free(cnt);
}

/* Each rank's partition (per(r) rows), all rows on rank 0, and the SGD trainer's MOP data. */
typedef struct mop_case {
    int P;
    amls__rows_data d;
    amls_rows all;
    int64_t off[5], counts[K];
    const amls_trainer *t;
    void *pdata;
} mop_case;

static void mop_setup(int64_t (*per)(int r), mop_case *c)
{
    memset(c, 0, sizeof *c);
    MPI_Comm_size(MPI_COMM_WORLD, &c->P);
    c->d.kind = AMLS_SGD_LOGREG;
    make_rows(per, false, &c->d.X);
    gather_rows(&c->d.X, &c->all);
    offsets(&c->d.X, c->P, c->off);
    c->t = amls_trainer_find("logreg", "sgd");
    CHECK(c->t && c->t->mop_data(MPI_COMM_WORLD, &c->d, SEED, K, &c->pdata, c->counts) == AMLS_OK,
          "mop data");
}

static void mop_free(mop_case *c)
{
    c->t->free_gdata(c->pdata);
    amls_rows_free(&c->d.X);
    amls_rows_free(&c->all);
}

/* MOP with one model equals sequential SGD over all rows in the same order. */
static void test_mop_one(void)
{
    mop_case c;
    mop_setup(per_batches, &c);
    int P = c.P;
    const amls_trainer *t = c.t;
    const double hp[4] = {0.5, 0.01, B, 0.9};
    double state[7] = {0}, ref[7] = {0};
    amls__mop_model m = {.hp = hp, .fold = -1, .from = 0, .to = 3, .start = 1 % P, .state = state};
    CHECK(amls__mop_train(MPI_COMM_WORLD, t, c.pdata, &m, 1, 7) == AMLS_OK, "mop train");
    if (h_rank == 0) {
        reference(&c.all, c.off, P, hp, -1, 1 % P, 0, 3, true, ref);
        for (int q = 0; q < 7; q++)
            CHECK(memcmp(&state[q], &ref[q], sizeof ref[q]) == 0,
                  "one model: w[%d] = %.17g hopping, %.17g sequential", q, state[q], ref[q]);
        CHECK(ref[1] != 0, "a model was trained");
    }
    mop_free(&c);
}

/* Three models with folds on uneven partitions, each equal to its own sequential run; epochs
 * [0, 1) then [1, 3) equal [0, 3). */
static void test_mop_many(void)
{
    mop_case c;
    mop_setup(per_uneven, &c);
    int P = c.P;
    const amls_trainer *t = c.t;
    const double hp1[4] = {0.5, 0.01, 3, 1}, hp2[4] = {0.2, 0, 5, 0.7};
    double st[3][7] = {{0}}, st2[3][7] = {{0}};
    amls__mop_model m[3] = {{.hp = hp1, .fold = 0, .from = 0, .to = 3, .start = 0},
                            {.hp = hp2, .fold = 1, .from = 0, .to = 3, .start = 1 % P},
                            {.hp = hp1, .fold = -1, .from = 0, .to = 2, .start = 2 % P}};
    amls__mop_model m2[3];
    memcpy(m2, m, sizeof m);
    for (int i = 0; i < 3; i++) {
        m[i].state = st[i];
        m2[i].state = st2[i];
        m2[i].to = 1;
    }
    CHECK(amls__mop_train(MPI_COMM_WORLD, t, c.pdata, m, 3, 7) == AMLS_OK, "mop train");
    CHECK(amls__mop_train(MPI_COMM_WORLD, t, c.pdata, m2, 3, 7) == AMLS_OK, "mop 0..1");
    for (int i = 0; i < 3; i++) {
        m2[i].from = 1;
        m2[i].to = m[i].to;
    }
    CHECK(amls__mop_train(MPI_COMM_WORLD, t, c.pdata, m2, 3, 7) == AMLS_OK, "mop 1..");
    CHECK(memcmp(st, st2, sizeof st) == 0, "models trained in two phases differ from one phase");
    for (int i = 0; h_rank == 0 && i < 3; i++) {
        double ref[7] = {0};
        reference(&c.all, c.off, P, m[i].hp, m[i].fold, m[i].start, 0, m[i].to, false, ref);
        CHECK(memcmp(st[i], ref, sizeof ref) == 0, "model %d: w[1] = %.17g hopping, %.17g alone", i,
              st[i][1], ref[1]);
    }
    mop_free(&c);
}

int main(int argc, char **argv)
{
    h_init(&argc, &argv);
    test_sync(AMLS_SGD_LOGREG);
    test_sync(AMLS_SGD_LINREG);
    test_sync(AMLS_SGD_SVM);
    test_mop_one();
    test_mop_many();
    return h_finish("test_mop");
}
