"""InfoPlane's Python side: readers of the files the Swift suite writes and the figures drawn
from them.

    python -m infoplane.plots TOPIC ...     # the figures (see `python -m infoplane.plots --help`)

Modules, each with one job:
    io            reads and checks run.h5, plane.h5, redundancy.h5, an ensemble's directory and
                  the known-MI benchmark's CSVs (bad input: errors.InputError, one line)
    drawing       the headless figure, its title and resolution, saving PNG+SVG, the JSON line
    legends       legends clear of the data, shared legends, the error-bar entries
    trajectories  plane trajectories (one per layer, points coloured by epoch)
    registry      the one way a figure topic is registered (@topic)
    topics/       one module per topic (plane, curves, compare, all, ...)
    plots         the command line; nothing else imports it
Importing `infoplane` loads none of them (no matplotlib, no h5py), so it stays cheap.
"""

__version__ = "0.1.0"
