#!/bin/bash
# check_ml.sh BIN KIND ARGS...: runs linreg / logreg / als at 1, 2 and 4 ranks and checks the
# results against independent or stated figures and across rank counts:
#   check_ml.sh BIN linreg TRAIN                 coefficients = exact least squares (check_linreg.py)
#   check_ml.sh BIN logreg TRAIN TEST MIN_ACC    test accuracy >= MIN_ACC, identical at every count
#   check_ml.sh BIN als RATINGS MAX_RMSE ARGS... test RMSE <= MAX_RMSE, agreeing to 1e-5
set -u
bin=$1 kind=$2 train=$3
here=$(cd "$(dirname "$0")" && pwd)
[ -e "$train" ] || { echo "SKIPPED: $train not found (set AMLS_DATA_DIR)"; exit 77; }
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
for np in 1 2 4; do
    case $kind in
        linreg) args=(linreg --train "$train" --lambda 0 --output "$d/coef$np") ;;
        logreg) args=(logreg --train "$train" --test "$4" --output "$d/coef$np") ;;
        als) args=(als --ratings "$train" "${@:5}" --quiet) ;;
    esac
    mpirun -np $np "$bin" "${args[@]}" > "$d/log$np" 2>&1 < /dev/null || { cat "$d/log$np"; exit 1; }
    grep -E "converged|accuracy|rmse|iterations" "$d/log$np" | tr '\n' ' '; echo "(np=$np)"
done
case $kind in
    linreg)
        python3 "$here/check_linreg.py" "$train" "$d/coef1" "$d/coef2" "$d/coef4" ;;
    logreg)
        min=$5
        for np in 1 2 4; do
            acc=$(sed -n 's/^test_accuracy: //p' "$d/log$np")
            awk -v a="$acc" -v m="$min" 'BEGIN { exit !(a >= m) }' || { echo "FAIL: test accuracy $acc < $min at $np ranks"; exit 1; }
        done
        for np in 2 4; do
            cmp -s <(grep accuracy "$d/log1") <(grep accuracy "$d/log$np") ||
                { echo "FAIL: accuracies differ between 1 and $np ranks"; exit 1; }
            cmp -s "$d/coef1" "$d/coef$np" ||
                { echo "FAIL: coefficients differ between 1 and $np ranks (reproducible sums)"; exit 1; }
        done
        echo "PASS: test accuracy >= $min; accuracies and coefficients identical at 1, 2, 4 ranks" ;;
    als)
        max=$4
        for np in 1 2 4; do
            r=$(sed -n 's/^test_rmse: //p' "$d/log$np")
            awk -v a="$r" -v m="$max" 'BEGIN { exit !(a <= m) }' || { echo "FAIL: test RMSE $r > $max at $np ranks"; exit 1; }
        done
        a1=$(sed -n 's/^test_rmse: //p' "$d/log1")
        for np in 2 4; do
            a=$(sed -n 's/^test_rmse: //p' "$d/log$np")
            awk -v x="$a1" -v y="$a" 'BEGIN { e = x - y; if (e < 0) e = -e; exit !(e <= 1e-5) }' ||
                { echo "FAIL: test RMSE $a1 (1 rank) vs $a ($np ranks)"; exit 1; }
        done
        echo "PASS: test RMSE <= $max, agreeing at 1, 2, 4 ranks" ;;
esac
