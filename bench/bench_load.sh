#!/bin/bash
# bench/bench_load.sh [GRAPH] [NP] [TRIALS]: time to load and build a graph (amls-graph info),
# median over trials, with peak resident memory per rank.
set -u
B=${B:-build/apps/amls-graph}
g=${1:-../shared/datasets/real/graphs/cnr-2000.txt.gz} np=${2:-2} n=${3:-5}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
for part in hash metis; do
    for t in $(seq "$n"); do
        mpirun -np "$np" "$B" info --input "$g" --partition "$part" 2>&1 |
            awk '/^# loaded/ { for (i = 1; i <= NF; i++) if ($i == "in") { print $(i+1); break } }
                 /^peak_rss_bytes_max/ { rss = $2 } END { print rss }' | paste -sd' '
    done | sort -n | awk -v p="$part" -v np="$np" '{ a[NR] = $1; r[NR] = $2 }
        END { m = a[int((NR + 1) / 2)]; printf "partition=%s np=%d load_seconds_median=%s peak_rss_MiB=%.1f\n", p, np, m, r[int((NR+1)/2)] / 1048576 }'
done
