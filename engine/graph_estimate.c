/* ---------------------------------------------------------------------------------------------
 * engine/graph_estimate.c — the loader's model of its own peak memory, for --dry-run and
 * --memory-limit: what each rank holds at the worst moment of a load, from the size of the
 * input alone.
 * SPDX-License-Identifier: MIT
 *
 * Text inputs (per rank, E records, V vertices, R ranks, w = 8 bytes when weights are kept):
 *   the process itself                               BASE
 *   the edges read, 32-bit ids                       E/R * (8 + w)
 *   the rows, while the last round arrives           arcs/R * (4 + w)  (arcs = E, or 2E undirected;
 *                                                                       in-edges: + E)
 *   the shuffle's send and receive buffers           2 * round bytes
 *   per-vertex arrays, and the replicated id table   V/R * 32 + V * 5
 * METIS adds, on rank 0, the whole graph gathered, its adjacency and METIS' own work space;
 * PT-Scotch adds its distributed copy and its coarsened graphs on every rank. Both cost most on
 * power-law graphs, so the model takes their figures there (peak RSS at 2 ranks, Kronecker
 * scales 16-18, a tenth added): METIS 130 bytes per record and 50 per vertex, PT-Scotch 260
 * bytes per record held by the rank. Road and web graphs need less (cnr-2000 at 2 ranks: METIS
 * 206 MiB on rank 0 against 564 estimated, PT-Scotch 197 against 549), so the estimate is an
 * upper one there. These come before the rows are allocated, so the peak takes the larger of
 * the two. With a memory limit, auto does not pick METIS when rank 0 could not hold it (as the
 * build does).
 * A container with its stored partition needs only its rows and the per-vertex arrays. A list
 * whose records repeat edges (both directions listed) is merged before the rows (graph_merge.c)
 * and needs less than the model, which takes every record for a distinct edge.
 * ------------------------------------------------------------------------------------------- */
#include "graph_internal.h"

#define BASE ((int64_t)24 << 20)

int64_t amls__metis_bytes(int64_t records, int64_t vertices)
{
    return 130 * records + 50 * vertices;
}

static int64_t per_vertex(int64_t v, int R)
{
    return v / R * 32 + v * 5;
}

void amls_graph_estimate(const amls_graph_size *sz, const amls_build_opts *o, int nranks,
                         amls_mem_estimate *out)
{
    amls_build_opts d = {0};
    const amls_build_opts *b = o ? o : &d;
    int R = AMLS_MAX(nranks, 1);
    int64_t E = AMLS_MAX(sz->records, (int64_t)0), V = AMLS_MAX(sz->vertices, (int64_t)0);
    int64_t w = sz->weighted && !b->drop_weights ? 8 : 0;
    bool in = sz->directed && b->need_in_edges;
    int64_t round = 2 * (b->round_bytes > 0 ? b->round_bytes : AMLS_ROUND_BYTES);
    memset(out, 0, sizeof *out);
    if (sz->stored && (b->method == AMLS_PART_AUTO || b->nparts == 0)) {
        int64_t rows = (E / R) * (4 + w) * (in && sz->has_in ? 2 : 1);
        out->per_rank = out->rank0 = BASE + rows + per_vertex(V, R);
        out->assumed = AMLS_PART_FILE;
        out->total = out->per_rank * R;
        return;
    }
    int64_t arcs = sz->directed ? E : 2 * E;
    int64_t raw = E / R * (8 + w), rows = (arcs + (in ? E : 0)) / R * (4 + w);
    int64_t common = BASE + raw + per_vertex(V, R);
    amls_part_method m = b->method;
    int64_t metis0 = common + AMLS_MAX(rows + round, amls__metis_bytes(E, V));
    if (m == AMLS_PART_AUTO)
        m = arcs > AMLS_AUTO_METIS_ARCS || (b->memory_limit > 0 && metis0 > b->memory_limit)
                ? AMLS_PART_CHUNK
                : AMLS_PART_METIS;
    int64_t extra0 = 0, extra = 0;
    if (m == AMLS_PART_METIS)
        extra0 = amls__metis_bytes(E, V);
    else if (m == AMLS_PART_PTSCOTCH)
        extra = extra0 = 260 * (E / R);
    out->assumed = m;
    out->per_rank = common + AMLS_MAX(rows + round, extra);
    out->rank0 = common + AMLS_MAX(rows + round, extra0);
    out->total = out->rank0 + (R - 1) * out->per_rank;
}
