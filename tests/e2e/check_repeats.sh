#!/bin/bash
# check_repeats.sh BIN NP: an undirected edge list written with every edge in both directions,
# some lines repeated with a heavier weight, and self loops, loads as the graph of the single
# listing: the same vertices, edges, arcs, loops and largest degree from `info`, and the same
# outputs of wcc, pagerank and sssp (the smallest weight of an edge's copies is kept, so the
# repeats change no distance). The loader merges the repeats before building the rows for the
# list both ways, and builds the rows directly for the single one (a Kronecker graph with few
# repeats of its own): the timing lines (AMLS_TIMING) say which.
set -u
bin=$1 np=$2
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
run() { # run OUT ARGS...: amls-graph ARGS at NP ranks, its lines in $d/OUT
    local out=$1
    shift
    mpirun -np "$np" "$bin" "$@" < /dev/null > "$d/$out" 2>&1 ||
        { echo "FAIL: amls-graph $*"; cat "$d/$out"; exit 1; }
}
run gen.log generate kron --scale 13 --edge-factor 2 --seed 5 --weighted 1 --output "$d/gen.el"
# The single listing: the generator's lines (its own repeats included) and a loop every 50th.
awk 'NR % 50 == 7 { print $1, $1, $3 } { print }' "$d/gen.el" > "$d/once.el"
# Both ways: every line twice, the second reversed; every 7th once more, heavier.
awk '{ print $1, $2, $3; print $2, $1, $3 } NR % 7 == 3 { print $2, $1, $3 + 100 }' \
    "$d/once.el" > "$d/both.el"
[ "$(wc -l < "$d/both.el")" -gt "$(($(wc -l < "$d/once.el") * 2))" ] ||
    { echo "FAIL: the listing with repeats was not written"; exit 1; }
fail=0
for f in once both; do
    AMLS_TIMING=1 run "$f.info" info --input "$d/$f.el" --undirected --quiet
    sed -n -E 's/^(vertices|edges|arcs|self_loops|max_out_degree|weighted): /\1 /p' \
        "$d/$f.info" > "$d/$f.counts"
    run "$f.wcc.log" wcc --input "$d/$f.el" --undirected --quiet --output "$d/$f.wcc"
    run "$f.pr.log" pagerank --input "$d/$f.el" --undirected --quiet --partition hash \
        --output "$d/$f.pr"
    src=$(awk 'NR == 1 { print $1 }' "$d/once.el")
    run "$f.sssp.log" sssp --input "$d/$f.el" --undirected --quiet --source "$src" --output "$d/$f.sssp"
done
grep -q 'merge repeated edges' "$d/once.info" &&
    { echo "FAIL: the single listing (few repeats) took the merge"; fail=1; }
grep -q 'merge repeated edges' "$d/both.info" ||
    { echo "FAIL: the listing both ways was not merged before the rows"; fail=1; }
[ "$(wc -l < "$d/once.counts")" = 6 ] || { echo "FAIL: info printed:"; cat "$d/once.info"; exit 1; }
cmp -s "$d/once.counts" "$d/both.counts" ||
    { echo "FAIL: info differs (once, both ways):"; paste "$d/once.counts" "$d/both.counts"; fail=1; }
for out in wcc pr sssp; do
    [ -s "$d/once.$out" ] || { echo "FAIL: $out wrote nothing"; fail=1; continue; }
    cmp -s "$d/once.$out" "$d/both.$out" ||
        { echo "FAIL: $out differs between the single listing and the one both ways:";
          diff "$d/once.$out" "$d/both.$out" | head -5; fail=1; }
done
# So small a list that a rank receives nothing while the repeats are merged (it reported
# running out of memory): one edge written both ways, one component labelled 0.
printf '0 1\n1 0\n0 1\n' > "$d/tiny.el"
run tiny.log wcc --input "$d/tiny.el" --undirected --quiet --output "$d/tiny.wcc"
[ "$(sort "$d/tiny.wcc" | tr '\n' ' ')" = "0 0 1 0 " ] ||
    { echo "FAIL: the tiny list gave:"; cat "$d/tiny.wcc"; fail=1; }
[ $fail -eq 0 ] && echo "PASS: $(wc -l < "$d/both.el") lines both ways load as $(wc -l < \
    "$d/once.el") once ($(tr '\n' ' ' < "$d/once.counts")); wcc, pagerank, sssp identical at $np ranks"
exit $fail
