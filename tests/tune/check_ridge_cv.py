#!/usr/bin/env python3
"""check_ridge_cv.py DATA.libsvm SEED K FOLDS RESULTS.csv: an independent check of `amls-graph
tune --model linreg` (stdlib only).
1. FOLDS (from --folds-output) must follow the documented rule: fold of 0-based row i =
   splitmix64-based hash(seed, stream 0xf01d5eed, i) mod K, recomputed here from the rule.
2. For every lambda of RESULTS.csv, ridge regression with an unpenalised intercept is solved
   here directly (normal equations, Gaussian elimination) on the rows outside each fold, and
   the RMSE on the fold must match the CSV's fold scores, mean and population std to 1e-6."""
import csv
import math
import sys

M = (1 << 64) - 1


def mix64(z):
    z = (z + 0x9E3779B97F4A7C15) & M
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M
    return z ^ (z >> 31)


def fold_of(seed, k, row):
    return mix64((mix64(seed ^ mix64(0xF01D5EED)) + row) & M) % k


def solve(A, b):
    n = len(b)
    A = [row[:] + [b[i]] for i, row in enumerate(A)]
    for c in range(n):
        p = max(range(c, n), key=lambda i: abs(A[i][c]))
        A[c], A[p] = A[p], A[c]
        for i in range(c + 1, n):
            f = A[i][c] / A[c][c]
            for j in range(c, n + 1):
                A[i][j] -= f * A[c][j]
    x = [0.0] * n
    for i in reversed(range(n)):
        x[i] = (A[i][n] - sum(A[i][j] * x[j] for j in range(i + 1, n))) / A[i][i]
    return x


def main():
    data, seed, k, folds_path, results = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
    rows, d = [], 0
    for line in open(data):
        t = line.split()
        if not t:
            continue
        x = {int(a.split(":")[0]): float(a.split(":")[1]) for a in t[1:]}
        d = max([d] + list(x))
        rows.append((float(t[0]), x))
    folds = [int(v) for v in open(folds_path).read().split()]
    ok = len(folds) == len(rows)
    bad = [i for i, f in enumerate(folds) if f != fold_of(seed, k, i)]
    if bad or not ok:
        print("FAIL: %d rows, %d folds; %d folds differ from the hash rule" % (len(rows), len(folds), len(bad)))
        return 1
    print("folds: all %d follow hash(seed %d, row) mod %d" % (len(rows), seed, k))
    for r in csv.DictReader(open(results)):
        lam = float(r["lambda"])
        scores = []
        for f in range(k):
            A = [[0.0] * (d + 1) for _ in range(d + 1)]
            b = [0.0] * (d + 1)
            for (y, x), fo in zip(rows, folds):
                if fo == f:
                    continue
                v = [(0, 1.0)] + list(x.items())
                for i, a in v:
                    b[i] += a * y
                    for j, c in v:
                        A[i][j] += a * c
            for i in range(1, d + 1):
                A[i][i] += lam
            for i in range(d + 1):
                if A[i][i] == 0:
                    A[i][i] = 1.0
            w = solve(A, b)
            se = [(y - w[0] - sum(w[i] * a for i, a in x.items())) ** 2
                  for (y, x), fo in zip(rows, folds) if fo == f]
            scores.append(math.sqrt(sum(se) / len(se)))
        mean = sum(scores) / k
        std = math.sqrt(sum((s - mean) ** 2 for s in scores) / k)
        got = [float(r["fold%d" % (f + 1)]) for f in range(k)]
        for name, a, b in [("mean", mean, float(r["mean"])), ("std", std, float(r["std"]))] + \
                [("fold%d" % (f + 1), scores[f], got[f]) for f in range(k)]:
            if abs(a - b) > 1e-6 * max(1.0, abs(a)):
                print("FAIL: lambda=%g %s: here %.10g, amls-graph %.10g" % (lam, name, a, b))
                ok = False
        print("lambda=%-6g cv rmse here %.8f, amls-graph %s" % (lam, mean, r["mean"]))
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
