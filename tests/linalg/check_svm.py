#!/usr/bin/env python3
"""check_svm.py: the linear SVM trained by SGD against an independent solver.

  check_svm.py data N SEED > FILE
      N rows of dense LIBSVM data (6 features, every one stored in every row, so that the lazy
      L2 penalty on the coordinates a batch touches is the plain L2 penalty), labels +1/-1 from
      a noisy linear rule: not separable.
  check_svm.py compare FILE LAMBDA NAME=MODEL[:OBJECTIVE] ...
      MODEL holds the intercept then one weight per feature, one per line. The objective
      mean_i max(0, 1 - y_i (w.x_i + b)) + lambda/2 |w|^2 (intercept not penalised) is
      minimised exactly by scikit-learn's SVC (libsvm's dual QP, kernel linear,
      C = 1 / (lambda n), which leaves the intercept unpenalised too). Each model's objective,
      recomputed here, must lie within 0.5% of that optimum and never below it (1e-9), its
      weights within 10% of the optimum's (relative 2-norm), its training predictions agree on
      98% of the rows, and OBJECTIVE (as the command printed it, when given) equal the
      recomputed one to 1e-6.
"""
import random
import sys


def data(n, seed):
    r = random.Random(seed)
    w = [r.gauss(0, 1) for _ in range(6)]
    for _ in range(n):
        x = [round(r.gauss(0, 1), 4) or 0.0001 for _ in range(6)]
        z = 0.4 + sum(a * b for a, b in zip(w, x)) + r.gauss(0, 0.7)
        print(("+1" if z > 0 else "-1") + "".join(" %d:%g" % (j + 1, v) for j, v in enumerate(x)))


def compare(path, lam, models):
    import numpy as np
    from sklearn.datasets import load_svmlight_file
    from sklearn.svm import SVC

    X, y = load_svmlight_file(path)
    X = X.toarray()
    n = len(y)

    def objective(b, w):
        return float(np.mean(np.maximum(0, 1 - y * (X @ w + b))) + lam / 2 * (w @ w))

    svc = SVC(kernel="linear", C=1 / (lam * n), tol=1e-10).fit(X, y)
    wo, bo = svc.coef_[0], svc.intercept_[0]
    best = objective(bo, wo)
    pred = np.sign(X @ wo + bo)
    print("SVC (libsvm): objective %.10g, intercept %.6g, %d support vectors"
          % (best, bo, len(svc.support_)))
    ok = True
    for spec in models:
        name, rest = spec.split("=", 1)
        file, _, said = rest.partition(":")
        c = np.loadtxt(file)
        b, w = c[0], c[1:]
        if len(w) != X.shape[1]:
            print("FAIL: %s: %d weights for %d features" % (name, len(w), X.shape[1]))
            ok = False
            continue
        obj = objective(b, w)
        dist = float(np.linalg.norm(np.append(w, b) - np.append(wo, bo)) / np.linalg.norm(np.append(wo, bo)))
        agree = float(np.mean(np.sign(X @ w + b) == pred))
        good = best * (1 - 1e-9) <= obj <= best * 1.005 and dist <= 0.10 and agree >= 0.98
        if said:
            good &= abs(float(said) - obj) <= 1e-6 * max(1.0, abs(obj))
        print("%s: %s: objective %.10g (%+.4f%% of the optimum%s), weights %.2f%% away, "
              "predictions agree on %.2f%%"
              % ("PASS" if good else "FAIL", name, obj, 100 * (obj / best - 1),
                 ", printed %s" % said if said else "", 100 * dist, 100 * agree))
        ok &= good
    return ok


if __name__ == "__main__":
    if sys.argv[1] == "data":
        data(int(sys.argv[2]), int(sys.argv[3]))
    else:
        sys.exit(0 if compare(sys.argv[2], float(sys.argv[3]), sys.argv[4:]) else 1)
