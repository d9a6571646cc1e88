"""`memorisation`: label-noise memorisation, runs trained with different noise fractions p side by
side (docs/experiments.md "Label noise: memorisation"). From each run's memorisation.h5
(`infoplane memorisation`), one column per hidden layer, one colour per p, against the epoch:
  row 1  S1(T;Y_noisy) over the training rows whose label was replaced: memorisation (a random
         label is independent of the input, so this is 0 until the network memorises it);
  row 2  S1(T;Y_true) over the same rows: what the layer still knows of their true class;
  row 3  S1(T;Y) over the other (clean) rows, with ±1 SE (over slices) bars;
  row 4  (first column) training accuracy on the labels training saw (solid) and test accuracy
         (dashed), from each run.h5.
One legend below the panels names the fractions and the line styles."""
import os

import numpy as np
from matplotlib import colormaps
from matplotlib.lines import Line2D

from .. import io
from ..drawing import new_figure, save, set_headline
from ..errors import InputError
from ..legends import error_bar_handle, shared_legend
from ..registry import arg, topic

MEMORISATION_FORMAT = "infoplane-memorisation"
CURVES = ("noisy_sty_noisy", "noisy_sty_true", "clean_sty")
ROW_LABELS = ("S1(T;Y_noisy), noisy rows", "S1(T;Y_true), noisy rows", "S1(T;Y), clean rows")


def memorisation_path(path):
    """A memorisation file, or `memorisation.h5` inside a run directory."""
    return os.path.join(path, "memorisation.h5") if os.path.isdir(path) else path


def load_memorisation(path):
    """(layers, attributes) of a memorisation file: per layer its epochs and the three curves with
    their standard errors."""
    path = memorisation_path(path)
    with io.open_hdf5(path, "memorisation") as f:
        if f.attrs.get("format") != MEMORISATION_FORMAT:
            raise InputError(f"{path} is not a memorisation file (format {f.attrs.get('format')!r}): "
                             "run `infoplane memorisation RUN.h5` first")
        columns = ("epoch",) + tuple(c + s for c in CURVES for s in ("", "_se"))
        return [io.layer_table(g, columns, path) for g in io.layer_groups(f)], io.attributes(f)


@topic("memorisation", "label-noise memorisation: S1(T;Y) on noisy and clean training rows, runs by noise",
       arg("paths", nargs="+", metavar="RUN", help="run directories (or their memorisation.h5), one per noise fraction"))
def memorisation(args):
    """Draws the memorisation curves of every run in `args.paths`."""
    return plot_memorisation(args.paths, out=args.out, dpi=args.dpi, title=args.title)


def plot_memorisation(paths, out=None, dpi=None, title=None):
    """The memorisation figure (default output: `memorisation` in the first run's parent folder)."""
    runs = sorted((load_memorisation(p) + (p,) for p in paths), key=lambda run: float(run[1].get("label_noise", 0)))
    names = [layer["name"] for layer in runs[0][0]]
    if any([layer["name"] for layer in layers] != names for layers, _, _ in runs):
        raise InputError("the runs measure different layers: give runs of one config (infoplane memorisation on each)")
    fig = new_figure(figsize=(4.2 * len(names), 11))
    axes = fig.subplots(4, len(names), sharex=True, squeeze=False)
    colours = colormaps["viridis"]
    handles = []
    for i, (layers, settings, path) in enumerate(runs):
        p = float(settings.get("label_noise", 0))
        colour = colours(i / max(1, len(runs) - 1) * 0.9)
        label = f"p = {p:g} ({int(settings.get('noisy_samples', 0))} noisy rows)"
        for column, layer in enumerate(layers):
            draw_layer(axes[:3, column], layer, colour, f"p={p:g}")
        curves = load_training(path)
        if curves is not None:
            axes[3, 0].plot(curves["epoch"], curves["train_accuracy"], "-", color=colour, gid=f"curve-train-{p:g}", label=f"p={p:g} train")
            axes[3, 0].plot(curves["epoch"], curves["test_accuracy"], "--", color=colour, gid=f"curve-test-{p:g}", label=f"p={p:g} test")
        handles.append(Line2D([], [], color=colour, marker="o", markersize=3, label=label))
    decorate(axes, runs[0][0], runs[0][1])
    handles += [Line2D([], [], color="0.3", linestyle="-", label="row 4 solid: train accuracy (noisy labels)"),
                Line2D([], [], color="0.3", linestyle="--", label="row 4 dashed: test accuracy"),
                error_bar_handle("0.5", "±1 SE over slices")]
    shared_legend(fig, handles, fontsize=8, ncol=min(len(handles), 4))
    settings = runs[0][1]
    set_headline(fig, title or f"Label-noise memorisation — {io.run_name(memorisation_path(paths[0]))}: "
                              f"m = {settings.get('slices')}, k = {settings.get('k')}, {settings.get('samples')} training rows")
    return save(fig, out or os.path.join(os.path.dirname(os.path.abspath(memorisation_path(paths[0]))), "memorisation"),
                "memorisation", dpi)


def load_training(path):
    """The /training curves of the run file beside a memorisation file (None when absent)."""
    folder = path if os.path.isdir(path) else os.path.dirname(os.path.abspath(path))
    run = os.path.join(folder, "run.h5")
    return io.load_curves(run)[1] if os.path.exists(run) else None


def draw_layer(column, layer, colour, label):
    """One layer's three curves (top to bottom) in one colour; NaN curves (no noisy rows) are skipped."""
    for ax, curve in zip(column, CURVES):
        values = layer[curve]
        if np.isnan(values).all():
            continue
        ax.errorbar(layer["epoch"], values, yerr=layer[curve + "_se"], fmt="none", ecolor=colour, alpha=0.5, elinewidth=0.8)
        ax.plot(layer["epoch"], values, "-o", color=colour, markersize=3, label=label, gid=f"curve-{layer['name']}-{curve}")


def decorate(axes, layers, settings):
    """Titles, axis labels and grids; the last row keeps only its first panel."""
    for column, layer in enumerate(layers):
        axes[0, column].set_title(f"{layer['name']} ({layer['width']} units)", fontsize=10)
        for row, text in enumerate(ROW_LABELS):
            axes[row, column].grid(alpha=0.3)
            if column == 0:
                axes[row, column].set_ylabel(f"{text} [nats]", fontsize=9)
        axes[0, column].axhline(0, color="0.3", linewidth=0.8, linestyle=":")
        if column > 0:
            axes[3, column].set_visible(False)
            axes[2, column].set_xlabel("epoch")
            axes[2, column].xaxis.set_tick_params(labelbottom=True)
    axes[3, 0].set_ylabel("accuracy")
    axes[3, 0].set_xlabel("epoch")
    axes[3, 0].grid(alpha=0.3)
