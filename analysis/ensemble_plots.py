"""The plane of a network ensemble (`replicas: R`): each copy, the copies' spread, and the pool.

    python analysis/plots.py ensemble RUN_DIR [--out PREFIX]

RUN_DIR holds replica-<r>/plane.h5 for each copy and pooled/plane.h5 (what `infoplane run`
writes for a config with `replicas: R`). Left: every copy's trajectory (thin), and per layer the
copies' mean with bars of ± one standard deviation across copies on both axes. Right: the plane
of the pooled activations (sample i from copy i mod R).
"""
import glob
import os
import sys

import numpy as np
import matplotlib.pyplot as plt
from matplotlib import colors

import plots


def copy_planes(run_dir):
    paths = glob.glob(os.path.join(run_dir, "replica-*", "plane.h5"))
    paths.sort(key=lambda p: int(os.path.basename(os.path.dirname(p))[len("replica-"):]))
    if not paths:
        sys.exit(f"error: {run_dir} has no replica-<r>/plane.h5: run a config with replicas: R > 1 (infoplane run)")
    return [plots.read_plane(p) for p in paths]


def spread(copies):
    """Per layer: epochs shared by every copy, the copies' means and standard deviations."""
    result = []
    for index, first in enumerate(copies[0][0]):
        layers = [layers[index] for layers, _ in copies]
        epochs = sorted(set.intersection(*(set(layer["epoch"].tolist()) for layer in layers)))
        rows = [[list(layer["epoch"]).index(e) for e in epochs] for layer in layers]
        sxt = np.array([layer["sxt"][r] for layer, r in zip(layers, rows)])
        sty = np.array([layer["sty"][r] for layer, r in zip(layers, rows)])
        ddof = 1 if len(layers) > 1 else 0
        result.append({"layer": first["layer"], "width": first["width"], "epoch": np.array(epochs),
                       "sxt": sxt.mean(axis=0), "sxt_sd": sxt.std(axis=0, ddof=ddof),
                       "sty": sty.mean(axis=0), "sty_sd": sty.std(axis=0, ddof=ddof)})
    return result


def plot_ensemble(run_dir, out=None):
    copies = copy_planes(run_dir)
    pooled, settings = plots.read_plane(os.path.join(run_dir, "pooled", "plane.h5"))
    summary = spread(copies)
    epochs = [e for layer in pooled for e in layer["epoch"]]
    norm = colors.Normalize(vmin=min(epochs, default=0), vmax=max(epochs, default=1))
    cmap = plt.get_cmap("viridis")
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 5), sharex=True, sharey=True)
    for r, (layers, _) in enumerate(copies):
        for layer in layers:
            left.plot(layer["sxt"], layer["sty"], "-", color="0.75", linewidth=0.7, zorder=0, gid=f"copy-{r}-{layer['layer']}")
    markers = "osD^v<>ph*"
    scatter = None
    for i, layer in enumerate(summary):
        bars = left.errorbar(layer["sxt"], layer["sty"], xerr=layer["sxt_sd"], yerr=layer["sty_sd"], fmt="none",
                             ecolor="tab:red", elinewidth=0.9, alpha=0.7, zorder=1)
        for collection in bars.lines[2]:
            collection.set_gid(f"spread-{layer['layer']}")
        left.plot(layer["sxt"], layer["sty"], "-", color="0.3", linewidth=1.2, zorder=2, gid=f"trajectory-{layer['layer']}")
        scatter = left.scatter(layer["sxt"], layer["sty"], c=layer["epoch"], cmap=cmap, norm=norm, s=36,
                               marker=markers[i % len(markers)], edgecolors="k", linewidths=0.4, zorder=3,
                               label=f"layer {layer['layer']} ({layer['width']} units)", gid=f"points-{layer['layer']}")
        if len(layer["epoch"]):
            left.annotate(f"L{layer['layer']}", (layer["sxt"][-1], layer["sty"][-1]), xytext=(5, 5),
                          textcoords="offset points", fontsize=9)
    units = settings.get("units", "nats")
    left.set_xlabel(f"S1(X;T) [{units}]")
    left.set_ylabel(f"S1(T;Y) [{units}]")
    left.set_title(f"{len(copies)} copies: mean ± SD across copies (thin: each copy)", fontsize=10)
    left.legend(fontsize=8, loc="lower right")
    left.grid(alpha=0.3)
    plots.draw_plane(right, pooled, settings, f"pooled activations (sample i from copy i mod {len(copies)})", norm=norm)
    if scatter is not None:
        fig.colorbar(scatter, ax=[left, right], label="epoch")
    fig.suptitle(f"Ensemble of {os.path.basename(os.path.normpath(run_dir))}: m = {settings.get('slices')}, "
                 f"KSG k = {settings.get('k')}", fontsize=11)
    return plots.save(fig, out or os.path.join(run_dir, "ensemble"), "ensemble")
