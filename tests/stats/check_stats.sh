#!/bin/bash
# check_stats.sh BIN PYTHON PLUGIN: every command writes --stats (schema amls-graph/stats 1) with
# its sections, at 2 ranks, and the figures it prints agree with the file.
set -u
bin=$1 py=$2 plugin=$3
here=$(cd "$(dirname "$0")" && pwd)
"$py" -c "import numpy" 2> /dev/null ||
    { echo "SKIPPED: $py cannot import numpy, which writes the inputs (apt-get install python3-numpy)"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0
version=$("$bin" --version | sed 's/^amls-graph //')
"$py" "$here/../python/fixtures.py" "$work" || exit 1
# NAME KIND [KEY=PRINTED_KEY ...] -- command...: runs the command with --stats, then checks.
t() {
    local name=$1 kind=$2
    shift 2
    local pairs=()
    while [ "$1" != "--" ]; do pairs+=("$1"); shift; done
    shift
    mpirun -np 2 "$bin" "$@" --stats "$work/$name.json" < /dev/null > "$work/$name.out" 2>&1 ||
        { echo "FAIL: $name: $*"; cat "$work/$name.out"; fail=1; return; }
    local printed=()
    for p in "${pairs[@]}"; do
        local v
        v=$(sed -n "s/^${p#*=}: //p" "$work/$name.out" | head -1)
        printed+=("${p%%=*}=$v")
    done
    "$py" "$here/stats_schema.py" "$version" 2 "$work/$name.json" "$kind" "${printed[@]}" || fail=1
}
g=gen:kron:scale=9,edge-factor=8,seed=2
t pagerank vertex run.supersteps=supersteps run.messages=messages -- pagerank --input $g --quiet
t pagerank_la linalg run.iterations=iterations -- pagerank --engine linalg --input $g --quiet
t wcc vertex -- wcc --input "$work/directed.el" --quiet --output "$work/wcc.txt"
t plugin vertex -- run "$plugin" --input "$work/directed.el" --quiet
t info degrees graph.vertices=vertices graph.edges=edges partition.edge_cut=edge_cut -- info --input $g --degrees --quiet
t cg solver solver.iterations=iterations -- cg --matrix "$work/spd.mtx"
t linreg solver solver.iterations=iterations -- linreg --train "$work/train.libsvm"
t logreg logreg solver.iterations=iterations -- logreg --train "$work/train.libsvm" --test "$work/train.libsvm"
t als solver solver.train_rmse=train_rmse -- als --ratings "$work/ratings.txt" --rank 3 --iterations 4 --quiet
t convert convert -- convert --input "$work/directed.el" --output "$work/g.h5" --quiet
t partition partition partition.edge_cut=edge_cut -- partition --input $g --parts 3 --output "$work/g.part" --quiet
t generate generate generate.edges=edges -- generate kron --scale 8 --output "$work/gen.el"
t train train train.updates=updates train.epochs=epochs -- train --train "$work/train.libsvm" --epochs 3 --quiet
t tune common -- tune --model logreg --train "$work/train.libsvm" --param lambda=1e-3,1e-1 --cv 2 --quiet
t validate common -- validate --expected "$work/wcc.txt" --actual "$work/wcc.txt" --algorithm wcc
exit $fail
