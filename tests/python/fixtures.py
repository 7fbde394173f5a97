# SPDX-License-Identifier: MIT
"""fixtures.py DIR: writes the Python tests' inputs into DIR, the same every time (seeded):
directed.el, a directed graph with sparse original ids and several components; train.libsvm,
rows of a logistic model; spd.mtx, a sparse symmetric positive definite Matrix Market matrix;
ratings.txt, "user item rating timestamp" lines for ALS. Serial; numpy only."""
import os
import sys

import numpy as np


def main(out):
    rng = np.random.default_rng(12345)
    # Three components of different sizes, ids 1000 + 7k, arcs in both orientations.
    lines = []
    start = 0
    for size in (300, 120, 37):
        ids = 1000 + 7 * np.arange(start, start + size)
        for k in range(1, size):  # a random tree keeps the component connected
            a, b = ids[k], ids[rng.integers(0, k)]
            lines.append((a, b) if rng.random() < 0.5 else (b, a))
        for _ in range(2 * size):
            a, b = rng.choice(ids, 2)
            lines.append((a, b))
        start += size
    with open(os.path.join(out, "directed.el"), "w") as f:
        f.write("# directed test graph: 3 components, sparse ids\n")
        for a, b in lines:
            f.write("%d %d\n" % (a, b))
    # Logistic regression data: 400 rows, 6 features, some zeros.
    n, d = 400, 6
    X = rng.normal(size=(n, d)) * (rng.random((n, d)) < 0.7)
    w = np.array([1.5, -2.0, 0.5, 0.0, 1.0, -0.7])
    p = 1 / (1 + np.exp(-(X @ w + 0.3)))
    y = np.where(rng.random(n) < p, 1, -1)
    with open(os.path.join(out, "train.libsvm"), "w") as f:
        for i in range(n):
            feats = " ".join("%d:%.17g" % (j + 1, X[i, j]) for j in range(d) if X[i, j] != 0)
            f.write("%d %s\n" % (y[i], feats))

    # A symmetric, strictly diagonally dominant (hence positive definite) 60 x 60 matrix: a
    # path plus random off-diagonal pairs; the lower triangle in Matrix Market's symmetric form.
    n = 60
    A = np.zeros((n, n))
    for k in range(n - 1):
        A[k + 1, k] = A[k, k + 1] = -1.0
    for _ in range(80):
        a, b = rng.choice(n, 2, replace=False)
        A[a, b] = A[b, a] = rng.uniform(-1, 1)
    A[np.arange(n), np.arange(n)] = np.abs(A).sum(axis=1) + rng.uniform(0.5, 2.0, n)
    r, c = np.nonzero(np.tril(A))
    with open(os.path.join(out, "spd.mtx"), "w") as f:
        f.write("%%%%MatrixMarket matrix coordinate real symmetric\n%d %d %d\n" % (n, n, len(r)))
        for i, j in zip(r, c):
            f.write("%d %d %.17g\n" % (i + 1, j + 1, A[i, j]))
    # Ratings: 40 users, 8 of 30 items each, ratings 1..5.
    with open(os.path.join(out, "ratings.txt"), "w") as f:
        for u in range(40):
            for i in rng.choice(30, 8, replace=False):
                f.write("%d %d %d 0\n" % (u, i, 1 + (u * 7 + i * 3) % 5))


if __name__ == "__main__":
    main(sys.argv[1])
