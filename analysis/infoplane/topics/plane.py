"""`plane`: the Sliced Information Plane of one run, one trajectory per layer coloured by epoch."""
import os

from .. import io
from ..drawing import new_figure, save
from ..errors import InputError
from ..legends import place_legend
from ..registry import arg, topic
from ..trajectories import draw_plane, epoch_norm, legend_entries


@topic("plane", "the Sliced Information Plane of one run",
       arg("path", help="a run directory or a plane file (plane.h5)"))
def plane(args):
    """Draws the plane of `args.path`."""
    return plot_plane(args.path, out=args.out, dpi=args.dpi, title=args.title)


def plot_plane(path, out=None, dpi=None, title=None):
    """The plane figure of a plane file (default output: beside it, named after it)."""
    plane = io.load_plane(path)
    return plane_figure(plane, out or os.path.splitext(plane.path)[0], dpi, title)


def plane_figure(plane, out, dpi=None, title=None):
    """The plane figure of an `io.Plane` (read from a file, or built from a table) → OUT.png/.svg;
    the title names the plane's run unless `title` is given (or the plane has no file)."""
    if out is None:
        raise InputError("a plane that was not read from a file needs out=PREFIX (where PREFIX.png and PREFIX.svg go)")
    s = plane.settings
    fig = new_figure(figsize=(6.4, 5.2))
    ax = fig.subplots()
    run = " — " + io.run_name(plane.path) if plane.path else ""
    heading = f"{title or 'Sliced Information Plane' + run}\n" \
              f"m = {s.get('slices')} projections, KSG k = {s.get('k')}, " \
              f"S1(T;Y): {s.get('target_estimator', s.get('label_estimator'))}"
    scatter = draw_plane(ax, plane.layers, plane.units, heading, epoch_norm(plane))
    if scatter is not None:
        fig.colorbar(scatter, ax=ax, label="epoch")
    place_legend(ax, legend_entries(plane.layers), fontsize=8)
    return save(fig, out, "plane", dpi)
