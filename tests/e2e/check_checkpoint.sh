#!/bin/bash
# check_checkpoint.sh BIN GRAPH ALGO [args]: an uninterrupted run at 2 ranks; a run with
# --checkpoint-every 3 in which rank 1 is killed at superstep 10 (the job must fail); restarts
# with --restart at 2 ranks (byte-identical output) and at 3 ranks (identical integers,
# floats within 1e-12 relative).
set -u
bin=$1 g=$2 algo=$3
shift 3
case $g in gen:*) ;; *) [ -e "$g" ] || { echo "SKIPPED: $g not found (set AMLS_DATA_DIR)"; exit 77; } ;; esac
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
run() { mpirun "$@" > "$d/log" 2>&1; }
run -np 2 "$bin" "$algo" --input "$g" --quiet --output "$d/full" "$@" || { cat "$d/log"; exit 1; }
if run -np 2 "$bin" "$algo" --input "$g" --quiet --output "$d/killed" --checkpoint-every 3 \
        --checkpoint-dir "$d/ck" --fail-at-superstep 10 --fail-rank 1 "$@"; then
    echo "FAIL: the run with an injected failure succeeded"; exit 1
fi
grep -q "injected failure: rank 1 killed at superstep 10" "$d/log" || { echo "FAIL: no injected failure"; cat "$d/log"; exit 1; }
[ -e "$d/killed" ] && { echo "FAIL: the failed run left an output"; exit 1; }
ls "$d/ck"
run -np 2 "$bin" "$algo" --input "$g" --quiet --output "$d/r2" --restart "$d/ck" "$@" || { cat "$d/log"; exit 1; }
grep resuming "$d/log"
cmp "$d/full" "$d/r2" || { echo "FAIL: restart at 2 ranks differs from the uninterrupted run"; exit 1; }
run -np 3 "$bin" "$algo" --input "$g" --quiet --output "$d/r3" --restart "$d/ck" "$@" || { cat "$d/log"; exit 1; }
[ -s "$d/full" ] && [ "$(wc -l < "$d/r3")" = "$(wc -l < "$d/full")" ] ||
    { echo "FAIL: empty output or the restart at 3 ranks has another number of lines"; exit 1; }
awk -v f="$d/r3" '{ getline line < f; split(line, b, " "); if ($1 != b[1]) exit 1;
    if ($2 == b[2]) next; x = $2 + 0; y = b[2] + 0; e = x - y; if (e < 0) e = -e;
    m = x < 0 ? -x : x; if (e > 1e-12 * m) { print "differs at " $1; exit 1 } }' "$d/full" ||
    { echo "FAIL: restart at 3 ranks differs"; exit 1; }
echo "PASS: $algo resumed after a killed rank: identical at 2 ranks, equal at 3 ranks"
