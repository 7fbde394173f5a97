#!/bin/bash
# check_ptscotch_cap.sh BIN NP GRAPH CAP_MIB: PT-Scotch partitions a graph that no rank holds
# whole. Rank 0's data segment is capped with `ulimit -d` (RLIMIT_DATA: every private writable
# mapping, so malloc, mmap'ed arrays and PT-Scotch's own work space all count) at CAP_MIB:
#   1. under the cap, the METIS path, which gathers the whole graph on rank 0, must fail for
#      lack of memory: the cap is below what holding the graph whole takes;
#   2. under the same cap, --partition ptscotch loads and partitions the graph, and CDLP on it
#      (integer labels, a few supersteps) gives exactly the output of an uncapped run with hash
#      partitioning;
#   3. its edge cut is far below hash's (the partition is a real one).
# Exits 77 (skipped) where the kernel does not enforce RLIMIT_DATA (METIS then passes), and in
# sanitizer builds (AMLS_SANITIZED set).
set -u
bin=$1 np=$2 g=$3 cap=$4
if [ -n "${AMLS_SANITIZED:-}" ]; then
    echo "SKIPPED: a ${AMLS_SANITIZED} build maps shadow memory that a data-segment cap refuses"
    exit 77
fi
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
capped() { # capped OUT ARGS...: runs amls-graph with rank 0 capped
    local out=$1
    shift
    mpirun -np "$np" bash -c 'if [ "${OMPI_COMM_WORLD_RANK:-0}" = 0 ]; then ulimit -d '$((cap * 1024))'; fi; exec "$@"' \
        _ "$bin" "$@" > "$out" 2>&1 < /dev/null
}
if capped "$d/metis.log" info --input "$g" --partition metis --quiet; then
    echo "SKIPPED: METIS loaded under a ${cap} MiB data limit: RLIMIT_DATA is not enforced here"
    exit 77
fi
grep -q "out of memory" "$d/metis.log" ||
    { echo "FAIL: METIS under the cap failed, but not for memory:"; cat "$d/metis.log"; exit 1; }
echo "ok: METIS (whole graph on rank 0) fails under a ${cap} MiB cap on rank 0"
capped "$d/pt.log" info --input "$g" --partition ptscotch --quiet ||
    { echo "FAIL: PT-Scotch under the cap:"; cat "$d/pt.log"; exit 1; }
grep -q "^partitioner: ptscotch" "$d/pt.log" || { echo "FAIL: not partitioned by PT-Scotch"; exit 1; }
algo="cdlp --iterations 3"
capped "$d/run.log" $algo --input "$g" --partition ptscotch --quiet --output "$d/pt.out" ||
    { echo "FAIL: CDLP with PT-Scotch under the cap:"; cat "$d/run.log"; exit 1; }
mpirun -np "$np" "$bin" $algo --input "$g" --partition hash --quiet --output "$d/hash.out" < /dev/null > /dev/null 2>&1 ||
    { echo "FAIL: CDLP with hash partitioning"; exit 1; }
cmp -s "$d/pt.out" "$d/hash.out" || { echo "FAIL: CDLP differs between PT-Scotch and hash"; exit 1; }
mpirun -np "$np" "$bin" info --input "$g" --partition hash --quiet < /dev/null > "$d/hash.log" 2>&1 || exit 1
pc=$(sed -n 's/^edge_cut: //p' "$d/pt.log") hc=$(sed -n 's/^edge_cut: //p' "$d/hash.log")
[ -n "$pc" ] && [ -n "$hc" ] && [ $((pc * 20)) -lt "$hc" ] ||
    { echo "FAIL: PT-Scotch edge cut $pc is not far below hash's $hc"; exit 1; }
echo "PASS: PT-Scotch under a ${cap} MiB cap on rank 0: edge cut $pc (hash $hc), CDLP identical"
