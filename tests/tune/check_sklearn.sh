#!/bin/bash
# check_sklearn.sh BIN DATA_DIR: `amls-graph tune` grid search of lambda for logreg on a9a with
# 5-fold CV (2 ranks in 2 groups) against an independent scikit-learn GridSearchCV on the same
# folds (written by --folds-output): same best lambda, mean accuracies within 1e-4.
# Skipped (exit 77, with the reason) when a9a or a Python with scikit-learn is missing.
set -u
bin=$1 data=$2
here=$(cd "$(dirname "$0")" && pwd)
a9a=$data/real/ml/a9a.gz
[ -e "$a9a" ] || { echo "SKIPPED: $a9a not found (set AMLS_DATA_DIR)"; exit 77; }
. "$here/../tools/sklearn_python.sh"
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
mpirun -np 2 "$bin" tune --model logreg --train "$a9a" --param lambda=log:1e-6:1e-2:5 --param tol=1e-7 \
    --max-iterations 1000 --cv 5 --seed 1 --groups 2 --folds-output "$d/folds" --csv "$d/r.csv" \
    --quiet > "$d/out" 2>&1 < /dev/null || { cat "$d/out"; exit 1; }
grep -E "^(best|best_score):" "$d/out"
"$py" "$here/check_sklearn.py" "$a9a" "$d/folds" "$d/r.csv"
