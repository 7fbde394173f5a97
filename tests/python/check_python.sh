#!/bin/bash
# check_python.sh BIN PYTHON NP PLUGIN: the command line writes PageRank, WCC, a plugin's,
# logistic and linear regression, CG and ALS results at NP ranks, and an HDF5 graph container; compare.py computes them through the Python package
# at NP ranks and checks that they are equal.
set -u
bin=$1 py=$2 np=$3 plugin=$4
here=$(cd "$(dirname "$0")" && pwd)
"$py" -c "import numpy, mpi4py" 2> /dev/null ||
    { echo "SKIPPED: $py cannot import numpy and mpi4py (apt-get install python3-numpy python3-mpi4py)"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
graph="gen:kron:scale=10,edge-factor=8,seed=3"
"$py" "$here/fixtures.py" "$work" || exit 1
run() { mpirun -np "$np" "$@" < /dev/null > "$work/log" 2>&1 || { echo "FAIL: $*"; cat "$work/log"; exit 1; }; }
run "$bin" pagerank --input "$graph" --iterations 15 --quiet --output "$work/pr.txt"
run "$bin" pagerank --input "$graph" --iterations 15 --quiet --output "$work/pr.h5" \
    --checkpoint-every 4 --checkpoint-dir "$work/ck"
run "$bin" wcc --input "$work/directed.el" --quiet --output "$work/wcc.txt"
run "$bin" run "$plugin" --input "$work/directed.el" --quiet --output "$work/plugin.txt"
run "$bin" convert --input "$work/directed.el" --output "$work/directed.h5" --quiet
run "$bin" logreg --train "$work/train.libsvm" --test "$work/train.libsvm" --lambda 1e-3 \
    --output "$work/coef.txt"
run "$bin" linreg --train "$work/train.libsvm" --lambda 1e-2 --output "$work/lin.txt"
run "$bin" cg --matrix "$work/spd.mtx" --output "$work/x.txt"
run "$bin" als --ratings "$work/ratings.txt" --rank 3 --iterations 4 --quiet --stats "$work/als.json"
timeout 300 mpirun -np "$np" "$py" "$here/compare.py" "$work" "$graph" "$plugin" < /dev/null
