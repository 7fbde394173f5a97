#!/usr/bin/env python3
"""make_libsvm.py ROWS FEATURES SEED class|reg > FILE: synthetic LIBSVM rows, each feature present
with probability 0.3 and uniform in [-1, 1]; the label is the sign (class) or the value (reg) of
a hidden hyperplane with intercept 0.1 (the same for every seed: SEED draws the rows), so a
linear model can fit the set exactly and a set drawn with another seed is a test set."""
import random
import sys

n, d, seed, kind = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
hidden = random.Random(2026)
w = [hidden.uniform(-1, 1) for _ in range(d)]
rng = random.Random(seed)
out = []
for _ in range(n):
    x = [(f, rng.uniform(-1, 1)) for f in range(d) if rng.random() < 0.3]
    z = 0.1 + sum(w[f] * v for f, v in x)
    label = ("%.10g" % z) if kind == "reg" else ("+1" if z > 0 else "-1")
    out.append(label + "".join(" %d:%.6f" % (f + 1, v) for f, v in x))
sys.stdout.write("\n".join(out) + "\n")
