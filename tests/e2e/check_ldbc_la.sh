#!/bin/bash
# check_ldbc_la.sh BIN NP DATA_DIR ALGO SUFFIX VARIANT: the linear-algebra path (--engine linalg
# --variant VARIANT) on the four LDBC cases of ALGO (example-directed, example-undirected,
# test-ALGO-directed, test-ALGO-undirected), each with METIS and with hash partitions, each
# checked as check_ldbc.sh does (the official expected output and --verify).
set -u
bin=$1 np=$2 dir=$3 algo=$4 suffix=$5 variant=$6
short=$algo
[ "$algo" = pagerank ] && short=pr
for case in example-directed example-undirected "test-$short-directed" "test-$short-undirected"; do
    for part in metis hash; do
        echo "== $case $part"
        "$(dirname "$0")/check_ldbc.sh" "$bin" "$np" "$dir" "$case" "$algo" "$suffix" "$part" \
            --engine linalg --variant "$variant"
        rc=$?
        [ $rc -eq 0 ] || exit $rc
    done
done
