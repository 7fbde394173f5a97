#!/bin/bash
# bench/bench_pagerank.sh [SCALE] [NP] [TRIALS]: vertex-engine PageRank on a Kronecker graph
# (Graph500 parameters, edge factor 16), with and without the combiner, side by side in one
# run; reports the median seconds per superstep and messages/bytes per superstep.
set -u
B=${B:-build/apps/amls-graph}
s=${1:-20} np=${2:-2} n=${3:-3}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
in="gen:kron:scale=$s,edge-factor=16,seed=1"
for t in $(seq "$n"); do
    for mode in combiner no-combiner; do
        extra=""
        [ "$mode" = no-combiner ] && extra="--no-combiner"
        mpirun -np "$np" "$B" pagerank --input "$in" --partition hash --iterations 10 --quiet $extra |
            awk -v m="$mode" '/^seconds_per_superstep/ { sps = $2 } /^supersteps/ { ss = $2 }
                /^messages/ { msg = $2 } /^bytes/ { by = $2 } /^peak_rss/ { rss = $2 }
                END { printf "%s %s %.0f %.0f %.1f\n", m, sps, msg / ss, by / ss, rss / 1048576 }'
    done
done | sort -k1,1 -k2,2n | awk -v s="$s" -v np="$np" '{ k = $1; c[k]++; row[k, c[k]] = $0 }
    END { for (k in c) { split(row[k, int((c[k] + 1) / 2)], f, " ");
          printf "scale=%s np=%s mode=%s sec_per_superstep_median=%s messages_per_superstep=%s bytes_per_superstep=%s peak_rss_MiB_per_rank=%s\n", s, np, f[1], f[2], f[3], f[4], f[5] } }'
