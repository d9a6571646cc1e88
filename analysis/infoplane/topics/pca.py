"""`pca`: a run's Sliced Information Plane (plane.h5) beside its PCA-compressed plane (plane-pca.h5,
written by `infoplane analyze RUN.h5 --method pca --components P`: full KSG between X's and T's
top-P principal components), as the sliced-MI study places sliced MI beside "AE+MI"
(docs/experiments.md "PCA-compressed and epoch-pooled planes"). Each panel has its own axes (the
quantities differ in scale); one epoch colour scale and one legend below."""
import os

from .. import io
from ..drawing import new_figure, save, set_headline
from ..legends import shared_legend
from ..registry import arg, topic
from ..trajectories import draw_plane, epoch_norm, legend_entries


def side_by_side(planes, headings, labels, out, kind, dpi, title):
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
    return side_by_side([sliced, compressed], headings, labels, out or os.path.join(run_dir, "pca"), "pca", dpi,
                        title or f"{io.run_name(sliced.path)}: sliced and PCA-compressed information planes")
