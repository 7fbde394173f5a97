/* ---------------------------------------------------------------------------------------------
 * include/amls/vprog.h — the public vertex-program API (the only header a plugin includes).
 * SPDX-License-Identifier: MIT
 *
 * A vertex program is a descriptor (amls_vprog) plus callbacks. The engine runs supersteps
 * (Pregel, Malewicz et al., SIGMOD 2010): in each, every active vertex, and every vertex with
 * messages, runs compute() with the messages sent to it in the previous superstep. It may
 * read and write its state, read its edges, send messages, publish a value its neighbours can
 * read in the next superstep, add to aggregators and vote to halt. A halted vertex is woken by
 * a message. The run ends when every vertex has halted and no message is in flight, when the
 * master step halts it, or at the superstep limit.
 *
 * Programs call the engine only through the function table in the context (amls_api), so a
 * plugin links against nothing and a built-in algorithm is compiled exactly like a plugin.
 *
 * ABI rules. AMLS_ABI_MAJOR changes when an existing member of amls_api or amls_vprog changes
 * meaning, type or position: the engine refuses a plugin of another major version. A minor
 * version only appends members at the end of those structs (each tagged with the minor that
 * added it); the engine refuses a plugin whose minor version is newer than its own, and treats
 * members past a plugin's struct_size as absent (zero).
 *
 * Lifetimes. The message array passed to compute() is valid only during that call. Pointers
 * returned by the edge and published-value calls are valid until compute() returns. State
 * pointers stay valid for the whole run. Everything a program allocates with amls_alloc is
 * released by amls_free; the engine never frees program memory.
 * ------------------------------------------------------------------------------------------- */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define AMLS_ABI_MAJOR 1
#define AMLS_ABI_MINOR 3

typedef int64_t amls_vid;    /* an original vertex id, as in the input file */
typedef int64_t amls_gid;    /* the engine's global vertex id (valid for one run) */
typedef int64_t amls_vertex; /* an owned vertex, as passed to compute() */
typedef uint32_t amls_nbr;   /* a neighbour handle from amls_out_edges/amls_in_edges */
typedef struct amls_ctx amls_ctx;

/* Value types for combiners, aggregators and results. */
typedef enum amls_type {
    AMLS_TYPE_I64 = 1,
    AMLS_TYPE_F64 = 2,
    AMLS_TYPE_I32 = 3,
    AMLS_TYPE_F32 = 4,
} amls_type;

typedef enum amls_op {
    AMLS_OP_NONE = 0,
    AMLS_OP_SUM = 1,
    AMLS_OP_MIN = 2,
    AMLS_OP_MAX = 3,
    AMLS_OP_USER = 4, /* combiner only: the `fn` member combines */
    AMLS_OP_ANY = 5,  /* [1.2] combiner only: keep one of the messages, any */
} amls_op;

/* A combiner merges two messages to the same vertex into one, on the sender, before they
 * leave the rank. It must be commutative and associative: the program cannot know which
 * messages were merged, or in what order.
 * [1.2] AMLS_OP_ANY keeps one message, any one: for programs whose messages to a vertex in one
 * superstep are interchangeable (a BFS level: every message says "reached at depth d+1"). It
 * lets pull supersteps stop at the first sender found (Beamer's bottom-up step). With MIN or
 * MAX over I64/F64 a message may be longer than its type: the first value is the key, and the
 * whole message with the smallest (largest) key is kept (an arg-min: a label and where it comes
 * from). */
typedef struct amls_combiner {
    amls_op op;
    amls_type type;                         /* message = one value of this type (built-in ops) */
    void (*fn)(void *acc, const void *msg); /* AMLS_OP_USER: *acc = acc (+) msg */
} amls_combiner;

/* An aggregator: every vertex may add to it in a superstep; the master step that ends the
 * superstep sees the value reduced over that superstep, and every vertex sees it in the next
 * superstep. */
typedef struct amls_aggregator {
    const char *name;
    amls_op op;      /* SUM, MIN or MAX */
    amls_type type;  /* I64 or F64 */
    bool persistent; /* keep accumulating across supersteps instead of restarting */
} amls_aggregator;

typedef enum amls_param_type {
    AMLS_PARAM_INT = 1,
    AMLS_PARAM_FLOAT = 2,
    AMLS_PARAM_STRING = 3,
    AMLS_PARAM_BOOL = 4,
    AMLS_PARAM_VERTEX = 5, /* an original vertex id that must exist in the graph */
} amls_param_type;

/* [1.1] Aggregators beyond one scalar: a fixed-length vector of `count` I64 or F64 values
 * reduced element by element with SUM, MIN or MAX, or a user-defined aggregate of `size` bytes
 * reduced with `fn` (AMLS_OP_USER), which must be commutative and associative, like a
 * combiner: the engine applies it on every rank and across ranks in an order it chooses (the
 * same on every rank, so every rank sees the same bits). `identity` is the value fn leaves
 * unchanged (NULL: all bytes zero). A descriptor lists them in aggregators_ext; their indices
 * follow those of `aggregators`. amls_aggregate passes a whole value (count values or size
 * bytes); amls_aggregated copies a whole value out. */
typedef struct amls_aggregator_ext {
    const char *name;
    amls_op op;                           /* SUM, MIN, MAX (element-wise) or USER */
    amls_type type;                       /* I64 or F64 (built-in ops) */
    int count;                            /* values per aggregate (built-in ops), >= 1 */
    size_t size;                          /* AMLS_OP_USER: bytes, 1..4096 */
    void (*fn)(void *acc, const void *x); /* AMLS_OP_USER: *acc = acc (+) x */
    const void *identity;                 /* AMLS_OP_USER: size bytes, or NULL for zeros */
    bool persistent; /* keep accumulating across supersteps instead of restarting */
} amls_aggregator_ext;

/* The number of elements of a static array, for descriptors: AMLS_COUNT(params). */
#define AMLS_COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))
/* Descriptor shorthands that set a table and its count together. */
#define AMLS_PARAMS(a)          .params = (a), .nparams = AMLS_COUNT(a)
#define AMLS_AGGREGATORS(a)     .aggregators = (a), .naggregators = AMLS_COUNT(a)
#define AMLS_AGGREGATORS_EXT(a) .aggregators_ext = (a), .naggregators_ext = AMLS_COUNT(a)
#define AMLS_PARAM_RANGES(a)    .param_ranges = (a), .nparam_ranges = AMLS_COUNT(a)

/* [1.1] Directions of a neighbour in amls_nbrs: v -> u (out), u -> v (in), or both. Every
 * edge of an undirected graph is both. */
#define AMLS_DIR_OUT 0x1u
#define AMLS_DIR_IN  0x2u

/* A declared parameter, set on the command line as --NAME VALUE (or --param NAME=VALUE).
 * def == NULL makes it required. */
typedef struct amls_param {
    const char *name;
    amls_param_type type;
    const char *def;
    const char *help;
} amls_param;

/* [1.2] The valid range of a numeric parameter (INT or FLOAT), both ends included. The command
 * line refuses a value outside it before the graph is loaded, naming the parameter and the
 * range; so does amls_run_program. A FLOAT parameter never accepts NaN, with or without a
 * range. A descriptor lists ranges in param_ranges, by parameter name. */
typedef struct amls_param_range {
    const char *name; /* a declared INT or FLOAT parameter */
    double min, max;
} amls_param_range;

/* A parameter's value once parsed: .i for INT, BOOL and VERTEX parameters (a vertex id keeps
 * all 64 bits), .f for FLOAT. The serial references and the linear-algebra path take these. */
typedef union amls_param_value {
    int64_t i;
    double f;
} amls_param_value;

/* Descriptor flags. */
#define AMLS_NEED_IN_EDGES 0x1u /* compute() reads in-edges (directed graphs) */
#define AMLS_NEED_WEIGHTS  0x2u /* the program reads edge weights (unweighted input: 1.0) */
/* [1.2] Let the engine run supersteps in pull mode on directed graphs too (it keeps the
 * in-edges for that; undirected graphs can always pull). See "Push and pull supersteps". */
#define AMLS_PULL 0x4u

/* Published values: a vertex may publish a value that its neighbours (out and in) can read in
 * the next superstep through amls_nbr_published(); the engine copies it to the ranks that
 * need it along the communication plan (no ids on the wire). pub_size > 0: fixed size;
 * AMLS_PUB_VARIABLE: any length per vertex. */
#define AMLS_PUB_VARIABLE ((size_t)-1)

typedef struct amls_vprog {
    uint32_t abi_major, abi_minor; /* AMLS_ABI_MAJOR/MINOR the program was built against */
    uint32_t struct_size;          /* sizeof(amls_vprog) as the program saw it */
    const char *name;
    const char *description;
    size_t state_size; /* bytes of per-vertex state, > 0 */
    size_t msg_size;   /* bytes per message; 0 if the program sends none */
    amls_combiner combiner;
    size_t pub_size; /* 0: publishes nothing */
    uint32_t flags;  /* AMLS_NEED_* */
    const amls_aggregator *aggregators;
    int naggregators;
    const amls_param *params;
    int nparams;
    amls_type result_type;  /* output = the state's first field of this type (0: use format) */
    int64_t max_supersteps; /* default limit (0: none); --max-supersteps overrides */
    /* Called once on every rank before superstep 0 (read parameters, allocate program data).*/
    int (*setup)(amls_ctx *cx);
    /* Initialises a vertex's state before superstep 0 (state is zeroed before). */
    int (*init)(amls_ctx *cx, amls_vertex v, void *state);
    /* Runs a vertex; msgs holds nmsgs messages of msg_size bytes (1 at most with a combiner).*/
    int (*compute)(amls_ctx *cx, amls_vertex v, void *state, const void *msgs, int64_t nmsgs);
    /* Optional master step, once per rank after each superstep, with the reduced aggregates;
     * deterministic code only (it runs on every rank). May call amls_halt(). */
    int (*master)(amls_ctx *cx);
    /* Writes the output value of a state (no newline); returns the length. Optional when
     * result_type is set. */
    int (*format)(const void *state, char *buf, size_t cap);
    /* Called once on every rank after the run (free program data). */
    void (*finalize)(amls_ctx *cx);
    /* -- [1.1] -- */
    const amls_aggregator_ext *aggregators_ext; /* indices naggregators, naggregators + 1, ... */
    int naggregators_ext;
    /* -- [1.2] -- */
    const amls_param_range *param_ranges; /* valid ranges of numeric parameters, by name */
    int nparam_ranges;
    /* Optional, for pull supersteps: false when v can no longer use messages (a visited BFS
     * vertex). A pull superstep gathers only for vertices where it is true; push supersteps
     * drop the messages to them that they can (the rest reach them, and must be ignored).
     * Must be monotone: once
     * false for a vertex it stays false. The engine calls it after init and after v's compute. */
    bool (*wants)(const amls_ctx *cx, amls_vertex v, const void *state);
    /* Optional, for amls_request: writes the answer of `target` (an owned vertex, its state as
     * compute left it) into out (reply_size bytes). Called at the end of a superstep, on the
     * owner, once per target and requesting rank. */
    size_t reply_size;
    void (*reply)(const amls_ctx *cx, amls_vertex target, const void *state, void *out);
} amls_vprog;

/* The engine's function table. Appending members is a minor ABI change. */
typedef struct amls_api {
    uint32_t abi_major, abi_minor, struct_size;
    /* -- vertex and graph (compute, master: graph-level only) -- [1.0] */
    amls_vid (*vertex_id)(const amls_ctx *cx, amls_vertex v);
    amls_gid (*vertex_gid)(const amls_ctx *cx, amls_vertex v);
    int64_t (*superstep)(const amls_ctx *cx);
    int64_t (*num_vertices)(const amls_ctx *cx);
    int64_t (*num_edges)(const amls_ctx *cx);
    bool (*is_directed)(const amls_ctx *cx);
    int64_t (*out_edges)(const amls_ctx *cx, amls_vertex v, const amls_nbr **nbrs,
                         const double **weights);
    int64_t (*in_edges)(const amls_ctx *cx, amls_vertex v, const amls_nbr **nbrs,
                        const double **weights);
    amls_vid (*nbr_id)(const amls_ctx *cx, amls_nbr n);
    amls_gid (*nbr_gid)(const amls_ctx *cx, amls_nbr n);
    /* -- messages -- */
    int (*send_nbr)(amls_ctx *cx, amls_nbr n, const void *msg);
    int (*send_gid)(amls_ctx *cx, amls_gid target, const void *msg);
    int (*send_out)(amls_ctx *cx, amls_vertex v, const void *msg);
    int (*send_in)(amls_ctx *cx, amls_vertex v, const void *msg);
    void (*vote_to_halt)(amls_ctx *cx, amls_vertex v);
    /* -- published values -- */
    int (*publish)(amls_ctx *cx, amls_vertex v, const void *data, size_t len);
    const void *(*nbr_published)(const amls_ctx *cx, amls_nbr n, size_t *len);
    /* -- aggregators -- */
    int (*aggregate)(amls_ctx *cx, int idx, const void *value);
    void (*aggregated)(const amls_ctx *cx, int idx, void *value);
    void (*set_aggregated)(amls_ctx *cx, int idx, const void *value); /* master only */
    void (*halt)(amls_ctx *cx);                                       /* master only */
    /* -- parameters (index into amls_vprog.params) -- */
    int64_t (*param_i64)(const amls_ctx *cx, int idx);
    double (*param_f64)(const amls_ctx *cx, int idx);
    const char *(*param_str)(const amls_ctx *cx, int idx);
    /* -- program data and memory -- */
    void *(*alloc)(amls_ctx *cx, size_t bytes);
    void (*free)(amls_ctx *cx, void *p);
    void (*set_user)(amls_ctx *cx, void *user);
    void *(*user)(const amls_ctx *cx);
    int (*error)(amls_ctx *cx, const char *message); /* report a failure; returns < 0 */
    int (*rank)(const amls_ctx *cx);
    int (*nranks)(const amls_ctx *cx);
    /* -- [1.1] -- */
    int64_t (*nbrs)(amls_ctx *cx, amls_vertex v, const amls_nbr **nbrs, const uint8_t **dirs);
    void *(*scratch)(amls_ctx *cx, size_t bytes);
    const void *(*published)(const amls_ctx *cx, amls_vertex v, size_t *len);
    int (*send_vid)(amls_ctx *cx, amls_vid target, const void *msg);
    /* -- [1.2] -- */
    int (*request)(amls_ctx *cx, amls_vertex v, amls_gid target);
    const void *(*reply_of)(const amls_ctx *cx, amls_vertex v);
    int64_t (*local_vertices)(const amls_ctx *cx);
    amls_vertex (*nbr_vertex)(const amls_ctx *cx, amls_nbr n);
    void (*wake_all)(amls_ctx *cx);
    /* -- [1.3] -- */
    int (*sleep)(amls_ctx *cx, amls_vertex v, int64_t key);
    int64_t (*min_sleeping)(const amls_ctx *cx);
    void (*wake_upto)(amls_ctx *cx, int64_t key);
} amls_api;

/* The context starts with the table; the rest is the engine's. */
struct amls_ctx_head {
    const amls_api *api;
};
static inline const amls_api *amls__api(const amls_ctx *cx)
{
    return ((const struct amls_ctx_head *)(const void *)cx)->api;
}

/* ---- The calls a program makes (thin wrappers over the table). -------------------------- */
/* Original id of an owned vertex, as in the input file. */
static inline amls_vid amls_vertex_id(const amls_ctx *cx, amls_vertex v)
{
    return amls__api(cx)->vertex_id(cx, v);
}
/* Engine-wide id of an owned vertex: a valid target for amls_send(). [1.3] The vertices a rank
 * owns have consecutive engine ids: amls_vertex_gid(cx, v) == amls_vertex_gid(cx, 0) + v. */
static inline amls_gid amls_vertex_gid(const amls_ctx *cx, amls_vertex v)
{
    return amls__api(cx)->vertex_gid(cx, v);
}
static inline int64_t amls_superstep(const amls_ctx *cx)
{
    return amls__api(cx)->superstep(cx);
}
static inline int64_t amls_num_vertices(const amls_ctx *cx)
{
    return amls__api(cx)->num_vertices(cx);
}
/* Distinct edges of the graph (an undirected edge once). */
static inline int64_t amls_num_edges(const amls_ctx *cx)
{
    return amls__api(cx)->num_edges(cx);
}
static inline bool amls_is_directed(const amls_ctx *cx)
{
    return amls__api(cx)->is_directed(cx);
}
/* Out-edges of v: returns the count; *nbrs their neighbour handles, sorted by engine id with
 * no duplicates; *weights their weights (NULL when weights is NULL or the graph has none).
 * For an undirected graph out-edges are all the edges. */
static inline int64_t amls_out_edges(const amls_ctx *cx, amls_vertex v, const amls_nbr **nbrs,
                                     const double **weights)
{
    return amls__api(cx)->out_edges(cx, v, nbrs, weights);
}
/* In-edges of v (needs AMLS_NEED_IN_EDGES on directed graphs; same as out-edges if undirected). */
static inline int64_t amls_in_edges(const amls_ctx *cx, amls_vertex v, const amls_nbr **nbrs,
                                    const double **weights)
{
    return amls__api(cx)->in_edges(cx, v, nbrs, weights);
}
static inline int64_t amls_out_degree(const amls_ctx *cx, amls_vertex v)
{
    return amls__api(cx)->out_edges(cx, v, NULL, NULL);
}
static inline int64_t amls_in_degree(const amls_ctx *cx, amls_vertex v)
{
    return amls__api(cx)->in_edges(cx, v, NULL, NULL);
}
/* [1.1] All neighbours of v, in either direction, each once: returns their number; *nbrs
 * their handles, sorted by engine id; *dirs (optional) for each an AMLS_DIR_OUT/AMLS_DIR_IN
 * mask (both bits: an edge each way, or an undirected edge). A self loop makes v its own
 * neighbour. Directed graphs need AMLS_NEED_IN_EDGES; without it the call fails (a negative
 * status, returned from compute as is). The arrays are the engine's, valid until the next
 * amls_nbrs call or until compute() returns. Costs one merge of v's two edge lists. */
static inline int64_t amls_nbrs(amls_ctx *cx, amls_vertex v, const amls_nbr **nbrs,
                                const uint8_t **dirs)
{
    return amls__api(cx)->nbrs(cx, v, nbrs, dirs);
}
/* Original id and engine id of a neighbour. */
static inline amls_vid amls_nbr_id(const amls_ctx *cx, amls_nbr n)
{
    return amls__api(cx)->nbr_id(cx, n);
}
static inline amls_gid amls_nbr_gid(const amls_ctx *cx, amls_nbr n)
{
    return amls__api(cx)->nbr_gid(cx, n);
}
/* Sends msg (msg_size bytes) to a neighbour; delivered in the next superstep. */
static inline int amls_send_nbr(amls_ctx *cx, amls_nbr n, const void *msg)
{
    return amls__api(cx)->send_nbr(cx, n, msg);
}
/* Sends msg to any vertex by engine id (e.g. one learnt from a message). */
static inline int amls_send(amls_ctx *cx, amls_gid target, const void *msg)
{
    return amls__api(cx)->send_gid(cx, target, msg);
}
/* [1.1] Sends msg to any vertex by its original id (Pregel's sendMessageTo(id)). The engine
 * routes it through a directory of original ids (built on first use: 16 bytes per vertex and
 * one all-to-all), which costs one extra all-to-all in every superstep where a vertex used
 * this call, and 8 more bytes per message; prefer amls_send_nbr or amls_send when the engine
 * id is known. A message to an id that is not in the graph stops the run with an error. */
static inline int amls_send_vid(amls_ctx *cx, amls_vid target, const void *msg)
{
    return amls__api(cx)->send_vid(cx, target, msg);
}
/* Sends msg along every out-edge (every edge of an undirected graph). */
static inline int amls_send_to_neighbors(amls_ctx *cx, amls_vertex v, const void *msg)
{
    return amls__api(cx)->send_out(cx, v, msg);
}
/* Sends msg along every in-edge (to the sources of edges into v). */
static inline int amls_send_to_in_neighbors(amls_ctx *cx, amls_vertex v, const void *msg)
{
    return amls__api(cx)->send_in(cx, v, msg);
}
/* v stops running until a message arrives. */
static inline void amls_vote_to_halt(amls_ctx *cx, amls_vertex v)
{
    amls__api(cx)->vote_to_halt(cx, v);
}
/* Publishes a value neighbours read next superstep (pub_size bytes, or len if variable). */
static inline int amls_publish(amls_ctx *cx, amls_vertex v, const void *data, size_t len)
{
    return amls__api(cx)->publish(cx, v, data, len);
}
/* The value a neighbour published in an earlier superstep (NULL if none); *len its length.
 * [1.3] Also in the master step, where it reads what was published up to that superstep. */
static inline const void *amls_nbr_published(const amls_ctx *cx, amls_nbr n, size_t *len)
{
    return amls__api(cx)->nbr_published(cx, n, len);
}
/* [1.1] The value v itself published in an earlier superstep, as its neighbours see it now
 * (NULL if none); *len its length. Valid until compute() returns. */
static inline const void *amls_published(const amls_ctx *cx, amls_vertex v, size_t *len)
{
    return amls__api(cx)->published(cx, v, len);
}
/* Adds value (of the aggregator's type) to aggregator idx. */
static inline int amls_aggregate(amls_ctx *cx, int idx, const void *value)
{
    return amls__api(cx)->aggregate(cx, idx, value);
}
/* The reduced value of aggregator idx: in compute(), over the previous superstep; in the
 * master step, over the superstep that just ended (persistent aggregators: over all
 * supersteps so far). */
static inline void amls_aggregated(const amls_ctx *cx, int idx, void *value)
{
    amls__api(cx)->aggregated(cx, idx, value);
}
static inline double amls_aggregated_f64(const amls_ctx *cx, int idx)
{
    double x = 0;
    amls__api(cx)->aggregated(cx, idx, &x);
    return x;
}
static inline int64_t amls_aggregated_i64(const amls_ctx *cx, int idx)
{
    int64_t x = 0;
    amls__api(cx)->aggregated(cx, idx, &x);
    return x;
}
/* Master step only: overrides what vertices read from aggregator idx next superstep. */
static inline void amls_set_aggregated(amls_ctx *cx, int idx, const void *value)
{
    amls__api(cx)->set_aggregated(cx, idx, value);
}
/* Master step only: end the run after this superstep. */
static inline void amls_halt(amls_ctx *cx)
{
    amls__api(cx)->halt(cx);
}
static inline int64_t amls_param_i64(const amls_ctx *cx, int idx)
{
    return amls__api(cx)->param_i64(cx, idx);
}
static inline double amls_param_f64(const amls_ctx *cx, int idx)
{
    return amls__api(cx)->param_f64(cx, idx);
}
static inline const char *amls_param_str(const amls_ctx *cx, int idx)
{
    return amls__api(cx)->param_str(cx, idx);
}
/* [1.1] A per-rank work buffer of at least `bytes` bytes that the engine owns and frees at
 * the end of the run (NULL if out of memory). It is the same buffer on every call, grown as
 * needed: its contents are not kept when it grows, and it is valid until the next
 * amls_scratch call. For per-vertex work inside compute() without setup/finalize. */
static inline void *amls_scratch(amls_ctx *cx, size_t bytes)
{
    return amls__api(cx)->scratch(cx, bytes);
}
/* [1.2] Request/reply to any vertex: v asks `target` (an engine id, e.g. one learnt from a
 * message or a previous reply) for its answer, which the program's `reply` callback computes
 * from the target's state at the end of this superstep. In the next superstep amls_reply(cx,
 * v) returns it (reply_size bytes), and v runs even if it had voted to halt. One request per
 * vertex per superstep: a second one replaces the first. The engine asks each target once per
 * requesting rank, however many of that rank's vertices ask (pointer jumping: every vertex of
 * a tree asks the same root). Costs two point-to-point rounds at the end of a superstep in
 * which some vertex requested. A target outside 0..n-1 fails the call. */
static inline int amls_request(amls_ctx *cx, amls_vertex v, amls_gid target)
{
    return amls__api(cx)->request(cx, v, target);
}
/* [1.2] The answer to the request v made in the previous superstep, or NULL if it made none.
 * Valid until compute() returns. */
static inline const void *amls_reply(const amls_ctx *cx, amls_vertex v)
{
    return amls__api(cx)->reply_of(cx, v);
}
/* [1.2] The vertices this rank owns: amls_vertex values run 0 .. amls_local_vertices() - 1,
 * so program data kept per rank (setup, amls_set_user) can be indexed by them. */
static inline int64_t amls_local_vertices(const amls_ctx *cx)
{
    return amls__api(cx)->local_vertices(cx);
}
/* [1.2] The owned vertex a neighbour handle refers to, or -1 when another rank owns it. With
 * it a program can work on the part of the graph its rank holds without messages (contract
 * local components first, as Giraph++'s graph-centric programs do). [1.3] The handle of an
 * owned vertex is the vertex itself, and only those are below amls_local_vertices(): a program
 * may test `n < amls_local_vertices(cx)` instead of calling this. With the engine ids above,
 * the owned neighbours lie together in a row (rows are sorted by engine id). */
static inline amls_vertex amls_nbr_vertex(const amls_ctx *cx, amls_nbr n)
{
    return amls__api(cx)->nbr_vertex(cx, n);
}
/* [1.2] Master step only: every vertex runs in the next superstep, halted or not. */
static inline void amls_wake_all(amls_ctx *cx)
{
    amls__api(cx)->wake_all(cx);
}
/* [1.3] Sleeping: v halts, and runs again in the superstep after a master step calls
 * amls_wake_upto(cx, k) with k >= key (or, like any halted vertex, when a message reaches it;
 * then it no longer sleeps unless it sleeps again). A vertex waiting for a later phase (the
 * bucket of its distance in delta-stepping) then costs nothing until its phase comes. key <
 * INT64_MAX; sleeping again replaces the key. Compute only. */
static inline int amls_sleep(amls_ctx *cx, amls_vertex v, int64_t key)
{
    return amls__api(cx)->sleep(cx, v, key);
}
/* [1.3] The smallest key of a sleeping vertex over all ranks after the last compute phase
 * (INT64_MAX: none). The master step reads it to choose what to wake. */
static inline int64_t amls_min_sleeping(const amls_ctx *cx)
{
    return amls__api(cx)->min_sleeping(cx);
}
/* [1.3] Master step only: every vertex sleeping with a key <= key runs in the next superstep
 * (a later call in the same master step replaces the bound). The run does not end while such a
 * vertex exists. */
static inline void amls_wake_upto(amls_ctx *cx, int64_t key)
{
    amls__api(cx)->wake_upto(cx, key);
}
/* This rank and the number of ranks (for output from the master step on one rank only). */
static inline int amls_rank(const amls_ctx *cx)
{
    return amls__api(cx)->rank(cx);
}
static inline int amls_nranks(const amls_ctx *cx)
{
    return amls__api(cx)->nranks(cx);
}
static inline void *amls_alloc(amls_ctx *cx, size_t bytes)
{
    return amls__api(cx)->alloc(cx, bytes);
}
static inline void amls_free(amls_ctx *cx, void *p)
{
    amls__api(cx)->free(cx, p);
}
static inline void amls_set_user(amls_ctx *cx, void *user)
{
    amls__api(cx)->set_user(cx, user);
}
static inline void *amls_user(const amls_ctx *cx)
{
    return amls__api(cx)->user(cx);
}
/* Reports a failure with a message; return its result from the callback. */
static inline int amls_fail(amls_ctx *cx, const char *message)
{
    return amls__api(cx)->error(cx, message);
}

/* ---- Defining a program. ------------------------------------------------------------------
 * AMLS_VPROG_DEFINE(name, .state_size = ..., .compute = ..., ...) defines the descriptor and
 * the entry point the loader looks for, amls_vprog_<name>_init (or, compiled into the engine
 * with AMLS_BUILTIN defined, a registration function the engine calls). */
typedef struct amls_plugin_info {
    const amls_vprog *vprog;
} amls_plugin_info;

#if defined(_WIN32)
#define AMLS_EXPORT __declspec(dllexport)
#else
#define AMLS_EXPORT __attribute__((visibility("default")))
#endif

/* Entry point signature: the engine passes its table (for programs that check features). */
typedef const amls_vprog *(*amls_vprog_init_fn)(const amls_api *api);

#ifdef AMLS_BUILTIN
#define AMLS__ENTRIES(pname)                                                                       \
    const amls_vprog *amls_builtin_##pname(void);                                                  \
    const amls_vprog *amls_builtin_##pname(void)                                                   \
    {                                                                                              \
        return &amls__vprog_##pname;                                                               \
    }
#else
#define AMLS__ENTRIES(pname)                                                                       \
    AMLS_EXPORT const amls_vprog *amls_vprog_##pname##_init(const amls_api *api);                  \
    AMLS_EXPORT const amls_vprog *amls_vprog_##pname##_init(const amls_api *api)                   \
    {                                                                                              \
        (void)api;                                                                                 \
        return &amls__vprog_##pname;                                                               \
    }                                                                                              \
    AMLS_EXPORT const amls_vprog *amls_vprog_init(const amls_api *api);                            \
    AMLS_EXPORT const amls_vprog *amls_vprog_init(const amls_api *api)                             \
    {                                                                                              \
        (void)api;                                                                                 \
        return &amls__vprog_##pname;                                                               \
    }
#endif

#define AMLS_VPROG_DEFINE(pname, ...)                                                              \
    static const amls_vprog amls__vprog_##pname = {.abi_major = AMLS_ABI_MAJOR,                    \
                                                   .abi_minor = AMLS_ABI_MINOR,                    \
                                                   .struct_size = sizeof(amls_vprog),              \
                                                   .name = #pname,                                 \
                                                   __VA_ARGS__};                                   \
    AMLS__ENTRIES(pname)

#ifdef __cplusplus
}
#endif
