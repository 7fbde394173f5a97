/* ---------------------------------------------------------------------------------------------
 * include/amls/graph.h — the distributed graph: renumbering, partitioning and local CSR.
 * SPDX-License-Identifier: MIT
 *
 * A graph is built collectively from the edges every rank read (amls_raw_graph). Vertices get
 * dense ids in the order of their original ids, a partitioner assigns each a part, and the ids
 * are renumbered so that each rank owns one contiguous range: owner lookup is a search over
 * nranks+1 offsets. Each rank then holds the out-edges (and, on request, the in-edges) of its
 * vertices as a CSR with 32-bit local column indices: [0, n_local) are its own vertices and
 * [n_local, n_local + n_ghost) the remote ones it references, with a communication plan
 * saying, for each peer, which of its vertices the peer needs and which of the peer's it needs.
 * ------------------------------------------------------------------------------------------- */
#pragma once

#include "amls/io.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum amls_part_method {
    AMLS_PART_AUTO = 0, /* the default: chunk for skewed or large graphs, else METIS (README) */
    AMLS_PART_METIS,    /* k-way edge-cut minimisation on rank 0, edges balanced (fits one node) */
    AMLS_PART_HASH,     /* hash of the original id */
    AMLS_PART_RANGE,    /* contiguous blocks of original-id order, equal vertex counts */
    AMLS_PART_FILE,     /* one part per line, in original-id order (METIS .part format) */
    AMLS_PART_CHUNK,    /* contiguous blocks of original-id order balancing arcs + 4 per vertex */
    AMLS_PART_PTSCOTCH, /* PT-Scotch k-way on the distributed graph: no rank holds it whole */
} amls_part_method;

typedef struct amls_build_opts {
    amls_part_method method;
    const char *part_file; /* AMLS_PART_FILE */
    int nparts;            /* parts to compute; 0 = number of ranks */
    bool need_in_edges;    /* keep the in-edge CSR of directed graphs too */
    bool drop_weights;     /* do not keep edge weights even if the input has them */
    int64_t round_bytes;   /* bytes a rank sends per round of the edge shuffle (0: 8 MiB) */
    int64_t memory_limit;  /* bytes per rank (0: none); auto does not pick METIS above it */
} amls_build_opts;

/* The distributed graph. Fields are read-only for users of the engine. */
typedef struct amls_graph {
    MPI_Comm comm;
    int rank, nranks;
    bool directed, weighted, has_in;
    int64_t n;           /* global vertices */
    int64_t arcs;        /* global stored out-arcs (an undirected edge counts twice) */
    int64_t edges;       /* global distinct edges (undirected: loops once, others once) */
    int64_t self_loops;  /* global distinct self loops */
    int64_t edges_read;  /* records read from the input */
    int64_t *owner_off;  /* nranks+1: rank r owns global ids [owner_off[r], owner_off[r+1]) */
    int nparts;          /* parts of the partition; ranks own contiguous runs of parts */
    int64_t *part_off;   /* nparts+1: part p holds global ids [part_off[p], part_off[p+1]) */
    int64_t lo, n_local; /* this rank's first global id and count */
    amls_vid *orig;      /* n_local: original id of each owned vertex */
    int64_t *dense;      /* n_local: position of the vertex in original-id order */
    int64_t *dir_off;    /* nranks+1: directory blocks of dense ids (output order) */
    /* Out-edges: targets are local indices (owned or ghost). */
    int64_t *out_ptr; /* n_local+1 */
    uint32_t *out_col;
    double *out_w; /* NULL if unweighted */
    /* In-edges (directed graphs with has_in; for undirected graphs these alias out-edges). */
    int64_t *in_ptr;
    uint32_t *in_col;
    double *in_w;
    /* Ghosts: remote vertices referenced here, sorted by global id (so grouped by owner). */
    int64_t n_ghost;
    int64_t *ghost_gid;
    amls_vid *ghost_orig; /* original ids of ghosts */
    /* Plan: ghosts [recv_off[p], recv_off[p+1]) are owned by p, which sends their values;
     * send_idx[send_off[p] .. send_off[p+1]) are local vertices whose values p needs. */
    int64_t *recv_off;
    int64_t *send_off;
    uint32_t *send_idx;
    double build_seconds, partition_seconds;
    amls_part_method part_method; /* the partitioner that made the partition (auto resolved) */
} amls_graph;

/* Builds the distributed graph from the raw edges (which it frees, to save memory). Collective;
 * every rank returns the same status. *out is NULL on error. */
int amls_graph_build(MPI_Comm comm, amls_raw_graph *raw, const amls_build_opts *opts,
                     amls_graph **out);
/* Frees a graph and sets *g to NULL; accepts NULL. Local. */
void amls_graph_free(amls_graph **g);
/* Parses "auto", "metis", "hash", "range", "chunk", "ptscotch"; anything else is taken as a
 * partition file name. Local. */
amls_part_method amls_part_method_parse(const char *s);
const char *amls_part_method_name(amls_part_method m);

/* Global id of local index i (owned or ghost). */
static inline int64_t amls_graph_gid(const amls_graph *g, int64_t i)
{
    return i < g->n_local ? g->lo + i : g->ghost_gid[i - g->n_local];
}
/* Original id of local index i (owned or ghost). */
static inline amls_vid amls_graph_orig(const amls_graph *g, int64_t i)
{
    return i < g->n_local ? g->orig[i] : g->ghost_orig[i - g->n_local];
}
/* Rank owning global id x. */
int amls_graph_owner(const amls_graph *g, int64_t gid);
/* owner[k] = the rank owning ghost k, for all n_ghost ghosts (they are grouped by owner). */
static inline void amls_graph_ghost_owners(const amls_graph *g, int32_t *owner)
{
    for (int p = 0; p < g->nranks; p++)
        for (int64_t k = g->recv_off[p]; k < g->recv_off[p + 1]; k++)
            owner[k] = p;
}

/* The memory a load will need, estimated before anything is read from the size of the input
 * (amls_graph_probe, amls_graph_probe_h5) and the build options: the loader's model of its own
 * peak (32-bit ids, bounded shuffle rounds; rank 0 holds the whole graph when METIS
 * partitions). */
typedef struct amls_mem_estimate {
    int64_t per_rank;         /* bytes at the peak on every rank but rank 0 */
    int64_t rank0;            /* bytes at the peak on rank 0 */
    int64_t total;            /* the sum over ranks */
    amls_part_method assumed; /* the partitioner the estimate assumes (auto: its likely choice) */
} amls_mem_estimate;
/* Local; cannot fail. */
void amls_graph_estimate(const amls_graph_size *sz, const amls_build_opts *o, int nranks,
                         amls_mem_estimate *out);
/* The size of the graph in an HDF5 container, from its attributes. Collective. */
int amls_graph_probe_h5(MPI_Comm comm, const char *path, amls_graph_size *out);

/* Statistics for `amls-graph info`. Collective. */
typedef struct amls_graph_stats {
    int64_t vertices, edges, arcs, self_loops, edges_read, max_out_degree, max_in_degree;
    int64_t isolated, edge_cut, ghosts_max;
    int nparts;
    double imbalance;        /* largest part's vertices over the average */
    double edge_imbalance;   /* largest rank's stored out-arcs over the average */
    double vertex_imbalance; /* largest rank's vertices over the average */
} amls_graph_stats;
int amls_graph_stats_get(const amls_graph *g, amls_graph_stats *st);

/* Writes the partition (one part per line, in original-id order) to `path`. Collective. */
int amls_graph_write_partition(const amls_graph *g, const char *path);
/* Writes the graph as text: AMLS_FORMAT_EDGELIST ("u v [w]" lines, original ids),
 * AMLS_FORMAT_CSV (the same with commas and a "source,target[,weight]" header) or
 * AMLS_FORMAT_MTX (Matrix Market; vertex i is the i-th in original-id order; general when
 * directed, else symmetric with the lower triangle). Sorted by source then target original id;
 * an undirected edge once; `source` (may be NULL) is named in the Matrix Market comment.
 * Written under a temporary name and renamed when complete. Collective. */
int amls_graph_write_edges(const amls_graph *g, const char *path, amls_format fmt,
                           const char *source);

/* Looks up the global id of an original vertex id; *gid = -1 when absent. Collective (every
 * rank passes the same id and gets the same answer). */
int amls_graph_find(const amls_graph *g, amls_vid orig, int64_t *gid);

/* Copies the owned entries of vals (n_local + n_ghost elements of vsz bytes) to the ghost
 * entries of the ranks that reference them, along the communication plan. Collective. */
int amls_graph_sync_ghosts(const amls_graph *g, void *vals, size_t vsz);

/* Gathers the original ids in original-id order onto root (allocated there). Collective. */
int amls_graph_gather_ids(const amls_graph *g, int root, amls_vid **ids);
/* Moves one value of vsz bytes per owned vertex into original-id order: on return this rank
 * holds *out (allocated), the values of the vertices at positions [dir_off[rank],
 * dir_off[rank + 1]) of that order, for writing by hyperslab. Collective. */
int amls_graph_to_dense_order(const amls_graph *g, const void *vals, size_t vsz, void **out);

/* ---- The HDF5 graph container. ----------------------------------------------------------------
 * Layout (format_version 1): root attributes describe the graph and its source (name, size,
 * CRC-32); /vertices/orig and /vertices/dense hold, in the stored partition's id order, each
 * vertex's original id and its position in original-id order; /partition/part_off the stored
 * partition's part offsets; /out/{offsets,targets,weights} the out-edge CSR over global ids and,
 * for directed graphs, /in/{...} the in-edge CSR. Datasets are chunked with Fletcher-32
 * checksums; the file format (1.8+) checksums the metadata. */
typedef struct amls_source_info {
    const char *name; /* file name or generator spec */
    int64_t size;     /* bytes (0 for generators) */
    uint32_t crc32;   /* CRC-32 of the file's bytes */
} amls_source_info;

/* Writes g to path (under a temporary name, renamed when complete). Collective. */
int amls_graph_save_h5(const amls_graph *g, const char *path, const amls_source_info *src);
/* Loads a container. With use_stored and o == NULL (or o->nparts 0 or the stored count), each
 * rank reads the rows of its run of the stored parts: no shuffle (part_method: AMLS_PART_FILE).
 * Otherwise the graph is re-partitioned with o. Collective. src (optional) receives the source
 * attributes. */
int amls_graph_load_h5(MPI_Comm comm, const char *path, const amls_build_opts *o, bool use_stored,
                       amls_graph **out, amls_source_info *src, char *src_name, size_t src_cap);
/* True if the name ends in .h5 or .hdf5. */
bool amls_is_h5_path(const char *path);
/* The CRC-32 that identifies an input: of a file's bytes, of a generator spec's text, or, for a
 * container, the CRC-32 of the file it was converted from. Collective. */
int amls_graph_input_crc32(MPI_Comm comm, const char *input, uint32_t *crc);

/* A whole graph on one rank, for serial references and verification: vertices are numbered
 * 0..n-1 in original-id order (orig[i] increasing). */
typedef struct amls_csr {
    int64_t n;
    bool directed, weighted;
    amls_vid *orig;
    int64_t *ptr; /* out-edges */
    int64_t *col;
    double *w;
    int64_t *iptr; /* in-edges (directed) or NULL */
    int64_t *icol;
    double *iw;
} amls_csr;

/* Gathers the graph onto `root` (others get an empty csr). Collective. */
int amls_graph_gather(const amls_graph *g, int root, amls_csr *out);
void amls_csr_free(amls_csr *c);

#ifdef __cplusplus
}
#endif
