"""`all`: the plane and the training curves of one run, each where its own topic puts it."""
from ..registry import arg, topic
from .curves import plot_curves
from .plane import plot_plane


@topic("all", "the plane and the training curves of one run (plane.png, curves.png beside the files)",
       arg("path", help="a run directory"), out=None)
def all_figures(args):
    """Draws the plane and the curves of `args.path`; prints one JSON line for each."""
    return [plot_plane(args.path, dpi=args.dpi, title=args.title), plot_curves(args.path, dpi=args.dpi, title=args.title)]
