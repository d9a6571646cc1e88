"""Figures of an InfoPlane run, drawn headless from the documented HDF5 files only.

    python analysis/plots.py plane   RUN_DIR|PLANE.h5 [--out PREFIX]   # the Sliced Information Plane
    python analysis/plots.py curves  RUN_DIR|RUN.h5   [--out PREFIX]   # loss and accuracy per epoch
    python analysis/plots.py compare RUN_A RUN_B [--labels A B] --out PREFIX   # two planes, shared axes
    python analysis/plots.py all     RUN_DIR                            # plane and curves of one run
    python analysis/plots.py ensemble RUN_DIR [--out PREFIX]            # copies, their spread, the pool
    python analysis/plots.py redundancy RUN_A RUN_B [--out PREFIX]      # label redundancy, runs side by side
    python analysis/plots.py accuracy BENCH_DIR [--out PREFIX] [--dpi N] # known-MI benchmark (accuracy_plots.py)
    python analysis/plots.py stopping RUN_DIR|RUN.h5 [--out PREFIX]     # the stopping rule's objective and decision
    python analysis/plots.py classic RUN_DIR [--out PREFIX] [--dpi N]  # binning, KSG, KDE (tishby_plots.py)
    python analysis/plots.py baseline RUN_DIR|PLANE.h5 [--out PREFIX] [--docs PNG]  # signal vs shuffle baseline

Each writes PREFIX.png and PREFIX.svg (default: beside the input) and prints one JSON line
describing what the figure holds, read back from the figure's own objects (layer trajectories,
points per trajectory, curves), so tests and scripts can check it. INFOPLANE_PLOT_DPI sets the
PNG resolution (default 150; README's figures use 100).
"""
import argparse
import json
import os
import sys

import h5py
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib import colors  # noqa: E402


def plane_path(path):
    return os.path.join(path, "plane.h5") if os.path.isdir(path) else path


def run_path(path):
    return os.path.join(path, "run.h5") if os.path.isdir(path) else path


def open_file(path, kind):
    if not os.path.exists(path):
        sys.exit(f"error: no such {kind} file: {path} (run `infoplane run` or `infoplane analyze` first)")
    try:
        return h5py.File(path, "r")
    except OSError:
        sys.exit(f"error: {path} is not an HDF5 file: give a {kind} file written by infoplane")


def read_plane(path):
    """Per layer: epochs, S1(X;T), S1(T;Y) and their standard errors, plus the settings."""
    with open_file(path, "plane") as f:
        if f.attrs.get("format") != "infoplane-plane":
            sys.exit(f"error: {path} is not a plane file (format {f.attrs.get('format')!r}): run `infoplane analyze` on a run file")
        layers = []
        for name in sorted((n for n in f if n.startswith("layer_")), key=lambda n: int(n[6:])):
            g = f[name]
            layers.append({"layer": int(g.attrs["layer"]), "width": int(g.attrs["width"]),
                           "epoch": g["epoch"][...], "sxt": g["sxt"][...], "sxt_se": g["sxt_se"][...],
                           "sty": g["sty"][...], "sty_se": g["sty_se"][...]})
        settings = {k: f.attrs[k] for k in ("slices", "k", "label_estimator", "target_estimator", "units") if k in f.attrs}
    return layers, settings


def draw_plane(ax, layers, settings, title, norm=None, spread=False):
    """One trajectory per layer, points coloured by epoch with standard-error bars (with
    `spread`, the bars are the layers' `sxt_se`/`sty_se` read as a spread, drawn in red)."""
    epochs = [e for layer in layers for e in layer["epoch"]]
    norm = norm or colors.Normalize(vmin=min(epochs, default=0), vmax=max(epochs, default=1))
    cmap = plt.get_cmap("viridis")
    markers = "osD^v<>ph*"
    scatter = None
    for i, layer in enumerate(layers):
        bars = ax.errorbar(layer["sxt"], layer["sty"], xerr=layer["sxt_se"], yerr=layer["sty_se"], fmt="none",
                           ecolor="tab:red" if spread else "0.6", elinewidth=0.8, zorder=1)
        if spread:
            for collection in bars.lines[2]:
                collection.set_gid(f"spread-{layer['layer']}")
        ax.plot(layer["sxt"], layer["sty"], "-", color="0.45", linewidth=1, zorder=2, gid=f"trajectory-{layer['layer']}")
        scatter = ax.scatter(layer["sxt"], layer["sty"], c=layer["epoch"], cmap=cmap, norm=norm, s=36,
                             marker=markers[i % len(markers)], edgecolors="k", linewidths=0.4, zorder=3,
                             label=f"layer {layer['layer']} ({layer['width']} units)", gid=f"points-{layer['layer']}")
        if len(layer["epoch"]):
            ax.annotate(f"L{layer['layer']}", (layer["sxt"][-1], layer["sty"][-1]), xytext=(5, 5),
                        textcoords="offset points", fontsize=9)
    units = settings.get("units", "nats")
    ax.set_xlabel(f"S1(X;T) [{units}]")
    ax.set_ylabel(f"S1(T;Y) [{units}]")
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8, loc="lower right")
    ax.grid(alpha=0.3)
    return scatter, norm


def describe(fig, kind, files):
    """What the figure holds, read back from its artists."""
    axes = [ax for ax in fig.axes if ax.get_label() != "<colorbar>"]
    panels = []
    for ax in axes:
        trajectories = [line for line in ax.get_lines() if (line.get_gid() or "").startswith("trajectory-")]
        points = [c for c in ax.collections if (c.get_gid() or "").startswith("points-")]
        curves = [line.get_label() for line in ax.get_lines() if (line.get_gid() or "").startswith("curve-")]
        spreads = {c.get_gid() for c in ax.collections if (c.get_gid() or "").startswith("spread-")}
        panels.append({"title": ax.get_title(), "trajectories": len(trajectories), "spreads": len(spreads),
                       "points": [len(c.get_offsets()) for c in points], "curves": curves,
                       "xlabel": ax.get_xlabel(), "ylabel": ax.get_ylabel()})
    colorbars = sum(1 for ax in fig.axes if ax.get_label() == "<colorbar>")
    return {"figure": kind, "panels": panels, "colorbars": colorbars, "files": files}


def save(fig, prefix, kind, dpi=None):
    files = [prefix + ".png", prefix + ".svg"]
    for path in files:
        partial = path + ".partial" + os.path.splitext(path)[1]
        fig.savefig(partial, dpi=dpi or int(os.environ.get("INFOPLANE_PLOT_DPI", "150")), bbox_inches="tight")
        os.replace(partial, path)
    summary = describe(fig, kind, files)
    plt.close(fig)
    print(json.dumps(summary))
    return summary


def plot_plane(path, out=None):
    path = plane_path(path)
    layers, settings = read_plane(path)
    fig, ax = plt.subplots(figsize=(6.4, 5))
    title = f"Sliced Information Plane — {os.path.basename(os.path.dirname(os.path.abspath(path)))}\n" \
            f"m = {settings.get('slices')} projections, KSG k = {settings.get('k')}, " \
            f"S1(T;Y): {settings.get('target_estimator', settings.get('label_estimator'))}"
    scatter, _ = draw_plane(ax, layers, settings, title)
    if scatter is not None:
        fig.colorbar(scatter, ax=ax, label="epoch")
    return save(fig, out or os.path.splitext(path)[0], "plane")


def plot_curves(path, out=None):
    path = run_path(path)
    with open_file(path, "run") as f:
        if "training" not in f:
            sys.exit(f"error: {path} has no /training group: give a run file written by infoplane train/run")
        t = {name: f["training"][name][...] for name in f["training"]}
        name = f.attrs.get("name", os.path.basename(os.path.dirname(os.path.abspath(path))))
    fig, (loss, accuracy) = plt.subplots(1, 2, figsize=(10, 4))
    for ax, quantity in ((loss, "loss"), (accuracy, "accuracy")):
        for split, style in (("train", "-o"), ("test", "-s")):
            values = t[f"{split}_{quantity}"] * (100 if quantity == "accuracy" else 1)
            ax.plot(t["epoch"], values, style, markersize=3, label=split, gid=f"curve-{split}-{quantity}")
        ax.set_xlabel("epoch")
        ax.set_ylabel("accuracy [%]" if quantity == "accuracy" else "loss")
        ax.set_title(f"{name}: {quantity}", fontsize=10)
        ax.legend(fontsize=8)
        ax.grid(alpha=0.3)
    return save(fig, out or os.path.join(os.path.dirname(path), "curves"), "curves")


def plot_compare(paths, labels, out):
    planes = [read_plane(plane_path(p)) for p in paths]
    epochs = [e for layers, _ in planes for layer in layers for e in layer["epoch"]]
    norm = colors.Normalize(vmin=min(epochs, default=0), vmax=max(epochs, default=1))
    fig, axes = plt.subplots(1, len(paths), figsize=(6 * len(paths), 5), sharex=True, sharey=True)
    scatter = None
    for ax, (layers, settings), label in zip(axes, planes, labels):
        scatter, _ = draw_plane(ax, layers, settings, label, norm=norm)
    if scatter is not None:
        fig.colorbar(scatter, ax=list(axes), label="epoch")
    return save(fig, out, "compare")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("plane", "curves", "all"):
        p = sub.add_parser(name)
        p.add_argument("path")
        p.add_argument("--out", help="output prefix (PNG and SVG are written)")
    p = sub.add_parser("accuracy", help="the known-MI benchmark of `infoplane bench accuracy --out DIR`")
    p.add_argument("path")
    p.add_argument("--out", help="output prefix (PNG and SVG are written)")
    p.add_argument("--dpi", type=int, default=150, help="PNG resolution (80 for the README's copy)")
    p = sub.add_parser("compare")
    p.add_argument("paths", nargs=2)
    p.add_argument("--labels", nargs=2)
    p.add_argument("--out", required=True)
    p = sub.add_parser("classic")
    p.add_argument("path")
    p.add_argument("--out")
    p.add_argument("--dpi", type=int, default=150)
    # Topic modules (issue 6's experiments) add their own subcommands.
    import ensemble_plots  # noqa: E402
    import redundancy_plots  # noqa: E402
    import stopping_plots  # noqa: E402
    import regression_plots  # noqa: E402
    for module in (ensemble_plots, redundancy_plots, stopping_plots, regression_plots):
        module.add_parser(sub)
    args = parser.parse_args(argv)
    if hasattr(args, "handler"):
        args.handler(args)
    elif args.command == "classic":
        import tishby_plots
        tishby_plots.plot_classic(args.path, args.out, args.dpi)
    elif args.command == "plane":
        plot_plane(args.path, args.out)
    elif args.command == "curves":
        plot_curves(args.path, args.out)
    elif args.command == "all":
        plot_plane(args.path)
        plot_curves(args.path)
    elif args.command == "accuracy":
        from accuracy_plots import plot_accuracy
        plot_accuracy(args.path, args.out, lambda fig, prefix, kind: save(fig, prefix, kind, args.dpi))
    else:
        plot_compare(args.paths, args.labels or [os.path.basename(os.path.normpath(p)) for p in args.paths], args.out)


if __name__ == "__main__":
    main()
