#!/usr/bin/env python3
"""ps_summary.py DIR TARGET PLOT.png: summarises bench_ps.sh runs (DIR/NAME-STRAGGLER-TRIAL.json,
the --stats files): per configuration the median epochs and seconds to the first evaluation
point with test accuracy >= TARGET, the median seconds per epoch, and per trial the ratios of
BSP's time to SSP(s=3)'s and backup(b=1)'s; draws test accuracy against time (median trial)."""
import glob
import json
import os
import statistics
import sys

d, target, plot = sys.argv[1], float(sys.argv[2]), sys.argv[3]
runs = {}
for path in sorted(glob.glob(os.path.join(d, "*.json"))):
    name, strag, trial = os.path.basename(path)[:-5].rsplit("-", 2)
    s = json.load(open(path))
    pts = s["points"]
    hit = next((p for p in pts if p["test"]["accuracy"] >= target), None)
    runs.setdefault((name, strag), {})[int(trial)] = {
        "epoch": hit["epoch"] if hit else float("inf"),
        "seconds": hit["seconds"] if hit else float("inf"),
        "per_epoch": s["final"]["seconds"] / s["final"]["epochs"],
        "final": s["final"]["test"]["accuracy"],
        "curve": [(p["seconds"], p["test"]["accuracy"]) for p in pts],
    }

order = ["bsp", "bsp-lr0.3", "asp", "ssp1", "ssp3", "ssp10", "backup1"]
label = {"bsp": "BSP", "bsp-lr0.3": "BSP, lr 0.3 (= 0.1 x W)", "asp": "ASP", "ssp1": "SSP s=1",
         "ssp3": "SSP s=3", "ssp10": "SSP s=10", "backup1": "backup b=1"}
med = statistics.median
for strag in ["none", "1x3"]:
    print("\n%s straggler:\n" % ("no" if strag == "none" else "with a 3x"))
    print("| strategy | epochs to %.3f | seconds to %.3f | seconds per epoch | final test accuracy | "
          "speed-up vs BSP (time to %.3f) |" % (target, target, target))
    print("|---|---|---|---|---|---|")
    base = med(r["seconds"] for r in runs[("bsp", strag)].values())
    for name in order:
        rs = list(runs.get((name, strag), {}).values())
        if not rs:
            continue
        t = med(r["seconds"] for r in rs)
        print("| %s | %.2f | %.3f | %.3f | %.4f | %.2fx |" % (
            label[name], med(r["epoch"] for r in rs), t, med(r["per_epoch"] for r in rs),
            med(r["final"] for r in rs), base / t))
    for other in ["ssp3", "backup1"]:
        ratios = [runs[("bsp", strag)][k]["seconds"] / runs[(other, strag)][k]["seconds"]
                  for k in sorted(runs[("bsp", strag)]) if k in runs[(other, strag)]]
        print("\nper trial, BSP time / %s time: %s (min %.2f)" % (
            label[other], " ".join("%.2f" % x for x in ratios), min(ratios)))
    slow = med(r["per_epoch"] for r in runs[("bsp", "1x3")].values()) / \
        med(r["per_epoch"] for r in runs[("bsp", "none")].values()) if strag == "1x3" else None
    if slow:
        print("BSP seconds per epoch, with the straggler / without: %.2fx" % slow)

try:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
except ImportError:
    print("\n(no matplotlib: plot skipped)")
    sys.exit(0)
fig, axes = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
for ax, strag in zip(axes, ["none", "1x3"]):
    for name in order:
        rs = runs.get((name, strag))
        if not rs:
            continue
        ks = sorted(rs, key=lambda k: rs[k]["seconds"])
        curve = rs[ks[len(ks) // 2]]["curve"]  # the median trial
        ax.plot([c[0] for c in curve], [c[1] for c in curve], marker=".", label=label[name])
    ax.axhline(target, color="grey", linestyle=":", linewidth=1)
    ax.set_title("a9a, 1 server + 3 workers, " + ("no straggler" if strag == "none"
                                                   else "worker 0 slowed 3x"))
    ax.set_xlabel("seconds")
    ax.set_xscale("log")
    ax.grid(alpha=0.3)
axes[0].set_ylabel("test accuracy")
axes[0].set_ylim(0.80, 0.852)
axes[1].legend(loc="lower right", fontsize=8)
fig.tight_layout()
fig.savefig(plot, dpi=80)
print("\nplot: %s" % plot)
