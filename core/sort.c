/* ---------------------------------------------------------------------------------------------
 * core/sort.c — LSD radix sort of 64-bit keys, sort-unique and binary searches.
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#include "core.h"

static void insertion_sort(uint64_t *keys, uint64_t *vals, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        uint64_t k = keys[i], v = vals ? vals[i] : 0;
        size_t j = i;
        while (j > 0 && keys[j - 1] > k) {
            keys[j] = keys[j - 1];
            if (vals)
                vals[j] = vals[j - 1];
            j--;
        }
        keys[j] = k;
        if (vals)
            vals[j] = v;
    }
}

/* One stable counting pass on the digit (key >> shift) & mask, from (sk, sv) into (dk, dv). */
static void radix_pass(const uint64_t *sk, const uint64_t *sv, uint64_t *dk, uint64_t *dv, size_t n,
                       int shift, uint64_t mask, size_t *count)
{
    memset(count, 0, (mask + 1) * sizeof *count);
    for (size_t i = 0; i < n; i++)
        count[(sk[i] >> shift) & mask]++;
    size_t sum = 0;
    for (size_t d = 0; d <= mask; d++) {
        size_t c = count[d];
        count[d] = sum;
        sum += c;
    }
    for (size_t i = 0; i < n; i++) {
        size_t pos = count[(sk[i] >> shift) & mask]++;
        dk[pos] = sk[i];
        if (sv)
            dv[pos] = sv[i];
    }
}

/* LSD radix sort, skipping digits where every key agrees: 16-bit digits, or 8-bit ones below
 * 65536 keys, where clearing 65536 counters per pass would cost more than the extra passes
 * (the superstep sorts its few candidates every step). */
int amls__sort_u64(uint64_t *keys, uint64_t *vals, size_t n)
{
    int rc = AMLS_OK;
    uint64_t *tk = NULL, *tv = NULL;
    size_t *count = NULL;
    if (n < 64) {
        insertion_sort(keys, vals, n);
        return AMLS_OK;
    }
    uint64_t all_or = 0, all_and = ~(uint64_t)0;
    for (size_t i = 0; i < n; i++) {
        all_or |= keys[i];
        all_and &= keys[i];
    }
    uint64_t differ = all_or ^ all_and;
    tk = amls__malloc(n, sizeof *tk);
    tv = vals ? amls__malloc(n, sizeof *tv) : NULL;
    int bits = n < 65536 ? 8 : 16;
    uint64_t mask = ((uint64_t)1 << bits) - 1;
    count = amls__malloc((size_t)mask + 1, sizeof *count);
    AMLS_CHECK(tk != NULL && (vals == NULL || tv != NULL) && count != NULL, AMLS_ERR_NOMEM,
               "out of memory sorting %zu keys", n);
    uint64_t *sk = keys, *sv = vals, *dk = tk, *dv = tv;
    for (int shift = 0; shift < 64; shift += bits) {
        if (((differ >> shift) & mask) == 0)
            continue;
        radix_pass(sk, sv, dk, dv, n, shift, mask, count);
        uint64_t *t = sk;
        sk = dk;
        dk = t;
        t = sv;
        sv = dv;
        dv = t;
    }
    if (sk != keys) {
        memcpy(keys, sk, n * sizeof *keys);
        if (vals)
            memcpy(vals, sv, n * sizeof *vals);
    }
cleanup:
    amls__free(tk);
    amls__free(tv);
    amls__free(count);
    return rc;
}

int amls__sort_i64(int64_t *keys, int64_t *vals, size_t n)
{
    /* Flip the sign bit so that unsigned order equals signed order. */
    uint64_t *u = (uint64_t *)keys;
    for (size_t i = 0; i < n; i++)
        u[i] ^= (uint64_t)1 << 63;
    int rc = amls__sort_u64(u, (uint64_t *)vals, n);
    for (size_t i = 0; i < n; i++)
        u[i] ^= (uint64_t)1 << 63;
    return rc;
}

int amls__sort_unique_i64(int64_t *a, size_t n, size_t *m)
{
    int rc = amls__sort_i64(a, NULL, n);
    if (rc < 0)
        return rc;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (k == 0 || a[k - 1] != a[i])
            a[k++] = a[i];
    *m = k;
    return AMLS_OK;
}

int64_t amls__bsearch_i64(const int64_t *a, int64_t n, int64_t x)
{
    int64_t lo = 0, hi = n;
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (a[mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return (lo < n && a[lo] == x) ? lo : -1;
}
