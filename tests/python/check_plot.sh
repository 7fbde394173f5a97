#!/bin/bash
# check_plot.sh BIN PYTHON: statistics from a vertex-engine run, from solvers and from
# info --degrees, drawn by `amls-graph plot`: each PNG has the expected size, axes and data;
# --kind draws one panel; .svg gives SVG; a file with nothing to plot is refused.
set -u
bin=$1 py=$2
here=$(cd "$(dirname "$0")" && pwd)
"$py" -c "import matplotlib, numpy" 2> /dev/null ||
    { echo "SKIPPED: $py cannot import matplotlib (apt-get install python3-matplotlib)"; exit 77; }
export AMLS_GRAPH_PYTHON=$py
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0
run() { mpirun -np 2 "$@" < /dev/null > "$work/log" 2>&1 || { echo "FAIL: $*"; cat "$work/log"; exit 1; }; }
"$py" "$here/fixtures.py" "$work" || exit 1
run "$bin" sssp --input gen:grid:rows=12,cols=12 --source 0 --quiet --stats "$work/sssp.json"
run "$bin" logreg --train "$work/train.libsvm" --test "$work/train.libsvm" --stats "$work/logreg.json"
run "$bin" cg --matrix "$work/spd.mtx" --stats "$work/cg.json"
run "$bin" info --input "$work/directed.el" --degrees --quiet --stats "$work/deg.json"
run "$bin" pagerank --input gen:kron:scale=8 --quiet --stats "$work/all.json"
# A file with every section: supersteps, convergence (from logreg) and degrees (from info).
"$py" - "$work" <<'PY'
import json, sys
w = sys.argv[1]
doc = json.load(open(w + "/all.json"))
doc["solver"] = json.load(open(w + "/logreg.json"))["solver"]
doc["degrees"] = json.load(open(w + "/deg.json"))["degrees"]
json.dump(doc, open(w + "/all.json", "w"))
PY
pngs=()
check() { # STATS PANELS [plot options]: plots now, the pictures are checked at the end
    local stats=$1 panels=$2 out="$work/$(basename "$1" .json)-$2.png"
    shift 2
    "$bin" plot "$stats" -o "$out" "$@" > "$work/plot.log" 2>&1 || { echo "FAIL: plot $stats $*"; cat "$work/plot.log"; fail=1; return; }
    pngs+=("$out" "$panels")
}
check "$work/sssp.json" 1
check "$work/logreg.json" 1
check "$work/cg.json" 1
check "$work/deg.json" 1
check "$work/all.json" 3
check "$work/all.json" 1 --kind degrees
"$py" "$here/check_png.py" "${pngs[@]}" || fail=1
"$bin" plot "$work/all.json" -o "$work/all.svg" > /dev/null 2>&1 && head -c 400 "$work/all.svg" | grep -q "<svg" &&
    echo "$work/all.svg: PASS (SVG)" || { echo "FAIL: no SVG"; fail=1; }
# Nothing to plot (linear algebra has no supersteps): a clear refusal, no file.
run "$bin" wcc --engine linalg --input gen:grid:rows=4,cols=4 --quiet --stats "$work/la.json"
if "$bin" plot "$work/la.json" -o "$work/la.png" > "$work/plot.log" 2>&1 || [ -e "$work/la.png" ] ||
    ! grep -q "nothing to plot" "$work/plot.log"; then
    echo "FAIL: a file without plottable data was not refused"; cat "$work/plot.log"; fail=1
else
    echo "refusal: PASS ($(cat "$work/plot.log"))"
fi
exit $fail
