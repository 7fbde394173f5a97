# SPDX-License-Identifier: MIT
"""errors.py WORK PLUGIN (under mpirun): engine errors become AmlsError on every rank, with the
message of the rank that failed, and no rank hangs. Cases: a malformed line that only the last
rank reads, an unknown parameter, a file that is not a plugin, a matrix that is not square (found
on rank 0 only), a missing file; after each, the ranks must still work together (a small run
succeeds). Every rank prints its verdict."""
import sys

from mpi4py import MPI

import amls_graph as ag

comm = MPI.COMM_WORLD
rank, size = comm.Get_rank(), comm.Get_size()
work, not_a_plugin = sys.argv[1], sys.argv[2]
fails = []

cases = [
    ("malformed line on the last rank", lambda: ag.run("pagerank", input=work + "/bad.el"),
     "bad.el:2001:", size - 1),
    ("unknown parameter", lambda: ag.run("pagerank", input="gen:grid:rows=4,cols=4", dampin=0.5),
     "unknown parameter 'dampin'", None),
    ("not a plugin", lambda: ag.run(not_a_plugin, input="gen:grid:rows=4,cols=4"),
     "not_a_plugin.so", None),
    ("matrix not square", lambda: ag.cg([[1.0, 2.0, 3.0]]), "not square", 0),
    ("missing file", lambda: ag.run("wcc", input=work + "/absent.el"), "absent.el", None),
]
for name, call, want, who in cases:
    try:
        call()
        fails.append("%s: no exception" % name)
    except ag.AmlsError as e:
        if want not in str(e):
            fails.append("%s: message %r lacks %r" % (name, str(e), want))
        if who is not None and e.rank != who:
            fails.append("%s: reported by rank %d, expected rank %d" % (name, e.rank, who))
        if not str(e).startswith("[rank %d] " % e.rank):
            fails.append("%s: message %r does not name rank %d" % (name, str(e), e.rank))
    # The ranks are still in step: every rank agrees on the messages seen so far, and a run works.
    ids, vals = ag.run("wcc", input="gen:grid:rows=3,cols=3")
    if rank == 0 and (len(ids) != 9 or set(vals) != {0}):
        fails.append("%s: the run after the error gave a wrong result" % name)
everyone = comm.allgather(fails)
if any(f != everyone[0] for f in everyone):
    fails.append("ranks disagree: %s" % everyone)
for f in fails:
    print("rank %d: FAIL: %s" % (rank, f))
if not fails:
    print("rank %d: PASS: %d errors raised on every rank with the failing rank's message"
          % (rank, len(cases)), flush=True)
sys.exit(1 if fails else 0)
