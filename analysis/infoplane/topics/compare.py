"""`compare`: the planes of two runs side by side on shared axes and one epoch colour scale."""
from .. import io
from ..drawing import new_figure, save, set_headline
from ..legends import place_legends
from ..registry import arg, topic
from ..trajectories import draw_plane, epoch_norm, legend_entries


@topic("compare", "two runs' planes side by side, shared axes and epoch colours",
       arg("paths", nargs=2, metavar="RUN", help="two run directories or plane files"),
       arg("--labels", nargs=2, metavar="LABEL", help="panel titles (default: the runs' names)"),
       out="required")
def compare(args):
    """Draws the two planes of `args.paths`."""
    return plot_compare(args.paths, args.labels, args.out, dpi=args.dpi, title=args.title)


def plot_compare(paths, labels, out, dpi=None, title=None):
    """The comparison figure, written to OUT.png and OUT.svg."""
    planes = [io.load_plane(p) for p in paths]
    labels = labels or [io.run_name(plane.path) for plane in planes]
    norm = epoch_norm(*planes)
    fig = new_figure(figsize=(6 * len(planes), 5.4))
    axes = fig.subplots(1, len(planes), sharex=True, sharey=True)
    scatter = None
    for ax, plane, label in zip(axes, planes, labels):
        scatter = draw_plane(ax, plane.layers, plane.units, label, norm) or scatter
    if scatter is not None:
        fig.colorbar(scatter, ax=list(axes), label="epoch")
    set_headline(fig, title or f"Sliced Information Plane: {' and '.join(labels)}")
    # Each run has its own layers (and widths): a legend per panel.
    for ax, plane in zip(axes, planes):
        place_legends([ax], legend_entries(plane.layers), fontsize=8)
    return save(fig, out, "compare", dpi)
