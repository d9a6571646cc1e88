"""`baseline`: signal against the shuffle baseline, per layer and epoch.

For each layer, S1(T;Y) and S1(X;T) against the epoch with ±2 SE (over slices) bars, and the
shuffle baseline (the estimate on independently re-paired samples: what "no information" reads
as) as a band of its mean ± 2 SE. A point is *indistinguishable from the baseline* when
|value − baseline| < 2·√(SE² + SE_baseline²); such points are drawn hollow, and each curve's
label says how many there are, so the JSON line carries the count too."""
import math
import os

from matplotlib.ticker import ScalarFormatter

from .. import io
from ..drawing import new_figure, save, set_headline
from ..legends import place_legends
from ..registry import arg, topic
from ..trajectories import layer_label

# (column, label, colour) of the two rows.
QUANTITIES = (("sty", "S1(T;Y)", "tab:red"), ("sxt", "S1(X;T)", "tab:blue"))


@topic("baseline", "signal against the shuffle baseline, per layer and epoch",
       arg("path", help="a run directory or a plane file analysed with a shuffle baseline"),
       arg("--docs", metavar="PNG", help="also write a small copy (80 dpi) here, for the docs"))
def baseline(args):
    """Draws the baseline figure of `args.path`."""
    return plot_baseline(args.path, out=args.out, docs=args.docs, dpi=args.dpi, title=args.title)


def indistinguishable(layer, q):
    """Per epoch: whether the value lies within 2 combined SE of its baseline."""
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


def plot_baseline(path, out=None, docs=None, dpi=None, title=None):
    """The figure: one column per layer, S1(T;Y) above, S1(X;T) below (default output: `baseline`
    beside the plane file)."""
    plane = io.load_plane(path, baselines=True)
    layers = plane.layers
    fig = new_figure(figsize=(3.3 * len(layers), 6.2))
    axes = fig.subplots(2, len(layers), sharex=True, squeeze=False)
    for column, layer in enumerate(layers):
        for row, (q, label, color) in enumerate(QUANTITIES):
            ax = axes[row][column]
            draw_baseline(ax, layer, q, label, color)
            ax.set_xscale("symlog", linthresh=5)  # the dense early epochs stay readable
            ax.xaxis.set_major_formatter(ScalarFormatter())
            ax.set_title(f"{layer_label(layer)}: {label}", fontsize=9)
            ax.set_ylabel(f"{label} [{plane.units}]" if column == 0 else "")
            ax.set_xlabel("epoch" if row == 1 else "")
            ax.grid(alpha=0.3)
    y = "continuous Y (KSG)" if plane.settings.get("target") == "continuous" else "class labels"
    set_headline(fig, f"{title or io.run_name(plane.path) + ': signal against the shuffle baseline'}\n"
                      f"{y}; bars: ±2 SE over slices; band: baseline ± 2 SE; hollow: indistinguishable from it",
                 fontsize=10)
    place_legends(list(axes.flat), fontsize=7)
    if docs:  # a small copy for the docs
        fig.savefig(docs, dpi=80, bbox_inches="tight")
    return save(fig, out or os.path.join(os.path.dirname(plane.path), "baseline"), "baseline", dpi)
