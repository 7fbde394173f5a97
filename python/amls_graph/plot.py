# SPDX-License-Identifier: MIT
"""Pictures of an amls-graph statistics file (--stats FILE, schema amls-graph/stats 1):

    supersteps   per-superstep time of every rank, split into compute and communication, and
                 active vertices and messages per superstep (a vertex-engine run)
    convergence  a solver's residual or loss per iteration (cg, linreg, logreg, als)
    degrees      the degree distribution of a graph (info --degrees), log-log

From the shell: `amls-graph plot STATS.json -o OUT.png` (or python3 -m amls_graph.plot); PNG by
default, SVG when OUT ends in .svg or with --format svg. By default every picture the file has
data for is drawn, one panel each; --kind picks one. From Python: figure(doc_or_path, kinds)
returns a matplotlib Figure, save(doc_or_path, out, kinds) writes it. Only matplotlib is needed
(no MPI, no library)."""

import argparse
import json
import os
import sys

import matplotlib

matplotlib.use("Agg")  # files only, no display

from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

KINDS = ("supersteps", "convergence", "degrees")
WIDTH_IN, PANEL_IN, DPI = 8.0, 3.5, 100


def _doc(doc_or_path):
    if isinstance(doc_or_path, dict):
        return doc_or_path
    with open(doc_or_path) as f:
        doc = json.load(f)
    if doc.get("schema") != "amls-graph/stats":
        raise ValueError("%s: not an amls-graph statistics file (no schema amls-graph/stats)"
                         % doc_or_path)
    return doc


def available(doc):
    """The kinds of picture doc has data for."""
    out = []
    if doc.get("run", {}).get("per_superstep"):
        out.append("supersteps")
    if doc.get("solver", {}).get("history"):
        out.append("convergence")
    if any(k.endswith("_vertices") for k in doc.get("degrees", {})):
        out.append("degrees")
    return out


def _supersteps(doc, ax):
    """Stacked bars: for every superstep one bar per rank, compute below communication; active
    vertices and messages on a second axis."""
    rows = doc["run"]["per_superstep"]
    steps = [r["superstep"] for r in rows]
    comp = [r.get("compute_seconds") or [0.0] for r in rows]
    comm = [r.get("comm_seconds") or [0.0] for r in rows]
    nranks = max(len(c) for c in comp)
    width = 0.8 / nranks
    cmap = matplotlib.colormaps["tab10"]
    for q in range(nranks):
        x = [s - 0.4 + width * (q + 0.5) for s in steps]
        c = [cs[q] if q < len(cs) else 0.0 for cs in comp]
        m = [ms[q] if q < len(ms) else 0.0 for ms in comm]
        ax.bar(x, c, width, color=cmap(q % 10), label="rank %d compute" % q)
        ax.bar(x, m, width, bottom=c, color=cmap(q % 10), alpha=0.45, hatch="//",
               label="rank %d communication" % q)
    ax.set_xlabel("superstep")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel("seconds")
    ax.set_title("%s: time per superstep and rank (solid: compute, hatched: communication)"
                 % doc["run"].get("program", doc.get("command", "")))
    ax2 = ax.twinx()
    ax2.plot(steps, [r["active"] for r in rows], "k-o", ms=3, label="active vertices")
    ax2.plot(steps, [r["messages"] for r in rows], "-s", color="tab:red", ms=3,
             label="messages")
    ax2.set_ylabel("active vertices / messages")
    if max([r["messages"] for r in rows] + [r["active"] for r in rows] + [0]) > 0:
        ax2.set_yscale("symlog")
    h1, l1 = ax.get_legend_handles_labels()
    h2, l2 = ax2.get_legend_handles_labels()
    ax.legend(h1[:8] + h2, l1[:8] + l2, fontsize=7, loc="upper right", ncol=2)


def _convergence(doc, ax):
    """Residual (log scale) or loss per iteration."""
    s = doc["solver"]
    hist = s["history"]
    it = [h["iteration"] for h in hist]
    cols = [k for k in hist[0] if k != "iteration"]
    first = cols[0]
    ax.plot(it, [h.get(first) for h in hist], "-o", ms=3, color="tab:blue", label=first)
    vals = [h.get(first) for h in hist if h.get(first) is not None]
    if vals and min(vals) > 0 and first in ("residual", "gradient_max"):
        ax.set_yscale("log")
    ax.set_xlabel("iteration")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel(first)
    ax.set_title("%s: convergence (%d iterations, %s)" % (
        s.get("name", doc.get("command", "")), s.get("iterations", len(it) - 1),
        "converged" if s.get("converged") else "not converged"))
    handles, labels = ax.get_legend_handles_labels()
    if len(cols) > 1:
        ax2 = ax.twinx()
        ax2.plot(it, [h.get(cols[1]) for h in hist], "-s", ms=3, color="tab:red", label=cols[1])
        ax2.set_ylabel(cols[1])
        h2, l2 = ax2.get_legend_handles_labels()
        handles, labels = handles + h2, labels + l2
    ax.legend(handles, labels, fontsize=8, loc="upper right")


def _degrees(doc, ax):
    """Vertices per degree, log-log (degree 0 is noted in the legend)."""
    d = doc["degrees"]
    names = [k[: -len("_vertices")] for k in d if k.endswith("_vertices")]
    for name, marker in zip(names, "os^"):
        deg, cnt = d[name], d[name + "_vertices"]
        zero = sum(c for g, c in zip(deg, cnt) if g == 0)
        pts = [(g, c) for g, c in zip(deg, cnt) if g > 0]
        ax.loglog([p[0] for p in pts], [p[1] for p in pts], marker, ms=4, ls="none",
                  label="%s (%d vertices of degree 0)" % (name.replace("_", " "), zero))
    g = doc.get("graph", {})
    ax.set_xlabel("degree")
    ax.set_ylabel("vertices")
    ax.set_title("degree distribution (%s vertices, %s edges)" % (g.get("vertices", "?"),
                                                                  g.get("edges", "?")))
    ax.legend(fontsize=8)


_DRAW = {"supersteps": _supersteps, "convergence": _convergence, "degrees": _degrees}


def figure(doc_or_path, kinds=None):
    """A matplotlib Figure with one panel per kind (default: every kind the file has data for).
    Raises ValueError when a kind has no data."""
    doc = _doc(doc_or_path)
    have = available(doc)
    kinds = list(kinds or have)
    if not kinds:
        raise ValueError("nothing to plot: the statistics have no run.per_superstep (vertex "
                         "engine), solver.history (solvers) or degrees (info --degrees)")
    for k in kinds:
        if k not in KINDS:
            raise ValueError("unknown kind '%s' (expected %s)" % (k, ", ".join(KINDS)))
        if k not in have:
            raise ValueError("no data for '%s' in these statistics (they have: %s)"
                             % (k, ", ".join(have) or "nothing plottable"))
    fig = Figure(figsize=(WIDTH_IN, PANEL_IN * len(kinds)), dpi=DPI)
    axes = fig.subplots(len(kinds), 1, squeeze=False)[:, 0]
    for k, ax in zip(kinds, axes):
        _DRAW[k](doc, ax)
        ax.grid(True, alpha=0.3)
    fig.tight_layout()
    return fig


def save(doc_or_path, out, kinds=None, fmt=None):
    """Writes the figure to out (PNG, or SVG when out ends in .svg or fmt is "svg")."""
    fmt = fmt or ("svg" if str(out).lower().endswith(".svg") else "png")
    fig = figure(doc_or_path, kinds)
    tmp = "%s.tmp-%d" % (out, os.getpid())
    try:
        fig.savefig(tmp, format=fmt, dpi=DPI)
        os.replace(tmp, out)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(
        prog="amls-graph plot",
        description="Draw the statistics of a --stats file: time per superstep and rank, "
                    "active vertices and messages, solver convergence, degree distribution.")
    ap.add_argument("stats", help="a statistics file written by --stats")
    ap.add_argument("-o", "--output", help="the picture (default: STATS with .png or .svg)")
    ap.add_argument("--kind", action="append", choices=KINDS,
                    help="what to draw (repeatable; default: everything the file has data for)")
    ap.add_argument("--format", choices=("png", "svg"), help="default: from -o, else png")
    a = ap.parse_args(argv)
    fmt = a.format or ("svg" if a.output and a.output.lower().endswith(".svg") else "png")
    out = a.output or os.path.splitext(a.stats)[0] + "." + fmt
    try:
        save(a.stats, out, a.kind, fmt)
    except (OSError, ValueError, KeyError) as e:
        print("amls-graph plot: error: %s" % e, file=sys.stderr)
        return 1
    print("plot: %s" % out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
