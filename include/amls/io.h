/* ---------------------------------------------------------------------------------------------
 * include/amls/io.h — reading graphs in parallel, generating graphs, writing results.
 * SPDX-License-Identifier: MIT
 *
 * Readers are collective: every rank reads its own byte range of the file and ends up with a
 * share of the edges as (original source id, original target id[, weight]) triples. No rank
 * holds the whole edge list. Vertex ids are 64-bit and may be sparse; the engine renumbers them.
 * ------------------------------------------------------------------------------------------- */
#pragma once

#include "amls/status.h"

#include <mpi.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A global, original vertex id. */
typedef int64_t amls_vid;

typedef enum amls_format {
    AMLS_FORMAT_AUTO = 0, /* from the file name */
    AMLS_FORMAT_EDGELIST, /* SNAP-style "src dst [weight]", # and % comments, .gz allowed */
    AMLS_FORMAT_LDBC,     /* Graphalytics NAME.v + NAME.e (+ NAME.properties) */
    AMLS_FORMAT_MTX,      /* Matrix Market coordinate */
    AMLS_FORMAT_METIS,    /* METIS graph file */
    AMLS_FORMAT_DIMACS,   /* DIMACS .gr: "p sp" arcs, "p tw"/"p edge" edges */
    AMLS_FORMAT_GEN,      /* generator spec "gen:kron:scale=18,..." */
    AMLS_FORMAT_CSV,      /* delimited text (.csv, .tsv): chosen columns, optional header */
} amls_format;

/* How the vertex set of a raw graph is known. */
typedef enum amls_vset {
    AMLS_VSET_IMPLICIT = 0, /* the ids that occur in edges */
    AMLS_VSET_RANGE,        /* every id in [vbase, vbase + nverts) (mtx, METIS, DIMACS, gen) */
    AMLS_VSET_LIST,         /* ids listed explicitly (LDBC .v), spread over ranks */
} amls_vset;

/* Edge direction: what the file says (edge lists and LDBC without properties: directed;
 * symmetric mtx, METIS, DIMACS tw/edge: undirected), or forced. */
typedef enum amls_direction {
    AMLS_DIRECTION_FROM_FILE = 0,
    AMLS_DIRECTION_DIRECTED = 1,
    AMLS_DIRECTION_UNDIRECTED = 2,
} amls_direction;

/* Options for amls_graph_read. Zero-initialise, then set what you need. */
typedef struct amls_read_opts {
    amls_format format;       /* AMLS_FORMAT_AUTO: from the file name */
    amls_direction direction; /* AMLS_DIRECTION_FROM_FILE by default */
    bool allow_rectangular;   /* mtx: accept M != N (linear algebra); vertex range is max */
    bool compact;             /* store the edges compactly (see amls_raw_graph): what the loader
                                 asks for; the default keeps 64-bit src/dst arrays */
    /* csv: the field delimiter (0: ',', or a tab for .tsv); whether the first line is a header
     * (0: when its source or target field is not a number, 1: yes, 2: no); the columns
     * "SOURCE,TARGET[,WEIGHT]" by 1-based number or header name (NULL: "1,2", and 3 as the
     * weight when the first line has three fields or more). */
    char csv_delimiter;
    int csv_header;
    const char *csv_columns;
} amls_read_opts;

/* The edges this rank read, before renumbering and partitioning. Read edge e with
 * amls_raw_src/amls_raw_dst/amls_raw_w: a compact graph (amls_read_opts.compact) keeps its ids
 * in 32 bits (src32/dst32, src/dst NULL) until one does not fit, and its weights only once one
 * differs from 1 (w NULL while every weight is 1, even when `weighted`). */
typedef struct amls_raw_graph {
    int64_t nedges; /* edges held by this rank */
    int64_t cap;
    amls_vid *src; /* original ids */
    amls_vid *dst;
    double *w;               /* NULL when the graph has no weights */
    uint32_t *src32, *dst32; /* compact graphs whose ids all fit 32 bits: the ids */
    bool compact;
    bool directed; /* false: each edge stands for both directions */
    bool weighted;
    amls_vset vset;
    amls_vid vbase;  /* AMLS_VSET_RANGE */
    int64_t nverts;  /* AMLS_VSET_RANGE: global count */
    amls_vid *vlist; /* AMLS_VSET_LIST: this rank's share */
    int64_t nvlist;
    int64_t edges_read; /* global number of edge records read */
    amls_format format;
    char *props; /* LDBC .properties text (NUL-terminated) or NULL */
} amls_raw_graph;

static inline amls_vid amls_raw_src(const amls_raw_graph *g, int64_t e)
{
    return g->src32 ? (amls_vid)g->src32[e] : g->src[e];
}
static inline amls_vid amls_raw_dst(const amls_raw_graph *g, int64_t e)
{
    return g->dst32 ? (amls_vid)g->dst32[e] : g->dst[e];
}
static inline double amls_raw_w(const amls_raw_graph *g, int64_t e)
{
    return g->w ? g->w[e] : 1.0;
}

/* Reads a graph. Collective on comm; every rank returns the same status. On error no rank
 * holds edges and the failing rank's message (file, line, what was expected) is available
 * through amls_last_error() on that rank. `out` is owned by the caller: amls_raw_graph_free. */
int amls_graph_read(MPI_Comm comm, const char *path, const amls_read_opts *opts,
                    amls_raw_graph *out);
/* Frees the arrays of a raw graph (accepts a zeroed struct). Local. */
void amls_raw_graph_free(amls_raw_graph *g);
/* Appends one edge to this rank's share. Local. */
int amls_raw_graph_push(amls_raw_graph *g, amls_vid u, amls_vid v, double w);
/* Sums the entries given more than once (the same (source, target), or for an undirected
 * graph the same pair either way round), for a graph read as a matrix; afterwards every
 * entry is held once, by some rank, with weights. Collective. */
int amls_raw_graph_sum_duplicates(MPI_Comm comm, amls_raw_graph *g);
/* Detects the format from the file name. Local; returns AMLS_FORMAT_EDGELIST by default. */
amls_format amls_format_from_name(const char *path);
/* Parses a format name (edgelist, ldbc, mtx, metis, dimacs, gen, csv). Returns -1 when unknown. */
int amls_format_parse(const char *name);
const char *amls_format_name(amls_format f);

/* The size of a graph before it is read (amls_graph_probe), for memory estimates. */
typedef struct amls_graph_size {
    int64_t records;  /* edge records in the file (or arcs stored, for the HDF5 container) */
    int64_t vertices; /* vertices; an upper estimate when the file does not declare them */
    bool weighted, directed;
    bool exact;  /* from a header or a generator spec, not from a sample of the lines */
    bool stored; /* an HDF5 container: records are stored arcs, in-arcs included when has_in */
    bool has_in;
} amls_graph_size;
/* Looks at the input without reading it: the header (mtx, METIS, DIMACS), the generator spec,
 * or the file size and a 1 MiB sample of the lines (edge lists, LDBC). Rank 0 looks, every rank
 * gets the answer. Collective. */
int amls_graph_probe(MPI_Comm comm, const char *path, const amls_read_opts *opts,
                     amls_graph_size *out);

/* Looks up `key` in LDBC properties text ("graph.NAME.KEY = value" lines, NAME any).
 * Returns a pointer into a static per-thread buffer, or NULL. Local. */
const char *amls_props_get(const char *props, const char *key);

/* ---- Generators. The same seed gives the same graph at every rank count. ---------------- */
typedef struct amls_gen_spec {
    char kind[16];      /* "kron", "uniform", "grid" */
    int scale;          /* kron/uniform: 2^scale vertices */
    int edge_factor;    /* kron/uniform: edges = edge_factor * 2^scale */
    int64_t rows, cols; /* grid */
    uint64_t seed;
    bool weighted;  /* integer weights 1..255 */
    double a, b, c; /* kron initiator (Graph500: .57, .19, .19) */
} amls_gen_spec;

/* Fills a spec with defaults (kron, scale 10, edge factor 16, seed 1, Graph500 A/B/C). */
void amls_gen_spec_default(amls_gen_spec *s);
/* Parses "kron:scale=18,edge-factor=16,seed=1" (also "gen:" prefix). Local. */
int amls_gen_spec_parse(const char *text, amls_gen_spec *s);
/* Generates this rank's share of the graph. Collective. kron/uniform are undirected with
 * ids 0..2^scale-1 (kron ids are scrambled as in Graph500); grid is undirected, ids row*cols+col.
 */
int amls_generate(MPI_Comm comm, const amls_gen_spec *s, amls_raw_graph *out);

/* ---- ML data. ------------------------------------------------------------------------- */
/* Rows of a LIBSVM file spread over ranks (local CSR of features). */
typedef struct amls_rows {
    int64_t n_local, n_global, nnz;
    int64_t nfeat; /* global number of features (largest index) */
    int64_t *ptr;  /* n_local + 1 */
    int32_t *idx;  /* 0-based feature index */
    double *val;
    double *y; /* labels / targets */
} amls_rows;

/* Reads a LIBSVM file ("label idx:val ..."), each rank its byte range. Collective. */
int amls_rows_read(MPI_Comm comm, const char *path, amls_rows *out);
void amls_rows_free(amls_rows *r);

/* Ratings "user item rating [timestamp]" (MovieLens u.data) read in parallel into a bipartite
 * raw graph: an undirected edge user - item per rating, weighted by the rating, negated for the
 * ratings drawn into the test set by a hash of (seed, user, item), so that the split does not
 * depend on the rank count. Items get original id AMLS_RATINGS_ITEM_BASE + item id. Collective.
 */
#define AMLS_RATINGS_ITEM_BASE ((amls_vid)1 << 40)
int amls_ratings_read(MPI_Comm comm, const char *path, double test_fraction, uint64_t seed,
                      amls_raw_graph *out);
/* The same from arrays: this rank's n ratings (users[k], items[k], ratings[k]). Collective. */
int amls_ratings_from_arrays(MPI_Comm comm, int64_t n, const int64_t *users, const int64_t *items,
                             const double *ratings, double test_fraction, uint64_t seed,
                             amls_raw_graph *out);

/* A dense vector of `nrows` entries: a Matrix Market array or coordinate vector, or "row value"
 * lines, rows 1-based. Every rank reads the file and keeps the rows it asks for: vals[i] gets
 * the value of row rows[i] (n of them, any order). A wrong row count or a missing entry is an
 * error naming the file. Collective. */
int amls_vector_read(MPI_Comm comm, const char *path, int64_t nrows, const int64_t *rows, int64_t n,
                     double *vals);

/* ---- Partition files. ------------------------------------------------------------------- */
/* A partition file (METIS .part format: one part number per line, in original-id order),
 * read in parallel: each rank holds the part numbers of consecutive entries. */
typedef struct amls_part_entries {
    int64_t n;        /* entries held by this rank */
    int64_t first;    /* global index (original-id order) of this rank's first entry */
    int32_t *part;    /* n part numbers */
    int64_t total;    /* entries in the file */
    int32_t max_part; /* largest part number in the file (-1 if none) */
} amls_part_entries;
/* Reads a partition file; a malformed line stops every rank with "PATH:LINE: ...". Collective. */
int amls_part_file_read(MPI_Comm comm, const char *path, amls_part_entries *out);
void amls_part_entries_free(amls_part_entries *e);

/* Counts the records (lines that are not blank and do not start with '#' or '%') of a text
 * file (.gz too), reading no further than the max-th record: *n = min(records, max), on every
 * rank. Rank 0 reads. Collective. */
int amls_text_count_records(MPI_Comm comm, const char *path, int64_t max, int64_t *n);

/* CRC-32 (zlib) and size of a file's bytes, each rank summing its own byte range and the
 * pieces combined in order. Collective. */
int amls_file_crc32(MPI_Comm comm, const char *path, uint32_t *crc, int64_t *size);

/* ---- Writing. ------------------------------------------------------------------------- */
/* Writes this rank's text so that the file is the concatenation in rank order. The file is
 * written under a temporary name and renamed when every rank has finished; on failure no file
 * is left. If `as_dir`, `path` is a directory and each rank writes part-NNNNN. Collective. */
int amls_write_text(MPI_Comm comm, const char *path, const char *buf, size_t len, bool as_dir);
/* Writes the raw graph's edges as "src dst[ weight]" lines (one file). Collective. */
int amls_raw_graph_write(MPI_Comm comm, const char *path, const amls_raw_graph *g);

#ifdef __cplusplus
}
#endif
