# SPDX-License-Identifier: MIT
"""PageRank top 10, with pictures: the ten highest-ranked vertices as a bar chart, and where each
superstep spent its time on every rank.

    python3 examples/pagerank_top10.py [--input GRAPH] [--out DIR]
    mpirun -np 2 python3 examples/pagerank_top10.py --input graph.txt.gz

GRAPH is any graph amls-graph reads (edge list, LDBC, Matrix Market, METIS, DIMACS, HDF5
container) or a generator spec; the default is a generated Kronecker graph. Writes
DIR/pagerank_top10.png, DIR/pagerank_supersteps.png and DIR/pagerank.stats.json."""
import argparse
import os

import amls_graph as ag
from amls_graph import plot
from matplotlib.figure import Figure
from mpi4py import MPI

ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
ap.add_argument("--input", default="gen:kron:scale=14,edge-factor=16,seed=1")
ap.add_argument("--out", default=".")
ap.add_argument("--damping", type=float, default=0.85)
ap.add_argument("--iterations", type=int, default=20)
a = ap.parse_args()
stats = os.path.join(a.out, "pagerank.stats.json")

# Every rank takes part; rank 0 gets (ids, ranks) in original-id order, the others (None, None).
ids, ranks = ag.run("pagerank", input=a.input, damping=a.damping, iterations=a.iterations,
                    stats=stats)

if MPI.COMM_WORLD.Get_rank() == 0:
    top = ranks.argsort()[::-1][:10]
    print("rank  vertex      pagerank")
    for k, i in enumerate(top, 1):
        print("%4d  %-10d  %.6g" % (k, ids[i], ranks[i]))

    fig = Figure(figsize=(8, 3.5), dpi=100)
    ax = fig.subplots()
    ax.bar([str(v) for v in ids[top]], ranks[top], color="tab:blue")
    ax.set_xlabel("vertex (original id)")
    ax.set_ylabel("PageRank")
    ax.set_title("top 10 of %d vertices (damping %g, %d iterations)"
                 % (len(ids), a.damping, a.iterations))
    fig.tight_layout()
    fig.savefig(os.path.join(a.out, "pagerank_top10.png"))
    # Time per superstep and rank, active vertices and messages, from the statistics file.
    plot.save(stats, os.path.join(a.out, "pagerank_supersteps.png"), kinds=["supersteps"])
    print("wrote %s/pagerank_top10.png and %s/pagerank_supersteps.png" % (a.out, a.out))
