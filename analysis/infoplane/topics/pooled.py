"""`pooled`: a run's single-epoch plane (plane.h5) beside its plane pooled over W consecutive
snapshots (plane-pool<W>.h5, `infoplane analyze RUN.h5 --pool-epochs W`), each pooled point
plotted at the last epoch of its window (docs/experiments.md "PCA-compressed and epoch-pooled
planes")."""
import glob
import os

from .. import io
from ..errors import InputError
from ..registry import arg, topic
from .pca import side_by_side


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
    return side_by_side([single, pool], headings, labels, out or os.path.join(run_dir, "pooled"), "pooled", dpi,
                        title or f"{io.run_name(single.path)}: single-epoch and epoch-pooled planes")
