#!/bin/bash
# check_svm.sh BIN H5MODEL: the linear SVM (hinge loss) trained by mini-batch SGD, on the
# parameter server (`train --model svm`, BSP, 2 workers) and by the model-selection trainer
# (`tune --model svm`, the refitted model, synchronous SGD over 3 ranks), against an independent
# solver: scikit-learn's SVC (libsvm) minimising the same objective exactly (check_svm.py).
# Skipped (exit 77, with the reason) when no Python with scikit-learn is found.
set -u
bin=$1 h5model=$2
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../tools/sklearn_python.sh"
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
"$py" "$here/check_svm.py" data 600 1 > "$d/svm.txt"
lambda=0.01
mpirun -np 3 "$bin" train --model svm --train "$d/svm.txt" --lambda $lambda --lr 0.1 \
    --lr-schedule decay:0.95 --batch-size 8 --epochs 100 --quiet -o "$d/ps.txt" > "$d/log" 2>&1 < /dev/null ||
    { cat "$d/log"; echo "FAIL: train"; exit 1; }
obj=$(sed -n 's/^objective: //p' "$d/log")
mpirun -np 3 "$bin" tune --model svm --train "$d/svm.txt" --param lambda=$lambda --param lr=0.1 \
    --param batch=8 --param decay=0.95 --max-epochs 100 --cv 2 --quiet -o "$d/tune.h5" > "$d/log" 2>&1 < /dev/null ||
    { cat "$d/log"; echo "FAIL: tune"; exit 1; }
"$h5model" "$d/tune.h5" /coef "$d/tune.txt" model=svm > /dev/null || { echo "FAIL: tune's model"; exit 1; }
"$py" "$here/check_svm.py" compare "$d/svm.txt" $lambda "train=$d/ps.txt:$obj" "tune=$d/tune.txt"
