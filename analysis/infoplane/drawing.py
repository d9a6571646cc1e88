"""What every figure shares: a headless figure, its title, its resolution, saving PNG and SVG,
and the JSON line that describes it.

Figures are `matplotlib.figure.Figure`s on an Agg canvas, not pyplot figures: drawing needs no
display and no backend choice, and a figure is freed when the last reference to it goes.
"""
import json
import os

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .errors import InputError
from .legends import legend_texts, legends_over_data

#: PNG resolution when neither --dpi nor INFOPLANE_PLOT_DPI says otherwise.
DEFAULT_DPI = 150


def new_figure(**kwargs):
    """A figure with an Agg canvas and constrained layout (colour bars and outside legends get room)."""
    fig = Figure(layout="constrained", **kwargs)
    FigureCanvasAgg(fig)
    return fig


def set_headline(fig, text, **kwargs):
    """The figure's title above every panel."""
    kwargs.setdefault("fontsize", 11)
    fig.suptitle(text, **kwargs)


def resolve_dpi(dpi=None):
    """The PNG resolution: `dpi` if given, else $INFOPLANE_PLOT_DPI, else DEFAULT_DPI."""
    if dpi is None:
        text = os.environ.get("INFOPLANE_PLOT_DPI", "").strip()
        if not text:
            return DEFAULT_DPI
        try:
            dpi = int(text)
        except ValueError:
            raise InputError(f"INFOPLANE_PLOT_DPI={text} is not a whole number: set it to e.g. 100, or unset it") from None
    if not 10 <= dpi <= 1200:
        raise InputError(f"a resolution of {dpi} dpi is out of range: give --dpi (or INFOPLANE_PLOT_DPI) between 10 and 1200")
    return dpi


def panels(fig):
    """The figure's axes, colour bars left out."""
    return [ax for ax in fig.axes if ax.get_label() != "<colorbar>"]


def headline(fig):
    """The figure's title: its suptitle, else the first panel's title."""
    if fig.get_suptitle():
        return fig.get_suptitle()
    axes = panels(fig)
    return axes[0].get_title() if axes else ""


def describe(fig, kind, files):
    """What the figure holds, read back from its artists: per panel the title, trajectories
    (lines with gid `trajectory-*`), points per trajectory (`points-*`), spreads (`spread-*`),
    curves (labels of lines with gid `curve-*`), axis labels and legend entries; the colour bars,
    the title, the entries of figure-level legends, and how many legends lie over data."""
    def gids(artists, prefix):
        return [a for a in artists if (a.get_gid() or "").startswith(prefix)]

    described = []
    for ax in panels(fig):
        described.append({"title": ax.get_title(), "trajectories": len(gids(ax.get_lines(), "trajectory-")),
                          "spreads": len({c.get_gid() for c in gids(ax.collections, "spread-")}),
                          "points": [len(c.get_offsets()) for c in gids(ax.collections, "points-")],
                          "curves": [line.get_label() for line in gids(ax.get_lines(), "curve-")],
                          "xlabel": ax.get_xlabel(), "ylabel": ax.get_ylabel(), "legend": legend_texts(ax.get_legend())})
    colorbars = sum(1 for ax in fig.axes if ax.get_label() == "<colorbar>")
    return {"figure": kind, "panels": described, "colorbars": colorbars, "files": files, "title": headline(fig),
            "legend": [text for legend in fig.legends for text in legend_texts(legend)],
            "legends_over_data": legends_over_data(fig, panels(fig))}


def save(fig, prefix, kind, dpi=None):
    """Writes PREFIX.png (at `dpi`, see resolve_dpi) and PREFIX.svg, prints the figure's JSON
    line and returns it. Both files appear together or not at all (written aside, then renamed)."""
    dpi = resolve_dpi(dpi)
    files = [prefix + ".png", prefix + ".svg"]
    folder = os.path.dirname(os.path.abspath(prefix))
    if not os.path.isdir(folder):
        raise InputError(f"no such folder for the figure: {folder} (create it, or give another --out)")
    # Lay the figure out once and keep that layout for both files (the layout is in figure
    # fractions, the same at any dpi; solving it again per file would only cost time).
    fig.draw_without_rendering()
    fig.set_layout_engine("none")
    partials = []
    try:
        for path in files:
            partial = path + ".partial" + os.path.splitext(path)[1]
            partials.append(partial)
            fig.savefig(partial, dpi=dpi, bbox_inches="tight")
        for partial, path in zip(partials, files):
            os.replace(partial, path)
    finally:
        for partial in partials:
            if os.path.exists(partial):
                os.remove(partial)
    summary = describe(fig, kind, files)
    print(json.dumps(summary))
    return summary
