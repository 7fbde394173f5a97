#!/bin/bash
# check_refusal.sh BIN NP CODE WHEN "message part" args...: amls-graph ARGS at NP ranks must
# exit with CODE, print exactly one error line containing the message, and stop:
#   WHEN before-load       before reading any input (no "# loaded" or "# train:" line, no superstep)
#   WHEN before-superstep  after loading but before superstep 0
#   WHEN any               anywhere
# NP 0 runs the binary without mpirun (an MPI singleton).
set -u
bin=$1 np=$2 want_rc=$3 when=$4 want=$5
shift 5
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
if [ "$np" -eq 0 ]; then
    "$bin" "$@" > "$d/out" 2> "$d/err" < /dev/null
else
    mpirun -np "$np" "$bin" "$@" > "$d/out" 2> "$d/err" < /dev/null
fi
rc=$?
fail=0
[ $rc -eq "$want_rc" ] || { echo "FAIL: exit code $rc, want $want_rc"; fail=1; }
n=$(grep -c "error:" "$d/err")
[ "$n" -eq 1 ] || { echo "FAIL: $n error lines (want 1)"; fail=1; }
grep "error:" "$d/err" | grep -q -- "$want" || { echo "FAIL: the message lacks '$want'"; fail=1; }
if grep -q "^superstep " "$d/out" && [ "$when" != any ]; then echo "FAIL: supersteps ran"; fail=1; fi
if grep -qE "^# (loaded|train:)" "$d/out" && [ "$when" = before-load ]; then echo "FAIL: the input was loaded first"; fail=1; fi
grep "error:" "$d/err"
[ $fail -eq 0 ] && echo "PASS: exit $rc $when with the expected message"
[ $fail -eq 0 ] || { echo "--- stdout"; head -5 "$d/out"; echo "--- stderr"; head -5 "$d/err"; }
exit $fail
