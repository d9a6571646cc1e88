"""InfoPlane's Python side: readers of the files the Swift suite writes and the figures drawn
from them.

    python -m infoplane.plots TOPIC ...     # the figures (see `python -m infoplane.plots --help`)

Modules: `io` reads and checks run.h5, plane.h5, redundancy.h5, an ensemble's directory and the
known-MI benchmark's CSVs; `drawing` holds what every figure shares (saving, the JSON line,
legends, error-bar labels); `trajectories` draws plane trajectories; `registry` is the one way a
figure topic is registered; `topics/` holds one module per topic; `plots` is the command line.
Importing `infoplane` loads none of them (no matplotlib, no h5py), so it stays cheap.
"""

__version__ = "0.1.0"
