#!/bin/bash
# bench/bench_traversal.sh [TRIALS] — WCC, BFS and SSSP side by side with gapbs (cc, bfs, sssp)
# on road-USA-NY and a Kronecker graph, and PageRank seconds per iteration against gapbs pr on
# Kronecker graphs: amls-graph at NP ranks (vertex engine and linear algebra) against gapbs with
# NP OpenMP threads, algorithm time only (amls-graph's `seconds:`, gapbs's `Trial Time`),
# trials interleaved (gapbs, vertex, linalg, gapbs, ...), medians.
#
#   GAPBS_DIR   a gapbs build folder (cc, bfs, sssp, pr, converter); gapbs is BSD-licensed public
#               code built outside this tree (git clone https://github.com/sbeamer/gapbs; make)
#   B           the amls-graph binary (default build/apps/amls-graph)
#   NP          ranks and threads (default 2)
#   SCALE       Kronecker scale of the traversal graph (default 20)
#   PR_SCALES   Kronecker scales for PageRank (default "20 22"; empty: none)
#   BENCH_DIR   where the derived inputs go (default /tmp/amls-bench)
#   AMLS_DATA_DIR  the shared datasets (default ../shared/datasets)
#   KERNELS     subset of "wcc bfs sssp pr" (default all)
#
# Inputs are made once in BENCH_DIR: road-NY as an edge list, and with weights 1..255 from a
# hash of the edge (SSSP needs weights; both programs read the same file); the Kronecker graph
# from amls-graph's generator (Graph500 initiator, edge factor 16, seed 1, weights 1..255),
# converted to gapbs's serialized format. amls-graph generates the same Kronecker graph in
# memory (gen:kron:...) and converts it once to its HDF5 container (METIS for NP ranks).
# Sources: vertex 1 on road-NY, the first vertex of the edge list on
# the Kronecker graph; gapbs's sssp runs with -d SSSP_DELTA (default: the same delta as
# amls-graph's default, the mean weight, 128) and amls-graph with its default.
set -u
B=${B:-build/apps/amls-graph}
: "${GAPBS_DIR:?set GAPBS_DIR to a gapbs build folder}"
n=${1:-5} NP=${NP:-2} S=${SCALE:-20} W=${BENCH_DIR:-/tmp/amls-bench}
PR_SCALES=${PR_SCALES-20 22} KERNELS=${KERNELS:-wcc bfs sssp pr}
DATA=${AMLS_DATA_DIR:-../shared/datasets}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
export OPENBLAS_NUM_THREADS=1
mkdir -p "$W"
NY=$DATA/real/graphs/road-USA-NY.gr.gz
[ -s "$W/ny.el" ] || zcat "$NY" | awk '$1 ~ /^[0-9]/ { print $1, $2 }' > "$W/ny.el"
[ -s "$W/ny.wel" ] || awk '{ print $1, $2, 1 + ($1 * 7919 + $2 * 104729) % 255 }' "$W/ny.el" > "$W/ny.wel"
kron() { # kron SCALE WEIGHTED: the edge list, and gapbs's serialized graph of it
    local f="$W/kron$1.$([ "$2" = 1 ] && echo wel || echo el)" sg="$W/kron$1.$([ "$2" = 1 ] && echo wsg || echo sg)"
    [ -s "$f" ] || mpirun -np "$NP" "$B" generate kron --scale "$1" --edge-factor 16 --seed 1 \
        --weighted "$2" --output "$f" </dev/null > /dev/null
    [ -s "$sg" ] || "$GAPBS_DIR/converter" -f "$f" -s $([ "$2" = 1 ] && echo -w) -b "$sg" > /dev/null
}
spec() { # spec SCALE WEIGHTED: the container of the Kronecker graph, converted once (METIS for NP
    # ranks, as the generator spec would be partitioned), so that a trial does not spend minutes
    # generating and partitioning it again; loading is not timed either way
    local h="$W/kron$1.w$2.np$NP.h5"
    [ -s "$h" ] || mpirun -np "$NP" "$B" convert --input \
        "gen:kron:scale=$1,edge-factor=16,seed=1,weighted=$2" --output "$h" </dev/null > /dev/null
    echo "$h"
}

# One timing each, printed as "graph kernel system seconds".
ours() { # ours LABEL GRAPHNAME ALGO ARGS...
    local label=$1 g=$2 a=$3
    shift 3
    mpirun -np "$NP" "$B" "$a" --quiet "$@" </dev/null 2>/dev/null |
        awk -v l="$label" -v g="$g" -v a="$a" '/^seconds:/ { print g, a, l, $2 }'
}
gap() { # gap GRAPHNAME KERNEL ARGS...
    local g=$1 k=$2
    shift 2
    OMP_NUM_THREADS=$NP "$GAPBS_DIR/$k" -n 1 "$@" 2>/dev/null |
        awk -v g="$g" -v k="$k" '/^Trial Time/ { print g, k, "gapbs", $3 }'
}

run_trials() {
    for t in $(seq "$n"); do
        for k in $KERNELS; do
            case $k in
            wcc)
                gap ny cc -f "$W/ny.el" -s
                ours vertex ny wcc --input "$NY"
                ours linalg ny wcc --input "$NY" --engine linalg
                gap "kron$S" cc -f "$W/kron$S.sg"
                ours vertex "kron$S" wcc --input "$(spec "$S" 0)"
                ours linalg "kron$S" wcc --input "$(spec "$S" 0)" --engine linalg ;;
            bfs)
                gap ny bfs -f "$W/ny.el" -s -r 1
                ours vertex ny bfs --input "$NY" --source 1
                ours linalg ny bfs --input "$NY" --source 1 --engine linalg
                gap "kron$S" bfs -f "$W/kron$S.sg" -r "$KSRC"
                ours vertex "kron$S" bfs --input "$(spec "$S" 0)" --source "$KSRC"
                ours linalg "kron$S" bfs --input "$(spec "$S" 0)" --source "$KSRC" --engine linalg ;;
            sssp)
                gap ny sssp -f "$W/ny.wel" -s -r 1 -d "${SSSP_DELTA:-128}"
                ours vertex ny sssp --input "$W/ny.wel" --undirected --source 1
                ours linalg ny sssp --input "$W/ny.wel" --undirected --source 1 --engine linalg
                gap "kron$S" sssp -f "$W/kron$S.wsg" -r "$KSRC" -d "${SSSP_DELTA:-128}"
                ours vertex "kron$S" sssp --input "$(spec "$S" 1)" --source "$KSRC"
                ours linalg "kron$S" sssp --input "$(spec "$S" 1)" --source "$KSRC" --engine linalg ;;
            pr)
                for p in $PR_SCALES; do # per iteration: 20 iterations
                    gap "kron$p" pr -f "$W/kron$p.sg" -i 20 -t 0 | awk '{ $4 = $4 / 20; print }'
                    ours vertex "kron$p" pagerank --input "$(spec "$p" 0)" --iterations 20 |
                        awk '{ $4 = $4 / 20; print }'
                    ours vertex-hash "kron$p" pagerank --input "$(spec "$p" 0)" --iterations 20 \
                        --partition hash | awk '{ $4 = $4 / 20; print }'
                    ours linalg "kron$p" pagerank --input "$(spec "$p" 0)" --iterations 20 \
                        --engine linalg | awk '{ $4 = $4 / 20; print }'
                done ;;
            esac
        done
    done
}

case " $KERNELS " in *" wcc "* | *" bfs "*) kron "$S" 0 && spec "$S" 0 > /dev/null ;; esac
case " $KERNELS " in *" sssp "*) kron "$S" 1 && spec "$S" 1 > /dev/null ;; esac
case " $KERNELS " in *" pr "*) for p in $PR_SCALES; do kron "$p" 0 && spec "$p" 0 > /dev/null; done ;; esac
KSRC=$(head -c 64 "$W/kron$S.el" 2>/dev/null | awk 'NR == 1 { print $1 }')
KSRC=${KSRC:-$(head -c 64 "$W/kron$S.wel" | awk 'NR == 1 { print $1 }')}
echo "# $(date -u +%Y-%m-%dT%H:%MZ) np=$NP trials=$n load: $(cut -d' ' -f1-3 /proc/loadavg)"
run_trials | tee "$W/raw.txt" | sort -k1,1 -k2,2 -k3,3 -k4,4g | awk '
    { key = $1 " " $2 " " $3; c[key]++; v[key, c[key]] = $4 }
    END {
        for (k in c) { m[k] = v[k, int((c[k] + 1) / 2)] }
        for (k in c) {
            split(k, p, " "); base = p[2] == "wcc" ? "cc" : p[2] == "pagerank" ? "pr" : p[2]
            gref = m[p[1] " " base " gapbs"]
            printf "%-8s %-9s %-12s median %.5f s (n=%d)%s\n", p[1], p[2], p[3], m[k], c[k],
                   ((gref > 0 && p[3] != "gapbs") ? sprintf("  %.2fx gapbs", m[k] / gref) : "")
        }
    }' | sort
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)"
