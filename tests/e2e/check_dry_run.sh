#!/bin/bash
# check_dry_run.sh BIN NP GRAPH: --dry-run and --memory-limit on GRAPH at NP ranks.
#   1. --dry-run prints the estimate and loads nothing: exit 0, no statistics, no output file;
#   2. for each partitioner, the estimate is an upper bound of the peak RSS the load then
#      measures on its largest rank, and not a wild one (at most 8x the peak) (not checked in
#      sanitizer builds: AMLS_SANITIZED set);
#   3. --memory-limit one byte below the estimate refuses before reading (non-zero exit, one
#      message naming the limit, no output file); at the estimate the load runs;
#   4. a malformed size is refused with a message.
set -u
bin=$1 np=$2 g=$3
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
run() { # run LOG ARGS...
    local log=$1
    shift
    mpirun -np "$np" "$bin" "$@" < /dev/null > "$log" 2>&1
}
fail() {
    echo "FAIL: $*"
    exit 1
}
val() { sed -n "s/^$1: \([0-9]*\).*/\1/p" "$2"; }
run "$d/dry.log" pagerank --input "$g" --dry-run --output "$d/pr.out" --quiet ||
    { cat "$d/dry.log"; fail "--dry-run exited non-zero"; }
[ -n "$(val memory_per_rank_bytes "$d/dry.log")" ] || { cat "$d/dry.log"; fail "no estimate"; }
grep -q "^vertices: \|^iterations\|^top" "$d/dry.log" && grep -q "^edges:" "$d/dry.log" &&
    fail "--dry-run loaded the graph"
[ -e "$d/pr.out" ] && fail "--dry-run wrote an output file"
echo "ok: --dry-run prints the estimate and loads nothing"
for p in auto hash chunk metis ptscotch; do
    run "$d/e.log" info --input "$g" --partition "$p" --dry-run || fail "--dry-run --partition $p"
    r0=$(val memory_rank0_bytes "$d/e.log") pr=$(val memory_per_rank_bytes "$d/e.log")
    est=$((r0 > pr ? r0 : pr))
    run "$d/i.log" info --input "$g" --partition "$p" --quiet || fail "info --partition $p"
    peak=$(val peak_rss_bytes_max "$d/i.log")
    [ -n "$peak" ] && [ "$peak" -gt 0 ] || fail "no peak RSS figure for $p"
    echo "$p: estimate $est, measured peak $peak"
    if [ -n "${AMLS_SANITIZED:-}" ]; then
        echo "skipped the bound on the peak: a ${AMLS_SANITIZED} build's memory is not the loader's"
        continue
    fi
    [ "$peak" -le "$est" ] || fail "$p: the load's peak $peak exceeds the estimate $est"
    [ $((peak * 8)) -ge "$est" ] || fail "$p: the estimate $est is over 8x the peak $peak"
done
est() { # est ARGS...: the larger of the dry run's rank-0 and per-rank figures
    run "$d/dry.log" info --input "$g" --dry-run "$@" || fail "--dry-run $*"
    local a b
    a=$(val memory_rank0_bytes "$d/dry.log") b=$(val memory_per_rank_bytes "$d/dry.log")
    echo $((a > b ? a : b))
}
est=$(est --partition hash)
if run "$d/lim.log" pagerank --input "$g" --partition hash --memory-limit $((est - 1)) \
    --output "$d/pr.out"; then
    fail "--memory-limit below the estimate did not refuse"
fi
grep -q "more than --memory-limit" "$d/lim.log" || { cat "$d/lim.log"; fail "no refusal message"; }
grep -q "^vertices:\|^# loaded" "$d/lim.log" && fail "the refused load read the graph"
[ -e "$d/pr.out" ] && fail "the refused load wrote an output file"
run "$d/ok.log" info --input "$g" --partition hash --memory-limit "$est" --quiet ||
    { cat "$d/ok.log"; fail "--memory-limit at the estimate refused"; }
echo "ok: --memory-limit refuses below the estimate ($est bytes) and loads at it"
# auto under a limit that METIS on rank 0 would exceed but chunk fits: chunk, not a refusal.
chunk=$(est --partition chunk) metis=$(est --partition metis)
[ "$metis" -gt "$chunk" ] || fail "METIS's estimate $metis is not above chunk's $chunk"
run "$d/auto.log" info --input "$g" --memory-limit "$chunk" --quiet ||
    { cat "$d/auto.log"; fail "auto under a limit chunk fits refused"; }
grep -q "^partitioner: chunk" "$d/auto.log" || fail "auto under the limit did not pick chunk"
echo "ok: auto picks chunk under a limit ($chunk) below METIS's need ($metis)"
run "$d/bad.log" info --input "$g" --memory-limit 12Q && fail "--memory-limit 12Q accepted"
grep -q "expected a size" "$d/bad.log" || { cat "$d/bad.log"; fail "no message for 12Q"; }
echo "PASS: --dry-run and --memory-limit on $g at $np ranks"
