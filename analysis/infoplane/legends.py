"""Legends that keep clear of the data, and the entries every figure shares.

A panel's legend goes to the first spot inside the axes where it covers nothing drawn (points,
lines, error bars, bands, labels), found from the drawn artists; where every spot would cover
something, it goes outside below the axes. Panels that show the same entries share one legend
below the figure. `legends_over_data` checks a finished figure (its JSON line reports it).
"""
import numpy as np
from matplotlib.collections import PathCollection, PolyCollection
from matplotlib.lines import Line2D
from matplotlib.transforms import offset_copy

#: The legend entry of the error bars of sliced estimates (their standard error over the m slices).
SE_OVER_SLICES = "±1 SE over slices"

#: Where an inside legend may go, tried in this order: corners first, then edge middles.
LEGEND_SPOTS = ("upper right", "upper left", "lower right", "lower left",
                "center right", "center left", "upper center", "lower center")


def error_bar_handle(color="0.6", label=SE_OVER_SLICES):
    """A legend entry for error bars: a cross of `color`."""
    return Line2D([], [], color=color, marker="+", markersize=10, linestyle="none", label=label)


def legend_texts(legend):
    """The entries of a legend (none for no legend)."""
    return [text.get_text() for text in legend.get_texts()] if legend else []


class DrawnData:
    """What is drawn in one panel, measured once in axes coordinates: every artist as line
    segments (N × 2 × 2; points and markers as zero-length segments, text labels as their boxes)
    and the filled bands. Valid while the panel's limits and the figure's layout hold."""

    def __init__(self, ax):
        self.ax = ax
        self.segments = self._segments()
        self.regions = [path.transformed(c.get_transform()) for c in ax.collections
                        if isinstance(c, PolyCollection) and c.get_visible() for path in c.get_paths()]

    def _segments(self):
        ax = self.ax
        to_axes = ax.transAxes.inverted()
        pieces = []

        def add(display_xy, connect):
            xy = to_axes.transform(np.asarray(display_xy, dtype=float).reshape(-1, 2))
            if connect and len(xy) > 1:
                pieces.append(np.stack([xy[:-1], xy[1:]], axis=1))
            pieces.append(np.stack([xy, xy], axis=1))

        for line in ax.get_lines():
            if line.get_visible() and len(line.get_xydata()):
                add(line.get_transform().transform(line.get_xydata()), line.get_linestyle() not in ("None", "none", "", " "))
        for collection in ax.collections:
            if not collection.get_visible():
                continue
            if isinstance(collection, PathCollection):  # scatter: one marker per offset
                add(collection.get_offset_transform().transform(collection.get_offsets()), False)
                continue
            transform = collection.get_transform()
            for path in collection.get_paths():
                add(transform.transform(path.vertices), True)
        renderer = ax.figure.canvas.get_renderer()
        for text in ax.texts:
            box = text.get_window_extent(renderer)
            add([(box.x0, box.y0), (box.x1, box.y0), (box.x1, box.y1), (box.x0, box.y1), (box.x0, box.y0)], True)
            add([((box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2)], False)
        return np.concatenate(pieces) if pieces else np.zeros((0, 2, 2))

    def covered_by(self, legend, pad=0.015):
        """Whether the legend's box, widened by `pad` (axes fraction), meets anything drawn."""
        ax = self.ax
        box = legend.get_window_extent(ax.figure.canvas.get_renderer()).transformed(ax.transAxes.inverted())
        box = (box.x0 - pad, box.y0 - pad, box.x1 + pad, box.y1 + pad)
        if len(self.segments) and segments_hit_box(self.segments, box).any():
            return True
        corners = ax.transAxes.transform([(box[0], box[1]), (box[2], box[1]), (box[0], box[3]), (box[2], box[3])])
        return any(region.contains_points(corners).any() for region in self.regions)


def segments_hit_box(segments, box):
    """Which segments (N × 2 × 2) meet the box (x0, y0, x1, y1): Liang–Barsky clipping, so a
    segment crossing the box counts even when neither end lies in it."""
    p, d = segments[:, 0, :], segments[:, 1, :] - segments[:, 0, :]
    enter, leave = np.zeros(len(segments)), np.ones(len(segments))
    for axis, (low, high) in enumerate(((box[0], box[2]), (box[1], box[3]))):
        start, step = p[:, axis], d[:, axis]
        inside = (start >= low) & (start <= high)
        with np.errstate(divide="ignore", invalid="ignore"):
            t1, t2 = (low - start) / step, (high - start) / step
        flat = step == 0
        enter = np.maximum(enter, np.where(flat, np.where(inside, -np.inf, np.inf), np.minimum(t1, t2)))
        leave = np.minimum(leave, np.where(flat, np.where(inside, np.inf, -np.inf), np.maximum(t1, t2)))
    return enter <= leave


def legends_over_data(fig, axes):
    """How many (legend, panel) pairs of `axes` have the legend over the panel's data (0 in a
    good figure): each panel's own legend, and every figure-level legend against every panel."""
    count = 0
    for ax in axes:
        legends = ([ax.get_legend()] if ax.get_legend() else []) + list(fig.legends)
        if legends:
            drawn = DrawnData(ax)
            count += sum(drawn.covered_by(legend) for legend in legends)
    return count


def place_legend(ax, handles=None, labels=None, **kwargs):
    """A legend for one panel (its labelled artists, or `handles`); see place_legends."""
    place_legends([ax], handles, labels, **kwargs)
    return ax.get_legend()


def place_legends(axes, handles=None, labels=None, **kwargs):
    """A legend in each panel of `axes`, in the first spot of LEGEND_SPOTS where it covers no
    data; where every spot would, outside below the panel (under its tick labels and x label).
    `handles` (and `labels`) serve every panel; by default each panel's labelled artists.

    Call it once the panels are complete (data, limits, labels) and the figure holds its colour
    bars and titles: the free spot is measured in the layout they make."""
    fig = axes[0].figure
    fig.draw_without_rendering()  # settles limits and the layout the spots are measured in
    for ax in axes:
        entries, texts = (ax.get_legend_handles_labels() if handles is None else
                          (handles, labels if labels is not None else [h.get_label() for h in handles]))
        if not entries:
            continue
        drawn = DrawnData(ax)
        for spot in LEGEND_SPOTS:
            legend = ax.legend(entries, texts, loc=spot, **kwargs)
            if not drawn.covered_by(legend):
                break
            legend.remove()
        else:
            legend_below(ax, entries, texts, **kwargs)
            fig.draw_without_rendering()  # the layout made room for it: measure the next panel anew


def legend_below(ax, handles, labels, **kwargs):
    """A legend centred under the axes, below its tick labels and x label, in columns."""
    renderer = ax.figure.canvas.get_renderer()
    depth = ax.transAxes.transform((0, 0))[1] - ax.get_tightbbox(renderer).y0  # display pixels
    below = offset_copy(ax.transAxes, fig=ax.figure, y=-(depth * 72 / ax.figure.dpi + 4), units="points")
    kwargs.setdefault("ncol", min(len(handles), 2))
    return ax.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, 0), bbox_transform=below, **kwargs)


def shared_legend(fig, handles, labels=None, **kwargs):
    """One legend for every panel, outside below them (the figure's layout makes room)."""
    labels = labels if labels is not None else [h.get_label() for h in handles]
    kwargs.setdefault("ncol", min(len(handles), 4))
    return fig.legend(handles, labels, loc="outside lower center", **kwargs)
