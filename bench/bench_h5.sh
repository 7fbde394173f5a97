#!/bin/bash
# bench/bench_h5.sh [GRAPH] [NP] [TRIALS]: load time from gzipped text (hash and METIS) and
# from the HDF5 container (stored partition), side by side, medians of `info` load times.
set -u
B=${B:-build/apps/amls-graph}
g=${1:-../shared/datasets/real/graphs/cnr-2000.txt.gz} np=${2:-2} n=${3:-5}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
h5=$(mktemp -d)/graph.h5
mpirun -np "$np" "$B" convert --input "$g" --output "$h5" --quiet | sed -n 's/^seconds: /convert_seconds: /p'
ls -l "$h5" | awk '{ print "container_bytes: " $5 }'
t() { mpirun -np "$np" "$B" info --input "$@" 2>&1 | sed -n 's/.* in \([0-9.]*\) s.*/\1/p'; }
for i in $(seq "$n"); do
    echo "text_hash $(t "$g" --partition hash)"
    echo "text_metis $(t "$g" --partition metis)"
    echo "h5_stored $(t "$h5")"
    echo "h5_stored_in_edges $(mpirun -np "$np" "$B" wcc --input "$h5" --max-supersteps 1 2>&1 | sed -n 's/.* in \([0-9.]*\) s.*/\1/p')"
done | sort -k1,1 -k2,2n | awk '{ c[$1]++; v[$1, c[$1]] = $2 } END { for (k in c) printf "%s_seconds_median: %s\n", k, v[k, int((c[k] + 1) / 2)] }' | sort
rm -rf "$(dirname "$h5")"
