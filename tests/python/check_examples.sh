#!/bin/bash
# check_examples.sh PYTHON NP SOURCE_DIR: the examples in examples/ run at NP ranks as their
# headers say, print their results and write pictures that check_png.py accepts.
set -u
py=$1 np=$2 src=$3
here=$(cd "$(dirname "$0")" && pwd)
"$py" -c "import numpy, mpi4py, matplotlib" 2> /dev/null ||
    { echo "SKIPPED: $py cannot import numpy, mpi4py and matplotlib (apt-get install python3-numpy python3-mpi4py python3-matplotlib)"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0
ex() { # SCRIPT EXPECTED_OUTPUT PNG... 
    local script=$1 want=$2
    shift 2
    timeout 300 mpirun -np "$np" "$py" "$src/examples/$script" --out "$work" < /dev/null > "$work/log" 2>&1
    local rc=$?
    cat "$work/log"
    [ $rc -eq 0 ] && grep -q "$want" "$work/log" || { echo "FAIL: $script (rc $rc)"; fail=1; return; }
    local args=()
    for png in "$@"; do args+=("$work/$png" 1); done
    "$py" "$here/check_png.py" "${args[@]}" || fail=1
}
ex pagerank_top10.py "^  10  " pagerank_top10.png pagerank_supersteps.png
ex logreg_convergence.py "converged True" logreg_convergence.png
exit $fail
