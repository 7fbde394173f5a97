# SPDX-License-Identifier: MIT
"""Logistic regression with a convergence plot: L-BFGS on numpy data (or a LIBSVM file), the
loss and the largest gradient entry per iteration, train and test accuracy.

    python3 examples/logreg_convergence.py [--train FILE --test FILE] [--out DIR]
    mpirun -np 2 python3 examples/logreg_convergence.py

Without --train, rank 0 draws 2000 rows of a known logistic model (numpy) and the rows are spread
over the ranks. Writes DIR/logreg_convergence.png and DIR/logreg.stats.json."""
import argparse
import os

import amls_graph as ag
import numpy as np
from amls_graph import plot
from mpi4py import MPI

ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
ap.add_argument("--train")
ap.add_argument("--test")
ap.add_argument("--lam", type=float, default=1e-3)
ap.add_argument("--out", default=".")
a = ap.parse_args()
stats = os.path.join(a.out, "logreg.stats.json")
rank = MPI.COMM_WORLD.Get_rank()

if a.train:
    coef, info = ag.logreg(train=a.train, test=a.test, lam=a.lam, stats=stats)
else:
    X = y = Xt = yt = None
    if rank == 0:  # only rank 0's arrays are used; they are split over the ranks
        rng = np.random.default_rng(7)
        w = rng.normal(size=20)
        X, Xt = rng.normal(size=(2000, 20)), rng.normal(size=(500, 20))
        y = np.where(rng.random(2000) < 1 / (1 + np.exp(-X @ w)), 1.0, -1.0)
        yt = np.where(rng.random(500) < 1 / (1 + np.exp(-Xt @ w)), 1.0, -1.0)
    coef, info = ag.logreg(X, y, X_test=Xt, y_test=yt, lam=a.lam, stats=stats)

if rank == 0:
    print("iterations %d, converged %s, loss %.6f, train accuracy %.4f, test accuracy %s"
          % (info["iterations"], info["converged"], info["objective"], info["train_accuracy"],
             "%.4f" % info["test_accuracy"] if "test_accuracy" in info else "-"))
    for row in info["history"][:5]:
        print("  iteration %(iteration)d: loss %(loss).6f, gradient %(gradient_max).3g" % row)
    plot.save(stats, os.path.join(a.out, "logreg_convergence.png"), kinds=["convergence"])
    print("wrote %s/logreg_convergence.png" % a.out)
