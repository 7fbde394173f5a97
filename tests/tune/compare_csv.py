#!/usr/bin/env python3
"""compare_csv.py A.csv B.csv: two results tables of `amls-graph tune` run with different rank
or group counts must hold the same trials with the same configurations, budgets and fold
scores (numbers within 1e-9 relative: the reductions of a fit round differently at another
group size); budget_used and seconds may differ. Exit 0: PASS."""
import csv
import sys

a = list(csv.DictReader(open(sys.argv[1])))
b = list(csv.DictReader(open(sys.argv[2])))
fail = []
if len(a) != len(b) or (a and list(a[0]) != list(b[0])):
    fail.append("%d vs %d trials, columns %s vs %s" % (len(a), len(b), list(a[0]) if a else [], list(b[0]) if b else []))
for ra, rb in zip(a, b):
    for col in ra:
        if col in ("budget_used", "seconds"):
            continue
        x, y = float(ra[col]), float(rb[col])
        if abs(x - y) > 1e-9 * max(1.0, abs(x)):
            fail.append("trial %s %s: %s vs %s" % (ra["trial"], col, ra[col], rb[col]))
for f in fail[:10]:
    print("FAIL:", f)
print("%s: %d trials compared (%s vs %s)" % ("FAIL" if fail else "PASS", len(a), sys.argv[1], sys.argv[2]))
sys.exit(1 if fail else 0)
