#!/bin/bash
# check_train.sh BIN MODE ...: end-to-end checks of `amls-graph train` (the parameter server).
#   a9a BIN DATA NP         BSP logistic regression on a9a: test accuracy >= 0.845 (the L-BFGS
#                           solver's figure is 0.8498) and --verify (bit for bit against the
#                           serial reference)
#   diabetes BIN DATA       linreg on diabetes at 2, 3, 4 ranks: the RSS of the written model,
#                           recomputed here in Python on the original file, within 1% of the
#                           least-squares RSS (the `linreg` command, CG on the normal equations)
#   files BIN H5CHECK       synthetic data: the HDF5 model with provenance, --stats JSON,
#                           restart at the same worker count (bit for bit, also on 2 servers)
#                           and at another worker count
#   error BIN NP WANT ARGS  synthetic data as @DATA@ in ARGS, then check_error.sh
# Data-set modes exit 77 (skipped) when DATA lacks the files.
set -u
bin=$1 mode=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

case $mode in
a9a)
    ml=$1/real/ml np=$2
    [ -e "$ml/a9a.gz" ] || { echo "SKIPPED: $ml/a9a.gz not found (set AMLS_DATA_DIR)"; exit 77; }
    mpirun -np "$np" "$bin" train --model logreg --train "$ml/a9a.gz" --test "$ml/a9a.t.gz" \
        --update bsp --servers 1 --batch-size 64 --epochs 10 --lr 0.1 --verify > "$d/log" 2>&1 ||
        { cat "$d/log"; fail "train exited non-zero"; }
    grep -E "^# epoch|accuracy|verify|seconds" "$d/log"
    acc=$(sed -n 's/^test_accuracy: //p' "$d/log")
    awk -v a="$acc" 'BEGIN { exit !(a >= 0.845) }' || fail "test accuracy $acc < 0.845"
    grep -q "^verify: identical" "$d/log" || fail "no verification line"
    echo "PASS: test accuracy $acc >= 0.845 at $np ranks, identical to the serial reference" ;;
diabetes)
    ml=$1/real/ml
    [ -e "$ml/diabetes.libsvm.gz" ] || { echo "SKIPPED: $ml not found (set AMLS_DATA_DIR)"; exit 77; }
    mpirun -np 2 "$bin" linreg --train "$ml/diabetes.libsvm.gz" > "$d/ls" 2>&1 || { cat "$d/ls"; fail linreg; }
    best=$(sed -n 's/^rss: //p' "$d/ls")
    for np in 2 3 4; do
        mpirun -np $np "$bin" train --model linreg --standardize --train "$ml/diabetes.libsvm.gz" \
            --lr 0.02 --lr-schedule decay:0.99 --batch-size 16 --epochs 200 --quiet \
            --output "$d/coef$np" > "$d/log$np" 2>&1 || { cat "$d/log$np"; fail "train at $np ranks"; }
    done
    python3 - "$ml/diabetes.libsvm.gz" "$best" "$d"/coef2 "$d"/coef3 "$d"/coef4 <<'EOF' || exit 1
import gzip, sys
rows = []
for line in gzip.open(sys.argv[1], "rt"):
    t = line.split()
    rows.append((float(t[0]), [(int(k), float(v)) for k, v in (a.split(":") for a in t[1:])]))
best, ok = float(sys.argv[2]), True
for path in sys.argv[3:]:
    w = [float(l) for l in open(path)]
    rss = sum((y - w[0] - sum(w[k] * v for k, v in x)) ** 2 for y, x in rows)
    print("%s: RSS %.6g, least squares %.6g, %+.3f%%" % (path, rss, best, 100 * (rss / best - 1)))
    ok &= rss <= 1.01 * best
print("PASS" if ok else "FAIL", ": RSS within 1% of least squares at 2, 3, 4 ranks")
sys.exit(0 if ok else 1)
EOF
    ;;
files)
    h5check=$1
    python3 "$here/make_libsvm.py" 400 12 5 class > "$d/train.svm"
    python3 "$here/make_libsvm.py" 200 12 6 class > "$d/test.svm"
    t="--train $d/train.svm --test $d/test.svm --batch-size 8 --lr 0.3 --quiet"
    # The HDF5 model: the same coefficients as the text model, with its provenance.
    mpirun -np 3 "$bin" train $t --epochs 4 --output "$d/m.txt" > "$d/log1" 2>&1 || { cat "$d/log1"; fail text; }
    mpirun -np 3 "$bin" train $t --epochs 4 --output "$d/m.h5" --stats "$d/s.json" > "$d/log2" 2>&1 ||
        { cat "$d/log2"; fail hdf5; }
    awk '{ print NR - 1, $1 }' "$d/m.txt" > "$d/m.ids"
    crc=$(python3 -c "import zlib,sys; print(zlib.crc32(open(sys.argv[1],'rb').read()))" "$d/train.svm")
    "$h5check" "$d/m.h5" "$d/m.ids" format=model model=logreg engine_version=amls-graph \
        "configuration=update=bsp" "command_line=--stats" train="$d/train.svm" train_crc32=$crc \
        test="$d/test.svm" seed=1 epochs=4 workers=2 servers=1 test_accuracy train_loss objective || fail "HDF5 model"
    python3 - "$d/s.json" "$d/log2" <<'EOF' || fail "stats JSON"
import json, sys
doc = json.load(open(sys.argv[1]))
assert doc["schema"] == "amls-graph/stats" and doc["command"] == "train", sorted(doc)
s = doc["train"]
log = dict(l.split(": ", 1) for l in open(sys.argv[2]).read().splitlines() if ": " in l)
assert len(s["points"]) == 4 and s["points"][-1]["epoch"] == 4, s["points"]
assert abs(s["test_accuracy"] - float(log["test_accuracy"])) < 1e-6
assert s["updates"] == int(log["updates"]) and s["workers"] == 2
assert s["test_accuracy"] >= 0.9, "the hidden hyperplane is not learnt"
print("stats JSON: %d points, final test accuracy %.4f" % (len(s["points"]), s["test_accuracy"]))
EOF
    # Restart at the same worker count: the uninterrupted BSP model, bit for bit (Adagrad state
    # included); then at another worker count it continues from the checkpoint.
    a="$t --optimizer adagrad --output"
    mpirun -np 3 "$bin" train $a "$d/full.txt" --epochs 6 > /dev/null 2>&1 || fail "full run"
    mpirun -np 3 "$bin" train $a "$d/half.txt" --epochs 3 --checkpoint-dir "$d/ck" > /dev/null 2>&1 || fail "first half"
    ls "$d/ck"
    mpirun -np 3 "$bin" train $a "$d/rest.txt" --epochs 6 --restart "$d/ck" > /dev/null 2>&1 || fail "restart"
    cmp "$d/full.txt" "$d/rest.txt" || fail "the restarted model differs from the uninterrupted one"
    cmp -s "$d/full.txt" "$d/half.txt" && fail "the checkpoint is already the end"
    mpirun -np 4 "$bin" train $a "$d/rest2.txt" --epochs 6 --restart "$d/ck" --servers 2 > /dev/null 2>&1 ||
        fail "restart on 2 servers"
    cmp "$d/full.txt" "$d/rest2.txt" || fail "the restart on 2 servers differs from the uninterrupted run"
    mpirun -np 4 "$bin" train ${a/--quiet/} "$d/other.txt" --epochs 6 --restart "$d/ck" > "$d/log3" 2>&1 ||
        { cat "$d/log3"; fail "restart at 3 workers"; }
    head -n 2 "$d/log3" | grep -q "^# epoch 4.00" || { cat "$d/log3"; fail "the restart did not begin at epoch 4"; }
    grep -q "^# epoch [1-3]\.00" "$d/log3" && fail "the restart repeated epochs"
    grep -q "^workers: 3" "$d/log3" || fail "not 3 workers"
    echo "PASS: HDF5 model with provenance, stats JSON, restart bit for bit (1 and 2 servers) and at 3 workers" ;;
error)
    np=$1 want=$2
    shift 2
    python3 "$here/make_libsvm.py" 300 10 7 class > "$d/data.svm"
    args=("${@//@DATA@/$d/data.svm}")
    "$here/../e2e/check_error.sh" "$bin" "$np" "$want" "$d/model.txt" "${args[@]//@OUT@/$d/model.txt}" ;;
*)
    fail "unknown mode $mode" ;;
esac
