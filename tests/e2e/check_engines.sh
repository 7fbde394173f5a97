#!/bin/bash
# check_engines.sh BIN NP INPUT ALGO [args]: the linear-algebra path and the vertex engine give
# the same output (integers identical, floats within 1e-12 relative).
set -u
bin=$1 np=$2 input=$3 algo=$4
shift 4
case $input in gen:*) ;; *) if [ ! -e "$input" ]; then echo "SKIPPED: $input not found (set AMLS_DATA_DIR)"; exit 77; fi ;; esac
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
mpirun -np "$np" "$bin" "$algo" --input "$input" --quiet --output "$d/vertex" "$@" > "$d/l1" 2>&1 ||
    { cat "$d/l1"; exit 1; }
mpirun -np "$np" "$bin" "$algo" --engine linalg --input "$input" --quiet --output "$d/linalg" "$@" \
    > "$d/l2" 2>&1 || { cat "$d/l2"; exit 1; }
n=$(wc -l < "$d/vertex")
[ "$n" -gt 0 ] || { echo "FAIL: the vertex engine's output is empty"; exit 1; }
[ "$(wc -l < "$d/linalg")" = "$n" ] || { echo "FAIL: linalg wrote $(wc -l < "$d/linalg") lines, the vertex engine $n"; exit 1; }
awk -v f="$d/linalg" 'BEGIN { bad = 0 }
    { getline line < f; split(line, b, " ");
      if ($1 != b[1]) { print "vertex order differs at " $1; bad = 1; exit }
      if ($2 == b[2]) next;
      x = $2 + 0; y = b[2] + 0; e = x - y; if (e < 0) e = -e; m = x < 0 ? -x : x;
      if (e > 1e-12 * m) { print "vertex " $1 ": " $2 " (vertex engine) vs " b[2] " (linalg)"; bad = 1; exit } }
    END { exit bad }' "$d/vertex" || exit 1
echo "PASS: $algo: vertex engine and linalg agree on $(wc -l < "$d/vertex") vertices at $np ranks"
