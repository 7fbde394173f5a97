#!/bin/bash
# check_indegree.sh BIN NP PLUGIN GRAPH: the indegree plugin's output equals in-degrees counted
# from the edge file with awk (duplicate arcs merged, as the engine does).
set -u
bin=$1 np=$2 so=$3 g=$4
if [ ! -e "$g" ]; then echo "SKIPPED: $g not found (set AMLS_DATA_DIR)"; exit 77; fi
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
mpirun -np "$np" "$bin" run "$so" --input "$g" --quiet --output "$d/out" > "$d/log" 2>&1 || { cat "$d/log"; exit 1; }
zcat -f "$g" | tr -d '\r' | awk '!/^[#%]/ && NF >= 2 { if (!(($1, $2) in seen)) { seen[$1, $2] = 1; deg[$2]++ } ids[$1] = 1; ids[$2] = 1 }
    END { for (v in ids) print v, (v in deg) ? deg[v] : 0 }' | sort -n > "$d/want"
sort -n "$d/out" > "$d/got"
if cmp -s "$d/want" "$d/got"; then echo "PASS: $(wc -l < "$d/got") in-degrees match"; exit 0; fi
echo "FAIL"; diff "$d/want" "$d/got" | head; exit 1
