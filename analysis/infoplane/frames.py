"""A plane as a pandas table, and its figure: `infoplane.read_plane` and `infoplane.plot_plane`.
pandas is imported when a table is made, matplotlib when a figure is drawn."""
import contextlib
import os

import numpy as np

from . import io

#: The table's value columns, in plane.csv's order (the baselines only when the plane has them).
VALUES = ("sxt", "sxt_se", "sty", "sty_se")


def read_plane(path):
    """The plane file `path` (or a run directory's plane.h5) as a pandas DataFrame, one row per
    (layer, epoch) in plane.csv's order: `layer` (the layer's name), `epoch`, `sxt`, `sxt_se`,
    `sty`, `sty_se`, and `sxt_baseline`, `sxt_baseline_se`, `sty_baseline`, `sty_baseline_se`
    when the plane was measured with a shuffle baseline. `frame.attrs` keeps the file's path,
    its settings and each layer's width and stream key, so `plot_plane(frame)` can draw it."""
    import pandas as pd

    plane = io.load_plane(path)
    if plane.settings.get("shuffle_baseline"):
        plane = io.load_plane(path, baselines=True)
    columns = VALUES + (io.BASELINE_COLUMNS if plane.settings.get("shuffle_baseline") else ())
    pieces = [pd.DataFrame({"layer": [layer["name"]] * len(layer["epoch"]), "epoch": np.asarray(layer["epoch"], dtype=np.int64),
                            **{c: np.asarray(layer[c], dtype=np.float64) for c in columns}})
              for layer in plane.layers]
    frame = pd.concat(pieces, ignore_index=True) if pieces else pd.DataFrame(columns=["layer", "epoch", *columns])
    frame.attrs.update({"path": plane.path, "settings": dict(plane.settings),
                        "widths": {layer["name"]: layer["width"] for layer in plane.layers},
                        "streams": {layer["name"]: layer["layer"] for layer in plane.layers}})
    return frame


def plane_from_frame(frame):
    """An `io.Plane` from a table shaped like read_plane's (its attrs when present)."""
    attrs = frame.attrs
    layers = []
    for position, (name, rows) in enumerate(frame.groupby("layer", sort=False)):
        layers.append({"layer": attrs.get("streams", {}).get(name, position + 1), "name": str(name),
                       "width": attrs.get("widths", {}).get(name),
                       **{c: rows[c].to_numpy() for c in ("epoch",) + VALUES}})
    return io.Plane(attrs.get("path"), layers, dict(attrs.get("settings", {})))


def plot_plane(path_or_frame, out=None, dpi=None, title=None):
    """The plane figure `python -m infoplane.plots plane` draws, of a plane file (or run
    directory) or of a table from read_plane; writes OUT.png and OUT.svg (default: beside the
    plane file) and returns the figure's summary (the JSON line the command prints; here it is
    returned, not printed)."""
    from .topics.plane import plane_figure, plot_plane as plot_file

    out = None if out is None else os.fspath(out)
    with open(os.devnull, "w") as quiet, contextlib.redirect_stdout(quiet):
        if hasattr(path_or_frame, "groupby"):
            plane = plane_from_frame(path_or_frame)
            default = os.path.splitext(plane.path)[0] if plane.path else None
            return plane_figure(plane, out if out is not None else default, dpi, title)
        return plot_file(os.fspath(path_or_frame), out=out, dpi=dpi, title=title)
