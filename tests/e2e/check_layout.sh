#!/bin/bash
# check_layout.sh BIN INPUT ALGO [args]: the output does not depend on the rank count or the
# partitioner: byte-identical for integer results, within 1e-12 relative for floats (LAYOUT_TOL
# in the environment overrides the tolerance).
set -u
bin=$1 input=$2 algo=$3
shift 3
extra=("$@")
case $input in gen:*) ;; *) if [ ! -e "$input" ]; then echo "SKIPPED: $input not found (set AMLS_DATA_DIR)"; exit 77; fi ;; esac
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
i=0
for cfg in "1 metis" "2 hash" "3 range" "4 metis"; do
    np=${cfg% *} part=${cfg#* }
    mpirun -np "$np" "$bin" "$algo" --input "$input" --partition "$part" --quiet \
        --output "$d/out$i" "${extra[@]}" > "$d/log$i" 2>&1 || { echo "FAIL: run $cfg"; cat "$d/log$i"; exit 1; }
    i=$((i + 1))
done
n0=$(wc -l < "$d/out0")
[ "$n0" -gt 0 ] || { echo "FAIL: the 1-rank output is empty"; exit 1; }
for k in 1 2 3; do
    [ "$(wc -l < "$d/out$k")" = "$n0" ] || { echo "FAIL: output $k has $(wc -l < "$d/out$k") lines, the 1-rank one $n0"; exit 1; }
    if ! awk -v f="$d/out$k" -v tol="${LAYOUT_TOL:-1e-12}" 'BEGIN { bad = 0 }
        { getline line < f; split(line, b, " ");
          if ($1 != b[1]) { bad = 1; exit }
          if ($2 == b[2]) next;
          x = $2 + 0; y = b[2] + 0; e = x - y; if (e < 0) e = -e; m = x < 0 ? -x : x;
          if (e > tol * m) { print "differs at " $1 ": " $2 " vs " b[2]; bad = 1; exit } }
        END { exit bad }' "$d/out0"; then
        echo "FAIL: output $k differs from the 1-rank output"; exit 1
    fi
done
echo "PASS: identical outputs at 1, 2, 3, 4 ranks (metis, hash, range)"
