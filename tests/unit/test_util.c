/* ---------------------------------------------------------------------------------------------
 * tests/unit/test_util.c — sorting, token parsing, status strings, allocation failure hook.
 * SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#include "core.h"
#include "io_internal.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

Test(util, radix_sort_matches_insertion_sort)
{
    enum { N = 100000 };
    uint64_t *k = malloc(N * sizeof *k), *v = malloc(N * sizeof *v);
    for (int i = 0; i < N; i++) {
        k[i] = amls__rand64(7, 0, (uint64_t)i) >> (i % 3 == 0 ? 40 : 0);
        v[i] = (uint64_t)i;
    }
    uint64_t *k0 = malloc(N * sizeof *k0);
    memcpy(k0, k, N * sizeof *k);
    cr_assert_eq(amls__sort_u64(k, v, N), AMLS_OK);
    for (int i = 1; i < N; i++)
        cr_assert_leq(k[i - 1], k[i]);
    for (int i = 0; i < N; i++)
        cr_assert_eq(k[i], k0[v[i]], "payload follows its key");
    free(k);
    free(v);
    free(k0);
}

/* Below 65536 keys the sort uses 8-bit digits: sorted, payloads follow, equal keys keep their
 * input order (ties are common: keys drawn from 1000 values). */
Test(util, radix_sort_small_inputs_are_stable)
{
    for (size_t n = 64; n <= 40000; n = n * 5 + 1) {
        uint64_t *k = malloc(n * sizeof *k), *v = malloc(n * sizeof *v);
        for (size_t i = 0; i < n; i++) {
            k[i] = amls__rand64(11, 0, i) % 1000 + (i % 2 ? (uint64_t)1 << 50 : 0);
            v[i] = i;
        }
        uint64_t *k0 = malloc(n * sizeof *k0);
        memcpy(k0, k, n * sizeof *k);
        cr_assert_eq(amls__sort_u64(k, v, n), AMLS_OK);
        for (size_t i = 1; i < n; i++) {
            cr_assert_leq(k[i - 1], k[i], "n %zu: order at %zu", n, i);
            if (k[i - 1] == k[i])
                cr_assert_lt(v[i - 1], v[i], "n %zu: equal keys keep their order", n);
        }
        for (size_t i = 0; i < n; i++)
            cr_assert_eq(k[i], k0[v[i]], "payload follows its key");
        free(k);
        free(v);
        free(k0);
    }
}

Test(util, sort_unique_signed)
{
    int64_t a[] = {5, -3, 5, 0, -3, INT64_MAX, INT64_MIN, 2};
    size_t m = 0;
    cr_assert_eq(amls__sort_unique_i64(a, 8, &m), AMLS_OK);
    int64_t want[] = {INT64_MIN, -3, 0, 2, 5, INT64_MAX};
    cr_assert_eq(m, 6);
    for (size_t i = 0; i < m; i++)
        cr_assert_eq(a[i], want[i]);
    cr_assert_eq(amls__bsearch_i64(a, 6, 2), 3);
    cr_assert_eq(amls__bsearch_i64(a, 6, 3), -1);
}

Test(util, owner_of_offsets)
{
    int64_t off[] = {0, 10, 10, 25, 30};
    cr_assert_eq(amls__owner_of(off, 4, 0), 0);
    cr_assert_eq(amls__owner_of(off, 4, 9), 0);
    cr_assert_eq(amls__owner_of(off, 4, 10), 2, "empty rank 1 is skipped");
    cr_assert_eq(amls__owner_of(off, 4, 29), 3);
}

Test(util, parse_numbers)
{
    const char *p = "  42\t-7 9223372036854775808 x";
    int64_t x;
    cr_assert_eq(amls__parse_i64(&p, &x), 1);
    cr_assert_eq(x, 42);
    cr_assert_eq(amls__parse_i64(&p, &x), 1);
    cr_assert_eq(x, -7);
    cr_assert_eq(amls__parse_i64(&p, &x), -2, "2^63 does not fit");
    const char *q = "1.5e3 inf 12abc";
    double d;
    cr_assert_eq(amls__parse_f64(&q, &d), 1);
    cr_assert_float_eq(d, 1500.0, 0);
    cr_assert_eq(amls__parse_f64(&q, &d), 1);
    cr_assert(d > 1e308);
    cr_assert_eq(amls__parse_f64(&q, &d), -1);
    const char *e = "   ";
    cr_assert_eq(amls__parse_i64(&e, &x), 0);
}

/* Plain decimals take a fast path: every value must be strtod's, bit for bit, and anything
 * that path does not take (exponents, 16+ digits, hex, junk) must still read as before. */
Test(util, parse_f64_same_as_strtod)
{
    const char *cases[] = {"0",
                           "-0",
                           "+7",
                           "36",
                           "0.1",
                           "0.3",
                           ".5",
                           "5.",
                           "-2.25",
                           "123.456",
                           "1e3",
                           "0x10",
                           "9007199254740993",
                           "999999999999999",
                           "0.000000000000001",
                           "3.14159265358979",
                           "12345678901234567890",
                           "1.7976931348623157e308",
                           "00000000000000001",
                           "7,",
                           "8\r"};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *p = cases[i];
        double d = -1.0, want = strtod(cases[i], NULL);
        cr_assert_eq(amls__parse_f64(&p, &d), 1, "%s", cases[i]);
        cr_assert(memcmp(&d, &want, sizeof d) == 0, "%s: %.17g, strtod %.17g", cases[i], d, want);
    }
    uint64_t z = 1;
    for (int i = 0; i < 100000; i++) { /* random decimals of up to 15 digits */
        char buf[40];
        z = z * 6364136223846793005ULL + 1442695040888963407ULL;
        int frac = (int)((z >> 60) % 8);
        snprintf(buf, sizeof buf, "%.*f", frac, (double)(z >> 20 & 0xffffffffffULL) / 1e4);
        const char *p = buf;
        double d = 0, want = strtod(buf, NULL);
        cr_assert_eq(amls__parse_f64(&p, &d), 1, "%s", buf);
        cr_assert(memcmp(&d, &want, sizeof d) == 0, "%s: %.17g, strtod %.17g", buf, d, want);
    }
    const char *bad[] = {".", "-", "1.2.3", "12abc", "--1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *p = bad[i];
        double d;
        cr_assert_eq(amls__parse_f64(&p, &d), -1, "%s", bad[i]);
    }
}

Test(util, status_strings_and_messages)
{
    cr_assert_str_eq(amls_strerror(AMLS_OK), "ok");
    cr_assert_str_eq(amls_strerror(AMLS_ERR_PARSE), "parse error");
    cr_assert_str_eq(amls_strerror(12345), "unknown status");
    cr_assert_eq(amls_error(AMLS_ERR_IO, "file %s", "x"), AMLS_ERR_IO);
    cr_assert_str_eq(amls_last_error(), "file x");
    amls_clear_error();
    cr_assert_str_eq(amls_last_error(), "");
}

Test(util, allocation_failure_hook)
{
    amls__malloc_fail_after(1);
    void *a = amls__malloc(8, 1);
    void *b = amls__malloc(8, 1);
    amls__malloc_fail_after(-1);
    cr_assert_not_null(a);
    cr_assert_null(b);
    free(a);
    amls__vec v;
    amls__vec_init(&v, sizeof(int64_t));
    amls__malloc_fail_after(0);
    cr_assert_eq(amls__vec_push_i64(&v, 3), AMLS_ERR_NOMEM);
    amls__malloc_fail_after(-1);
    cr_assert_eq(amls__vec_push_i64(&v, 3), AMLS_OK);
    amls__vec_free(&v);
    cr_assert_null(amls__malloc(SIZE_MAX / 2, 4), "overflowing size is refused");
}

/* Temporary files are created exclusively: an existing file, or a link planted at the name
 * (even a dangling one), makes the creation fail instead of writing through it. */
Test(util, create_excl_never_follows_a_link)
{
    char dir[] = "/tmp/amls-excl-XXXXXX", victim[64], link[64], fresh[64];
    cr_assert_not_null(mkdtemp(dir));
    snprintf(victim, sizeof victim, "%s/victim", dir);
    snprintf(link, sizeof link, "%s/link", dir);
    snprintf(fresh, sizeof fresh, "%s/fresh", dir);
    FILE *f = fopen(victim, "w");
    fputs("precious", f);
    fclose(f);
    cr_assert_eq(symlink(victim, link), 0);
    int fd = -1;
    cr_assert_lt(amls__create_excl(link, &fd), 0, "created through a link");
    cr_assert_lt(amls__create_excl(victim, &fd), 0, "created over an existing file");
    cr_assert_eq(unlink(victim), 0); /* now dangling */
    cr_assert_lt(amls__create_excl(link, &fd), 0, "created through a dangling link");
    cr_assert_eq(access(victim, F_OK), -1, "the dangling link's target was created");
    cr_assert_eq(amls__create_excl(fresh, &fd), AMLS_OK);
    cr_assert_eq(amls__write_all(fd, "abc", 3, fresh), AMLS_OK);
    cr_assert_eq(amls__close_synced(fd, fresh), AMLS_OK);
    unlink(fresh);
    unlink(link);
    rmdir(dir);
}

/* Temporary tags are random (not a pid), from [a-z0-9], and differ between calls. */
Test(util, random_tags_are_unpredictable)
{
    char a[17], b[17], pid[32];
    amls__random_tag(a, 16);
    amls__random_tag(b, 16);
    snprintf(pid, sizeof pid, "%ld", (long)getpid());
    cr_assert_eq(strlen(a), 16);
    cr_assert_neq(strcmp(a, b), 0);
    cr_assert_null(strstr(a, pid));
    for (int i = 0; i < 16; i++)
        cr_assert((a[i] >= 'a' && a[i] <= 'z') || (a[i] >= '0' && a[i] <= '9'));
}

/* Inputs must be regular files: a FIFO is refused at once (it would block open() forever). */
Test(util, open_read_refuses_fifos_and_directories)
{
    char dir[] = "/tmp/amls-fifo-XXXXXX", fifo[64];
    cr_assert_not_null(mkdtemp(dir));
    snprintf(fifo, sizeof fifo, "%s/p", dir);
    cr_assert_eq(mkfifo(fifo, 0600), 0);
    int fd = -1;
    cr_assert_lt(amls__open_read(fifo, &fd), 0);
    cr_assert(strstr(amls_last_error(), "not a regular file") != NULL, "%s", amls_last_error());
    cr_assert_lt(amls__open_read(dir, &fd), 0);
    cr_assert(strstr(amls_last_error(), "is a directory") != NULL, "%s", amls_last_error());
    cr_assert_eq(fd, -1);
    unlink(fifo);
    rmdir(dir);
}
