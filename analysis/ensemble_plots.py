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
        # The standard deviations go where draw_plane reads error bars.
        result.append({"layer": first["layer"], "width": first["width"], "epoch": np.array(epochs),
                       "sxt": sxt.mean(axis=0), "sxt_se": sxt.std(axis=0, ddof=ddof),
                       "sty": sty.mean(axis=0), "sty_se": sty.std(axis=0, ddof=ddof)})
    return result


def plot_ensemble(run_dir, out=None):
    copies = copy_planes(run_dir)
    pooled, settings = plots.read_plane(os.path.join(run_dir, "pooled", "plane.h5"))
    summary = spread(copies)
    epochs = [e for layer in pooled for e in layer["epoch"]]
    norm = colors.Normalize(vmin=min(epochs, default=0), vmax=max(epochs, default=1))
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 5), sharex=True, sharey=True)
    for r, (layers, _) in enumerate(copies):
        for layer in layers:
            left.plot(layer["sxt"], layer["sty"], "-", color="0.75", linewidth=0.7, zorder=0, gid=f"copy-{r}-{layer['layer']}")
    title = f"{len(copies)} copies: mean ± SD across copies (thin: each copy)"
    scatter, _ = plots.draw_plane(left, summary, settings, title, norm=norm, spread=True)
    plots.draw_plane(right, pooled, settings, f"pooled activations (sample i from copy i mod {len(copies)})", norm=norm)
    if scatter is not None:
        fig.colorbar(scatter, ax=[left, right], label="epoch")
    fig.suptitle(f"Ensemble of {os.path.basename(os.path.normpath(run_dir))}: m = {settings.get('slices')}, "
                 f"KSG k = {settings.get('k')}", fontsize=11)
    return plots.save(fig, out or os.path.join(run_dir, "ensemble"), "ensemble")


def add_parser(sub):
    """`plots.py ensemble RUN_DIR [--out PREFIX]`."""
    p = sub.add_parser("ensemble", help="an ensemble's copies, their spread, and the pool")
    p.add_argument("path", help="the ensemble's run directory (replica-<r>/, pooled/)")
    p.add_argument("--out", help="output prefix (PNG and SVG are written)")
    p.set_defaults(handler=lambda a: plot_ensemble(a.path, a.out))
