"""`redundancy`: redundancy of label information across a layer's units, runs side by side
(docs/experiments.md "Redundancy"). From each run's redundancy.h5 (`infoplane redundancy`), per run (column)
and per layer (colour) against the epoch:
  row 1  the sum of single-unit informations Σ_i I(T_i;Y) (solid) and the layer's S1(T;Y)
         (dashed), with H(Y) dotted: no I(T;Y) exceeds it, so a sum above it proves redundancy;
  row 2  the redundancy ratio Σ_i I(T_i;Y) / S1(T;Y);
  row 3  the minimum-information redundancy of the halves, R_min / S1(T;Y),
         R_min = min(S1(T_A;Y), S1(T_B;Y)), with ±1 SE (over slices) bars.
One legend below the panels names the layers and the line styles."""
import os

from matplotlib import colormaps
from matplotlib.lines import Line2D

from .. import io
from ..drawing import new_figure, save, set_headline
from ..errors import InputError
from ..legends import SE_OVER_SLICES, error_bar_handle, shared_legend
from ..registry import arg, topic


@topic("redundancy", "redundancy of label information, runs side by side",
       arg("paths", nargs="+", metavar="RUN", help="run directories (or their redundancy.h5)"),
       arg("--labels", nargs="+", metavar="LABEL", help="column titles (default: the runs' names)"))
def redundancy(args):
    """Draws the redundancy of every run in `args.paths`."""
    return plot_redundancy(args.paths, args.labels, out=args.out, dpi=args.dpi, title=args.title)


def plot_redundancy(paths, labels=None, out=None, dpi=None, title=None):
    """The redundancy figure (default output: `redundancy` in the first run's parent folder)."""
    runs = [io.load_redundancy(p) for p in paths]
    labels = labels or [io.run_name(io.redundancy_path(p)) for p in paths]
    if len(labels) != len(runs):
        raise InputError(f"{len(labels)} labels for {len(runs)} runs: give one --labels entry per run")
    fig = new_figure(figsize=(4.8 * len(runs), 9))
    axes = fig.subplots(3, len(runs), sharex=True, sharey="row", squeeze=False)
    colours = colormaps["tab10"]
    for column, ((layers, settings), label) in enumerate(zip(runs, labels)):
        draw_run(axes[:, column], layers, settings, label, colours)
    set_headline(fig, title or f"Redundancy of label information: {' and '.join(labels)}")
    most = max(runs, key=lambda run: len(run[0]))[0]
    handles = [Line2D([], [], color=colours(i), marker="o", markersize=3, label=f"L{layer['layer']}")
               for i, layer in enumerate(most)]
    handles += [Line2D([], [], color="0.3", linestyle="-", label="row 1 solid: ΣI(Ti;Y)"),
                Line2D([], [], color="0.3", linestyle="--", label="row 1 dashed: S1(T;Y)"),
                Line2D([], [], color="0.3", linestyle=":", label="H(Y)"),
                error_bar_handle("0.5", f"row 3: {SE_OVER_SLICES}")]
    shared_legend(fig, handles, fontsize=8, ncol=min(len(handles), 7))
    return save(fig, out or os.path.join(os.path.dirname(os.path.abspath(paths[0])), "redundancy"), "redundancy", dpi)


def draw_run(column, layers, settings, label, colours):
    """One run's three panels (top to bottom), one colour per layer."""
    top, middle, bottom = column
    for i, layer in enumerate(layers):
        c, name = colours(i), f"L{layer['layer']}"
        top.plot(layer["epoch"], layer["unit_sum"], "-o", color=c, markersize=3, label=f"{name} ΣI(Ti;Y)",
                 gid=f"curve-{name}-unit-sum")
        top.plot(layer["epoch"], layer["sty"], "--", color=c, label=f"{name} S1(T;Y)", gid=f"curve-{name}-sty")
        middle.plot(layer["epoch"], layer["redundancy_ratio"], "-o", color=c, markersize=3,
                    label=f"{name} ({layer['width']} units)", gid=f"curve-{name}-ratio")
        bottom.errorbar(layer["epoch"], layer["mmi_ratio"], yerr=layer["mmi_se"] / layer["sty"], fmt="none",
                        ecolor=c, alpha=0.5, elinewidth=0.8)
        bottom.plot(layer["epoch"], layer["mmi_ratio"], "-o", color=c, markersize=3, label=name,
                    gid=f"curve-{name}-mmi-ratio")
    if "label_entropy" in settings:
        top.axhline(settings["label_entropy"], color="0.3", linestyle=":", linewidth=1, label="H(Y)")
    top.set_yscale("log")
    widths = ", ".join(str(layer["width"]) for layer in layers)
    top.set_title(f"{label}: m = {settings.get('slices')}, k = {settings.get('k')}\nlayers of {widths} units", fontsize=10)
    top.set_ylabel("information [nats]")
    middle.set_ylabel("ΣI(Ti;Y) / S1(T;Y)")
    bottom.set_ylabel("min(S1(TA;Y), S1(TB;Y)) / S1(T;Y)")
    bottom.set_xlabel("epoch")
    for ax in column:
        ax.grid(alpha=0.3)
