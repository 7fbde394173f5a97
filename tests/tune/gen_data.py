#!/usr/bin/env python3
"""gen_data.py KIND N SEED > FILE: small synthetic data sets for the tune tests (stdlib only).
logistic: LIBSVM rows with +1/-1 labels drawn from a logistic model over 12 sparse features;
linear: LIBSVM rows with a noisy linear target over 10 features;
ratings: "user item rating" lines from a rank-2 model, ratings 1..5, about N ratings."""
import math
import random
import sys

kind, n, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
r = random.Random(seed)
out = []
if kind in ("logistic", "linear"):
    d = 12 if kind == "logistic" else 10
    w = [r.gauss(0, 1) for _ in range(d)]
    for _ in range(n):
        x = {j: round(r.gauss(0, 1), 4) for j in range(d) if r.random() < 0.6}
        z = 0.3 + sum(w[j] * v for j, v in x.items())
        if kind == "logistic":
            lab = "+1" if r.random() < 1 / (1 + math.exp(-z)) else "-1"
        else:
            lab = "%.5f" % (z + r.gauss(0, 0.5))
        out.append(lab + "".join(" %d:%g" % (j + 1, v) for j, v in sorted(x.items())))
elif kind == "ratings":
    users, items = 60, 40
    u = [[r.gauss(0, 1) for _ in range(2)] for _ in range(users)]
    v = [[r.gauss(0, 1) for _ in range(2)] for _ in range(items)]
    pairs = set()
    while len(pairs) < n:
        pairs.add((r.randrange(users), r.randrange(items)))
    for a, b in sorted(pairs):
        z = 3 + u[a][0] * v[b][0] + u[a][1] * v[b][1] + r.gauss(0, 0.3)
        out.append("%d %d %d" % (a + 1, b + 1, min(5, max(1, round(z)))))
else:
    sys.exit("unknown kind " + kind)
print("\n".join(out))
