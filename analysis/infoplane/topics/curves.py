"""`curves`: a run's training curves, loss and accuracy per epoch for the training and test sets."""
import os

from .. import io
from ..drawing import new_figure, save, set_headline
from ..legends import place_legends
from ..registry import arg, topic


@topic("curves", "loss and accuracy per epoch of one run",
       arg("path", help="a run directory or a run file (run.h5)"))
def curves(args):
    """Draws the training curves of `args.path`."""
    return plot_curves(args.path, out=args.out, dpi=args.dpi, title=args.title)


def plot_curves(path, out=None, dpi=None, title=None):
    """The curves figure of a run file (default output: curves.png beside it)."""
    path = io.run_path(path)
    name, t = io.load_curves(path)
    fig = new_figure(figsize=(10, 4.2))
    axes = fig.subplots(1, 2)
    for ax, quantity in zip(axes, ("loss", "accuracy")):
        for split, style in (("train", "-o"), ("test", "-s")):
            values = t[f"{split}_{quantity}"] * (100 if quantity == "accuracy" else 1)
            ax.plot(t["epoch"], values, style, markersize=3, label=split, gid=f"curve-{split}-{quantity}")
        ax.set_xlabel("epoch")
        ax.set_ylabel("accuracy [%]" if quantity == "accuracy" else "loss")
        ax.set_title(quantity, fontsize=10)
        ax.grid(alpha=0.3)
    set_headline(fig, title or f"{name}: training curves")
    place_legends(axes, fontsize=8)
    return save(fig, out or os.path.join(os.path.dirname(path), "curves"), "curves", dpi)
