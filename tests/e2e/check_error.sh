#!/bin/bash
# check_error.sh BIN NP "expected message part" OUTPUT_OR_- args...
# The command must fail on every rank (non-zero exit), print exactly one error line that
# contains the expected text, finish (no hang: ctest's timeout), and leave no output: an
# argument @OUT@ becomes a path in a fresh directory, and after the run that directory must be
# empty (no result, no temporary file); OUTPUT, if not -, must not exist either.
set -u
bin=$1 np=$2 want=$3 outp=$4
shift 4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
args=()
for a in "$@"; do args+=("${a//@OUT@/$tmp/out}"); done
err=$(mpirun -np "$np" "$bin" "${args[@]}" 2>&1 > /dev/null < /dev/null)
rc=$?
fail=0
if [ $rc -eq 0 ]; then echo "FAIL: exit status 0"; fail=1; fi
n=$(echo "$err" | grep -c "error:")
if [ "$n" -ne 1 ]; then echo "FAIL: $n error lines (want 1)"; fail=1; fi
if ! echo "$err" | grep -q -- "$want"; then echo "FAIL: message lacks '$want'"; fail=1; fi
if [ -n "$(ls -A "$tmp")" ]; then echo "FAIL: output left: $(ls -A "$tmp")"; fail=1; fi
if [ "$outp" != "-" ] && ls -d "$outp"* > /dev/null 2>&1; then echo "FAIL: output left: $outp"; fail=1; fi
echo "$err" | grep "error:"
[ $fail -eq 0 ] && echo "PASS: exit $rc with the expected message, nothing written"
exit $fail
