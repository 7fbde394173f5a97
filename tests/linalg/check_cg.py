#!/usr/bin/env python3
"""check_cg.py MATRIX.mtx[.gz] TOL X1 [X2 ...]: for each solution file ("row value" lines),
recompute the relative residual ||b - A x|| / ||b|| with b = ones, independently of amls-graph,
and check it is <= TOL; check the solutions agree with each other to 1e-6 relative."""
import gzip
import math
import sys


def read_mtx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt") as f:
        header = f.readline().lower()
        sym = "symmetric" in header
        line = f.readline()
        while line.startswith("%"):
            line = f.readline()
        n, m, nnz = map(int, line.split())
        entries = []
        for line in f:
            t = line.split()
            if not t:
                continue
            i, j, v = int(t[0]), int(t[1]), float(t[2])
            entries.append((i, j, v))
            if sym and i != j:
                entries.append((j, i, v))
    return n, entries


def read_x(path):
    x = {}
    for line in open(path):
        r, v = line.split()
        x[int(r)] = float(v)
    return x


n, entries = read_mtx(sys.argv[1])
tol = float(sys.argv[2])
sols = [read_x(p) for p in sys.argv[3:]]
ok = True
for p, x in zip(sys.argv[3:], sols):
    if len(x) != n:
        print("FAIL: %s has %d rows, want %d" % (p, len(x), n))
        ok = False
        continue
    ax = [0.0] * (n + 1)
    for i, j, v in entries:
        ax[i] += v * x[j]
    res = math.sqrt(sum((1.0 - ax[i]) ** 2 for i in range(1, n + 1))) / math.sqrt(n)
    print("%s: independent relative residual %.3e" % (p, res))
    ok &= res <= tol
x0 = sols[0]
norm0 = math.sqrt(sum(v * v for v in x0.values()))
for p, x in zip(sys.argv[4:], sols[1:]):
    d = math.sqrt(sum((x0[k] - x[k]) ** 2 for k in x0)) / norm0
    print("%s vs %s: relative difference %.3e" % (sys.argv[3], p, d))
    ok &= d <= 1e-6
sys.exit(0 if ok else 1)
