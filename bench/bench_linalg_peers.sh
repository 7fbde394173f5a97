#!/bin/bash
# bench/bench_linalg_peers.sh [TRIALS] [KERNELS] [GRAPHS]: both engines of amls-graph (the
# linear-algebra path, --engine linalg, and the vertex engine) side by side with gapbs (cc, bfs,
# sssp, pr; 2 threads) and, for PageRank, with SuiteSparse:GraphBLAS (bench/graphblas_pr.c), on
# the same graphs: road-USA-NY (from ../shared/datasets) and gapbs-generated Kronecker graphs
# converted for both. Algorithm time only: amls-graph's "seconds" (PageRank: seconds per
# iteration, or per superstep in the vertex engine), gapbs's "Trial Time" (median of its
# in-process trials; pr divided by its iterations), GraphBLAS's seconds per iteration. Trials
# are interleaved (one of each per round) and medians reported, with the load average; the
# vertex engine's lines also give its ratio to the linear algebra.
#
#   GAPBS_DIR   gapbs build folder (required; gapbs is built outside the project, never here)
#   B           amls-graph binary (build/apps/amls-graph)
#   NP          ranks (2); gapbs and GraphBLAS get as many threads
#   WORK        folder for converted inputs (/tmp/amls-bench-linalg); reused when present
#   DATA        shared datasets (../shared/datasets)
#   KRON_PART   partitioner for the Kronecker graphs (hash); road-NY uses the default (metis)
#   KERNELS     default "pr cc bfs sssp"; GRAPHS default "ny kron20 kron22"
#   ENGINES     default "linalg vertex"
# Needs: libgraphblas-dev for the GraphBLAS column (skipped with a note when absent).
set -u
trials=${1:-5}
KERNELS=${2:-${KERNELS:-pr cc bfs sssp}}
GRAPHS=${3:-${GRAPHS:-ny kron20 kron22}}
: "${GAPBS_DIR:?set GAPBS_DIR to a gapbs build folder}"
B=${B:-build/apps/amls-graph}
NP=${NP:-2}
WORK=${WORK:-/tmp/amls-bench-linalg}
DATA=${DATA:-../shared/datasets}
KRON_PART=${KRON_PART:-hash}
ENGINES=${ENGINES:-linalg vertex}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=$NP
mkdir -p "$WORK"
here=$(cd "$(dirname "$0")" && pwd)

# ---- inputs (made once) ---------------------------------------------------------------------
prepare() {
    local g=$1
    case $g in
    ny)
        [ -s "$WORK/ny.el" ] || zcat "$DATA/real/graphs/road-USA-NY.gr.gz" |
            awk '$1 != "p" && $1 != "c" { print $1, $2 }' > "$WORK/ny.el"
        [ -s "$WORK/ny.wel" ] || awk '{ print $1, $2, 1 }' "$WORK/ny.el" > "$WORK/ny.wel"
        [ -s "$WORK/ny.sg" ] || "$GAPBS_DIR/converter" -f "$WORK/ny.el" -s -b "$WORK/ny.sg" > /dev/null
        [ -s "$WORK/ny.wsg" ] ||
            "$GAPBS_DIR/converter" -f "$WORK/ny.wel" -s -w -b "$WORK/ny.wsg" > /dev/null ;;
    kron*)
        local s=${g#kron}
        [ -s "$WORK/$g.el" ] || "$GAPBS_DIR/converter" -g "$s" -e "$WORK/$g.el" > /dev/null
        [ -s "$WORK/$g.sg" ] || "$GAPBS_DIR/converter" -f "$WORK/$g.el" -s -b "$WORK/$g.sg" > /dev/null
        [ -s "$WORK/$g.wel" ] || "$GAPBS_DIR/converter" -g "$s" -w -e "$WORK/$g.wel" > /dev/null
        [ -s "$WORK/$g.wsg" ] ||
            "$GAPBS_DIR/converter" -f "$WORK/$g.wel" -s -w -b "$WORK/$g.wsg" > /dev/null
        for w in "" w; do
            local src=$WORK/$g.${w:+w}el
            [ -s "$WORK/$g$w.h5" ] || mpirun -np "$NP" "$B" convert --input "$src" --undirected \
                --partition hash --output "$WORK/$g$w.h5" --quiet < /dev/null > /dev/null
        done ;;
    esac
}

# amls-graph's input, partitioner and source for a graph; gapbs's source.
ours_input() { case $1 in ny) echo "$DATA/real/graphs/road-USA-NY.gr.gz" ;; *) echo "$WORK/$1${2:-}.h5" ;; esac; }
ours_part() { case $1 in ny) echo metis ;; *) echo "$KRON_PART" ;; esac; }
source_of() { case $1 in ny) echo 1 ;; *) head -1 "$WORK/$1.el" | cut -d' ' -f1 ;; esac; }

gb=""
if [ -e /usr/include/GraphBLAS.h ] || [ -e /usr/include/suitesparse/GraphBLAS.h ]; then
    gb=$WORK/graphblas_pr
    cc -O3 -o "$gb" "$here/graphblas_pr.c" -I/usr/include/suitesparse -lgraphblas -lm || gb=""
else
    echo "# note: libgraphblas-dev not installed: no GraphBLAS column"
fi

median_gapbs() { awk '/Trial Time/ { print $3 }' | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# One measurement: prints "kernel graph system seconds" (ENGINE: linalg or vertex).
run_ours() {
    local k=$1 g=$2 e=$3 algo extra="" w="" key=seconds
    local per=seconds_per_iteration
    [ "$e" = vertex ] && per=seconds_per_superstep
    case $k in
    pr) algo=pagerank extra="--iterations 20" key=$per ;;
    pr32) algo=pagerank extra="--iterations 20 --variant fp32" key=$per ;;
    cc) algo=wcc ;;
    bfs) algo=bfs extra="--source $(source_of "$g")" ;;
    sssp) algo=sssp extra="--source $(source_of "$g")" w=w ;;
    esac
    [ "$g" = ny ] && w=""
    # shellcheck disable=SC2086
    mpirun -np "$NP" "$B" "$algo" --engine "$e" --input "$(ours_input "$g" $w)" \
        --partition "$(ours_part "$g")" --quiet $extra < /dev/null |
        awk -v k="$k" -v g="$g" -v key="$key:" -v s="amls-$e" '$1 == key { print k, g, s, $2 }'
}
run_gapbs() {
    local k=$1 g=$2 t
    case $k in
    pr) t=$("$GAPBS_DIR/pr" -f "$WORK/$g.sg" -n 3 -i 20 -t 0 | median_gapbs)
        t=$(awk -v t="$t" 'BEGIN { print t / 20 }') ;;
    cc) t=$("$GAPBS_DIR/cc" -f "$WORK/$g.sg" -n 3 | median_gapbs) ;;
    bfs) t=$("$GAPBS_DIR/bfs" -f "$WORK/$g.sg" -n 3 -r "$(source_of "$g")" | median_gapbs) ;;
    sssp) t=$("$GAPBS_DIR/sssp" -f "$WORK/$g.wsg" -n 3 -r "$(source_of "$g")" \
        -d "$(gapbs_delta "$g")" | median_gapbs) ;;
    *) return ;;
    esac
    echo "$k $g gapbs $t"
}
gapbs_delta() { case $1 in ny) echo 1 ;; *) echo "${GAPBS_DELTA:-8}" ;; esac; }
run_graphblas() {
    [ -n "$gb" ] && [ "$1" = pr ] &&
        "$gb" "$WORK/$2.sg" 20 "$NP" | awk -v g="$2" '/sec_per_iteration/ { print "pr", g, "graphblas", $2 }'
}

for g in $GRAPHS; do prepare "$g"; done
echo "# $(date -u +%FT%TZ) np=$NP trials=$trials load: $(cut -d' ' -f1-3 /proc/loadavg)"
out=$WORK/results.txt
: > "$out"
for t in $(seq "$trials"); do
    for g in $GRAPHS; do
        for k in $KERNELS; do
            for e in $ENGINES; do
                run_ours "$k" "$g" "$e" >> "$out"
                [ "$k" = pr ] && [ "$e" = linalg ] && run_ours pr32 "$g" "$e" >> "$out"
            done
            run_gapbs "$k" "$g" >> "$out"
            run_graphblas "$k" "$g" >> "$out"
        done
    done
    echo "# round $t done, load: $(cut -d' ' -f1-3 /proc/loadavg)"
done
# Medians per (kernel, graph, system) and the ratio to gapbs.
sort -k1,1 -k2,2 -k3,3 -k4,4g "$out" | awk '
    { key = $1 " " $2 " " $3; n[key]++; v[key, n[key]] = $4; order[key] = 1 }
    END {
        for (key in order) { m[key] = v[key, int((n[key] + 1) / 2)] }
        for (key in order) {
            split(key, f, " "); base = f[1]; if (base == "pr32") base = "pr";
            gk = base " " f[2] " gapbs";
            r = (gk in m && m[gk] > 0) ? sprintf("%.2f", m[key] / m[gk]) : "-";
            lk = f[1] " " f[2] " amls-linalg";
            l = (f[3] == "amls-vertex" && lk in m && m[lk] > 0) ? sprintf("  vertex/linalg %.2f", m[key] / m[lk]) : "";
            printf "%-5s %-7s %-12s median %.5f s (n=%d)  ratio_to_gapbs %s%s\n", f[1], f[2], f[3], m[key], n[key], r, l
        }
    }' | sort
echo "# end $(date -u +%FT%TZ) load: $(cut -d' ' -f1-3 /proc/loadavg)"
