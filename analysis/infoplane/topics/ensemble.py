"""`ensemble`: the plane of a network ensemble (`replicas: R`). Left: every copy's trajectory
(thin) and, per layer, the copies' mean with bars of ± one standard deviation across copies on
both axes. Right: the plane of the pooled activations (sample i from copy i mod R)."""
import os

import numpy as np
from matplotlib.lines import Line2D

from .. import io
from ..drawing import new_figure, save, set_headline
from ..legends import SE_OVER_SLICES, error_bar_handle, shared_legend
from ..registry import arg, topic
from ..trajectories import SE_COLOR, SPREAD_COLOR, draw_plane, epoch_norm, has_error_bars, legend_entries

#: The legend entry of the left panel's bars.
SD_ACROSS_COPIES = "±1 SD across copies (left)"


@topic("ensemble", "an ensemble's copies, their spread, and the pool",
       arg("path", help="the ensemble's run directory (replica-<r>/, pooled/)"))
def ensemble(args):
    """Draws the ensemble in `args.path`."""
    return plot_ensemble(args.path, out=args.out, dpi=args.dpi, title=args.title)


def spread(copies):
    """Per layer: the epochs every copy has, the copies' means and standard deviations (n − 1),
    the deviations where draw_plane reads error bars."""
    result = []
    for index, first in enumerate(copies[0].layers):
        layers = [plane.layers[index] for plane in copies]
        epochs = sorted(set.intersection(*(set(layer["epoch"].tolist()) for layer in layers)))
        rows = [[list(layer["epoch"]).index(e) for e in epochs] for layer in layers]
        sxt = np.array([layer["sxt"][r] for layer, r in zip(layers, rows)])
        sty = np.array([layer["sty"][r] for layer, r in zip(layers, rows)])
        ddof = 1 if len(layers) > 1 else 0
        result.append({"layer": first["layer"], "width": first["width"], "epoch": np.array(epochs),
                       "sxt": sxt.mean(axis=0), "sxt_se": sxt.std(axis=0, ddof=ddof),
                       "sty": sty.mean(axis=0), "sty_se": sty.std(axis=0, ddof=ddof)})
    return result


def plot_ensemble(run_dir, out=None, dpi=None, title=None):
    """The ensemble figure (default output: RUN_DIR/ensemble)."""
    copies, pooled = io.load_ensemble(run_dir)
    s = pooled.settings
    norm = epoch_norm(pooled)
    fig = new_figure(figsize=(12, 5.6))
    left, right = fig.subplots(1, 2, sharex=True, sharey=True)
    for r, plane in enumerate(copies):
        for layer in plane.layers:
            left.plot(layer["sxt"], layer["sty"], "-", color="0.75", linewidth=0.7, zorder=0, gid=f"copy-{r}-{layer['layer']}")
    scatter = draw_plane(left, spread(copies), pooled.units, f"{len(copies)} copies: their mean ± SD", norm, spread=True)
    draw_plane(right, pooled.layers, pooled.units, f"pooled activations (sample i from copy i mod {len(copies)})", norm)
    if scatter is not None:
        fig.colorbar(scatter, ax=[left, right], label="epoch")
    set_headline(fig, f"{title or 'Ensemble of ' + io.run_name(pooled.path)}\n"
                      f"{len(copies)} copies, m = {s.get('slices')} projections, KSG k = {s.get('k')}")
    handles = legend_entries(pooled.layers, bars=None)
    handles.append(Line2D([], [], color="0.75", linewidth=0.7, label="each copy (left)"))
    handles.append(error_bar_handle(SPREAD_COLOR, SD_ACROSS_COPIES))
    if has_error_bars(pooled.layers):
        handles.append(error_bar_handle(SE_COLOR, f"{SE_OVER_SLICES} (right)"))
    shared_legend(fig, handles, fontsize=8, ncol=len(handles))
    return save(fig, out or os.path.join(run_dir, "ensemble"), "ensemble", dpi)
