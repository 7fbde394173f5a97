#!/bin/bash
# check_info.sh BIN NP INPUT "key=value ..." [extra amls-graph args]
# Runs `amls-graph info` at NP ranks and checks the printed key: value lines.
# Exits 77 (ctest: skipped) when INPUT lives in the shared datasets and they are absent.
set -u
bin=$1 np=$2 input=$3 want=$4
shift 4
if [ ! -e "$input" ] && [ ! -e "${input%.e}.v" ]; then
    echo "SKIPPED: $input not found (set AMLS_DATA_DIR to the shared datasets)"
    exit 77
fi
out=$(mpirun -np "$np" "$bin" info --input "$input" --quiet "$@" 2>&1)
rc=$?
if [ $rc -ne 0 ]; then
    echo "FAIL: amls-graph info exited $rc"; echo "$out"; exit 1
fi
fail=0
for kv in $want; do
    key=${kv%%=*} val=${kv#*=}
    got=$(echo "$out" | sed -n "s/^$key: //p")
    if [ "$got" != "$val" ]; then
        echo "FAIL: $key: got '$got', want '$val'"; fail=1
    fi
done
[ $fail -eq 0 ] && echo "PASS: $input at $np ranks: $want"
exit $fail
