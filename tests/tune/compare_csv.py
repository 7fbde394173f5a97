#!/usr/bin/env python3
"""compare_csv.py A.csv B.csv [TOL|scores]: two results tables of `amls-graph tune` run with
different rank or group counts must hold the same trials with the same configurations, budgets,
fold scores and iterations used. The row solvers (logreg, linreg, SGD) sum reproducibly, so the
default tolerance is 0: identical numbers. ALS is compared within TOL relative (its per-vertex
solves add neighbours in an order that follows the partition). "scores": identical numbers,
but the units used may differ (warm starts against fits from scratch). seconds may differ.
Exit 0: PASS."""
import csv
import sys

a = list(csv.DictReader(open(sys.argv[1])))
b = list(csv.DictReader(open(sys.argv[2])))
scores = len(sys.argv) > 3 and sys.argv[3] == "scores"
tol = float(sys.argv[3]) if len(sys.argv) > 3 and not scores else 0.0
fail = []
if len(a) != len(b) or (a and list(a[0]) != list(b[0])):
    fail.append("%d vs %d trials, columns %s vs %s" % (len(a), len(b), list(a[0]) if a else [], list(b[0]) if b else []))
for ra, rb in zip(a, b):
    for col in ra:
        if col == "seconds" or (col == "budget_used" and (tol > 0 or scores)):
            continue
        x, y = float(ra[col]), float(rb[col])
        if abs(x - y) > tol * max(1.0, abs(x)):
            fail.append("trial %s %s: %s vs %s" % (ra["trial"], col, ra[col], rb[col]))
for f in fail[:10]:
    print("FAIL:", f)
print("%s: %d trials compared (%s)" % ("FAIL" if fail else "PASS", len(a), "identical" if tol == 0 else "within %g" % tol))
sys.exit(1 if fail else 0)
