/* ---------------------------------------------------------------------------------------------
 * core/progress.c — progress lines on rank 0 for long loads: "# loading: PHASE 42%, about 8.4 s
 * left (12.0 s since the start)", and "PHASE done in 5.2 s" at the end of a phase. Silent unless
 * the command line turns it on, and silent during the first seconds of a load
 * (AMLS_PROGRESS=SECONDS, default 5), so short loads print nothing; then at most one line every 2
 * seconds. The time left is this phase's: elapsed * (1 - done) / done, measured on rank 0, whose
 * share is as large as any other rank's. SPDX-License-Identifier: MIT
 * ------------------------------------------------------------------------------------------- */
#include "core.h"

#include <stdio.h>

static struct {
    bool on;
    double after, t0, last, phase_t0;
    char phase[64];
} P;

void amls__progress_enable(MPI_Comm comm, bool on)
{
    int rank = 0;
    if (amls__comm_rank(comm, &rank, NULL) < 0)
        rank = 1;
    memset(&P, 0, sizeof P);
    P.on = on && rank == 0;
    const char *env = getenv("AMLS_PROGRESS");
    P.after = env && *env ? atof(env) : 5.0;
    P.t0 = amls__now();
    P.last = -1e30;
}

void amls__progress(const char *phase, double done)
{
    if (!P.on)
        return;
    double now = amls__now();
    if (done <= 0.0 || strncmp(P.phase, phase, sizeof P.phase - 1) != 0) {
        snprintf(P.phase, sizeof P.phase, "%s", phase);
        P.phase_t0 = now;
    }
    if (now - P.t0 < P.after || (now - P.last < 2.0 && done < 1.0) || done <= 0.0)
        return;
    double spent = now - P.phase_t0;
    if (done >= 1.0)
        fprintf(stderr, "# loading: %s done in %.1f s (%.1f s since the start)\n", phase, spent,
                now - P.t0);
    else
        fprintf(stderr, "# loading: %s %.0f%%, about %.1f s left (%.1f s since the start)\n", phase,
                100.0 * done, spent * (1.0 - done) / done, now - P.t0);
    fflush(stderr);
    P.last = now;
}
