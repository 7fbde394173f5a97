#!/usr/bin/env python3
"""check_linreg.py DATA.libsvm[.gz] COEF1 [COEF2 ...]: solves the least-squares problem with an
intercept exactly (rational arithmetic on the normal equations) and checks every coefficient
file to 1e-6 relative; also checks the reference values stated in the datasets README."""
import gzip
import sys
from fractions import Fraction

path = sys.argv[1]
opener = gzip.open if path.endswith(".gz") else open
rows, ys, d = [], [], 0
with opener(path, "rt") as f:
    for line in f:
        t = line.split()
        if not t:
            continue
        ys.append(Fraction(t[0]))
        x = {}
        for item in t[1:]:
            k, v = item.split(":")
            x[int(k)] = Fraction(v)
            d = max(d, int(k))
        rows.append(x)
m = d + 1
A = [[Fraction(0)] * m for _ in range(m)]
b = [Fraction(0)] * m
for x, y in zip(rows, ys):
    full = [Fraction(1)] + [x.get(k, Fraction(0)) for k in range(1, d + 1)]
    for i in range(m):
        if full[i] == 0:
            continue
        b[i] += full[i] * y
        for j in range(m):
            A[i][j] += full[i] * full[j]
for col in range(m):  # Gauss-Jordan, exact
    piv = next(r for r in range(col, m) if A[r][col] != 0)
    A[col], A[piv] = A[piv], A[col]
    b[col], b[piv] = b[piv], b[col]
    for r in range(m):
        if r != col and A[r][col] != 0:
            f = A[r][col] / A[col][col]
            A[r] = [a - f * c for a, c in zip(A[r], A[col])]
            b[r] -= f * b[col]
exact = [float(b[i] / A[i][i]) for i in range(m)]
readme = [-334.5671, -0.0363612, -22.85965, 5.602962, 1.116808, -1.089996, 0.7464505,
          0.3720047, 6.533832, 68.48312, 0.2801170]
ok = True
for p in sys.argv[2:]:
    got = [float(l) for l in open(p)]
    worst = max(abs(g - e) / abs(e) for g, e in zip(got, exact))
    print("%s: %d coefficients, worst relative error vs exact least squares %.2e" % (p, len(got), worst))
    ok &= len(got) == m and worst <= 1e-6
    if len(readme) == m:
        worst_r = max(abs(g - e) / abs(e) for g, e in zip(got, readme))
        print("   vs the README's 7-digit reference: %.2e" % worst_r)
        ok &= worst_r <= 2e-6
sys.exit(0 if ok else 1)
