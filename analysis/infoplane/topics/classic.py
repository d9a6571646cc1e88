"""`classic`: the information plane of one run drawn three ways (Tishby's setting, docs/experiments.md
"Classic experiments"): equal-width binning (Shwartz-Ziv & Tishby), the sliced KSG plane and the
KDE upper bound (Saxe et al.), side by side with one colour scale for the epochs and one legend
below them. Reads RUN_DIR/plane-binning.h5, plane.h5 and plane-kde.h5 (written by
`infoplane analyze RUN.h5 --method binning|ksg|kde`)."""
import os

from .. import io
from ..drawing import new_figure, save, set_headline
from ..legends import shared_legend
from ..registry import arg, topic
from ..trajectories import draw_plane, epoch_norm, legend_entries

# (file, x label, y label, panel title) of each panel, left to right.
PANELS = (
    ("plane-binning.h5", "I(X;T)", "I(T;Y)", "binning ({bins} bins)"),
    ("plane.h5", "S1(X;T)", "S1(T;Y)", "sliced KSG (m = {slices}, k = {k})"),
    ("plane-kde.h5", "I(X;T) upper bound", "I(T;Y)", "KDE upper bound (σ² = {noise_variance:g})"),
)


@topic("classic", "binning, sliced KSG and KDE planes of one run side by side",
       arg("path", help="a run directory holding plane-binning.h5, plane.h5 and plane-kde.h5"))
def classic(args):
    """Draws the three planes of `args.path`."""
    return plot_classic(args.path, out=args.out, dpi=args.dpi, title=args.title)


def plot_classic(run_dir, out=None, dpi=None, title=None):
    """Three panels, one trajectory per layer in each (default output: RUN_DIR/classic)."""
    planes = [io.load_plane(os.path.join(run_dir, name)) for name, *_ in PANELS]
    norm = epoch_norm(*planes)
    fig = new_figure(figsize=(13, 4.9))
    axes = fig.subplots(1, 3)
    scatter = None
    for ax, plane, (_, xlabel, ylabel, heading) in zip(axes, planes, PANELS):
        scatter = draw_plane(ax, plane.layers, plane.units, heading.format(**plane.settings), norm) or scatter
        ax.set_xlabel(f"{xlabel} [{plane.units}]")
        ax.set_ylabel(f"{ylabel} [{plane.units}]")
    if scatter is not None:
        fig.colorbar(scatter, ax=list(axes), label="epoch")
    set_headline(fig, title or f"{io.run_name(planes[1].path)}: the information plane three ways")
    # Every panel holds the same layers; the sliced plane alone has standard errors.
    handles = legend_entries(planes[1].layers)
    if len(handles) > len(planes[1].layers):
        handles[-1].set_label(f"{handles[-1].get_label()} (sliced KSG)")
    shared_legend(fig, handles, fontsize=9, ncol=len(handles))
    return save(fig, out or os.path.join(run_dir, "classic"), "classic", dpi)
