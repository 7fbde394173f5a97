/* ---------------------------------------------------------------------------------------------
 * engine/run_wire.h — the wire format of the message exchange: one segment per peer.
 * SPDX-License-Identifier: MIT
 *
 * Inline because encoding and decoding run per message on the superstep's hot path (decode
 * with constant callbacks inlines into the delivery loops). Tested in tests/unit/test_engine.c.
 * ------------------------------------------------------------------------------------------- */
#ifndef AMLS_ENGINE_RUN_WIRE_H
#define AMLS_ENGINE_RUN_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* The per-peer segment of the message exchange (the wire format). A segment starts with this
 * header; with a combiner it then holds the combined values for the peer's ghosts, either as
 * a bitmap over the ghosts in plan order followed by the values of the set bits (BITMAP), or
 * as (position in the plan u32, value) pairs (PAIRS, when few are set); then the raw records
 * (target index u32, message). No vertex ids travel with combined values. */
typedef struct amls__seg_hdr {
    uint64_t nset; /* combined values */
    uint64_t nraw; /* raw records */
    uint64_t mode; /* AMLS__SEG_BITMAP or AMLS__SEG_PAIRS */
} amls__seg_hdr;
enum { AMLS__SEG_BITMAP = 0, AMLS__SEG_PAIRS = 1 };

/* The encoding for nset values over ng ghosts (PAIRS when it is smaller). */
static inline int amls__seg_mode(int64_t ng, int64_t nset)
{
    return nset * 4 < (ng + 7) / 8 ? AMLS__SEG_PAIRS : AMLS__SEG_BITMAP;
}

/* Bytes of a segment: header, combined part, raw records (rawbytes). */
static inline int64_t amls__seg_size(int64_t ng, int64_t nset, size_t msz, int64_t rawbytes)
{
    int64_t body = amls__seg_mode(ng, nset) == AMLS__SEG_PAIRS ? nset * (int64_t)(4 + msz)
                                                               : (ng + 7) / 8 + nset * (int64_t)msz;
    return (int64_t)sizeof(amls__seg_hdr) + body + rawbytes;
}

/* Writes the header and, for BITMAP, the bitmap and values of the set slots among the ng slots
 * (has/val, msz bytes each, in plan order), and the raw records; for PAIRS the pairs are
 * written with amls__seg_put_pair in any order. Returns where the pairs go. */
static inline char *amls__seg_encode(char *seg, int64_t ng, int64_t nset, const uint8_t *has,
                                     const char *val, size_t msz, const void *raw, int64_t rawbytes,
                                     int64_t nraw)
{
    amls__seg_hdr h = {(uint64_t)nset, (uint64_t)nraw, (uint64_t)amls__seg_mode(ng, nset)};
    memcpy(seg, &h, sizeof h);
    char *body = seg + sizeof h, *rawp;
    if (h.mode == AMLS__SEG_BITMAP) {
        memset(body, 0, (size_t)(ng + 7) / 8);
        char *vals = body + (ng + 7) / 8;
        int64_t j = 0;
        for (int64_t k = 0; k < ng && j < nset; k++)
            if (has[k]) {
                body[k / 8] |= (char)(1u << (k % 8));
                memcpy(vals + (size_t)j++ * msz, val + (size_t)k * msz, msz);
            }
        rawp = vals + (size_t)nset * msz;
    } else {
        rawp = body + (size_t)nset * (4 + msz);
    }
    if (rawbytes > 0)
        memcpy(rawp, raw, (size_t)rawbytes);
    return body;
}

/* Writes pair j of a PAIRS segment: position `at` in the plan and its value. */
static inline void amls__seg_put_pair(char *pairs, int64_t j, uint32_t at, const void *value,
                                      size_t msz)
{
    char *pr = pairs + (size_t)j * (4 + msz);
    memcpy(pr, &at, 4);
    memcpy(pr + 4, value, msz);
}

/* The raw records of a segment: *nraw of them, (target index u32, message) each. */
static inline const char *amls__seg_raw(const char *seg, int64_t ng, size_t msz, uint64_t *nraw)
{
    amls__seg_hdr h;
    memcpy(&h, seg, sizeof h);
    *nraw = h.nraw;
    const char *body = seg + sizeof h;
    return h.mode == AMLS__SEG_BITMAP ? body + (ng + 7) / 8 + h.nset * msz
                                      : body + h.nset * (4 + msz);
}

/* Reads a segment: calls value(ud, position in the plan, value) for each combined value and
 * record(ud, target index, message) for each raw record. Returns the bytes read. */
typedef void (*amls__seg_value_fn)(void *ud, int64_t at, const void *value);
typedef void (*amls__seg_record_fn)(void *ud, uint32_t target, const void *msg);
static inline int64_t amls__seg_decode(const char *seg, int64_t ng, size_t msz,
                                       amls__seg_value_fn value, amls__seg_record_fn record,
                                       void *ud)
{
    amls__seg_hdr h;
    memcpy(&h, seg, sizeof h);
    const char *body = seg + sizeof h, *rawp;
    if (h.mode == AMLS__SEG_BITMAP) {
        const char *vals = body + (ng + 7) / 8;
        uint64_t j = 0;
        for (int64_t k = 0; k < ng && j < h.nset; k++)
            if (body[k / 8] & (1u << (k % 8)))
                value(ud, k, vals + j++ * msz);
        rawp = vals + h.nset * msz;
    } else {
        for (uint64_t j = 0; j < h.nset; j++) {
            uint32_t at;
            memcpy(&at, body + j * (4 + msz), 4);
            value(ud, at, body + j * (4 + msz) + 4);
        }
        rawp = body + h.nset * (4 + msz);
    }
    size_t rsz = 4 + msz;
    for (uint64_t r = 0; r < h.nraw; r++) {
        uint32_t t;
        memcpy(&t, rawp + r * rsz, 4);
        record(ud, t, rawp + r * rsz + 4);
    }
    return (int64_t)(rawp + h.nraw * rsz - seg);
}

/* The signal part of a segment in a pull superstep (run_pull.c), per direction: the values of
 * the senders among the vertices the peer holds as ghosts, over the sender's send list in plan
 * order (the receiver's ghosts of that peer, in the same order): FULL (every one sent: the
 * values only), BITMAP (a bitmap over the list, then the values of the set bits) or PAIRS (the
 * positions as u32, then the values), whichever is smallest. UNIFORM: every value is the same
 * and travels once (a BFS level). */
typedef struct amls__sigseg_hdr {
    uint64_t nset;
    uint32_t mode;
    uint32_t uniform;
} amls__sigseg_hdr;
enum { AMLS__SIG_FULL = 0, AMLS__SIG_BITMAP = 1, AMLS__SIG_PAIRS = 2 };

/* The encoding of nset values over a list of len positions. */
static inline int amls__sigseg_mode(int64_t len, int64_t nset)
{
    return nset == len                ? AMLS__SIG_FULL
           : nset * 4 < (len + 7) / 8 ? AMLS__SIG_PAIRS
                                      : AMLS__SIG_BITMAP;
}

/* Bytes of a signal segment. */
static inline int64_t amls__sigseg_size(int64_t len, int64_t nset, bool uniform, size_t msz)
{
    int mode = amls__sigseg_mode(len, nset);
    int64_t pos = mode == AMLS__SIG_FULL ? 0 : mode == AMLS__SIG_PAIRS ? 4 * nset : (len + 7) / 8;
    int64_t vals = nset == 0 ? 0 : uniform ? 1 : nset;
    return (int64_t)sizeof(amls__sigseg_hdr) + pos + vals * (int64_t)msz;
}

#endif
