#!/bin/bash
# run_checks.sh CHECKS DATA_DIR: the dataset tier's test for one dataset. CHECKS holds one
# command per line (a check script and its arguments, shell-quoted); each runs in turn and
# prints PASS, FAIL (with its output) or SKIP (with its reason). Exits 77 (ctest: Skipped)
# when DATA_DIR is absent, 1 when a check failed.
set -u
checks=$1 data=$2
if [ ! -d "$data" ]; then
    echo "SKIPPED: the shared datasets are not at $data (set AMLS_DATA_DIR, e.g. to ../shared/datasets)"
    exit 77
fi
pass=0 fail=0 skip=0
while IFS= read -r line; do
    [ -z "$line" ] && continue
    name=$(eval "set -- $line"; printf '%s ' "$(basename "$1")" "${@:2}" | sed 's|/[^ ]*/||g' | cut -c1-110)
    t0=${EPOCHREALTIME/./}
    out=$(eval "$line" 2>&1 < /dev/null)
    rc=$?
    ms=$(( (${EPOCHREALTIME/./} - t0) / 1000 ))
    secs=$((ms / 1000)).$(((ms % 1000) / 100))
    if [ $rc -eq 0 ]; then
        pass=$((pass + 1)); echo "PASS ($secs s): $name"
    elif [ $rc -eq 77 ]; then
        skip=$((skip + 1)); echo "SKIP ($secs s): $name: $(echo "$out" | grep -m1 SKIPPED)"
    else
        fail=$((fail + 1)); echo "FAIL ($secs s): $name (exit $rc)"; echo "$out" | tail -25 | sed 's/^/    /'
    fi
done < "$checks"
echo "$pass passed, $fail failed, $skip skipped"
[ $fail -gt 0 ] && exit 1
[ $pass -eq 0 ] && { echo "SKIPPED: every check was skipped"; exit 77; }
exit 0
