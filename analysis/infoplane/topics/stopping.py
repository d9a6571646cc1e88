"""`stopping`: the information-based stopping rule of a run. Left: J = S1(T;Y) − β·S1(X;T) per
snapshot with its parts (±1 SE over slices); middle and right: the test loss and accuracy; the
chosen and the stopping epoch marked in every panel."""
import os

from .. import io
from ..drawing import new_figure, save, set_headline
from ..legends import SE_OVER_SLICES, error_bar_handle, place_legend, place_legends
from ..registry import arg, topic

# (column, marker style, colour, label) of the objective's parts.
PARTS = (("sty", "-o", "tab:blue", "S1(T;Y)"), ("sxt", "-s", "tab:orange", "S1(X;T)"))


@topic("stopping", "the stopping rule's objective per snapshot, beside the test curves",
       arg("path", help="a run directory or a run file (run.h5) trained with a `stopping:` section"))
def stopping(args):
    """Draws the stopping figure of `args.path`."""
    return plot_stopping(args.path, out=args.out, dpi=args.dpi, title=args.title)


def mark(ax, settings):
    """Vertical lines at the chosen epoch (best J) and the epoch training stopped after."""
    chosen, stopped = int(settings["chosen_epoch"]), int(settings["stopped_epoch"])
    ax.axvline(chosen, color="tab:green", linestyle="--", linewidth=1.2, label=f"chosen epoch {chosen}", gid="curve-chosen")
    if stopped >= 0:
        ax.axvline(stopped, color="tab:red", linestyle=":", linewidth=1.2, label=f"stopped after epoch {stopped}",
                   gid="curve-stopped")


def plot_stopping(path, out=None, dpi=None, title=None):
    """The stopping figure (default output: `stopping` beside the run file)."""
    path = io.run_path(path)
    record = io.load_stopping(path)
    rows, settings, curves = record.rows, record.settings, record.curves
    beta = float(settings["beta"])
    fig = new_figure(figsize=(13, 4.4))
    info, loss, accuracy = fig.subplots(1, 3)
    e = rows["epoch"]
    for part, style, color, label in PARTS:
        info.errorbar(e, rows[part], yerr=rows[part + "_se"], fmt="none", ecolor=color, alpha=0.5)
        info.plot(e, rows[part], style, markersize=3, color=color, label=label, gid=f"curve-{part}")
    info.plot(e, rows["objective"], "-D", markersize=3, color="k", label=f"J = S1(T;Y) − {beta:g}·S1(X;T)",
              gid="curve-objective")
    info.set_ylabel("nats")
    info.set_title(f"objective of layer {int(settings['layer'])} ({int(settings['slices'])} slices)\n"
                   f"window {int(settings['window'])} snapshots, tolerance {float(settings['tolerance']):g} nats",
                   fontsize=9)
    for ax, quantity, scale, name, unit in ((loss, "test_loss", 1, "test loss", ""),
                                            (accuracy, "test_accuracy", 100, "test accuracy", " [%]")):
        ax.plot(curves["epoch"], curves[quantity] * scale, "-o", markersize=3, label=name, gid=f"curve-{quantity}")
        ax.set_ylabel(name + unit)
        ax.set_title(name, fontsize=9)
    for ax in (info, loss, accuracy):
        mark(ax, settings)
        ax.set_xlabel("epoch")
        ax.grid(alpha=0.3)
    set_headline(fig, title or f"{record.name}: the information-based stopping rule")
    handles, labels = info.get_legend_handles_labels()
    handles.append(error_bar_handle("0.4", SE_OVER_SLICES))
    place_legend(info, handles, labels + [SE_OVER_SLICES], fontsize=7)
    place_legends([loss, accuracy], fontsize=7)
    return save(fig, out or os.path.join(os.path.dirname(path), "stopping"), "stopping", dpi)
