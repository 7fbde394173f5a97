#!/bin/bash
# check_ldbc.sh BIN NP DATA_DIR CASE ALGO SUFFIX PARTITION
# Runs ALGO on the LDBC case (parameters from its .properties), writes the output, validates it
# against the official expected output with the Graphalytics rule, and --verify's it too.
set -u
bin=$1 np=$2 dir=$3 case=$4 algo=$5 suffix=$6 part=$7
shift 7
if [ ! -e "$dir/$case.e" ]; then echo "SKIPPED: $dir/$case.e not found (set AMLS_DATA_DIR)"; exit 77; fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
if ! mpirun -np "$np" "$bin" "$algo" --input "$dir/$case.e" --partition "$part" --quiet --verify "$@" \
        --expected "$dir/$case-$suffix" --output "$out/result" > "$out/log" 2>&1; then
    echo "FAIL: run"; cat "$out/log"; exit 1
fi
grep -E "verify|expected" "$out/log"
grep -q "verify: PASS" "$out/log" && grep -q "expected: PASS" "$out/log" && [ -s "$out/result" ]
