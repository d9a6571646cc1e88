"""`pca` and `pooled`: a run's Sliced Information Plane beside another measurement of the same
activations (docs/experiments.md "PCA-compressed MI" and "MI pooled over epochs").

- `pca`: the sliced KSG plane (plane.h5) and the PCA-compressed plane (plane-pca.h5, written by
  `infoplane analyze RUN.h5 --method pca --components P`: full KSG between X's and T's top-P
  principal components), as the sliced-MI study's figure places sliced MI beside "AE+MI".
- `pooled`: the single-epoch plane (plane.h5) and the plane pooled over W consecutive snapshots
  (plane-pool<W>.h5, `infoplane analyze RUN.h5 --pool-epochs W`), each point plotted at the last
  epoch of its window.

Each panel has its own axes (the quantities differ in scale); one epoch colour scale and one
legend below."""
import glob
import os

from .. import io
from ..drawing import new_figure, save, set_headline
from ..errors import InputError
from ..legends import shared_legend
from ..registry import arg, topic
from ..trajectories import draw_plane, epoch_norm, legend_entries


def _side_by_side(planes, headings, labels, out, kind, dpi, title):
    """Two panels, one trajectory per layer in each, shared epoch colours and legend."""
    norm = epoch_norm(*planes)
    fig = new_figure(figsize=(11.5, 5.0))
    axes = fig.subplots(1, len(planes))
    scatter = None
    for ax, plane, heading, (xlabel, ylabel) in zip(axes, planes, headings, labels):
        scatter = draw_plane(ax, plane.layers, plane.units, heading, norm) or scatter
        ax.set_xlabel(f"{xlabel} [{plane.units}]")
        ax.set_ylabel(f"{ylabel} [{plane.units}]")
    if scatter is not None:
        fig.colorbar(scatter, ax=list(axes), label="epoch")
    set_headline(fig, title)
    shared_legend(fig, legend_entries(planes[0].layers), fontsize=9, ncol=len(planes[0].layers) + 1)
    return save(fig, out, kind, dpi)


@topic("pca", "the sliced plane beside the PCA-compressed plane of one run",
       arg("path", help="a run directory holding plane.h5 and plane-pca.h5"))
def pca(args):
    """Draws the two planes of `args.path`."""
    return plot_pca(args.path, out=args.out, dpi=args.dpi, title=args.title)


def plot_pca(run_dir, out=None, dpi=None, title=None):
    """Sliced KSG (left) and PCA-compressed full KSG (right); default output RUN_DIR/pca."""
    sliced = io.load_plane(os.path.join(run_dir, "plane.h5"))
    compressed = io.load_plane(os.path.join(run_dir, "plane-pca.h5"))
    s, c = sliced.settings, compressed.settings
    headings = [f"sliced {s.get('estimator', 'ksg').upper()} (m = {s.get('slices')}, k = {s.get('k')})",
                f"PCA to {c.get('components')} components, full KSG (k = {c.get('k')})"]
    labels = [("S1(X;T)", "S1(T;Y)"), (f"I(X_{c.get('components')};T_{c.get('components')})", f"I(T_{c.get('components')};Y)")]
    return _side_by_side([sliced, compressed], headings, labels, out or os.path.join(run_dir, "pca"), "pca", dpi,
                         title or f"{io.run_name(sliced.path)}: sliced and PCA-compressed information planes")


@topic("pooled", "the single-epoch plane beside the plane pooled over W snapshots",
       arg("path", help="a run directory holding plane.h5 and plane-pool<W>.h5"),
       arg("--window", type=int, help="W of plane-pool<W>.h5 (default: the only such file)"))
def pooled(args):
    """Draws the two planes of `args.path`."""
    return plot_pooled(args.path, window=args.window, out=args.out, dpi=args.dpi, title=args.title)


def pooled_plane_path(run_dir, window=None):
    """RUN_DIR/plane-pool<W>.h5: the given W's, or the only one there is."""
    if window is not None:
        return os.path.join(run_dir, f"plane-pool{window}.h5")
    found = sorted(glob.glob(os.path.join(run_dir, "plane-pool*.h5")))
    if len(found) != 1:
        raise InputError(f"{run_dir} holds {len(found)} plane-pool<W>.h5 files: "
                         + ("run `infoplane analyze RUN.h5 --pool-epochs W`" if not found else "choose one with --window W"))
    return found[0]


def plot_pooled(run_dir, window=None, out=None, dpi=None, title=None):
    """Single-epoch (left) and pooled (right) sliced planes; default output RUN_DIR/pooled."""
    single = io.load_plane(os.path.join(run_dir, "plane.h5"))
    pool = io.load_plane(pooled_plane_path(run_dir, window))
    w = pool.settings.get("pool_epochs")
    if w is None:
        raise InputError(f"{pool.path} has no pool_epochs attribute: it was not written by `analyze --pool-epochs W`")
    headings = ["one snapshot per point", f"pooled over {w} consecutive snapshots (at the last)"]
    labels = [("S1(X;T)", "S1(T;Y)")] * 2
    return _side_by_side([single, pool], headings, labels, out or os.path.join(run_dir, "pooled"), "pooled", dpi,
                         title or f"{io.run_name(single.path)}: single-epoch and epoch-pooled planes")
