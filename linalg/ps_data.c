/* ---------------------------------------------------------------------------------------------
 * linalg/ps_data.c — where the training rows of a parameter-server run live and in which order
 * they are visited: a pseudo-random permutation of the global row numbers deals the rows to
 * workers in equal shares and orders each share per epoch, without any communication to
 * decide it, and rows travel to their ranks in one exchange (core/exchange.c).
 * SPDX-License-Identifier: MIT
 *
 * Row i of n (training rows numbered in rank order) goes to worker floor(pi_e(i) W / n), where
 * pi_e is a Feistel permutation keyed by the seed (and by the epoch with --shuffle): shares
 * differ by at most one row and are random. A share is visited in the order of a second
 * permutation keyed by (seed, epoch) and cut into S = ceil(ceil(n / W) / B) batches of nearly
 * equal size, so every worker takes S steps per epoch whatever its share.
 * ------------------------------------------------------------------------------------------- */
#include "ps_internal.h"

enum { STREAM_DEAL = 0x5053, STREAM_ORDER = 0x4f52 };

/* One Feistel round function output over `half` bits. */
static uint64_t feistel(uint64_t x, int half, uint64_t key)
{
    uint64_t mask = (1ULL << half) - 1, l = x >> half, r = x & mask;
    for (uint64_t round = 0; round < 4; round++) {
        uint64_t f = amls__mix64(r ^ amls__mix64(key + round)) & mask;
        uint64_t nl = r;
        r = l ^ f;
        l = nl;
    }
    return (l << half) | r;
}

int64_t amls__ps_perm(uint64_t key, int64_t n, int64_t i)
{
    if (n <= 1)
        return i;
    int bits = 64 - __builtin_clzll((unsigned long long)(n - 1));
    int half = (bits + 1) / 2;
    uint64_t x = (uint64_t)i;
    do { /* cycle walking: the domain [0, 4^half) holds fewer than 4n values */
        x = feistel(x, half, key);
    } while (x >= (uint64_t)n);
    return (int64_t)x;
}

uint64_t amls__ps_deal_key(const amls_ps_opts *o, int64_t epoch)
{
    return amls__rand64(o->hp.seed, STREAM_DEAL, o->shuffle ? (uint64_t)epoch : 0);
}

uint64_t amls__ps_order_key(const amls_ps_opts *o, int64_t epoch)
{
    return amls__rand64(o->hp.seed, STREAM_ORDER, (uint64_t)epoch);
}

int amls__ps_worker_of(const amls_ps_opts *o, int64_t epoch, int64_t n, int W, int64_t i)
{
    return (int)amls__muldiv(amls__ps_perm(amls__ps_deal_key(o, epoch), n, i), W, n);
}

bool amls__ps_dropped_fixed(const amls_ps_opts *o, int W, int64_t t, int w)
{
    if (o->update != AMLS_PS_BACKUP || !o->drop_fixed)
        return false;
    int64_t first = (t * o->backup) % W, d = ((int64_t)w - first + W) % W;
    return d < o->backup;
}

int64_t amls__ps_steps(int64_t n, int W, int64_t batch)
{
    int64_t share = (n + W - 1) / W;
    return AMLS_MAX((int64_t)1, (share + batch - 1) / batch);
}

void amls__ps_batch_range(int64_t nw, int64_t S, int64_t s, int64_t *a, int64_t *b)
{
    *a = amls__muldiv(nw, s, S);
    *b = amls__muldiv(nw, s + 1, S);
}

void amls__ps_rows_free(amls__ps_rows *p)
{
    amls_rows_free(&p->r);
    amls__free(p->gi);
    p->gi = NULL;
}

/* A row on the wire: gi, y, nnz (8 bytes each), then nnz (index, value) pairs of 8 + 8. */
static int64_t row_bytes(const amls_rows *X, int64_t r)
{
    return 24 + 16 * (X->ptr[r + 1] - X->ptr[r]);
}

static void pack_row(char *at, const amls_rows *X, int64_t r, int64_t gi)
{
    int64_t nnz = X->ptr[r + 1] - X->ptr[r];
    memcpy(at, &gi, 8);
    memcpy(at + 8, &X->y[r], 8);
    memcpy(at + 16, &nnz, 8);
    at += 24;
    for (int64_t j = X->ptr[r]; j < X->ptr[r + 1]; j++, at += 16) {
        int64_t k = X->idx[j];
        memcpy(at, &k, 8);
        memcpy(at + 8, &X->val[j], 8);
    }
}

/* Unpacks the received rows of x, in (source rank, row) order, into out (arrays allocated
 * here). */
static int unpack_rows(const amls__xchg *x, amls__ps_rows *out)
{
    int rc = AMLS_OK;
    int64_t n = 0, nnz = 0;
    for (int64_t at = 0; at < x->nrecv; n++) {
        int64_t k = 0;
        memcpy(&k, x->recv + at + 16, 8);
        nnz += k;
        at += 24 + 16 * k;
    }
    amls_rows *r = &out->r;
    AMLS_ALLOC(r->ptr, n + 1);
    AMLS_ALLOC(r->idx, nnz);
    AMLS_ALLOC(r->val, nnz);
    AMLS_ALLOC(r->y, n);
    AMLS_ALLOC(out->gi, n);
    r->ptr[0] = 0;
    const char *at = x->recv;
    for (int64_t i = 0; i < n; i++) {
        int64_t k = 0;
        memcpy(&out->gi[i], at, 8);
        memcpy(&r->y[i], at + 8, 8);
        memcpy(&k, at + 16, 8);
        at += 24;
        for (int64_t j = r->ptr[i]; j < r->ptr[i] + k; j++, at += 16) {
            int64_t f = 0;
            memcpy(&f, at, 8);
            r->idx[j] = (int32_t)f;
            memcpy(&r->val[j], at + 8, 8);
        }
        r->ptr[i + 1] = r->ptr[i] + k;
    }
    r->n_local = n;
    r->nnz = nnz;
cleanup:
    return rc;
}

/* Counts and packs the rows to send, grouped by destination. Local. */
static int pack_rows(amls__xchg *x, const amls_rows *X, const int64_t *gi, const int *dest)
{
    int rc = AMLS_OK;
    int64_t n = X != NULL ? X->n_local : 0;
    AMLS_TRY(amls__xchg_init(x, x->comm));
    for (int64_t i = 0; i < n; i++)
        if (dest[i] >= 0)
            amls__xchg_count(x, dest[i], row_bytes(X, i));
    AMLS_TRY(amls__xchg_pack(x));
    for (int64_t i = 0; i < n; i++)
        if (dest[i] >= 0)
            pack_row(amls__xchg_put(x, dest[i], row_bytes(X, i)), X, i, gi[i]);
cleanup:
    return rc;
}

int amls__ps_route(MPI_Comm comm, const amls_rows *X, const int64_t *gi, const int *dest,
                   int64_t nfeat, amls__ps_rows *out)
{
    int rc = AMLS_OK;
    amls__xchg x = {.comm = comm};
    memset(out, 0, sizeof *out);
    AMLS_TRY(amls__xchg_run(&x, pack_rows(&x, X, gi, dest)));
    AMLS_AGREE(comm, unpack_rows(&x, out));
    AMLS_MPI_TRY(MPI_Allreduce(&out->r.n_local, &out->r.n_global, 1, MPI_INT64_T, MPI_SUM, comm));
    out->r.nfeat = nfeat;
cleanup:
    if (rc < 0)
        amls__ps_rows_free(out);
    amls__xchg_free(&x);
    return rc;
}

int amls__ps_epoch_order(const amls_ps_opts *o, int64_t epoch, int64_t ntrain,
                         const amls__ps_rows *p, int64_t *order)
{
    int rc = AMLS_OK;
    int64_t n = p->r.n_local;
    uint64_t *keys = NULL, key = amls__ps_order_key(o, epoch);
    AMLS_ALLOC(keys, n + 1);
    for (int64_t i = 0; i < n; i++) {
        keys[i] = (uint64_t)amls__ps_perm(key, ntrain, p->gi[i]);
        order[i] = i;
    }
    AMLS_TRY(amls__sort_u64(keys, (uint64_t *)order, (size_t)n));
cleanup:
    amls__free(keys);
    return rc;
}
