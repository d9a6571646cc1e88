"""Redundancy of label information across a layer's units, runs side by side (README "Redundancy").

Reads each run's redundancy.h5 (written by `infoplane redundancy`) and draws, per run (column)
and per layer (line) against the epoch:
  row 1  the sum of single-unit informations sum_i I(T_i;Y) (solid) and the layer's S1(T;Y)
         (dashed), with H(Y) dotted: no I(T;Y) exceeds it, so a sum above it proves redundancy;
  row 2  the redundancy ratio sum_i I(T_i;Y) / S1(T;Y);
  row 3  the minimum-information redundancy of the halves, R_min / S1(T;Y),
         R_min = min(S1(T_A;Y), S1(T_B;Y)), with standard-error bars.
"""
import os
import sys

import matplotlib.pyplot as plt

from plots import open_file, save


def redundancy_path(path):
    return os.path.join(path, "redundancy.h5") if os.path.isdir(path) else path


def read_redundancy(path):
    """Per layer: epochs, unit sum, S1(T;Y), ratio, R_min and its ratio; plus the settings."""
    with open_file(path, "redundancy") as f:
        if f.attrs.get("format") != "infoplane-redundancy":
            sys.exit(f"error: {path} is not a redundancy file (format {f.attrs.get('format')!r}): "
                     "run `infoplane redundancy RUN.h5` first")
        layers = []
        for name in sorted((n for n in f if n.startswith("layer_")), key=lambda n: int(n[6:])):
            g = f[name]
            layers.append({"layer": int(g.attrs["layer"]), "width": int(g.attrs["width"]),
                           **{key: g[key][...] for key in ("epoch", "unit_sum", "sty", "sty_se", "redundancy_ratio",
                                                            "mmi", "mmi_se", "mmi_ratio")}})
        settings = {k: f.attrs[k] for k in ("slices", "k", "label_estimator", "label_entropy") if k in f.attrs}
    return layers, settings


def plot_redundancy(paths, labels, out=None):
    runs = [read_redundancy(redundancy_path(p)) for p in paths]
    fig, axes = plt.subplots(3, len(runs), figsize=(4.6 * len(runs), 8.4), sharex=True, sharey="row", squeeze=False)
    colours = plt.get_cmap("tab10")
    for column, ((layers, settings), label) in enumerate(zip(runs, labels)):
        top, middle, bottom = axes[:, column]
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
        top.set_title(f"{label}: m = {settings.get('slices')}, k = {settings.get('k')}", fontsize=10)
        top.set_ylabel("information [nats]")
        middle.set_ylabel("ΣI(Ti;Y) / S1(T;Y)")
        bottom.set_ylabel("min(S1(TA;Y), S1(TB;Y)) / S1(T;Y)")
        bottom.set_xlabel("epoch")
        for ax in (top, middle, bottom):
            ax.grid(alpha=0.3)
        top.legend(fontsize=6, ncol=2, loc="lower right")
        middle.legend(fontsize=7)
        bottom.legend(fontsize=7)
    fig.tight_layout()
    return save(fig, out or os.path.join(os.path.dirname(os.path.abspath(paths[0])), "redundancy"), "redundancy")


def add_parser(sub):
    """`plots.py redundancy RUN_A RUN_B [...] [--labels ...] [--out PREFIX]`."""
    p = sub.add_parser("redundancy", help="redundancy of label information, runs side by side")
    p.add_argument("paths", nargs="+", help="run directories (or their redundancy.h5)")
    p.add_argument("--labels", nargs="+")
    p.add_argument("--out", help="output prefix (PNG and SVG are written)")
    p.set_defaults(handler=lambda a: plot_redundancy(
        a.paths, a.labels or [os.path.basename(os.path.normpath(p)) for p in a.paths], a.out))
