#!/bin/bash
# check_sdk.sh BUILD_DIR EXAMPLES_DIR GRAPH EXAMPLE
# Installs the SDK from BUILD_DIR into a temporary prefix, copies the example project out of
# the source tree, builds it against the installed package only, runs it at 1, 2 and 4 ranks
# on GRAPH (an edge list with vertices 0, 5 and 17) and compares the output with an
# independent Python computation.
set -u
build=$1 examples=$2 graph=$3 ex=$4
here=$(cd "$(dirname "$0")" && pwd)
case $ex in
    degree_stats) args="" ;;
    ppr) args="--seeds 0,5,17 --damping 0.85 --iterations 15" ;;
    kcore) args="--undirected" ;;
esac
if [ ! -e "$graph" ]; then echo "SKIPPED: $graph not found (set AMLS_DATA_DIR)"; exit 77; fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --install "$build" --prefix "$work/prefix" > "$work/install.log" 2>&1 || { cat "$work/install.log"; exit 1; }
cp -r "$examples/$ex" "$work/src"
gen=""
command -v ninja > /dev/null && gen="-G Ninja"
cmake -S "$work/src" -B "$work/bld" $gen -DCMAKE_PREFIX_PATH="$work/prefix" > "$work/cfg.log" 2>&1 ||
    { cat "$work/cfg.log"; exit 1; }
cmake --build "$work/bld" > "$work/bld.log" 2>&1 || { cat "$work/bld.log"; exit 1; }
so=$work/bld/$ex.so
bin=$work/prefix/bin/amls-graph
case $ex in
    degree_stats) python3 "$here/ref.py" degree_stats "$graph" > "$work/ref" ;;
    ppr) python3 "$here/ref.py" ppr "$graph" 0,5,17 0.85 15 > "$work/ref" ;;
    kcore) python3 "$here/ref.py" kcore "$graph" > "$work/ref" ;;
esac
fail=0
for np in 1 2 4; do
    mpirun -np $np "$bin" run "$so" --input "$graph" $args --quiet --output "$work/out$np" \
        > "$work/log$np" 2>&1 || { echo "FAIL: run at $np ranks"; cat "$work/log$np"; fail=1; continue; }
    case $ex in
        ppr)
            python3 - "$work/ref" "$work/out$np" <<'PY' || fail=1
import sys
want = {int(l.split()[0]): float(l.split()[1]) for l in open(sys.argv[1])}
got = {int(l.split()[0]): float(l.split()[1]) for l in open(sys.argv[2])}
assert set(want) == set(got), "different vertex sets"
bad = [v for v in want if abs(want[v] - got[v]) > 1e-9 * max(abs(want[v]), 1e-300)]
print("ppr: %d vertices, %d differ" % (len(want), len(bad)))
sys.exit(1 if bad else 0)
PY
            ;;
        degree_stats)
            grep -v '^stats' "$work/ref" | sort -n > "$work/want"
            sort -n "$work/out$np" > "$work/got"
            cmp -s "$work/want" "$work/got" || { echo "FAIL: per-vertex degrees differ at $np ranks"; fail=1; }
            read -r _ arcs maxo maxi sinks < <(grep '^stats' "$work/ref")
            line=$(grep '^degree_stats:' "$work/log$np")
            echo "$line" | grep -q "arcs $arcs .*max_out $maxo max_in $maxi sinks $sinks" ||
                { echo "FAIL: master's statistics '$line' vs arcs $arcs max_out $maxo max_in $maxi sinks $sinks"; fail=1; }
            ;;
        kcore)
            sort -n "$work/ref" > "$work/want"
            sort -n "$work/out$np" > "$work/got"
            cmp -s "$work/want" "$work/got" || { echo "FAIL: coreness differs at $np ranks"; diff "$work/want" "$work/got" | head -5; fail=1; }
            ;;
    esac
    [ $fail -eq 0 ] && echo "PASS: $ex at $np ranks"
done
exit $fail
