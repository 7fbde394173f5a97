#!/bin/bash
# check_error.sh BIN NP "expected message part" OUTPUT_OR_- args...
# The command must fail on every rank (non-zero exit), print exactly one error line that
# contains the expected text, finish (no hang: ctest's timeout), and leave no output file.
set -u
bin=$1 np=$2 want=$3 outp=$4
shift 4
err=$(mpirun -np "$np" "$bin" "$@" 2>&1 >/dev/null)
rc=$?
fail=0
if [ $rc -eq 0 ]; then echo "FAIL: exit status 0"; fail=1; fi
n=$(echo "$err" | grep -c "error:")
if [ "$n" -ne 1 ]; then echo "FAIL: $n error lines (want 1)"; fail=1; fi
if ! echo "$err" | grep -q -- "$want"; then echo "FAIL: message lacks '$want'"; fail=1; fi
if [ "$outp" != "-" ] && ls "$outp"* >/dev/null 2>&1; then echo "FAIL: output left: $outp"; fail=1; fi
echo "$err" | grep "error:"
[ $fail -eq 0 ] && echo "PASS: exit $rc with the expected message"
exit $fail
