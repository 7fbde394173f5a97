/* ---------------------------------------------------------------------------------------------
 * linalg/ps_data.c — where the training rows of a parameter-server run live and in which order
 * they are visited: a pseudo-random permutation of the global row numbers deals the rows to
 * workers in equal shares and orders each share per epoch, without any communication to
 * decide it, and rows travel to their ranks in one exchange (amls_rows_exchange).
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

uint64_t amls__sgd_order_key(uint64_t seed, int64_t epoch)
{
    return amls__rand64(seed, STREAM_ORDER, (uint64_t)epoch);
}

uint64_t amls__ps_order_key(const amls_ps_opts *o, int64_t epoch)
{
    return amls__sgd_order_key(o->hp.seed, epoch);
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

int amls__ps_route(MPI_Comm comm, const amls_rows *X, const int64_t *gi, const int *dest,
                   int64_t nfeat, amls__ps_rows *out)
{
    int rc = AMLS_OK;
    int64_t nl = X != NULL ? X->n_local : 0, n = 0, *row = NULL, *tag = NULL;
    int *to = NULL;
    memset(out, 0, sizeof *out);
    row = amls__malloc((size_t)nl + 1, sizeof *row);
    tag = amls__malloc((size_t)nl + 1, sizeof *tag);
    to = amls__malloc((size_t)nl + 1, sizeof *to);
    AMLS_AGREE(comm, amls__alloc_status(row && tag && to));
    for (int64_t i = 0; i < nl; i++)
        if (dest[i] >= 0) {
            row[n] = i;
            tag[n] = gi[i];
            to[n++] = dest[i];
        }
    AMLS_TRY(amls_rows_exchange(comm, X, n, row, to, tag, &out->r, &out->gi));
    out->r.nfeat = nfeat;
cleanup:
    amls__free(row);
    amls__free(tag);
    amls__free(to);
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
