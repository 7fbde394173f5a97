#!/bin/bash
# check_cg.sh BIN MATRIX: cg with Jacobi at 1, 2 and 4 ranks reaches relative residual 1e-8,
# checked independently (check_cg.py), with solutions that agree across rank counts.
set -u
bin=$1 mat=$2
here=$(cd "$(dirname "$0")" && pwd)
if [ ! -e "$mat" ]; then echo "SKIPPED: $mat not found (set AMLS_DATA_DIR)"; exit 77; fi
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
for np in 1 2 4; do
    mpirun -np $np "$bin" cg --matrix "$mat" --precond jacobi --tol 1e-8 --output "$d/x$np" --quiet \
        > "$d/log$np" 2>&1 || { cat "$d/log$np"; exit 1; }
    grep -E "iterations|residual|converged" "$d/log$np" | tr '\n' ' '; echo "(np=$np)"
    grep -q "converged: yes" "$d/log$np" || { echo "FAIL: not converged"; exit 1; }
done
python3 "$here/check_cg.py" "$mat" 1e-8 "$d/x1" "$d/x2" "$d/x4"
