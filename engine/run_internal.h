/* ---------------------------------------------------------------------------------------------
 * engine/run_internal.h — the run side of the engine, internal: what amls_ctx really is, and
 * the interfaces between the files that each do one job of a run.
 * SPDX-License-Identifier: MIT
 *
 *   run_check.c      descriptor checks and parameters
 *   run_combine.c    combiners and aggregator arithmetic (pure functions, unit-tested)
 *   run_context.c    the context: creation, work lists, engine-managed buffers
 *   run_api.c        the function table programs call
 *   run_messages.c   sends and the message exchange (wire format: run_wire.h)
 *   run_pull.c       one value per sender: push or pull supersteps (Beamer's switch)
 *   run_request.c    request/reply to any vertex (amls_request)
 *   run_step.c       the one reduction per superstep (counts, error, aggregators, who sends)
 *   run_vdir.c       the original-id directory behind amls_send_vid
 *   run_published.c  published values and their exchange
 *   run_aggregate.c  reducing aggregators across ranks
 *   run_superstep.c  the superstep loop
 *   checkpoint.c     checkpoints and restart
 *   results*.c       values written as text or HDF5, gathered, and run statistics
 * ------------------------------------------------------------------------------------------- */
#pragma once

#include "graph_internal.h"

#include "amls/engine.h"

#include <stdatomic.h>

/* ---- Combiners (run_combine.c). ------------------------------------------------------------ */
enum amls__comb_kind {
    AMLS__COMB_NONE,
    AMLS__COMB_USER,
    AMLS__COMB_SUM_I64,
    AMLS__COMB_MIN_I64,
    AMLS__COMB_MAX_I64,
    AMLS__COMB_SUM_F64,
    AMLS__COMB_MIN_F64,
    AMLS__COMB_MAX_F64,
    AMLS__COMB_SUM_I32,
    AMLS__COMB_MIN_I32,
    AMLS__COMB_MAX_I32,
    AMLS__COMB_SUM_F32,
    AMLS__COMB_MIN_F32,
    AMLS__COMB_MAX_F32,
    AMLS__COMB_ANY,      /* keep the first message */
    AMLS__COMB_KMIN_I64, /* keyed: the whole message with the smaller first value */
    AMLS__COMB_KMAX_I64,
    AMLS__COMB_KMIN_F64,
    AMLS__COMB_KMAX_F64,
};

/* A combiner ready to apply: its kind (AMLS__COMB_NONE: no combining), the user function, and
 * for keyed (arg-min/max) messages longer than the key, the message size. */
typedef struct amls__comb {
    int kind;
    void (*fn)(void *acc, const void *msg);
    size_t msz; /* > 8: keyed MIN/MAX over the first I64/F64 of the message */
} amls__comb;

/* Copies and compares message values; the 8-byte values of the built-in programs without a
 * call to the C library (these run once per message or vertex). */
static inline void amls__vcopy(void *dst, const void *src, size_t n)
{
    if (n == 8)
        memcpy(dst, src, 8);
    else
        memcpy(dst, src, n);
}
static inline bool amls__vequal(const void *a, const void *b, size_t n)
{
    if (n != 8)
        return memcmp(a, b, n) == 0;
    uint64_t x, y;
    memcpy(&x, a, 8);
    memcpy(&y, b, 8);
    return x == y;
}

/* The combiner of a descriptor for messages of msz bytes (disabled: none). Local. */
amls__comb amls__comb_of(const amls_combiner *c, size_t msz, bool disabled);

#define AMLS__COMB_T(T, acc, msg, OP)                                                              \
    do {                                                                                           \
        T a_, m_;                                                                                  \
        memcpy(&a_, (acc), sizeof a_);                                                             \
        memcpy(&m_, (msg), sizeof m_);                                                             \
        a_ = OP(a_, m_);                                                                           \
        memcpy((acc), &a_, sizeof a_);                                                             \
    } while (0)
#define AMLS__OP_SUM(a, b) ((a) + (b))
#define AMLS__OP_MIN(a, b) ((b) < (a) ? (b) : (a))
#define AMLS__OP_MAX(a, b) ((b) > (a) ? (b) : (a))

/* Keyed combining: msg replaces acc when its key (first value, type T) wins by CMP. */
#define AMLS__COMB_KEYED(T, c, acc, msg, CMP)                                                      \
    do {                                                                                           \
        T a_, m_;                                                                                  \
        memcpy(&a_, (acc), sizeof a_);                                                             \
        memcpy(&m_, (msg), sizeof m_);                                                             \
        if (m_ CMP a_)                                                                             \
            memcpy((acc), (msg), (c)->msz);                                                        \
    } while (0)

/* One combining step: *acc = acc (+) msg. Inline: it runs once per message. */
static inline void amls__comb_apply(const amls__comb *c, void *acc, const void *msg)
{
    switch (c->kind) {
    case AMLS__COMB_ANY:
        break;
    case AMLS__COMB_KMIN_I64:
        AMLS__COMB_KEYED(int64_t, c, acc, msg, <);
        break;
    case AMLS__COMB_KMAX_I64:
        AMLS__COMB_KEYED(int64_t, c, acc, msg, >);
        break;
    case AMLS__COMB_KMIN_F64:
        AMLS__COMB_KEYED(double, c, acc, msg, <);
        break;
    case AMLS__COMB_KMAX_F64:
        AMLS__COMB_KEYED(double, c, acc, msg, >);
        break;
    case AMLS__COMB_USER:
        c->fn(acc, msg);
        break;
    case AMLS__COMB_SUM_I64:
        AMLS__COMB_T(int64_t, acc, msg, AMLS__OP_SUM);
        break;
    case AMLS__COMB_MIN_I64:
        AMLS__COMB_T(int64_t, acc, msg, AMLS__OP_MIN);
        break;
    case AMLS__COMB_MAX_I64:
        AMLS__COMB_T(int64_t, acc, msg, AMLS__OP_MAX);
        break;
    case AMLS__COMB_SUM_F64:
        AMLS__COMB_T(double, acc, msg, AMLS__OP_SUM);
        break;
    case AMLS__COMB_MIN_F64:
        AMLS__COMB_T(double, acc, msg, AMLS__OP_MIN);
        break;
    case AMLS__COMB_MAX_F64:
        AMLS__COMB_T(double, acc, msg, AMLS__OP_MAX);
        break;
    case AMLS__COMB_SUM_I32:
        AMLS__COMB_T(int32_t, acc, msg, AMLS__OP_SUM);
        break;
    case AMLS__COMB_MIN_I32:
        AMLS__COMB_T(int32_t, acc, msg, AMLS__OP_MIN);
        break;
    case AMLS__COMB_MAX_I32:
        AMLS__COMB_T(int32_t, acc, msg, AMLS__OP_MAX);
        break;
    case AMLS__COMB_SUM_F32:
        AMLS__COMB_T(float, acc, msg, AMLS__OP_SUM);
        break;
    case AMLS__COMB_MIN_F32:
        AMLS__COMB_T(float, acc, msg, AMLS__OP_MIN);
        break;
    case AMLS__COMB_MAX_F32:
        AMLS__COMB_T(float, acc, msg, AMLS__OP_MAX);
        break;
    default:
        break;
    }
}

/* ---- Aggregators (run_combine.c: arithmetic; run_aggregate.c: reduction). ------------------ */
typedef struct amls__agg {
    const char *name;
    amls_op op;
    amls_type type; /* I64 or F64 for built-in ops */
    int count;      /* values (built-in ops) */
    size_t size;    /* bytes of the aggregate */
    size_t off;     /* where it lives in the aggregate buffers */
    bool persistent;
    void (*fn)(void *acc, const void *x); /* AMLS_OP_USER */
    const void *identity;                 /* AMLS_OP_USER, or NULL for zeros */
} amls__agg;

/* The aggregators of a descriptor, scalar then extended, laid out one after the other
 * (*bytes in all). Checks nothing (amls_vprog_check did). Local (AMLS_ERR_NOMEM). */
int amls__aggs_of(const amls_vprog *p, amls__agg **out, int *n, size_t *bytes);
/* The identity of an aggregator's op, written to v (a->size bytes). */
void amls__agg_identity(const amls__agg *a, void *v);
/* acc = acc (op) x, over a whole aggregate. */
void amls__agg_combine(const amls__agg *a, void *acc, const void *x);

/* ---- Parameters (run_check.c). --------------------------------------------------------- */
typedef union amls__parval {
    int64_t i;
    double f;
    const char *s;
} amls__parval;

/* Parses the parameter values (NULL: the default) into par. Local; AMLS_ERR_PARAM. */
int amls__params_parse(const amls_vprog *p, const char *const *vals, amls__parval *par);
/* "name=value ..." as used, for checkpoints and provenance. */
void amls__params_text(const amls_vprog *p, const char *const *vals, char *buf, size_t cap);
/* Every VERTEX parameter must name a vertex of the graph. Collective. */
int amls__params_check_vertices(const amls_graph *g, const amls_vprog *p, const amls__parval *par);

/* ---- The context (run_context.c). ------------------------------------------------------ */
/* One value per sender (run_pull.c): amls_send_to_neighbors with a combiner records the value
 * of the sending vertex once; at the end of the superstep the engine either pushes it along the
 * edges into the combining slots, or ships it to the ranks that hold the sender as a ghost and
 * lets every receiver combine over its edges (pull). Direction 0: values sent along out-edges,
 * gathered over in-edges; direction 1: sent along in-edges, gathered over out-edges. */
typedef struct amls__sig {
    char *val;         /* n_local + n_ghost values */
    uint64_t *bits;    /* which of them were sent this superstep */
    int64_t *list, n;  /* owned senders this superstep, in call order */
    int64_t arcs;      /* their degrees in this direction (Beamer's m_f) */
    int64_t vlo, vhi;  /* their values as 64 bits, smallest and largest (8-byte messages; else
                        * INT64_MIN and INT64_MAX: never the same) */
    bool boundary;     /* a sender has a neighbour on another rank */
    uint64_t *bnd;     /* undirected graphs: a bit per owned vertex with a remote neighbour */
    int64_t nonzero;   /* owned vertices with a neighbour in this direction */
    int64_t g_nonzero; /* the same over all ranks */
    int64_t *qnset;    /* pull: per peer, senders among its ghosts */
    uint8_t *quni;     /* pull: per peer, whether their values are all the same */
    uint64_t *pbits;   /* pull: per peer, which of them sent, as bits in plan order */
    int64_t *pwoff;    /* nranks + 1: peer q's words in pbits */
    /* pull of full sums: the gathering rows in cache-sized column segments (core/pull.c),
     * built on first use where the values outgrow the cache, and their sums */
    amls__pull *seg;
    double *segy;
    bool seg_tried;
} amls__sig;

/* Messages (run_messages.c). With a combiner, a message to a neighbour is combined on the
 * sender into a slot per local or ghost vertex; other messages travel as records. */
typedef struct amls__msgs {
    amls__comb comb; /* comb.kind AMLS__COMB_NONE: every message is delivered */
    size_t msz, rsz; /* message bytes; record bytes (4 + msz) */
    /* Outgoing combined slots (n_local + n_ghost) and incoming (swapped each step), with the
     * lists of the slots whose flag is set, so that clearing and packing cost what was sent. */
    char *nval, *ival;
    uint8_t *nhas, *ihas;
    int64_t *nlist, *ilist;
    int64_t nlist_len, ilist_len;
    /* Records (target index at its owner, message): to local targets, and per peer. */
    amls__vec lrec;
    amls__vec *raw;
    int32_t *ghost_owner;
    /* Without a combiner, the inbox: per owned vertex its number of messages and where they
     * start in idata (zero and unset for vertices that received none), and the vertices that
     * received some, so that clearing costs what was received. */
    int64_t *icnt, *istart;
    char *idata;
    size_t idata_cap;
    int64_t *woken, nwoken;
    /* Messages by original id (original id, message), per directory rank. */
    amls__vec *vrec;
    int64_t sent, vid_sent;
    /* The exchange (buffers kept across supersteps) and its work space per peer: combined
     * values, pair cursors, where the pairs go. */
    amls__xchg x;
    uint8_t *peer;      /* ranks that share edges with this one (the plan's peers) */
    uint8_t *to, *from; /* this superstep's destinations and sources */
    bool ghost_set;     /* a ghost slot was set this superstep */
    int64_t *nset, *fill;
    char **pairs;
    amls__sig sig[2];
    bool pull;        /* this superstep's signals travel for pulling */
    bool sig_used[2]; /* this superstep had senders in direction d (on some rank) */
} amls__msgs;

/* Published values (run_published.c): current (n_local + n_ghost) and being written
 * (n_local); variable-length values live in blob buffers with offsets and lengths. */
typedef struct amls__pub {
    size_t psz;
    char *cur, *next;
    uint8_t *cur_has, *next_has;
    amls__vec vcur, vnext;
    int64_t *vcur_off, *vcur_len, *vnext_off, *vnext_len;
    int64_t published; /* vertices that published this superstep */
} amls__pub;

/* Aggregates: what vertices read (cur) and this superstep's partial (part). */
typedef struct amls__aggs {
    amls__agg *a;
    int n;
    size_t bytes;
    char *cur, *part;
    bool halt_req;
} amls__aggs;

/* The original-id directory (run_vdir.c): the entries of the original ids that hash to this
 * rank, sorted by original id. */
typedef struct amls__vdir {
    int64_t n;
    amls_vid *orig;
    amls_gid *gid;
} amls__vdir;

/* Requests to any vertex (run_request.c): this superstep's (requester, target) pairs, the
 * answers delivered to the next superstep, and the two exchanges. */
typedef struct amls__req {
    size_t rsz;    /* reply bytes */
    int64_t *who;  /* requesting vertex of request i */
    amls_gid *tgt; /* its target */
    int32_t *slot; /* the distinct remote target it shares */
    int64_t n, cap;
    int64_t *at; /* per owned vertex: its request this superstep, or -1 */
    char *val;   /* per owned vertex: the answer it got (next superstep) */
    uint8_t *has;
    int64_t *list, nlist; /* vertices with answers */
    int64_t *hkey;        /* open-addressing table of distinct remote targets */
    int32_t *hval;
    int64_t hcap;
    int64_t *stgt;   /* distinct remote targets, by slot */
    int32_t *sdst;   /* their owners */
    int64_t *swhere; /* where their answers are in the answer buffer (-1: none) */
    int64_t *seen;   /* per rank: answers placed so far */
    int64_t nslot, slot_cap;
    amls__xchg xq, xa;
    uint8_t *to, *from;
} amls__req;

/* The one reduction per superstep (run_step.c): every rank's record, gathered. */
enum {
    AMLS__REC_COMPUTED,  /* vertices that ran compute() */
    AMLS__REC_ACTIVE,    /* vertices not halted afterwards */
    AMLS__REC_SENT,      /* messages sent (before combining) */
    AMLS__REC_FAILED,    /* the rank's compute phase failed */
    AMLS__REC_PUBLISHED, /* vertices that published */
    AMLS__REC_VID,       /* messages sent by original id */
    AMLS__REC_REQ,       /* requests */
    AMLS__REC_NSIG0,     /* senders of one value to all out-neighbours */
    AMLS__REC_NSIG1,     /* ... to all in-neighbours */
    AMLS__REC_MF,        /* their arcs (Beamer's m_f) */
    AMLS__REC_MU0,       /* in-arcs of vertices that still want messages (m_u) */
    AMLS__REC_MU1,       /* out-arcs of those vertices */
    AMLS__REC_BYTES,     /* bytes this rank sent in the previous superstep */
    AMLS__REC_STOP,      /* the rank saw a stop request (amls_run_opts.stop_request) */
    AMLS__REC_SLEEP,     /* the smallest key of a sleeping vertex (folded by minimum) */
    AMLS__REC_MHI,       /* the last master step's decisions, hashed (folded by maximum) */
    AMLS__REC_MLO,       /* the same (folded by minimum): equal when all ranks decided alike */
    AMLS__REC_SIGHI,     /* the largest value sent to all neighbours, as 64 bits (maximum) */
    AMLS__REC_SIGLO,     /* the smallest (minimum): equal when every sender sent the same */
    AMLS__REC_FIXED
};
typedef struct amls__step {
    int words;                    /* 64-bit words of a rank mask */
    size_t rec;                   /* bytes of one record */
    char *mine;                   /* this rank's record */
    char *all;                    /* every rank's, in rank order */
    int64_t sum[AMLS__REC_FIXED]; /* the fixed fields summed over ranks (from AMLS__REC_SLEEP on:
                                   * folded as their comments say) */
    bool pulling;                 /* the last superstep with senders pulled (Beamer's hysteresis) */
    int64_t bytes;                /* bytes this rank sent in this superstep's exchanges */
} amls__step;

/* Sleeping vertices (run_sleep.c): amls_sleep halts a vertex with a key, and the master step's
 * amls_wake_upto(k) runs every vertex sleeping with a key <= k in the next superstep. Per rank,
 * a ring of lists for the keys just above the last bound and a binary heap of (key, vertex)
 * for the others; an entry is stale once the vertex ran or slept again (its key differs), and
 * is dropped when met. */
typedef struct amls__sleeper {
    int64_t key, v;
} amls__sleeper;
enum { AMLS__SLEEP_RING = 4096 };
typedef struct amls__sleep {
    int64_t *key; /* per owned vertex: its key while it sleeps, else INT64_MAX (NULL: none yet) */
    /* Keys in [base, base + AMLS__SLEEP_RING): a list per key (ring[key % RING]), nring
     * entries in all; other keys: the heap. */
    amls__vec *ring;
    int64_t base, nring;
    amls__sleeper *heap;
    int64_t n, cap;
    int64_t bound; /* the master step's amls_wake_upto for the next superstep (INT64_MIN: none) */
    bool woke;     /* the last master step woke a vertex (on some rank) */
} amls__sleep;

/* Where a run is, for error messages, the crash handler and the watchdog (run_guard.c). */
enum amls__phase {
    AMLS__PHASE_NONE,
    AMLS__PHASE_SETUP,
    AMLS__PHASE_INIT,
    AMLS__PHASE_COMPUTE,
    AMLS__PHASE_MASTER,
    AMLS__PHASE_FINALIZE,
    AMLS__PHASE_WANTS, /* wants() on every vertex before the first superstep (run_pull.c) */
    AMLS__PHASE_REPLY, /* reply() to the requests of a superstep (run_request.c) */
};
/* The exit status of a rank the watchdog ends. */
#define AMLS_WATCHDOG_EXIT 1

struct amls_ctx {
    const amls_api *api; /* must stay first: vprog.h reads it */
    amls_graph *g;
    const amls_vprog *p; /* = &desc */
    amls_vprog desc;     /* the program's descriptor; members past its struct_size are zero */
    int64_t step;
    char *state;
    uint8_t *halted;
    /* Work lists: vertices not halted after the last superstep, and this superstep's
     * candidates, with a bit per vertex. */
    int64_t *alive, *cand;
    int64_t nalive, ncand;
    uint64_t *mark, *mark_hi; /* a bit per vertex; a bit per word of mark */
    amls__msgs m;
    amls__pub pub;
    amls__aggs agg;
    amls__req req;
    amls__step st;
    /* For pull supersteps: vertices whose `wants` turned false (a bit each), and the arcs of
     * the others. */
    uint64_t *done;
    int64_t mu[2];
    int direction; /* AMLS_STEP_* forced from the command line, or AUTO */
    bool wake_all; /* the master step asked every vertex to run in the next superstep */
    amls__sleep sl;
    int64_t mhash, mstep; /* the last master step's decisions, hashed, and its superstep */
    amls__parval *par;
    void *user;
    amls__vec scratch;          /* amls_scratch */
    amls__vec nbr_buf, dir_buf; /* amls_nbrs */
    int64_t ghosts_below;       /* ghosts with an engine id below lo (amls_nbrs order) */
    amls__vdir *vdir;           /* built on the first amls_send_vid */
    const volatile sig_atomic_t
        *stop_request; /* amls_run_opts.stop_request, with a checkpoint dir */
    int ckpt_lock;     /* rank 0: the checkpoint directory's lock (-1: none) */
    /* Where the run is (run_guard.c): the callback phase, the vertex being computed, the first
     * misuse of the API seen in this phase, when the phase began and whether a program
     * callback is running. */
    int phase;
    int64_t cur_v, misuse_v;
    const char *misuse;
    bool alloc_failed; /* amls_alloc or amls_scratch failed in this phase */
    _Atomic double phase_start;
    _Atomic bool in_callback;
};

/* ---- Sleeping vertices (run_sleep.c). -------------------------------------------------- */
/* amls_sleep: v halts until a master step wakes its key or a message arrives. Local. */
int amls__sleep_put(amls_ctx *cx, amls_vertex v, int64_t key);
/* v runs: it no longer sleeps. */
static inline void amls__sleep_awake(amls_ctx *cx, amls_vertex v)
{
    if (cx->sl.key)
        cx->sl.key[v] = INT64_MAX;
}
/* The smallest key of a vertex sleeping on this rank (INT64_MAX: none). Local. */
int64_t amls__sleep_min(amls_ctx *cx);
/* After the master step: the vertices sleeping with keys up to its bound wake (they join the
 * alive list); whether any did on any rank (the same everywhere). Local. */
bool amls__sleep_wake(amls_ctx *cx);
/* The per-vertex keys (all awake), if not there yet. Local. */
int amls__sleep_keys(amls_ctx *cx);
/* After a restart: the heap from the keys. Local. */
int amls__sleep_rebuild(amls_ctx *cx);
void amls__sleep_free(amls__sleep *sl);

/* A context for running p on g, with its parameters parsed. Local (the caller agrees). */
int amls__ctx_new(amls_graph *g, const amls_vprog *p, const amls_run_opts *o, amls_ctx **out);
void amls__ctx_free(amls_ctx *cx);
/* The vertices to run in this superstep, ascending: every vertex at superstep 0 (or first
 * after a restart), else the ones not halted plus the ones with messages. *dense: run all. */
int amls__ctx_candidates(amls_ctx *cx, bool all, bool *dense);
/* After a restore: the work lists from the restored flags and inbox. */
void amls__ctx_rebuild_lists(amls_ctx *cx);
/* The engine's buffers behind amls_scratch and amls_nbrs. */
void *amls__ctx_scratch(amls_ctx *cx, size_t bytes);
int64_t amls__ctx_nbrs(amls_ctx *cx, amls_vertex v, const amls_nbr **nbrs, const uint8_t **dirs);

/* ---- Messages (run_messages.c). -------------------------------------------------------- */
int amls__msgs_init(amls__msgs *m, const amls_graph *g, const amls_vprog *p, bool no_combiner);
void amls__msgs_free(amls__msgs *m, int nranks);
/* Sends (counted in m->sent): to local index t (owned or ghost), to an engine id, along a CSR
 * row, to an original id. */
int amls__send_nbr(amls_ctx *cx, amls_nbr n, const void *msg);
int amls__send_gid(amls_ctx *cx, amls_gid t, const void *msg);
int amls__send_row(amls_ctx *cx, const uint32_t *col, int64_t b, int64_t e, const void *msg);
int amls__send_vid(amls_ctx *cx, amls_vid t, const void *msg);
/* The messages in v's inbox this superstep (*n of them). Inline: called for every vertex. */
static inline const void *amls__inbox(const amls_ctx *cx, amls_vertex v, int64_t *n)
{
    const amls__msgs *m = &cx->m;
    if (m->comb.kind != AMLS__COMB_NONE) {
        *n = cx->step > 0 && m->ihas[v] ? 1 : 0;
        return m->ival + (size_t)v * m->msz;
    }
    *n = cx->step > 0 ? m->icnt[v] : 0;
    return *n > 0 ? (const void *)(m->idata + (size_t)m->istart[v] * m->msz) : NULL;
}
/* Moves this superstep's messages sent by original id to their targets' owners through the
 * directory (built on first use). Collective. */
int amls__msgs_route_vids(amls_ctx *cx);
/* Before the superstep's reduction: the ranks this rank will send messages to (m->to). */
void amls__msgs_promise(amls_ctx *cx);
/* Delivers this superstep's messages: after it the inbox holds them. `all`: every rank
 * exchanges with every other (messages by original id were routed this superstep); otherwise
 * only along the promises. Adds the bytes that left this rank to cx->st.bytes. Collective over
 * the ranks that exchange; a failure is local (the caller carries it to the next reduction). */
int amls__msgs_exchange(amls_ctx *cx, bool all);

/* ---- One value per sender: push or pull (run_pull.c). ---------------------------------- */
/* The slot and row puts of run_messages.c, for pushing recorded values. */
/* Puts msg into slot t of the outgoing combined array. */
static inline void amls__slot_put(amls__msgs *m, int64_t t, const void *msg)
{
    char *acc = m->nval + (size_t)t * m->msz;
    if (m->nhas[t]) {
        amls__comb_apply(&m->comb, acc, msg);
    } else {
        amls__vcopy(acc, msg, m->msz);
        m->nhas[t] = 1;
        m->nlist[m->nlist_len++] = t;
    }
}
/* Combines the value of each vertex u of list[0..n) (at vals + u * msz) into the slots of its
 * row's targets, but not into those of owned vertices (below nl) whose bit in done is set when
 * done is not NULL. */
void amls__rows_put(amls__msgs *m, const int64_t *ptr, const uint32_t *col, const int64_t *list,
                    int64_t n, const char *vals, const uint64_t *done, int64_t nl);
/* Counts, per direction and over all ranks, the vertices that have neighbours (the pull fast
 * path knows every such vertex sent). Collective. */
int amls__sig_setup(amls_ctx *cx);
void amls__sig_free(amls__msgs *m);
/* Records msg as v's value for every neighbour in direction d (0: out, 1: in). */
int amls__send_sig(amls_ctx *cx, int d, amls_vertex v, const void *msg);
/* After the reduction: whether this superstep pulls (from the summed records and the last
 * choice; the same on every rank). Local. */
bool amls__sig_decide(amls_ctx *cx);
/* Push: the recorded values go into the combining slots along the edges (not to vertices that
 * want no more). Local. */
void amls__sig_push(amls_ctx *cx);
/* Pull: the bytes of the signal segments for peer q, and writing them at `at`. Local. */
int64_t amls__sig_seg_size(amls_ctx *cx, int q, bool scan); /* scan: find the senders first */
void amls__sig_seg_put(amls_ctx *cx, int q, char *at);
/* Pull: reads the signal segments from q at `at` (len bytes left); returns the bytes read. */
int64_t amls__sig_seg_get(amls_ctx *cx, int q, const char *at, int64_t len);
/* Pull: every owned vertex that wants messages combines the values of its neighbours that
 * sent, into its inbox slot; then the values are cleared. Local. */
void amls__sig_gather(amls_ctx *cx);
/* No senders yet (a new superstep's). */
void amls__sig_reset(amls__sig *s);
/* The arcs of vertices that still want messages (for Beamer's m_u), from `wants`. Local. */
void amls__sig_track(amls_ctx *cx, amls_vertex v);
void amls__sig_track_all(amls_ctx *cx);

/* ---- Requests (run_request.c). --------------------------------------------------------- */
int amls__req_init(amls__req *rq, const amls_graph *g, const amls_vprog *p);
void amls__req_free(amls__req *rq);
int amls__request(amls_ctx *cx, amls_vertex v, amls_gid target);
const void *amls__reply(const amls_ctx *cx, amls_vertex v);
/* Before the reduction: the ranks this rank sends requests to (rq->to). Local. */
void amls__req_promise(amls_ctx *cx);
/* After the reduction: asks the targets' owners, answers the requests received, and leaves
 * the answers with the requesting vertices for the next superstep. Collective over the ranks
 * that exchange; a failure is local. */
int amls__req_exchange(amls_ctx *cx);
/* Forgets last superstep's answers (before compute). Local. */
void amls__req_clear_answers(amls__req *rq);

#include "run_wire.h"

/* ---- The original-id directory (run_vdir.c). ------------------------------------------ */
/* The rank that holds the directory entry of original id x. */
int amls__vdir_rank(amls_vid x, int nranks);
/* Builds the directory: every owner sends (original id, engine id) of its vertices to their
 * directory ranks. Collective. */
int amls__vdir_build(const amls_graph *g, amls__vdir **out);
/* The engine id of original id x, which must hash to this rank; -1 if it is not a vertex. */
amls_gid amls__vdir_find(const amls__vdir *d, amls_vid x);

/* ---- Published values (run_published.c). ---------------------------------------------- */
int amls__pub_init(amls__pub *pb, const amls_graph *g, const amls_vprog *p);
void amls__pub_free(amls__pub *pb);
int amls__publish(amls_ctx *cx, amls_vertex v, const void *data, size_t len);
/* The value local index i (owned or ghost) published in an earlier superstep, or NULL. */
const void *amls__published(const amls_ctx *cx, int64_t i, size_t *len);
/* This superstep's values become current, on this rank and in the ghosts. Collective. */
int amls__pub_exchange(amls_ctx *cx);
/* Restore: the owned values (len/off/data per owned vertex) to be made current. Local. */
int amls__pub_set_next_var(amls_ctx *cx, const int64_t *len, const int64_t *off, const char *data);

/* ---- Aggregators across ranks (run_aggregate.c). --------------------------------------- */
int amls__aggs_init(amls__aggs *ag, const amls_vprog *p);
void amls__aggs_free(amls__aggs *ag);
/* Folds every rank's partial (at all + q * stride, laid out like ag->part) in rank order into
 * what is read next, and restarts the partial: the same bits on every rank. Local. */
void amls__aggs_fold(amls__aggs *ag, const char *all, size_t stride, int nranks);

/* ---- The superstep's reduction (run_step.c). ------------------------------------------- */
int amls__step_init(amls__step *st, int nranks, size_t agg_bytes);
void amls__step_free(amls__step *st);
/* This rank's record: fixed[AMLS__REC_FIXED], the ranks it sends messages and requests to, and
 * its aggregator partials. Local. */
void amls__step_fill(amls_ctx *cx, const int64_t *fixed, const uint8_t *msg_to,
                     const uint8_t *req_to);
/* Gathers every record; cx->st.sum gets the fixed fields summed, and (unless a rank failed)
 * the aggregates are folded. Collective. */
/* A record of nothing: zero counts, the folded fields at their neutral values (no sleeper, no
 * value sent; the master-step hash is the caller's). */
void amls__step_empty(int64_t *rec);
int amls__step_reduce(amls_ctx *cx, bool aggregates);
/* from[q]: rank q said it sends messages (requests: requests) to this rank. Local. */
void amls__step_sources(const amls_ctx *cx, bool requests, uint8_t *from);

/* ---- Checkpoints (checkpoint.c). ------------------------------------------------------- */
/* Creates o->checkpoint_dir, locks it for this run (refused if another job holds it) and
 * removes the temporary files of killed jobs. Collective. */
int amls__ckpt_prepare(amls_ctx *cx, const amls_run_opts *o);
/* Writes the state at the start of superstep `next` into o->checkpoint_dir. Collective. */
int amls__ckpt_write(amls_ctx *cx, const amls_run_opts *o, const char *params, int64_t next);
/* Restores the newest usable checkpoint of o->restart_dir (falling back past damaged ones);
 * *next gets the superstep to run. Collective. */
int amls__ckpt_restore(amls_ctx *cx, const amls_run_opts *o, const char *params, int64_t *next);

/* ---- Guarding programs (run_guard.c). ------------------------------------------------ */
/* The status of a program callback that returned rc in the current phase (v: the vertex, or
 * -1): AMLS_OK, or an error naming the program, callback, superstep, vertex and rank, for a
 * negative status (with the program's own message if it reported one since `serial`, see
 * amls__error_serial), a positive one, or a misuse of the API recorded in the phase. Local. */
int amls__callback_status(amls_ctx *cx, int64_t v, int rc, uint64_t serial);
/* Records a misuse of the API by the program (the first of the phase counts). */
void amls__misuse(amls_ctx *cx, const char *what);
/* Starts guarding a run: the crash report and, with o->superstep_timeout, the watchdog;
 * amls__guard_end stops both. Local. */
int amls__guard_begin(amls_ctx *cx, const amls_run_opts *o);
void amls__guard_end(amls_ctx *cx);
/* Marks the start of a phase; in_callback when a program callback runs in it. */
static inline void amls__phase(amls_ctx *cx, int phase, bool in_callback)
{
    cx->phase = phase;
    cx->misuse = NULL;
    cx->alloc_failed = false;
    atomic_store(&cx->phase_start, amls__now());
    atomic_store(&cx->in_callback, in_callback);
}

/* ---- Results (results_stats.c). -------------------------------------------------------- */
/* A statistics file holding the run alone (amls_run_opts.stats_path). Collective. */
int amls__stats_write(const amls_run *r, const char *path);
