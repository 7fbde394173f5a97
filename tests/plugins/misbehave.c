/* tests/plugins/misbehave.c — a program that misbehaves on purpose, in the way --mode says, at
 * the vertex --at (original id) in superstep --step (for the engine's error reports):
 *   raw       compute returns -1 without a message     positive  compute returns 7
 *   fail      compute reports "bad data" (amls_fail)    halt      compute calls amls_halt
 *   crash     compute writes through a NULL pointer     spin      compute never returns
 *   master    the master step halts on rank 0 only      setup     setup returns -3
 *   slow      compute sleeps 4 s (a job that runs a while)
 * Otherwise every vertex halts at once. */
#include "amls/vprog.h"

#include <string.h>
#include <time.h>

enum { P_MODE, P_AT, P_STEP };
static const amls_param params[] = {
    {"mode", AMLS_PARAM_STRING, "none", "how to misbehave"},
    {"at", AMLS_PARAM_INT, "5", "original id of the vertex that misbehaves"},
    {"step", AMLS_PARAM_INT, "1", "superstep in which it misbehaves"},
};

typedef struct st {
    int64_t x;
} st;

static int is(const amls_ctx *cx, const char *mode)
{
    return strcmp(amls_param_str(cx, P_MODE), mode) == 0;
}

static int setup(amls_ctx *cx)
{
    return is(cx, "setup") ? -3 : 0;
}

static int compute(amls_ctx *cx, amls_vertex v, void *state, const void *msgs, int64_t n)
{
    (void)msgs, (void)n;
    st *s = state;
    int64_t step = amls_superstep(cx);
    s->x = step;
    if (amls_vertex_id(cx, v) == amls_param_i64(cx, P_AT) && step == amls_param_i64(cx, P_STEP)) {
        if (is(cx, "raw"))
            return -1;
        if (is(cx, "positive"))
            return 7;
        if (is(cx, "fail"))
            return amls_fail(cx, "bad data");
        if (is(cx, "halt"))
            amls_halt(cx);
        if (is(cx, "crash")) {
            volatile int *p = NULL;
            *p = 1;
        }
        while (is(cx, "spin"))
            s->x++;
        if (is(cx, "slow"))
            nanosleep(&(struct timespec){4, 0}, NULL);
    }
    if (step > amls_param_i64(cx, P_STEP) + 2) /* active until then */
        amls_vote_to_halt(cx, v);
    return 0;
}

static int master(amls_ctx *cx)
{
    if (is(cx, "master") && amls_superstep(cx) == amls_param_i64(cx, P_STEP) && amls_rank(cx) == 0)
        amls_halt(cx);
    return 0;
}

AMLS_VPROG_DEFINE(misbehave, .description = "misbehaves on purpose (test)",
                  .state_size = sizeof(st), AMLS_PARAMS(params), .result_type = AMLS_TYPE_I64,
                  .setup = setup, .compute = compute, .master = master)
