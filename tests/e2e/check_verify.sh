#!/bin/bash
# check_verify.sh BIN NP INPUT PARTITION ALGO [args]: runs ALGO with --verify on a real graph.
set -u
bin=$1 np=$2 input=$3 part=$4 algo=$5
shift 5
case $input in gen:*) ;; *) if [ ! -e "$input" ]; then echo "SKIPPED: $input not found (set AMLS_DATA_DIR)"; exit 77; fi ;; esac
log=$(mpirun -np "$np" "$bin" "$algo" --input "$input" --partition "$part" --quiet --verify "$@" 2>&1)
rc=$?
echo "$log" | grep -E "verify|error"
[ $rc -eq 0 ] && echo "$log" | grep -q "verify: PASS"
