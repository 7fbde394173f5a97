#!/bin/bash
# check_partition_quality.sh BIN GRAPH: METIS's edge cut with 4 parts is under 5% of hash's.
set -u
bin=$1 input=$2
if [ ! -e "$input" ]; then echo "SKIPPED: $input not found (set AMLS_DATA_DIR)"; exit 77; fi
m=$(mpirun -np 2 "$bin" info --input "$input" --parts 4 --partition metis --quiet | sed -n 's/^edge_cut: //p')
h=$(mpirun -np 2 "$bin" info --input "$input" --parts 4 --partition hash --quiet | sed -n 's/^edge_cut: //p')
echo "metis edge_cut $m, hash edge_cut $h"
[ -n "$m" ] && [ -n "$h" ] && [ $((m * 20)) -lt "$h" ] && echo PASS && exit 0
echo FAIL; exit 1
