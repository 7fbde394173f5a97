#!/bin/bash
# check_readme.sh PYTHON NP README: the Python example of README.md (the code block after the
# line "<!-- python example, run by tests/python/check_readme.sh -->") runs as written at NP
# ranks (NP 0: `python3 example.py` in a single process, no mpirun) and prints the five top
# vertices and a sum of ranks of 1.
set -u
py=$1 np=$2 readme=$3
"$py" -c "import numpy, mpi4py" 2> /dev/null ||
    { echo "SKIPPED: $py cannot import numpy and mpi4py (apt-get install python3-numpy python3-mpi4py)"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
awk '/<!-- python example, run by tests\/python\/check_readme.sh -->/ { on = 1; next }
     on && /^```python/ { code = 1; next }
     code && /^```/ { exit }
     code { print }' "$readme" > "$work/example.py"
lines=$(grep -c . "$work/example.py")
[ "$lines" -ge 5 ] && [ "$lines" -le 12 ] || { echo "FAIL: README example not found or not ~10 lines ($lines)"; cat "$work/example.py"; exit 1; }
cat "$work/example.py"
launch=(mpirun -np "$np")
[ "$np" -eq 0 ] && launch=()
(cd "$work" && timeout 120 "${launch[@]}" "$py" example.py < /dev/null > out 2>&1)
rc=$?
cat "$work/out"
[ $rc -eq 0 ] && [ "$(grep -cE '^ *[0-9]+ +0\.[0-9]+$' "$work/out")" -eq 5 ] &&
    grep -q "sum of ranks: 1.000000" "$work/out" || { echo "FAIL: README example (rc $rc)"; exit 1; }
echo "PASS: the README example runs as written ($([ "$np" -eq 0 ] && echo "one process, no mpirun" || echo "$np ranks"))"
