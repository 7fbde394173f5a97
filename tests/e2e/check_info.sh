#!/bin/bash
# check_info.sh BIN NP INPUT "key=value ..."|@FILE [extra amls-graph args]
# Runs `amls-graph info` at NP ranks and checks the printed key: value lines (read from FILE
# with @FILE). NP may be a comma-separated list.
# Exits 77 (ctest: skipped) when INPUT lives in the shared datasets and they are absent.
set -u
bin=$1 np=$2 input=$3 want=$4
shift 4
if [ ! -e "$input" ] && [ ! -e "${input%.e}.v" ]; then
    echo "SKIPPED: $input not found (set AMLS_DATA_DIR to the shared datasets)"
    exit 77
fi
case $want in @*) want=$(cat "${want#@}") || exit 1 ;; esac
[ -n "$want" ] || { echo "FAIL: nothing to check"; exit 1; }
fail=0
for n in ${np//,/ }; do
    out=$(mpirun -np "$n" "$bin" info --input "$input" --quiet "$@" 2>&1 < /dev/null)
    rc=$?
    if [ $rc -ne 0 ]; then
        echo "FAIL: amls-graph info exited $rc at $n ranks"; echo "$out"; exit 1
    fi
    for kv in $want; do
        key=${kv%%=*} val=${kv#*=}
        got=$(echo "$out" | sed -n "s/^$key: //p")
        if [ "$got" != "$val" ]; then
            echo "FAIL: $key: got '$got', want '$val' at $n ranks"; fail=1
        fi
    done
    [ $fail -eq 0 ] && echo "PASS: $input at $n ranks: $want"
done
exit $fail
