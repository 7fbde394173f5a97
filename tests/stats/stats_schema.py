# SPDX-License-Identifier: MIT
"""stats_schema.py VERSION RANKS FILE KIND [KEY=VALUE ...]: checks a --stats file against schema
amls-graph/stats version 1: the common keys of every command, the sections of its KIND (vertex,
linalg, solver, logreg, info, degrees, convert, generate, partition, train, common) and their
consistency; KEY=VALUE pairs are figures the command printed that the file must repeat
(section.key=value). Prints PASS or the failures."""
import json
import sys


def get(doc, path):
    for k in path.split("."):
        if not isinstance(doc, dict) or k not in doc:
            raise KeyError(path)
        doc = doc[k]
    return doc


def check(version, ranks, path, kind, printed):
    doc = json.load(open(path))
    bad = []

    def need(p, test=lambda v: True, what="present"):
        try:
            v = get(doc, p)
        except KeyError:
            bad.append("%s missing" % p)
            return None
        if not test(v):
            bad.append("%s = %r: expected %s" % (p, v, what))
        return v

    need("schema", lambda v: v == "amls-graph/stats", "amls-graph/stats")
    need("schema_version", lambda v: v == 1, "1")
    need("version", lambda v: v == version, version)
    need("ranks", lambda v: v == ranks, str(ranks))
    for p in ("command", "command_line", "options", "time.total_seconds",
              "memory.peak_rss_bytes_max"):
        need(p)
    need("memory.peak_rss_bytes", lambda v: len(v) == ranks and min(v) > 0,
         "one positive figure per rank")
    if kind in ("vertex", "linalg", "info", "degrees", "convert", "partition"):
        for p in ("graph.vertices", "graph.edges", "partition.edge_cut", "partition.imbalance",
                  "time.load_seconds", "time.read_seconds", "time.build_seconds",
                  "time.partition_seconds"):
            need(p)
    if kind == "vertex":
        rows = need("run.per_superstep", lambda v: len(v) > 0, "rows") or []
        need("run.engine", lambda v: v == "vertex", "vertex")
        need("run.parameters", lambda v: isinstance(v, dict), "the program's parameters")
        need("run.supersteps", lambda v: v == len(rows) + (get(doc, "run.first_superstep")),
             "first_superstep + rows")
        need("run.messages", lambda v: v == sum(r["messages"] for r in rows),
             "the sum of the rows")
        need("time.run_seconds")
        for r in rows:
            if len(r.get("compute_seconds", [])) != ranks or len(r.get("comm_seconds", [])) != ranks:
                bad.append("superstep %s: compute/comm seconds not one per rank" % r.get("superstep"))
                break
    if kind == "linalg":
        need("run.engine", lambda v: v == "linalg", "linalg")
        need("run.iterations", lambda v: v > 0, "> 0")
    if kind in ("solver", "logreg"):
        hist = need("solver.history", lambda v: len(v) > 0, "one row per iteration") or []
        it = need("solver.iterations")
        if hist and it is not None and len(hist) != it + 1:
            bad.append("solver.history has %d rows for %d iterations" % (len(hist), it))
        need("solver.converged")
        if kind == "logreg" and hist and "loss" not in hist[0]:
            bad.append("logreg history lacks the loss")
    if kind == "degrees":
        n = need("graph.vertices")
        d = need("degrees") or {}
        for k, v in d.items():
            if k.endswith("_vertices") and sum(v) != n:
                bad.append("degrees.%s sums to %d, not the %s vertices" % (k, sum(v), n))
        if not any(k.endswith("_vertices") for k in d):
            bad.append("degrees has no distribution")
    if kind == "convert":
        need("time.write_seconds")
    if kind == "train":
        pts = need("train.points", lambda v: len(v) > 0, "one row per evaluation point") or []
        need("train.epochs", lambda v: v == len(pts), "the number of points")
        need("train.configuration")
        need("time.run_seconds")
    if kind == "generate":
        need("generate.edges", lambda v: v > 0, "> 0")
    for kv in printed:
        k, v = kv.split("=", 1)
        # A printed float has fewer digits: equal to within half its last digit.
        tol = 0.5 * 10.0 ** -len(v.split(".")[1]) if "." in v and "e" not in v else 0.0
        need(k, lambda x: str(x) == v or (isinstance(x, float) and abs(x - float(v)) <= tol),
             "%s (printed by the command)" % v)
    return bad


if __name__ == "__main__":
    version, ranks, path, kind = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    bad = check(version, ranks, path, kind, sys.argv[5:])
    print("%s (%s): %s" % (path.rsplit("/", 1)[-1], kind,
                           "PASS" if not bad else "FAIL: " + "; ".join(bad)))
    sys.exit(1 if bad else 0)
