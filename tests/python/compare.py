# SPDX-License-Identifier: MIT
"""compare.py WORK GRAPH PLUGIN (under mpirun): PageRank, WCC, logistic and linear regression, CG and
ALS through the Python package equal the command line's outputs in WORK (written by check_python.sh at the same rank
count). Every rank prints the verdict; the exit code is non-zero on every rank if any check
failed."""
import json
import sys

import numpy as np
from mpi4py import MPI

import amls_graph as ag

comm = MPI.COMM_WORLD
rank = comm.Get_rank()
work, graph, plugin = sys.argv[1], sys.argv[2], sys.argv[3]
fails = []


def check(cond, what):
    if rank == 0 and not cond:
        fails.append(what)


def read_libsvm(path):
    rows, y = [], []
    for line in open(path):
        t = line.split()
        y.append(float(t[0]))
        rows.append({int(k) - 1: float(v) for k, v in (x.split(":") for x in t[1:])})
    d = max(max(r) for r in rows if r) + 1
    X = np.zeros((len(rows), d))
    for i, r in enumerate(rows):
        for j, v in r.items():
            X[i, j] = v
    return X, np.array(y)


# PageRank on a generated graph (rank 0 gets every vertex in original-id order).
ids, pr = ag.run("pagerank", input=graph, iterations=15)
if rank == 0:
    cids, cpr = ag.read_results(work + "/pr.txt")
    check(np.array_equal(ids, cids), "pagerank: ids differ from the CLI's")
    check(pr.dtype == np.float64 and np.allclose(pr, cpr, rtol=1e-12, atol=0),
          "pagerank: values differ from the CLI's (max rel %.3g)"
          % np.max(np.abs(pr - cpr) / np.abs(cpr)))
else:
    check(ids is None and pr is None, "pagerank: a rank other than 0 got values")

# A statistics file from Python: the load's sections and the run's.
ag.run("pagerank", input=graph, iterations=15, stats=work + "/py.stats.json")
if rank == 0:
    doc = json.load(open(work + "/py.stats.json"))
    check(doc["schema"] == "amls-graph/stats" and doc["ranks"] == comm.Get_size() and
          doc["graph"]["vertices"] == len(ids) and doc["run"]["supersteps"] == 16 and
          len(doc["run"]["per_superstep"]) == 16 and "load_seconds" in doc["time"],
          "stats from Python: %s" % sorted(doc))

# The same result read back from HDF5, and the metadata of the run's newest checkpoint.
if rank == 0:
    hids, hpr = ag.read_results(work + "/pr.h5")
    check(np.array_equal(hids, ids) and np.array_equal(hpr, pr),
          "read_results(pr.h5) differs from the values returned by run")
    ck = ag.checkpoint_info(work + "/ck")
    a = ag.describe_h5(work + "/pr.h5")["attributes"]
    check(ck["path"].endswith("ckpt-000000000012.h5") and ck["superstep"] == 12 and
          ck["program"] == "pagerank" and "iterations=15" in ck["parameters"],
          "checkpoint_info: %s" % ck)
    check(a["algorithm"] == "pagerank" and a["ranks"] == comm.Get_size() and
          a["vertices"] == len(ids), "describe_h5(pr.h5): %s" % a)

# WCC on a directed file with sparse ids: vertex engine, linear algebra, and the local parts.
cids, cw = ag.read_results(work + "/wcc.txt") if rank == 0 else (None, None)
for engine in ("vertex", "linalg"):
    ids, w = ag.run("wcc", input=work + "/directed.el", engine=engine)
    if rank == 0:
        check(np.array_equal(ids, cids) and np.array_equal(w, cw),
              "wcc (%s engine): differs from the CLI's" % engine)
ids, w = ag.run("wcc", input=work + "/directed.h5")
if rank == 0:
    check(np.array_equal(ids, cids) and np.array_equal(w, cw),
          "wcc on the HDF5 container: differs from the CLI's on the edge list")
# A plugin (in-degrees, int64 values).
ids, d = ag.run(plugin, input=work + "/directed.el")
if rank == 0:
    pids, pd = ag.read_results(work + "/plugin.txt")
    check(d.dtype == np.int64 and np.array_equal(ids, pids) and np.array_equal(d, pd),
          "plugin %s: differs from the CLI's" % plugin)
lids, lw = ag.run("wcc", input=work + "/directed.el", local=True)
parts = comm.gather((lids, lw), root=0)
if rank == 0:
    allids = np.concatenate([p[0] for p in parts])
    allw = np.concatenate([p[1] for p in parts])
    order = np.argsort(allids)
    check(np.array_equal(allids[order], cids) and np.array_equal(allw[order], cw),
          "wcc local=True: the ranks' parts do not make up the CLI's result")

# Logistic regression from the file (same rows per rank as the CLI: identical) and from arrays
# on rank 0 (rows spread differently: equal to rounding).
coef, info = ag.logreg(train=work + "/train.libsvm", test=work + "/train.libsvm", lam=1e-3)
ccoef = np.loadtxt(work + "/coef.txt")
check(np.array_equal(coef, ccoef), "logreg (file): coefficients differ from the CLI's")
check(info["converged"] and len(info["history"]) == info["iterations"] + 1,
      "logreg: info lacks convergence or its history (%s)" % info)
X, y = read_libsvm(work + "/train.libsvm") if rank == 0 else (None, None)
coef2, info2 = ag.logreg(X, y, lam=1e-3)
check(np.allclose(coef2, ccoef, rtol=1e-7, atol=1e-9),
      "logreg (arrays): coefficients differ from the CLI's: %s vs %s" % (coef2, ccoef))
check(abs(info2["train_accuracy"] - info["train_accuracy"]) < 1e-12,
      "logreg: train accuracy differs between file and arrays")

# Linear regression from the file: the same coefficients as the CLI's; from arrays, to rounding.
lcoef, linfo = ag.linreg(train=work + "/train.libsvm", lam=1e-2)
lcli = np.loadtxt(work + "/lin.txt")
check(np.array_equal(lcoef, lcli), "linreg (file): coefficients differ from the CLI's")
lcoef2, _ = ag.linreg(X, y, lam=1e-2)
check(np.allclose(lcoef2, lcli, rtol=1e-9, atol=1e-12),
      "linreg (arrays): coefficients differ from the CLI's: %s vs %s" % (lcoef2, lcli))


def read_mtx(path):
    rows = np.loadtxt(path, comments="%", skiprows=2)
    n = int(open(path).readlines()[1].split()[0])
    A = np.zeros((n, n))
    i, j = rows[:, 0].astype(int) - 1, rows[:, 1].astype(int) - 1
    A[i, j] = A[j, i] = rows[:, 2]
    return A


# CG from the Matrix Market file (the CLI's partition: equal to the printed digits) and from a
# dense and a scipy sparse matrix on rank 0 (another partition: equal to rounding); A x = 1.
x, cinfo = ag.cg(work + "/spd.mtx")
_, xcli = ag.read_results(work + "/x.txt") if rank == 0 else (None, None)
A = read_mtx(work + "/spd.mtx") if rank == 0 else None
check(cinfo["converged"] and len(cinfo["history"]) == cinfo["iterations"] + 1,
      "cg: info lacks convergence or its history (%s)" % cinfo)
if rank == 0:
    check(np.allclose(x, xcli, rtol=1e-13, atol=0), "cg (file): x differs from the CLI's")
    res = np.linalg.norm(A @ x - 1) / np.sqrt(len(x))
    check(res < 1e-7, "cg (file): relative residual of A x = 1 is %.3g" % res)
try:
    import scipy.sparse as sp
except ImportError:
    sp = None
for kind in ("dense", "scipy") if sp else ("dense",):
    M = (A if kind == "dense" else sp.csr_matrix(A)) if rank == 0 else None
    x2, _ = ag.cg(M)
    if rank == 0:
        check(np.allclose(x2, xcli, rtol=1e-9, atol=1e-12),
              "cg (%s matrix): x differs from the CLI's" % kind)

# ALS from the ratings file: the same errors per iteration as the CLI's.
ainfo = ag.als(work + "/ratings.txt", rank=3, iterations=4)
acli = json.load(open(work + "/als.json"))["solver"]
for key in ("train_rmse", "test_rmse", "iterations", "train_ratings", "test_ratings"):
    check(np.isclose(ainfo[key], acli[key], rtol=1e-12, atol=0),
          "als: %s %r differs from the CLI's %r" % (key, ainfo[key], acli[key]))
check([h["train_rmse"] for h in ainfo["history"]] == [h["train_rmse"] for h in acli["history"]],
      "als: the history differs from the CLI's")

fails = comm.bcast(fails, root=0)
for f in fails:
    print("rank %d: FAIL: %s" % (rank, f))
if not fails:
    print("rank %d: PASS: pagerank, wcc (vertex, linalg, local, HDF5), a plugin, logreg, "
          "linreg, cg and als equal the CLI's at %d ranks" % (rank, comm.Get_size()))
sys.exit(1 if fails else 0)
