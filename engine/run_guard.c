/* ---------------------------------------------------------------------------------------------
 * engine/run_guard.c — what the engine does when a program misbehaves: a callback's return
 * value checked and explained (program, callback, rank, superstep, vertex), misuse of the API
 * turned into an error, a crash reported before the process dies, and a watchdog that ends
 * the job when a superstep runs past --superstep-timeout.
 * SPDX-License-Identifier: MIT
 *
 * The run keeps where it is in the context (cx->phase, cx->step, cx->cur_v, one store per
 * vertex); the crash handler and the watchdog read it. The handler is async-signal-safe: it
 * formats with its own integer writer and write(2), then hands the signal to the handler that
 * was there before (Open MPI's backtrace) or the default action.
 * ------------------------------------------------------------------------------------------- */
#include "run_internal.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

static const char *phase_name(int phase)
{
    static const char *names[] = {"engine", "setup", "init", "compute", "master", "finalize"};
    return phase >= 0 && phase <= AMLS__PHASE_FINALIZE ? names[phase] : "";
}

/* "(compute, superstep 3, vertex 17, rank 1)" for messages. */
static void where(const amls_ctx *cx, int64_t v, char *buf, size_t cap)
{
    int n = snprintf(buf, cap, "in %s, superstep %lld", phase_name(cx->phase), (long long)cx->step);
    if (v >= 0 && v < cx->g->n_local && n >= 0 && (size_t)n < cap)
        n += snprintf(buf + n, cap - (size_t)n, ", vertex %lld", (long long)cx->g->orig[v]);
    if (n >= 0 && (size_t)n < cap)
        snprintf(buf + n, cap - (size_t)n, ", rank %d", cx->g->rank);
}

void amls__misuse(amls_ctx *cx, const char *what)
{
    if (cx->misuse == NULL) {
        cx->misuse = what;
        cx->misuse_v = cx->cur_v;
    }
}

int amls__callback_status(amls_ctx *cx, int64_t v, int rc, uint64_t serial)
{
    char at[160], msg[AMLS_MSG_LEN];
    const char *name = cx->p->name, *cb = phase_name(cx->phase);
    if (cx->misuse != NULL) {
        where(cx, cx->misuse_v, at, sizeof at);
        return amls_error(AMLS_ERR_VPROG, "%s: %s (%s)", name, cx->misuse, at);
    }
    if (rc == 0)
        return AMLS_OK;
    where(cx, v, at, sizeof at);
    if (rc > 0)
        return amls_error(AMLS_ERR_VPROG,
                          "%s: %s returned %d; a callback returns 0 or a negative status (%s)",
                          name, cb, rc, at);
    if (amls__error_serial() == serial)
        return amls_error(AMLS_ERR_VPROG,
                          "%s: %s returned %d without reporting why: return amls_fail(cx, "
                          "message) or the status of a failed amls_ call (%s)",
                          name, cb, rc, at);
    /* A message was recorded during the call: by amls_fail, or by the engine call that failed
     * (its status comes back as is). */
    snprintf(msg, sizeof msg, "%s", amls_last_error());
    bool known = strcmp(amls_strerror(rc), "unknown status") != 0;
    return amls_error(known ? rc : AMLS_ERR_VPROG, "%s%s%s (%s)",
                      strncmp(msg, name, strlen(name)) == 0 ? "" : name,
                      strncmp(msg, name, strlen(name)) == 0 ? "" : ": ", msg, at);
}

/* ---- Crashes. ----------------------------------------------------------------------------- */
static amls_ctx *volatile guarded; /* the running context, read by the handler */
static const int crash_signals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
enum { NCRASH = (int)(sizeof crash_signals / sizeof crash_signals[0]) };
static struct sigaction previous[NCRASH];
static char altstack[1 << 16];

/* Async-signal-safe output: a string, then a number. */
static size_t put_str(char *buf, size_t at, size_t cap, const char *s)
{
    while (*s && at + 1 < cap)
        buf[at++] = *s++;
    return at;
}
static size_t put_int(char *buf, size_t at, size_t cap, int64_t x)
{
    char tmp[24];
    int n = 0;
    uint64_t u = x < 0 ? (uint64_t)0 - (uint64_t)x : (uint64_t)x;
    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u > 0);
    if (x < 0 && at + 1 < cap)
        buf[at++] = '-';
    while (n > 0 && at + 1 < cap)
        buf[at++] = tmp[--n];
    return at;
}

static const char *signal_name(int sig)
{
    switch (sig) {
    case SIGSEGV:
        return "SIGSEGV, invalid memory access";
    case SIGBUS:
        return "SIGBUS, bus error";
    case SIGFPE:
        return "SIGFPE, arithmetic error";
    case SIGILL:
        return "SIGILL, illegal instruction";
    default:
        return "SIGABRT, aborted";
    }
}

static void on_crash(int sig)
{
    const amls_ctx *cx = guarded;
    char buf[512];
    size_t n = 0;
    if (cx != NULL) {
        n = put_str(buf, n, sizeof buf, "amls-graph: error: rank ");
        n = put_int(buf, n, sizeof buf, cx->g->rank);
        n = put_str(buf, n, sizeof buf, ": the program ");
        n = put_str(buf, n, sizeof buf, cx->p->name);
        n = put_str(buf, n, sizeof buf, " crashed (");
        n = put_str(buf, n, sizeof buf, signal_name(sig));
        n = put_str(buf, n, sizeof buf, ") in ");
        n = put_str(buf, n, sizeof buf, phase_name(cx->phase));
        n = put_str(buf, n, sizeof buf, " at superstep ");
        n = put_int(buf, n, sizeof buf, cx->step);
        int64_t v = cx->cur_v;
        if (v >= 0 && v < cx->g->n_local && cx->phase != AMLS__PHASE_MASTER) {
            n = put_str(buf, n, sizeof buf, ", vertex ");
            n = put_int(buf, n, sizeof buf, cx->g->orig[v]);
        }
        n = put_str(buf, n, sizeof buf, "\n");
        ssize_t w = write(STDERR_FILENO, buf, n);
        (void)w;
    }
    /* Hand the signal on: the previous handler (or the default) runs when this returns. */
    for (int i = 0; i < NCRASH; i++)
        if (crash_signals[i] == sig)
            sigaction(sig, &previous[i], NULL);
    raise(sig);
}

static void crash_install(void)
{
    stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0};
    sigaltstack(&ss, NULL); /* a stack overflow still gets its message */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_crash;
    sa.sa_flags = SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    for (int i = 0; i < NCRASH; i++)
        sigaction(crash_signals[i], &sa, &previous[i]);
}

static void crash_remove(void)
{
    for (int i = 0; i < NCRASH; i++)
        sigaction(crash_signals[i], &previous[i], NULL);
}

/* ---- The watchdog. ------------------------------------------------------------------------ */
typedef struct watchdog {
    pthread_t thread;
    bool running;
    atomic_bool stop;
    double limit;
    amls_ctx *cx;
} watchdog;
static watchdog dog;

static void nap(double s)
{
    struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    nanosleep(&ts, NULL);
}

/* A rank inside a program callback for longer than the limit ends the job (its process exits,
 * and mpirun stops the others); a rank waiting for the others gives them twice as long plus a
 * grace period, so that the rank that is stuck is the one that speaks. */
static void *watch(void *ud)
{
    (void)ud;
    amls_ctx *cx = dog.cx;
    while (!atomic_load(&dog.stop)) {
        nap(AMLS_MIN(0.1, dog.limit / 4));
        double since = amls__now() - atomic_load(&cx->phase_start);
        bool in_cb = atomic_load(&cx->in_callback);
        if (cx->phase == AMLS__PHASE_NONE || since <= (in_cb ? dog.limit : 2 * dog.limit + 5))
            continue;
        char at[160], line[400];
        int64_t v =
            cx->phase == AMLS__PHASE_COMPUTE || cx->phase == AMLS__PHASE_INIT ? cx->cur_v : -1;
        where(cx, v, at, sizeof at);
        if (in_cb)
            snprintf(line, sizeof line,
                     "amls-graph: error: %s: no return from %s after %.0f s, over "
                     "--superstep-timeout %g (%s); ending the job\n",
                     cx->p->name, phase_name(cx->phase), since, dog.limit, at);
        else
            snprintf(line, sizeof line,
                     "amls-graph: rank %d waited %.0f s for the other ranks in superstep %lld "
                     "(--superstep-timeout %g); ending the job\n",
                     cx->g->rank, since, (long long)cx->step, dog.limit);
        ssize_t w = write(STDERR_FILENO, line, strlen(line));
        (void)w;
        _exit(AMLS_WATCHDOG_EXIT);
    }
    return NULL;
}

int amls__guard_begin(amls_ctx *cx, const amls_run_opts *o)
{
    guarded = cx;
    atomic_store(&cx->phase_start, amls__now());
    crash_install();
    if (o->superstep_timeout > 0) {
        dog = (watchdog){.limit = o->superstep_timeout, .cx = cx};
        atomic_store(&dog.stop, false);
        if (pthread_create(&dog.thread, NULL, watch, NULL) != 0)
            return amls_error(AMLS_ERR_INTERNAL, "cannot start the superstep watchdog");
        dog.running = true;
    }
    return AMLS_OK;
}

void amls__guard_end(amls_ctx *cx)
{
    if (cx == NULL || guarded != cx)
        return;
    if (dog.running) {
        atomic_store(&dog.stop, true);
        pthread_join(dog.thread, NULL);
        dog.running = false;
    }
    crash_remove();
    guarded = NULL;
}
