#!/bin/bash
# bench/bench_tune.sh [DATA] [TRIALS]: model selection benchmarks (issue 14) on a9a, logreg by
# L-BFGS, 5-fold CV. The budget of a configuration is L-BFGS iterations (each one or more
# function evaluations in the line search); budget_used counts the iterations every fold fit
# actually ran (a fit stops early when max |gradient| <= tol).
#   1. hyperband vs grid over a 30-configuration space (lambda = log:1e-6:1:30), R = 81:
#      best CV accuracy and iterations used; Hyperband with r_min = 9 (3 brackets) and
#      r_min = 3 (4 brackets). Iterations are deterministic; seconds are medians.
#   2. 16 configurations (lambda = log:1e-6:1e-1:16, R = 100) on 4 ranks in G = 1, 2, 4
#      groups (and on 2 ranks in G = 1, 2): search seconds, median over TRIALS interleaved
#      runs, with the spread; the results must not depend on G (compared here).
#   3. hyperband vs grid with SGD epochs as the budget (logreg --solver sgd): 30
#      configurations (lr = log:1e-3:1:10 x lambda = 0,1e-5,1e-3), R = 9 (r_min 1) and
#      R = 27 (r_min 3), 2 ranks in 2 groups, and R = 9 by model hopping on 2 ranks. Epochs
#      used count the warm starts (a promoted configuration goes on from its previous rung);
#      caps are the epochs without them (every fit from scratch; SGD runs all its epochs).
# SECTIONS (env, default "1 2 3") picks the sections to run.
set -u
B=${B:-build/apps/amls-graph}
data=${1:-../shared/datasets/real/ml/a9a.gz} n=${2:-3}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
export OPENBLAS_NUM_THREADS=1 OMPI_MCA_mpi_yield_when_idle=1
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
field() { sed -n "s/^$1: //p" "$2" | head -1; }
median() { sort -g | awk '{ a[NR] = $1 } END { printf "%.3f (min %.3f, max %.3f, n %d)", a[int((NR + 1) / 2)], a[1], a[NR], NR }'; }

sections=${SECTIONS:-1 2 3}
on() { [[ " $sections " == *" $1 "* ]]; }

if on 1; then
echo "== 1. hyperband vs grid, 30 configurations, R = 81 iterations, 2 ranks"
space="--model logreg --train $data --param lambda=log:1e-6:1:30 --max-iterations 81 --cv 5 --quiet"
for t in $(seq "$n"); do
    for mode in grid hb9 hb3; do
        case $mode in
            grid) extra="" ;;
            hb9) extra="--search hyperband --min-budget 9" ;;
            hb3) extra="--search hyperband --min-budget 3" ;;
        esac
        mpirun -np 2 "$B" tune $space $extra > "$d/$mode.$t" 2>&1 < /dev/null || { cat "$d/$mode.$t"; exit 1; }
    done
done
for mode in grid hb9 hb3; do
    f=$d/$mode.1
    printf "%-5s best %-28s cv_accuracy %s iterations %s caps %s fits %s seconds %s\n" "$mode" \
        "$(field best "$f")" "$(field best_score "$f")" "$(field budget_used "$f" | cut -d' ' -f1)" \
        "$(field budget_used "$f" | sed 's/.*caps: \([0-9]*\).*/\1/')" "$(field fits "$f")" \
        "$(for t in $(seq "$n"); do field search_seconds "$d/$mode.$t"; done | median)"
done

fi

if on 2; then
echo "== 2. 16 configurations, R = 100 iterations: groups"
space="--model logreg --train $data --param lambda=log:1e-6:1e-1:16 --max-iterations 100 --cv 5 --quiet"
for t in $(seq "$n"); do
    for cfg in "4 1" "4 2" "4 4" "2 1" "2 2"; do
        set -- $cfg
        mpirun -np "$1" "$B" tune $space --groups "$2" --csv "$d/g$1_$2.csv" > "$d/g$1_$2.$t" 2>&1 < /dev/null ||
            { cat "$d/g$1_$2.$t"; exit 1; }
    done
done
for cfg in "4 1" "4 2" "4 4" "2 1" "2 2"; do
    set -- $cfg
    f=$d/g$1_$2.1
    same=$(python3 tests/tune/compare_csv.py "$d/g4_1.csv" "$d/g$1_$2.csv" | tail -1 | cut -d: -f1)
    printf "np %d groups %d: best %s cv_accuracy %s search_seconds %s table identical to np 4, G 1 (bit for bit): %s\n" "$1" "$2" \
        "$(field best "$f")" "$(field best_score "$f")" \
        "$(for t in $(seq "$n"); do field search_seconds "$d/g$1_$2.$t"; done | median)" "$same"
done
fi

if on 3; then
echo "== 3. hyperband vs grid in SGD epochs, 30 configurations, 2 ranks"
modes="grid9 hb9 grid27 hb27 mgrid9 mhb9"
for t in $(seq "$n"); do
    for mode in $modes; do
        case $mode in
            *9) R="--max-epochs 9" hb="--search hyperband --min-budget 1" ;;
            *27) R="--max-epochs 27" hb="--search hyperband --min-budget 3" ;;
        esac
        case $mode in
            grid*) extra="$R --groups 2" ;;
            hb*) extra="$R $hb --groups 2" ;;
            mgrid*) extra="$R --schedule mop" ;;
            mhb*) extra="$R $hb --schedule mop" ;;
        esac
        mpirun -np 2 "$B" tune --model logreg --solver sgd --train "$data" --cv 5 --quiet \
            --param lr=log:0.001:1:10 --param lambda=0,1e-5,1e-3 $extra > "$d/$mode.$t" 2>&1 \
            < /dev/null || { cat "$d/$mode.$t"; exit 1; }
    done
done
for mode in $modes; do
    f=$d/$mode.1
    printf "%-6s best %-40s cv_accuracy %s epochs %s caps %s fits %s seconds %s\n" "$mode" \
        "$(field best "$f")" "$(field best_score "$f")" "$(field budget_used "$f" | cut -d' ' -f1)" \
        "$(field budget_used "$f" | sed 's/.*caps: \([0-9]*\).*/\1/')" "$(field fits "$f")" \
        "$(for t in $(seq "$n"); do field search_seconds "$d/$mode.$t"; done | median)"
done
fi
