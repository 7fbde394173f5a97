#!/bin/bash
# check_progress.sh BIN NP: load progress lines on rank 0 (issue 12, item 9). On an edge list
# written by `generate`:
#   1. with AMLS_PROGRESS=0 (lines from the start) the load prints a line with a percentage and
#      the time left while reading, and one "done in" line per phase, once (rank 0 only);
#   2. with --quiet, or with the default delay on a load this short, it prints none.
set -u
bin=$1 np=$2
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
fail() {
    echo "FAIL: $*"
    exit 1
}
mpirun -np "$np" "$bin" generate kron --scale 16 --edge-factor 16 --seed 1 --output "$d/k.el" \
    < /dev/null > /dev/null 2>&1 || fail "generate"
AMLS_PROGRESS=0 mpirun -np "$np" "$bin" info --input "$d/k.el" < /dev/null > "$d/on.log" 2>&1 ||
    { cat "$d/on.log"; fail "info"; }
grep -Eq '^# loading: reading [0-9]+%, about [0-9.]+ s left \([0-9.]+ s since the start\)$' \
    "$d/on.log" || { cat "$d/on.log"; fail "no line with the time left while reading"; }
for phase in reading "numbering vertices" partitioning "building rows"; do
    n=$(grep -c "^# loading: $phase done in [0-9.]* s" "$d/on.log")
    [ "$n" = 1 ] || { cat "$d/on.log"; fail "'$phase done' printed $n times, not once"; }
done
echo "ok: progress lines with the time left, each phase's end once"
AMLS_PROGRESS=0 mpirun -np "$np" "$bin" info --input "$d/k.el" --quiet < /dev/null \
    > "$d/quiet.log" 2>&1 || fail "info --quiet"
grep -q "^# loading" "$d/quiet.log" && fail "--quiet printed progress lines"
mpirun -np "$np" "$bin" info --input "$d/k.el" < /dev/null > "$d/short.log" 2>&1 || fail "info"
grep -q "^# loading" "$d/short.log" && fail "a short load printed progress lines"
echo "PASS: progress lines at $np ranks"
