#!/bin/bash
# check_errors.sh PYTHON NP NOT_A_PLUGIN: errors.py at NP ranks must end (no hang, 120 s at most)
# with every rank printing PASS.
set -u
py=$1 np=$2 plugin=$3
here=$(cd "$(dirname "$0")" && pwd)
"$py" -c "import numpy, mpi4py" 2> /dev/null ||
    { echo "SKIPPED: $py cannot import numpy and mpi4py (apt-get install python3-numpy python3-mpi4py)"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# 2000 good lines, then a bad one: only the last rank reads it.
"$py" -c "
import sys
with open(sys.argv[1], 'w') as f:
    f.writelines('%d %d\n' % (i, i + 1) for i in range(2000))
    f.write('5 zz\n')" "$work/bad.el"
timeout 120 mpirun -np "$np" "$py" "$here/errors.py" "$work" "$plugin" < /dev/null > "$work/out" 2>&1
rc=$?
cat "$work/out"
[ $rc -eq 124 ] && { echo "FAIL: hang (killed after 120 s)"; exit 1; }
pass=$(grep -o "PASS" "$work/out" | wc -l)
[ "$pass" -eq "$np" ] || { echo "FAIL: $pass of $np ranks passed (rc $rc)"; exit 1; }
exit $rc
