#!/bin/bash
# check_corrupt.sh BIN GRAPH: damaged checkpoints and containers are refused with a message;
# restart falls back to the previous complete checkpoint when the newest is damaged.
set -u
bin=$1 g=$2
[ -e "$g" ] || { echo "SKIPPED: $g not found (set AMLS_DATA_DIR)"; exit 77; }
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
fail=0
# Overwrites three 64 KiB blocks at 30%, 50% and 70% of a file with garbage.
flip() {
    local sz; sz=$(stat -c %s "$1")
    for pct in 30 50 70; do
        dd if=/dev/urandom of="$1" bs=1 count=65536 seek=$((sz * pct / 100)) conv=notrunc status=none
    done
}
mpirun -np 2 "$bin" pagerank --input "$g" --iterations 30 --quiet --output "$d/full" > /dev/null 2>&1
mpirun -np 2 "$bin" pagerank --input "$g" --iterations 30 --quiet --checkpoint-every 3 \
    --checkpoint-dir "$d/ck" --fail-at-superstep 25 --fail-rank 0 > /dev/null 2>&1
ls "$d/ck"
newest=$(ls "$d/ck"/ckpt-*.h5 | sort | tail -1)
older=$(ls "$d/ck"/ckpt-*.h5 | sort | head -1)
for how in truncate flip; do
    cp -r "$d/ck" "$d/ck-$how"
    n2="$d/ck-$how/$(basename "$newest")"
    if [ $how = truncate ]; then truncate -s $(( $(stat -c %s "$n2") / 2 )) "$n2"; else flip "$n2"; fi
    out=$(mpirun -np 2 "$bin" pagerank --input "$g" --iterations 30 --quiet --output "$d/r-$how" \
          --restart "$d/ck-$how" 2>&1)
    echo "$out" | grep -E "skipping|resuming"
    if ! echo "$out" | grep -q "skipping damaged checkpoint" ||
       ! echo "$out" | grep -q "resuming from .*$(basename "$older")" || ! cmp -s "$d/full" "$d/r-$how"; then
        echo "FAIL: checkpoint ($how): no fallback to the previous checkpoint"; fail=1
    fi
done
# Both damaged: refused.
flip "$d/ck-flip/$(basename "$older")"
if mpirun -np 2 "$bin" pagerank --input "$g" --iterations 30 --quiet --restart "$d/ck-flip" > "$d/log" 2>&1; then
    echo "FAIL: restart from two damaged checkpoints succeeded"; fail=1
fi
grep -q "no usable checkpoint" "$d/log" || { echo "FAIL: message"; cat "$d/log"; fail=1; }
# Mismatches are refused, not silently used: other parameters, other graph.
if mpirun -np 2 "$bin" pagerank --input "$g" --iterations 31 --quiet --restart "$d/ck" > "$d/log" 2>&1; then
    echo "FAIL: restart with other parameters accepted"; fail=1
fi
grep -q "parameters 'damping=0.85 iterations=30' differ" "$d/log" || { echo "FAIL: parameter message"; cat "$d/log"; fail=1; }
if mpirun -np 2 "$bin" pagerank --input gen:grid:rows=20,cols=20 --iterations 30 --quiet --restart "$d/ck" > "$d/log" 2>&1; then
    echo "FAIL: restart on another graph accepted"; fail=1
fi
grep -q "checkpoint of another graph" "$d/log" || { echo "FAIL: graph message"; cat "$d/log"; fail=1; }
if mpirun -np 2 "$bin" cdlp --input "$g" --quiet --restart "$d/ck" > "$d/log" 2>&1; then
    echo "FAIL: restart of another program accepted"; fail=1
fi
grep -q "checkpoint of program 'pagerank'" "$d/log" || { echo "FAIL: program message"; cat "$d/log"; fail=1; }
# The container: truncated and flipped files are refused.
mpirun -np 2 "$bin" convert --input "$g" --output "$d/g.h5" --quiet > /dev/null || fail=1
for how in truncate flip; do
    cp "$d/g.h5" "$d/g-$how.h5"
    if [ $how = truncate ]; then truncate -s $(( $(stat -c %s "$d/g-$how.h5") / 2 )) "$d/g-$how.h5"; else flip "$d/g-$how.h5"; fi
    if mpirun -np 2 "$bin" info --input "$d/g-$how.h5" > "$d/log" 2>&1; then
        echo "FAIL: damaged container ($how) accepted"; fail=1
    fi
    grep "error:" "$d/log"
    grep -q "g-$how.h5" "$d/log" || { echo "FAIL: the message does not name the file"; fail=1; }
done
[ $fail -eq 0 ] && echo "PASS: damaged checkpoints skipped or refused, damaged containers refused"
exit $fail
