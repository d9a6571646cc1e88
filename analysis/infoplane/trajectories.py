"""Plane trajectories: one line per layer through its (S1(X;T), S1(T;Y)) points, the points
coloured by epoch with one marker shape per layer, and the legend entries that go with them.
Shared by the plane, compare, ensemble and classic figures."""
import numpy as np
from matplotlib import colormaps, colors
from matplotlib.lines import Line2D

from .legends import SE_OVER_SLICES, error_bar_handle

#: Marker of the i-th layer (cycled).
MARKERS = "osD^v<>ph*"
#: Colour of error bars that are standard errors over slices, and of spread bars.
SE_COLOR, SPREAD_COLOR = "0.6", "tab:red"


def epoch_norm(*planes):
    """One colour scale for the epochs of every plane given."""
    epochs = [e for plane in planes for e in plane.epochs]
    return colors.Normalize(vmin=min(epochs, default=0), vmax=max(epochs, default=1))


def draw_plane(ax, layers, units, title, norm, spread=False):
    """One trajectory per layer with error bars (standard errors over slices, grey; with
    `spread`, each layer's `sxt_se`/`sty_se` read as a spread, red) and an `L<n>` tag at its last
    point. Returns the last scatter (for a colour bar), or None when there are no layers."""
    cmap = colormaps["viridis"]
    scatter = None
    for i, layer in enumerate(layers):
        bars = ax.errorbar(layer["sxt"], layer["sty"], xerr=layer["sxt_se"], yerr=layer["sty_se"], fmt="none",
                           ecolor=SPREAD_COLOR if spread else SE_COLOR, elinewidth=0.8, zorder=1)
        if spread:
            for collection in bars.lines[2]:
                collection.set_gid(f"spread-{layer['layer']}")
        ax.plot(layer["sxt"], layer["sty"], "-", color="0.45", linewidth=1, zorder=2, gid=f"trajectory-{layer['layer']}")
        scatter = ax.scatter(layer["sxt"], layer["sty"], c=layer["epoch"], cmap=cmap, norm=norm, s=36,
                             marker=MARKERS[i % len(MARKERS)], edgecolors="k", linewidths=0.4, zorder=3,
                             label=layer_label(layer), gid=f"points-{layer['layer']}")
        if len(layer["epoch"]):
            ax.annotate(layer_tag(layer), (layer["sxt"][-1], layer["sty"][-1]), xytext=(5, 5),
                        textcoords="offset points", fontsize=9)
    ax.set_xlabel(f"S1(X;T) [{units}]")
    ax.set_ylabel(f"S1(T;Y) [{units}]")
    ax.set_title(title, fontsize=10)
    ax.grid(alpha=0.3)
    return scatter


def layer_name(layer):
    """How a layer is called in figures: `layer 2` for the trainer's `layer_2`, else its name as
    recorded (`features.3`)."""
    name = layer.get("name", f"layer_{layer['layer']}")
    return f"layer {name[6:]}" if name.startswith("layer_") and name[6:].isdigit() else name


def layer_tag(layer):
    """The tag at a trajectory's last point: `L2` for `layer_2`, else the layer's name."""
    name = layer_name(layer)
    return "L" + name[6:] if name.startswith("layer ") else name


def layer_label(layer):
    """The legend text of a layer: `layer 2 (64 units)`, `conv1 (6272 units)`."""
    return f"{layer_name(layer)} ({layer['width']} units)" if layer.get("width") is not None else layer_name(layer)


def has_error_bars(layers):
    """Whether any layer has a finite standard error (classic planes store NaN)."""
    return any(np.isfinite(layer[q]).any() for layer in layers for q in ("sxt_se", "sty_se"))


def legend_entries(layers, bars=SE_OVER_SLICES, bar_color=SE_COLOR):
    """Legend handles: each layer's marker shape (neutral grey: the colour is the epoch), then the
    error bars labelled `bars` when the layers have finite ones (None: no bar entry)."""
    handles = [Line2D([], [], color="0.45", linewidth=1, marker=MARKERS[i % len(MARKERS)], markersize=6,
                      markerfacecolor="0.85", markeredgecolor="k", markeredgewidth=0.5, label=layer_label(layer))
               for i, layer in enumerate(layers)]
    if bars and has_error_bars(layers):
        handles.append(error_bar_handle(bar_color, bars))
    return handles
