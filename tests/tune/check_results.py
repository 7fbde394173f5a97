#!/usr/bin/env python3
"""check_results.py RESULTS.json RESULTS.csv [SPACE_SIZE]: independent checks of the tables
written by `amls-graph tune` (stdlib only).
- Every trial's mean and std (population) are those of its fold scores; CSV and JSON agree.
- The best trial is the best mean among the trials at the full budget (first one on ties).
- Hyperband (when the JSON has brackets): rung 0 of a bracket draws min(n, SPACE_SIZE)
  distinct configurations at the bracket's first budget; each next rung holds exactly the
  best max(1, floor(size / eta)) configurations of the previous rung (ties: earlier first) at
  eta times the budget; the last rung runs the full budget.
Exit 0: PASS."""
import csv
import json
import math
import sys


def close(a, b, tol=1e-12):
    return abs(a - b) <= tol * max(1.0, abs(a), abs(b))


def main():
    res = json.load(open(sys.argv[1]))
    rows = list(csv.DictReader(open(sys.argv[2])))
    size = int(sys.argv[3]) if len(sys.argv) > 3 else None
    fail = []
    trials = res["trials"]
    hib = res["higher_is_better"]
    key = lambda t: t["mean"] if hib else -t["mean"]
    if len(trials) != len(rows):
        fail.append("%d trials in JSON, %d in CSV" % (len(trials), len(rows)))
    for t, r in zip(trials, rows):
        f = t["fold_scores"]
        m = sum(f) / len(f)
        s = math.sqrt(sum((x - m) ** 2 for x in f) / len(f))
        if not close(m, t["mean"]) or not close(s, t["std"]):
            fail.append("trial %d: mean/std %r/%r, folds give %r/%r" % (t["trial"], t["mean"], t["std"], m, s))
        if not close(float(r["mean"]), t["mean"]) or int(r["budget"]) != t["budget"]:
            fail.append("trial %d: CSV and JSON differ" % t["trial"])
        for name, v in t["params"].items():
            if not close(float(r[name]), v):
                fail.append("trial %d: %s differs between CSV and JSON" % (t["trial"], name))
    full = [t for t in trials if t["budget"] == res["max_budget"]]
    best = max(full, key=lambda t: (key(t), -t["trial"]))
    if best["trial"] != res["best_trial"] or best["params"] != res["best"]:
        fail.append("best trial %d (%r), JSON says %d" % (best["trial"], best["params"], res["best_trial"]))
    if not close(best["mean"], res["best_score"]):
        fail.append("best_score %r, best mean %r" % (res["best_score"], best["mean"]))
    by_no = {t["trial"]: t for t in trials}
    eta = res.get("eta")
    for b in res.get("brackets", []):
        rungs = b["rungs"]
        first = [by_no[n] for n in rungs[0]["trials"]]
        want = min(b["n"], size) if size else b["n"]
        cfgs = [json.dumps(t["params"], sort_keys=True) for t in first]
        if len(first) != want or len(set(cfgs)) != len(cfgs):
            fail.append("bracket %d: rung 0 has %d trials (%d distinct), expected %d" % (b["s"], len(first), len(set(cfgs)), want))
        if rungs[-1]["budget"] != res["max_budget"]:
            fail.append("bracket %d: the last rung's budget is %d" % (b["s"], rungs[-1]["budget"]))
        for i, rung in enumerate(rungs):
            ts = [by_no[n] for n in rung["trials"]]
            if any(t["budget"] != rung["budget"] for t in ts):
                fail.append("bracket %d rung %d: a trial has another budget" % (b["s"], i))
            if i == 0:
                continue
            prev = [by_no[n] for n in rungs[i - 1]["trials"]]
            keep = max(1, len(prev) // eta)
            ranked = sorted(range(len(prev)), key=lambda k: (-key(prev[k]), k))[:keep]
            want = [prev[k]["params"] for k in ranked]
            if [t["params"] for t in ts] != want:
                fail.append("bracket %d rung %d: kept %r, the best %d of rung %d are %r" % (b["s"], i, [t["params"] for t in ts], keep, i - 1, want))
        for i, rung in enumerate(rungs):  # r_i = R eta^(i - s), rounded, at least 1
            r = max(1, math.floor(res["max_budget"] * eta ** (i - b["s"]) + 0.5))
            if rung["budget"] != r:
                fail.append("bracket %d rung %d: budget %d, expected %d" % (b["s"], i, rung["budget"], r))
    for f in fail:
        print("FAIL:", f)
    print("%s: %d trials%s" % ("FAIL" if fail else "PASS", len(trials), ", %d brackets" % len(res["brackets"]) if "brackets" in res else ""))
    return 1 if fail else 0


if __name__ == "__main__":
    sys.exit(main())
