#!/bin/bash
# check_ml.sh BIN KIND DATA_DIR: runs linreg / logreg / als at 1, 2 and 4 ranks and checks the
# acceptance figures and the agreement between rank counts.
set -u
bin=$1 kind=$2 data=$3
here=$(cd "$(dirname "$0")" && pwd)
ml=$data/real/ml
[ -e "$ml/a9a.gz" ] || { echo "SKIPPED: $ml not found (set AMLS_DATA_DIR)"; exit 77; }
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
for np in 1 2 4; do
    case $kind in
        linreg) args="linreg --train $ml/diabetes.libsvm.gz --lambda 0 --output $d/coef$np" ;;
        logreg) args="logreg --train $ml/a9a.gz --test $ml/a9a.t.gz --output $d/coef$np" ;;
        als) args="als --ratings $ml/movielens-100k/u.data.gz --rank 10 --lambda 0.1 --iterations 10 --test-fraction 0.2 --seed 7 --quiet" ;;
    esac
    mpirun -np $np "$bin" $args > "$d/log$np" 2>&1 || { cat "$d/log$np"; exit 1; }
    grep -E "converged|accuracy|rmse|iterations" "$d/log$np" | tr '\n' ' '; echo "(np=$np)"
done
case $kind in
    linreg)
        python3 "$here/check_linreg.py" "$ml/diabetes.libsvm.gz" "$d/coef1" "$d/coef2" "$d/coef4" ;;
    logreg)
        for np in 1 2 4; do
            acc=$(sed -n 's/^test_accuracy: //p' "$d/log$np")
            awk -v a="$acc" 'BEGIN { exit !(a >= 0.845) }' || { echo "FAIL: test accuracy $acc < 0.845 at $np ranks"; exit 1; }
        done
        for np in 2 4; do
            cmp -s <(grep accuracy "$d/log1") <(grep accuracy "$d/log$np") ||
                { echo "FAIL: accuracies differ between 1 and $np ranks"; exit 1; }
            cmp -s "$d/coef1" "$d/coef$np" ||
                { echo "FAIL: coefficients differ between 1 and $np ranks (reproducible sums)"; exit 1; }
        done
        echo "PASS: test accuracy >= 0.845; accuracies and coefficients identical at 1, 2, 4 ranks" ;;
    als)
        for np in 1 2 4; do
            r=$(sed -n 's/^test_rmse: //p' "$d/log$np")
            awk -v a="$r" 'BEGIN { exit !(a <= 0.95) }' || { echo "FAIL: test RMSE $r > 0.95 at $np ranks"; exit 1; }
        done
        a1=$(sed -n 's/^test_rmse: //p' "$d/log1")
        for np in 2 4; do
            a=$(sed -n 's/^test_rmse: //p' "$d/log$np")
            awk -v x="$a1" -v y="$a" 'BEGIN { e = x - y; if (e < 0) e = -e; exit !(e <= 1e-5) }' ||
                { echo "FAIL: test RMSE $a1 (1 rank) vs $a ($np ranks)"; exit 1; }
        done
        echo "PASS: test RMSE <= 0.95, agreeing at 1, 2, 4 ranks" ;;
esac
