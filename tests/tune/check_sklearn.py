#!/usr/bin/env python3
"""check_sklearn.py DATA.libsvm[.gz] FOLDS RESULTS.csv: an independent scikit-learn GridSearchCV
over the same lambdas and the same folds (FOLDS: the fold of each row, one per line, as written
by `amls-graph tune --folds-output`) must pick the same best lambda as amls-graph tune
(RESULTS.csv, --csv) and agree on every mean accuracy to 1e-4.

amls-graph minimises (1/n) sum log(1 + exp(-y (b + w.x))) + (lambda/2) ||w||^2 with an
unpenalised intercept; scikit-learn's LogisticRegression (lbfgs) minimises
C sum log(...) + (1/2) ||w||^2, also with an unpenalised intercept, so the same model is
C = 1 / (lambda n) for n training rows. n differs between folds, so the estimator below takes
lambda and sets C when it is fitted. Exit 0: PASS, 1: FAIL."""
import csv
import gzip
import sys

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import load_svmlight_file
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, PredefinedSplit


class PerRowL2Logistic(BaseEstimator, ClassifierMixin):
    def __init__(self, lam=1e-4):
        self.lam = lam

    def fit(self, X, y):
        C = 1.0 / (self.lam * X.shape[0])
        self.model_ = LogisticRegression(C=C, tol=1e-10, max_iter=100000)
        self.model_.fit(X, y)
        self.classes_ = self.model_.classes_
        return self

    def predict(self, X):
        return self.model_.predict(X)


def main():
    data, folds_path, results = sys.argv[1:4]
    opener = gzip.open if data.endswith(".gz") else open
    with opener(data, "rb") as f:
        X, y = load_svmlight_file(f)
    folds = np.loadtxt(folds_path, dtype=int)
    if len(folds) != X.shape[0]:
        print("FAIL: %d folds for %d rows" % (len(folds), X.shape[0]))
        return 1
    with open(results) as f:
        rows = list(csv.DictReader(f))
    lams = [float(r["lambda"]) for r in rows]
    ours = [float(r["mean"]) for r in rows]
    gs = GridSearchCV(PerRowL2Logistic(), {"lam": lams}, cv=PredefinedSplit(folds),
                      scoring="accuracy", refit=False)
    gs.fit(X, y)
    theirs = gs.cv_results_["mean_test_score"]
    ok = True
    for lam, a, b in zip(lams, ours, theirs):
        flag = "" if abs(a - b) <= 1e-4 else "   <-- differs by more than 1e-4"
        ok &= not flag
        print("lambda=%-8g amls-graph %.6f  scikit-learn %.6f  diff %.1e%s" % (lam, a, b, abs(a - b), flag))
    best_ours = lams[int(np.argmax(ours))]
    best_theirs = gs.best_params_["lam"]
    print("best lambda: amls-graph %g, scikit-learn GridSearchCV %g" % (best_ours, best_theirs))
    if best_ours != best_theirs:
        ok = False
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
