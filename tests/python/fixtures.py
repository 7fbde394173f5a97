# SPDX-License-Identifier: MIT
"""fixtures.py DIR: writes the Python tests' inputs into DIR, the same every time (seeded):
directed.el, a directed graph with sparse original ids and several components, and
train.libsvm, rows of a logistic model. Serial; numpy only."""
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


if __name__ == "__main__":
    main(sys.argv[1])
