/* tests/plugins/fmtonly.c — a program whose output has no result_type, only a formatter (for
 * --top): the state starts with 8 bytes that are not the value, then the out-degree, written
 * with one decimal. */
#include "amls/vprog.h"

#include <stdio.h>
#include <string.h>

typedef struct st {
    char tag[8];
    double degree;
} st;

static int compute(amls_ctx *cx, amls_vertex v, void *state, const void *msgs, int64_t n)
{
    (void)msgs, (void)n;
    st *s = state;
    memcpy(s->tag, "notvalue", 8);
    s->degree = (double)amls_out_degree(cx, v);
    amls_vote_to_halt(cx, v);
    return 0;
}

static int format(const void *state, char *buf, size_t cap)
{
    const st *s = state;
    return snprintf(buf, cap, "%.1f", s->degree);
}

AMLS_VPROG_DEFINE(fmtonly, .description = "out-degree through a formatter only (test)",
                  .state_size = sizeof(st), .format = format, .compute = compute)
