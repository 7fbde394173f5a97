#!/bin/bash
# bench/bench_ps.sh [TRIALS]: the parameter server on a9a, 1 server + 3 workers (4 ranks,
# oversubscribed on 2 cores): epochs and wall time to reach test accuracy 0.845 for BSP, ASP,
# SSP (s = 1, 3, 10) and backup workers (b = 1), without and with a 3x straggler (worker rank 1),
# plus BSP with the learning rate scaled by the number of workers. Trials are interleaved (every
# configuration once per round); bench/ps_summary.py prints medians and draws the plot.
set -u
B=${B:-build/apps/amls-graph}
ml=${DATA:-../shared/datasets/real/ml}
n=${1:-5}
out=${OUT:-$(mktemp -d)}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
export OPENBLAS_NUM_THREADS=1 OMPI_MCA_mpi_yield_when_idle=1
common="--model logreg --train $ml/a9a.gz --test $ml/a9a.t.gz --servers 1 --batch-size 64
        --epochs 6 --evals-per-epoch 4 --eval-rows 20000 --seed 1 --quiet"
configs=("bsp|--update bsp --lr 0.1" "asp|--update asp --lr 0.1"
         "ssp1|--update ssp --staleness 1 --lr 0.1" "ssp3|--update ssp --staleness 3 --lr 0.1"
         "ssp10|--update ssp --staleness 10 --lr 0.1"
         "backup1|--update backup --backup-workers 1 --lr 0.1" "bsp-lr0.3|--update bsp --lr 0.3")
echo "# results in $out"
for t in $(seq "$n"); do
    for strag in none 1:3; do
        extra=""
        [ "$strag" != none ] && extra="--straggler $strag"
        for c in "${configs[@]}"; do
            name=${c%%|*} args=${c#*|}
            mpirun -np 4 "$B" train $common $args $extra --stats "$out/$name-${strag/:/x}-$t.json" \
                > "$out/$name-${strag/:/x}-$t.log" 2>&1 </dev/null || { cat "$out/$name-${strag/:/x}-$t.log"; exit 1; }
        done
    done
done
/usr/bin/python3 "$(dirname "$0")/ps_summary.py" "$out" 0.845 "${PLOT:-bench/ps_a9a.png}"
