#!/bin/bash
# bench/bench_load_gapbs.sh EDGES.el [NP] [TRIALS] [WEIGHTED.el]
# Loading a text edge list, side by side with gapbs's graph build from the same file:
#   gapbs:  OMP_NUM_THREADS=NP $GAPBS_DIR/pr -f EDGES.el -s -n 0   (Read Time + Build Time, and
#           its peak RSS from /usr/bin/time)
#   amls:   mpirun -np NP amls-graph info --input EDGES.el --undirected [--partition P]
#           (the "# loaded ... in X s" time: reading, numbering, partitioning, shuffling, rows,
#           plan; peak RSS per rank from the engine's own figure, summed over ranks)
# for each partitioner in $PARTS (default "auto hash"), and, with WEIGHTED.el (the same graph
# with a weight column), the weighted load with the default partitioner. Trials are
# interleaved (one of each, then again); medians are printed, with the machine's load average
# before and after. gapbs is built outside this tree: GAPBS_DIR points at its folder.
set -u
B=${B:-build/apps/amls-graph}
G=${GAPBS_DIR:?set GAPBS_DIR to a built gapbs checkout (outside this repository)}
el=$1 np=${2:-2} n=${3:-5} wel=${4:-}
parts=${PARTS:-auto hash}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
export OPENBLAS_NUM_THREADS=1
out=$(mktemp)
trap 'rm -f "$out" "$out".*' EXIT
echo "# $(date -u +%F) $(uname -n) np=$np trials=$n $(uptime | sed 's/.*load/load/')"
amls() { # amls NAME ARGS...: one timed load
    local name=$1
    shift
    if ! mpirun -np "$np" "$B" info --quiet "$@" < /dev/null > "$out.log" 2>&1; then
        echo "$name failed:" >&2
        cat "$out.log" >&2
        exit 1
    fi
    awk -v name="$name" '/^peak_rss_bytes_sum/ {s = $2} /^peak_rss_bytes_max/ {m = $2}
        /^edges: / {e = $2} /^edge_imbalance/ {ei = $2} /^partition_seconds/ {ps = $2}
        /^partitioner:/ {p = $2} /^load_seconds/ {t = $2}
        END {printf "%s %s %.0f %.0f %s %s %s %s\n", name, t, s, m, e, ei, ps, p}' "$out.log"
}
for t in $(seq "$n"); do
    OMP_NUM_THREADS=$np /usr/bin/time -f "maxrss_kb %M" "$G/pr" -f "$el" -s -n 0 > "$out.g" 2>&1 ||
        { echo "gapbs failed:" >&2; cat "$out.g" >&2; exit 1; }
    awk '/Read Time/ {r = $3} /Build Time/ {b = $3} /^Graph has/ {e = $6} /maxrss_kb/ {k = $2}
        END {printf "gapbs %.4f %.0f %.0f %s - - gapbs\n", r + b, k * 1024, k * 1024, e}' "$out.g"
    for p in $parts; do
        amls "amls-$p" --input "$el" --undirected --partition "$p"
    done
    [ -n "$wel" ] && amls "amls-weighted" --input "$wel" --undirected
done > "$out.all" || exit 1
echo "# per trial: name seconds peak_rss_sum peak_rss_max edges edge_imbalance partition_s partitioner"
cat "$out.all"
echo "# medians (seconds, bytes per edge from the summed peak RSS)"
sort -k1,1 -k2,2n "$out.all" | awk '{c[$1]++; v[$1, c[$1]] = $2; s[$1, c[$1]] = $3; e[$1] = $5; ei[$1] = $6}
    END {for (k in c) {m = int((c[k] + 1) / 2); printf "%-16s load_s %.3f  peak_bytes_per_edge %.1f  edge_imbalance %s\n", k, v[k, m], s[k, m] / e[k], ei[k]}}' | sort
echo "# $(uptime | sed 's/.*load/load/')"
