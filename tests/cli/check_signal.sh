#!/bin/bash
# check_signal.sh BIN: SIGUSR1 to mpirun (as Slurm's --signal=B:USR1 and the batch script's
# trap deliver it) makes a run with --checkpoint-dir write a checkpoint at the end of the
# superstep and exit with code 7, leaving no output; --restart then finishes with the output
# of an uninterrupted run, byte for byte.
set -u
bin=$1
g=gen:kron:scale=12,edge-factor=8,seed=4
args=(pagerank --input "$g" --iterations 1500 --partition hash)
d=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$d"' EXIT
mpirun -np 2 "$bin" "${args[@]}" --quiet --output "$d/full" > "$d/full.log" 2>&1 < /dev/null ||
    { echo "FAIL: the uninterrupted run"; cat "$d/full.log"; exit 1; }
mpirun -np 2 "$bin" "${args[@]}" --checkpoint-dir "$d/ck" --output "$d/stopped" > "$d/log" 2>&1 < /dev/null &
pid=$!
for _ in $(seq 600); do grep -q "^superstep 20:" "$d/log" && break; sleep 0.05; done
grep -q "^superstep 20:" "$d/log" || { echo "FAIL: the run did not reach superstep 20"; cat "$d/log"; exit 1; }
kill -USR1 "$pid"
wait "$pid"
rc=$?
pid=
fail=0
[ $rc -eq 7 ] || { echo "FAIL: exit code $rc after SIGUSR1 (want 7)"; tail -5 "$d/log"; fail=1; }
grep "^stopped:" "$d/log" || { echo "FAIL: no 'stopped:' line"; fail=1; }
ls "$d/ck"/ckpt-*.h5 > /dev/null 2>&1 || { echo "FAIL: no checkpoint written"; fail=1; }
[ -e "$d/stopped" ] && { echo "FAIL: a stopped run wrote its output"; fail=1; }
last=$(grep "^superstep " "$d/log" | tail -1 | cut -d: -f1)
mpirun -np 2 "$bin" "${args[@]}" --quiet --restart "$d/ck" --output "$d/restarted" > "$d/r.log" 2>&1 < /dev/null ||
    { echo "FAIL: the restart"; cat "$d/r.log"; exit 1; }
cmp -s "$d/full" "$d/restarted" || { echo "FAIL: the restarted output differs"; fail=1; }
[ $fail -eq 0 ] && echo "PASS: stopped after $last with a checkpoint (exit 7); the restart matches the full run"
exit $fail
