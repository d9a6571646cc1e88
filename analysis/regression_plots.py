"""Signal against shuffle baseline, per layer and epoch (the `baseline` figure of plots.py).

    python analysis/plots.py baseline RUN_DIR|PLANE.h5 [--out PREFIX] [--docs PNG]

For each layer, S1(T;Y) and S1(X;T) against the epoch with ±2 standard-error bars, and the
shuffle baseline (the estimate on independently re-paired samples: what "no information" reads
as) as a band of its mean ± 2 SE. A point is *indistinguishable from the baseline* when
|value − baseline| < 2·√(SE² + SE_baseline²); such points are drawn hollow, and each curve's
legend label says how many there are, so the JSON line of `describe` carries the count too.
"""
import math
import os
import sys

import h5py
import matplotlib.pyplot as plt
from matplotlib.ticker import ScalarFormatter

import plots

QUANTITIES = (("sty", "S1(T;Y)", "tab:red"), ("sxt", "S1(X;T)", "tab:blue"))


def read_baselines(path):
    """Per layer: epochs, and for sxt and sty the mean, SE, baseline and baseline SE."""
    with h5py.File(path, "r") as f:
        if not f.attrs.get("shuffle_baseline", 0):
            sys.exit(f"error: {path} has no shuffle baseline: analyse with --shuffle-baseline "
                     "(or analysis.shuffle_baseline: true)")
        layers = []
        for name in sorted((n for n in f if n.startswith("layer_")), key=lambda n: int(n[6:])):
            g = f[name]
            layer = {"layer": int(g.attrs["layer"]), "width": int(g.attrs["width"]), "epoch": g["epoch"][...]}
            for q, _, _ in QUANTITIES:
                for suffix in ("", "_se", "_baseline", "_baseline_se"):
                    layer[q + suffix] = g[q + suffix][...]
            layers.append(layer)
        target = f.attrs.get("target", "labels")
    return layers, target


def indistinguishable(layer, q):
    """Which epochs' values lie within 2 combined SE of their baseline."""
    return [abs(v - b) < 2 * math.hypot(s, sb) for v, s, b, sb in
            zip(layer[q], layer[q + "_se"], layer[q + "_baseline"], layer[q + "_baseline_se"])]


def draw_baseline(ax, layer, q, label, color):
    """One quantity of one layer: ±2 SE bars, the baseline band, hollow markers where ≈ baseline."""
    epochs = layer["epoch"]
    low = layer[q + "_baseline"] - 2 * layer[q + "_baseline_se"]
    high = layer[q + "_baseline"] + 2 * layer[q + "_baseline_se"]
    ax.fill_between(epochs, low, high, color=color, alpha=0.18, linewidth=0)
    ax.plot(epochs, layer[q + "_baseline"], ":", color=color, linewidth=1)
    ax.errorbar(epochs, layer[q], yerr=2 * layer[q + "_se"], fmt="none", ecolor=color, elinewidth=0.9, capsize=2)
    flat = indistinguishable(layer, q)
    ax.plot(epochs, layer[q], "-", color=color, linewidth=1.2, gid=f"curve-{q}-{layer['layer']}",
            label=f"{label} ({sum(flat)} of {len(flat)} ≈ baseline)")
    for hollow in (False, True):
        picked = [i for i, f in enumerate(flat) if f == hollow]
        ax.scatter([epochs[i] for i in picked], [layer[q][i] for i in picked], s=22, zorder=3,
                   facecolors="white" if hollow else color, edgecolors=color, linewidths=1)


def plot_baseline(path, out=None, docs=None):
    """The figure: one column per layer, S1(T;Y) above, S1(X;T) below."""
    path = plots.plane_path(path)
    layers, target = read_baselines(path)
    fig, axes = plt.subplots(2, len(layers), figsize=(3.2 * len(layers), 5.6), sharex=True, squeeze=False)
    for column, layer in enumerate(layers):
        for row, (q, label, color) in enumerate(QUANTITIES):
            ax = axes[row][column]
            draw_baseline(ax, layer, q, label, color)
            ax.set_xscale("symlog", linthresh=5)  # the dense early epochs stay readable
            ax.xaxis.set_major_formatter(ScalarFormatter())
            ax.set_title(f"layer {layer['layer']} ({layer['width']} units): {label}", fontsize=9)
            ax.set_ylabel(f"{label} [nats]" if column == 0 else "")
            ax.set_xlabel("epoch" if row == 1 else "")
            ax.legend(fontsize=7, loc="best")
            ax.grid(alpha=0.3)
    y = "continuous Y (KSG)" if target == "continuous" else "class labels"
    fig.suptitle(f"{os.path.basename(os.path.dirname(os.path.abspath(path)))}: signal (±2 SE) against the shuffle "
                 f"baseline band (±2 SE), {y}; hollow = indistinguishable", fontsize=10)
    fig.tight_layout()
    if docs:  # a small copy for the README
        fig.savefig(docs, dpi=80, bbox_inches="tight")
    return plots.save(fig, out or os.path.join(os.path.dirname(path), "baseline"), "baseline")


def add_parser(sub):
    """`plots.py baseline RUN_DIR|PLANE.h5 [--out PREFIX] [--docs PNG]`."""
    p = sub.add_parser("baseline", help="signal against the shuffle baseline, per layer and epoch")
    p.add_argument("path", help="a run directory or plane file analysed with a shuffle baseline")
    p.add_argument("--out", help="output prefix (PNG and SVG are written)")
    p.add_argument("--docs", help="also write a small PNG here (for the README)")
    p.set_defaults(handler=lambda a: plot_baseline(a.path, a.out, a.docs))
