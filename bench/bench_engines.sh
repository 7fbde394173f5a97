#!/bin/bash
# bench/bench_engines.sh [SCALE] [NP] [TRIALS] [PARTITION]: PageRank seconds per iteration with
# the vertex engine and with the linear-algebra path, on the same Kronecker graph, alternating,
# medians. The vertex engine's figure is its time per superstep over the 11 supersteps of 10
# iterations (superstep 0 initialises and sends; the last only receives).
set -u
B=${B:-build/apps/amls-graph}
s=${1:-20} np=${2:-2} n=${3:-5} part=${4:-hash}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
in="gen:kron:scale=$s,edge-factor=16,seed=1"
for t in $(seq "$n"); do
    mpirun -np "$np" "$B" pagerank --input "$in" --partition "$part" --iterations 10 --quiet |
        awk '/^seconds_per_superstep/ { print "vertex", $2 }'
    mpirun -np "$np" "$B" pagerank --engine linalg --input "$in" --partition "$part" --iterations 10 --quiet |
        awk '/^seconds_per_iteration/ { print "linalg", $2 }'
done | sort -k1,1 -k2,2n | awk -v s="$s" -v np="$np" -v p="$part" '{ c[$1]++; v[$1, c[$1]] = $2 }
    END { for (k in c) printf "scale=%s np=%s partition=%s engine=%s sec_per_iteration_median=%s (n=%d)\n", s, np, p, k, v[k, int((c[k] + 1) / 2)], c[k] }'
