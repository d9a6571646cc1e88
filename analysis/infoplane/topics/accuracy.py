"""`accuracy`: the known-MI benchmark (`infoplane bench accuracy`), drawn from its CSV files.

One slot per dimension d, in a grid of at most four columns: full KSG against the true I(X;Y)
above, the sliced estimate against the closed-form S1(X;Y) below, both with the identity line.
The last slot: the Pearson correlation of estimate and truth, and the relative bias
Σ(estimate − truth)/Σ truth, against the dimension, for both estimators."""
import math
import os

from matplotlib.gridspec import GridSpec

from .. import io
from ..drawing import new_figure, save, set_headline
from ..legends import place_legends
from ..registry import arg, topic

#: Most dimension slots side by side.
COLUMNS = 4
# (truth column, estimate column, panel label, x label, colour) of the two rows of a slot.
ROWS = (("true_mi", "full_ksg", "full KSG", "true I(X;Y)", "C0"),
        ("true_smi", "sliced", "sliced", "true S1(X;Y)", "C1"))


@topic("accuracy", "the known-MI benchmark of `infoplane bench accuracy --out DIR`",
       arg("path", help="the --out directory of `infoplane bench accuracy` (accuracy.csv, summary.csv)"))
def accuracy(args):
    """Draws the benchmark in `args.path`."""
    return plot_accuracy(args.path, out=args.out, dpi=args.dpi, title=args.title)


def grid_shape(dimensions):
    """(columns, bands): a slot per dimension and one for the summary, at most COLUMNS a band."""
    columns = min(COLUMNS, dimensions + 1)
    return columns, math.ceil((dimensions + 1) / columns)


def draw_accuracy(fig, points, summary):
    """Estimate-against-truth panels per dimension (full above sliced) and the summary slot."""
    dimensions = [int(s["dimension"]) for s in summary]
    columns, bands = grid_shape(len(dimensions))
    grid = GridSpec(2 * bands, columns, figure=fig)
    for slot, d in enumerate(dimensions):
        band, column = divmod(slot, columns)
        rows = [p for p in points if int(p["dimension"]) == d]
        for row, (truth, estimate, label, xlabel, colour) in enumerate(ROWS):
            ax = fig.add_subplot(grid[2 * band + row, column])
            x, y = [p[truth] for p in rows], [p[estimate] for p in rows]
            top = max(x + y + [1e-12])
            ax.plot([0, top], [0, top], ":", color="0.5", linewidth=1)
            ax.scatter(x, y, s=16, color=colour, gid=f"points-{label}-{d}")
            ax.set_title(f"{label}, d = {d}", fontsize=9)
            ax.tick_params(labelsize=7.5)
            ax.set_xlabel(xlabel, fontsize=8)
            if column == 0:
                ax.set_ylabel("estimate [nats]", fontsize=8)
    band, column = divmod(len(dimensions), columns)
    summary_axes = [fig.add_subplot(grid[2 * band + row, column:]) for row in range(2)]
    for ax, (quantity, ylabel, scale) in zip(summary_axes, (("correlation", "Pearson r (estimate, truth)", 1),
                                                            ("relative_bias", "relative bias [%]", 100))):
        for side, label, style in (("full", "full KSG", "-o"), ("sliced", "sliced", "-s")):
            ax.plot(dimensions, [scale * s[f"{side}_{quantity}"] for s in summary], style, markersize=4, label=label,
                    gid=f"curve-{side}-{quantity}")
        ax.set_xscale("log")
        ax.set_xlabel("dimension d", fontsize=8)
        ax.set_ylabel(ylabel, fontsize=8)
        ax.tick_params(labelsize=7.5)
        if quantity == "relative_bias":
            ax.axhline(0, color="0.5", linestyle=":", linewidth=1)
        ax.grid(alpha=0.3)
    return summary_axes


def plot_accuracy(directory, out=None, dpi=None, title=None):
    """The benchmark figure (default output: DIRECTORY/accuracy)."""
    points, summary = io.load_accuracy(directory)
    columns, bands = grid_shape(len(summary))
    fig = new_figure(figsize=(2.6 * columns + 0.4, 4.6 * bands + 0.5))
    summary_axes = draw_accuracy(fig, points, summary)
    first = points[0]
    set_headline(fig, f"{title or 'Known-MI benchmark: estimate against truth'}\n"
                      f"{first['mode']} set, n = {int(first['samples'])}, m = {int(first['slices'])} slices, "
                      f"k = {int(first['k'])}")
    place_legends(summary_axes, fontsize=8)
    return save(fig, out or os.path.join(directory, "accuracy"), "accuracy", dpi)
