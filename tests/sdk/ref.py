#!/usr/bin/env python3
"""Independent serial computations for the example plugins (tests/sdk/check_sdk.sh).

ref.py degree_stats GRAPH          -> "id out in" lines and a stats line
ref.py ppr GRAPH SEEDS D ITERS     -> "id rank" lines
ref.py kcore GRAPH                 -> "id coreness" lines (undirected, peeling)
Edges are read as the engine reads an edge list: duplicates merged, self loops kept.
"""
import gzip
import heapq
import sys


def read_edges(path, undirected=False):
    opener = gzip.open if path.endswith(".gz") else open
    arcs, ids = set(), set()
    with opener(path, "rt") as f:
        for line in f:
            t = line.split()
            if not t or t[0][0] in "#%":
                continue
            u, v = int(t[0]), int(t[1])
            ids.update((u, v))
            arcs.add((u, v))
            if undirected:
                arcs.add((v, u))
    out = {v: [] for v in ids}
    for u, v in sorted(arcs):
        out[u].append(v)
    return sorted(ids), out


def degree_stats(path):
    ids, out = read_edges(path)
    indeg = {v: 0 for v in ids}
    for u in ids:
        for v in out[u]:
            indeg[v] += 1
    for v in ids:
        print(v, len(out[v]), indeg[v])
    degs = [len(out[v]) for v in ids]
    print("stats", sum(degs), max(degs), max(indeg.values()), sum(1 for d in degs if d == 0))


def ppr(path, seeds, d, iters):
    ids, out = read_edges(path)
    seeds = set(int(s) for s in seeds.split(","))
    ns = len(seeds)
    r = {v: (1.0 / ns if v in seeds else 0.0) for v in ids}
    for _ in range(iters):
        sink = sum(r[v] for v in ids if not out[v])
        nxt = {v: 0.0 for v in ids}
        for u in ids:
            if out[u]:
                share = r[u] / len(out[u])
                for v in out[u]:
                    nxt[v] += share
        r = {v: d * nxt[v] + (((1 - d) + d * sink) / ns if v in seeds else 0.0) for v in ids}
    for v in ids:
        print(v, repr(r[v]))


def kcore(path):
    ids, out = read_edges(path, undirected=True)
    nb = {v: set(w for w in out[v] if w != v) for v in ids}
    deg = {v: len(nb[v]) for v in ids}
    heap = [(deg[v], v) for v in ids]
    heapq.heapify(heap)
    core, removed, k = {}, set(), 0
    while heap:
        d, v = heapq.heappop(heap)
        if v in removed or d != deg[v]:
            continue
        k = max(k, d)
        core[v] = k
        removed.add(v)
        for w in nb[v]:
            if w not in removed:
                deg[w] -= 1
                heapq.heappush(heap, (deg[w], w))
    for v in ids:
        print(v, core[v])


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "degree_stats":
        degree_stats(sys.argv[2])
    elif cmd == "ppr":
        ppr(sys.argv[2], sys.argv[3], float(sys.argv[4]), int(sys.argv[5]))
    elif cmd == "kcore":
        kcore(sys.argv[2])
    else:
        sys.exit("unknown command " + cmd)
