#!/bin/bash
# check_tune.sh BIN H5MODEL CASE: end-to-end checks of `amls-graph tune` on small synthetic data
# generated here (no shared data sets needed).
#   groups    results identical (bit for bit) at 1, 3 and 4 ranks and 1-4 groups; progress
#             lines
#   refit     the HDF5 model equals `amls-graph logreg` with the best lambda; provenance;
#             CSV/JSON consistent
#   hyperband successive halving checked from the JSON; same at 1 and 3 groups; fewer
#             iterations than the grid
#   random    distinct draws in range, same at 1 and 2 groups, another seed draws others
#   linreg    folds follow the hash rule; CV RMSE equals an independent ridge solution
#   als       same at 1 and 3 groups (1e-9); the model holds a factor row per vertex
#   sgd       SGD trainers (svm, logreg, linreg): identical tables at 1, 2 and 4 ranks and 1-4
#             groups; the model's provenance says epochs
#   warm      Hyperband over SGD epochs: warm starts give the same scores as fits from scratch
#             for fewer epochs, under groups and model hopping; epochs within a third of the grid
#   mop       model hopping: a table per trial, progress lines, the model; the same at 3 ranks
#             with and without warm starts, and refused for a full-batch solver
set -u
bin=$1 h5model=$2 case=$3
here=$(cd "$(dirname "$0")" && pwd)
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
fail=0
run() { # run NP ARGS...: amls-graph at NP ranks, output in $d/out
    local np=$1
    shift
    mpirun -np "$np" "$bin" "$@" > "$d/out" 2> "$d/err" < /dev/null ||
        { echo "FAIL: amls-graph $* (np=$np)"; cat "$d/out" "$d/err"; exit 1; }
}
check() { "$@" || fail=1; }
value() { sed -n "s/^$1: //p" "$d/out" | head -1; }

case $case in
groups)
    python3 "$here/gen_data.py" logistic 400 1 > "$d/cls.svm"
    space="--param lambda=log:1e-4:1:5 --param tol=1e-8,1e-6 --metric logloss --cv 4 --seed 3"
    run 1 tune --model logreg --train "$d/cls.svm" $space --csv "$d/ref.csv"
    best=$(value best)
    for cfg in "4 1" "4 2" "4 4" "3 2"; do
        set -- $cfg
        run "$1" tune --model logreg --train "$d/cls.svm" $space --groups "$2" --csv "$d/g.csv"
        check python3 "$here/compare_csv.py" "$d/ref.csv" "$d/g.csv"
        [ "$(value best)" = "$best" ] || { echo "FAIL: best '$(value best)' at np=$1 G=$2, '$best' at np=1"; fail=1; }
        n=$(grep -c "^trial [0-9]*/10 done: " "$d/out")
        [ "$n" -eq 10 ] || { echo "FAIL: $n progress lines at np=$1 G=$2 (want 10)"; fail=1; }
    done
    echo "best: $best at every rank and group count" ;;
refit)
    python3 "$here/gen_data.py" logistic 500 2 > "$d/cls.svm"
    run 2 tune --model logreg --train "$d/cls.svm" --test "$d/cls.svm" --param lambda=0.001,0.03,1 \
        --param tol=1e-9 --max-iterations 300 --groups 2 --seed 5 -o "$d/m.h5" --csv "$d/r.csv" --json "$d/r.json"
    lam=$(value best | sed 's/^lambda=\([^ ]*\).*/\1/')
    acc=$(value test_accuracy)
    check python3 "$here/check_results.py" "$d/r.json" "$d/r.csv"
    crc=$(python3 -c "import zlib,sys; print(zlib.crc32(open(sys.argv[1],'rb').read()))" "$d/cls.svm")
    check "$h5model" "$d/m.h5" /coef "$d/coef_h5" format="amls-graph model" model=logreg \
        parameters="lambda=$lam" cv_folds=5 fold_seed=5 train_crc32="$crc" engine_version=amls-graph \
        command_line="tune --model logreg" search=grid budget=300 cv_mean fold_rule metric=accuracy
    run 2 logreg --train "$d/cls.svm" --test "$d/cls.svm" --lambda "$lam" --tol 1e-9 --max-iterations 300 \
        --output "$d/coef_cmd"
    check python3 - "$d/coef_h5" "$d/coef_cmd" <<'PY'
import sys
a = [float(x) for x in open(sys.argv[1])]
b = [float(x) for x in open(sys.argv[2])]
ok = len(a) == len(b) and all(abs(x - y) <= 1e-12 * max(1, abs(y)) for x, y in zip(a, b))
print("%s: refitted model (%d coefficients) %s amls-graph logreg" % ("PASS" if ok else "FAIL", len(a), "equals" if ok else "differs from"))
sys.exit(0 if ok else 1)
PY
    [ "$acc" = "$(value test_accuracy)" ] || { echo "FAIL: test accuracy $acc vs $(value test_accuracy)"; fail=1; }
    echo "best lambda $lam, test accuracy $acc" ;;
hyperband)
    python3 "$here/gen_data.py" logistic 400 3 > "$d/cls.svm"
    space="--param lambda=log:1e-6:1:30 --max-iterations 27 --min-budget 1"
    run 2 tune --model logreg --train "$d/cls.svm" $space --search hyperband --csv "$d/h1.csv" --json "$d/h1.json"
    hb=$(value budget_used | cut -d' ' -f1)
    check python3 "$here/check_results.py" "$d/h1.json" "$d/h1.csv" 30
    run 3 tune --model logreg --train "$d/cls.svm" $space --search hyperband --groups 3 --csv "$d/h3.csv"
    check python3 "$here/compare_csv.py" "$d/h1.csv" "$d/h3.csv"
    run 2 tune --model logreg --train "$d/cls.svm" $space --csv "$d/grid.csv"
    grid=$(value budget_used | cut -d' ' -f1)
    [ "$hb" -lt "$grid" ] || { echo "FAIL: hyperband used $hb iterations, the grid $grid"; fail=1; }
    echo "iterations: hyperband $hb, grid $grid" ;;
random)
    python3 "$here/gen_data.py" logistic 300 4 > "$d/cls.svm"
    space="--search random --trials 6 --param lambda=loguniform:1e-5:1 --param tol=1e-6,1e-8"
    run 2 tune --model logreg --train "$d/cls.svm" $space --csv "$d/a.csv" --json "$d/a.json"
    check python3 "$here/check_results.py" "$d/a.json" "$d/a.csv"
    run 2 tune --model logreg --train "$d/cls.svm" $space --groups 2 --csv "$d/b.csv"
    check python3 "$here/compare_csv.py" "$d/a.csv" "$d/b.csv"
    run 2 tune --model logreg --train "$d/cls.svm" $space --seed 2 --csv "$d/c.csv"
    check python3 - "$d/a.csv" "$d/c.csv" <<'PY'
import csv, sys
a = [(float(r["lambda"]), float(r["tol"])) for r in csv.DictReader(open(sys.argv[1]))]
c = [(float(r["lambda"]), float(r["tol"])) for r in csv.DictReader(open(sys.argv[2]))]
ok = len(a) == 6 and len(set(a)) == 6 and all(1e-5 <= l <= 1 and t in (1e-6, 1e-8) for l, t in a) and a != c
print("%s: 6 distinct draws in range, another seed draws others" % ("PASS" if ok else "FAIL"))
sys.exit(0 if ok else 1)
PY
    ;;
linreg)
    python3 "$here/gen_data.py" linear 300 5 > "$d/lin.svm"
    for cfg in "3 3" "2 1"; do
        set -- $cfg
        run "$1" tune --model linreg --train "$d/lin.svm" --param lambda=0,1,30 --cv 4 --seed 9 \
            --groups "$2" --folds-output "$d/folds" --csv "$d/r.csv"
        check python3 "$here/check_ridge_cv.py" "$d/lin.svm" 9 4 "$d/folds" "$d/r.csv"
    done ;;
als)
    python3 "$here/gen_data.py" ratings 1200 6 > "$d/r.data"
    space="--param rank=1,2,3 --param lambda=0.05,0.3 --cv 3 --max-iterations 5 --partition hash"
    run 2 tune --model als --train "$d/r.data" $space --csv "$d/a.csv"
    run 3 tune --model als --train "$d/r.data" $space --groups 3 --csv "$d/b.csv" -o "$d/m.h5"
    check python3 "$here/compare_csv.py" "$d/a.csv" "$d/b.csv" 1e-9
    k=$(value best | sed 's/^rank=\([0-9]*\).*/\1/')
    check "$h5model" "$d/m.h5" /ids "$d/ids" model=als factors_rank="$k" format="amls-graph model"
    check "$h5model" "$d/m.h5" /factors "$d/fac"
    nv=$(wc -l < "$d/ids") nf=$(wc -l < "$d/fac")
    [ "$nf" -eq $((nv * k)) ] || { echo "FAIL: $nf factor values for $nv vertices of rank $k"; fail=1; }
    echo "best rank $k: $nv vertices, $nf factor values" ;;
sgd)
    python3 "$here/gen_data.py" logistic 400 7 > "$d/cls.svm"
    python3 "$here/gen_data.py" linear 300 8 > "$d/lin.svm"
    for m in "svm sgd accuracy cls" "logreg sgd logloss cls" "linreg sgd rmse lin"; do
        set -- $m
        space="--model $1 --solver $2 --metric $3 --train $d/$4.svm --param lr=0.01,0.1
            --param lambda=0,1e-3 --param batch=8,64 --max-epochs 4 --cv 3 --seed 4"
        run 1 tune $space --csv "$d/ref.csv"
        for cfg in "2 1" "4 2" "4 4" "3 3"; do
            set -- $cfg
            run "$1" tune $space --groups "$2" --csv "$d/g.csv"
            check python3 "$here/compare_csv.py" "$d/ref.csv" "$d/g.csv"
        done
    done
    run 2 tune --model svm --train "$d/cls.svm" --param lr=0.05,0.5 --max-epochs 3 -o "$d/m.h5"
    check "$h5model" "$d/m.h5" /coef "$d/coef" model=svm solver="mini-batch SGD" \
        budget_unit=epochs budget=3 schedule=groups
    [ "$(wc -l < "$d/coef")" -eq 13 ] || { echo "FAIL: $(wc -l < "$d/coef") coefficients"; fail=1; } ;;
warm)
    python3 "$here/gen_data.py" logistic 600 9 > "$d/cls.svm"
    space="--model logreg --solver sgd --train $d/cls.svm --param lr=log:0.003:3:6
        --param lambda=1e-4,1e-2 --param decay=1,0.8 --max-epochs 9 --min-budget 1 --cv 3"
    for sched in "groups --groups 2" "mop"; do
        run 3 tune $space --search hyperband --schedule $sched --csv "$d/w.csv" --json "$d/w.json"
        warm=$(value budget_used | cut -d' ' -f1) caps=$(value budget_used | sed 's/.*caps: \([0-9]*\).*/\1/')
        run 3 tune $space --search hyperband --schedule $sched --no-warm-start --csv "$d/c.csv"
        cold=$(value budget_used | cut -d' ' -f1)
        check python3 "$here/compare_csv.py" "$d/w.csv" "$d/c.csv" scores
        check python3 "$here/check_results.py" "$d/w.json" "$d/w.csv" 24
        [ "$warm" -lt "$cold" ] && [ "$cold" -eq "$caps" ] ||
            { echo "FAIL ($sched): $warm epochs with warm starts, $cold without (caps $caps)"; fail=1; }
        run 3 tune $space --schedule $sched --csv "$d/grid.csv"
        grid=$(value budget_used | cut -d' ' -f1)
        [ $((3 * warm)) -le "$grid" ] || { echo "FAIL ($sched): hyperband $warm epochs, grid $grid"; fail=1; }
        echo "$sched: hyperband $warm epochs with warm starts, $cold without; grid $grid"
    done ;;
mop)
    python3 "$here/gen_data.py" logistic 500 10 > "$d/cls.svm"
    space="--model svm --train $d/cls.svm --param lr=0.01,0.1,1 --param lambda=0,0.01 --max-epochs 3 --cv 4"
    run 3 tune $space --schedule mop --csv "$d/a.csv" --json "$d/a.json" -o "$d/m.h5"
    check python3 "$here/check_results.py" "$d/a.json" "$d/a.csv"
    n=$(grep -c "^trial [0-9]*/6 done: " "$d/out")
    [ "$n" -eq 6 ] || { echo "FAIL: $n progress lines (want 6)"; fail=1; }
    grep -q "ranks hopping models" "$d/out" || { echo "FAIL: no schedule in the header"; fail=1; }
    check "$h5model" "$d/m.h5" /coef "$d/coef" model=svm schedule=mop budget_unit=epochs
    run 3 tune $space --schedule mop --no-warm-start --csv "$d/b.csv"
    check python3 "$here/compare_csv.py" "$d/a.csv" "$d/b.csv"
    echo "best: $(value best)" ;;
*) echo "unknown case $case"; exit 2 ;;
esac
[ $fail -eq 0 ] && echo "PASS: $case"
exit $fail
