"""InfoPlane's Python side: a recorder of PyTorch (or numpy) models' layers, the Swift analysis
driven from Python, and readers and figures of the files the Swift suite writes.

    recorder = infoplane.Recorder("runs/cnn/run.h5", x_eval, labels=y_eval, layers={"conv1": model.conv1})
    recorder.snapshot(model, epoch)                  # each snapshot epoch, during training
    plane = infoplane.analyze("runs/cnn/run.h5", ranks=2, slices=1000)
    infoplane.read_plane(plane)                      # pandas DataFrame, one row per (layer, epoch)
    infoplane.plot_plane(plane)                      # the figure of `python -m infoplane.plots plane`

    python -m infoplane.plots TOPIC ...     # the figures (see `python -m infoplane.plots --help`)

Modules, each with one job:
    recorder      Recorder: the run file (format 2: index + parts) of a recorded model
    capture       forward hooks on named torch modules (the only module importing torch)
    runfile       the run-file layout the recorder writes; publish: whole-or-nothing files, the lock
    analysis      analyze(): the `infoplane analyze` binary under mpirun, progress passed through
    frames        read_plane(), plot_plane(): a plane as a pandas table, and its figure
    io            reads and checks run.h5, plane.h5, redundancy.h5, an ensemble's directory and
                  the known-MI benchmark's CSVs (bad input: errors.InputError, one line)
    drawing       the headless figure, its title and resolution, saving PNG+SVG, the JSON line
    legends       legends clear of the data, shared legends, the error-bar entries
    trajectories  plane trajectories (one per layer, points coloured by epoch)
    registry      the one way a figure topic is registered (@topic)
    topics/       one module per topic (plane, curves, compare, all, ...)
    plots         the command line; nothing else imports it
Importing `infoplane` loads none of them (no torch, matplotlib, pandas or h5py): the API's names
load their module when first used.
"""

__version__ = "0.1.0"

#: The public API: name → the module that defines it (loaded on first use).
_API = {"Recorder": "recorder", "analyze": "analysis", "read_plane": "frames", "plot_plane": "frames",
        "InputError": "errors", "AnalysisError": "analysis"}

__all__ = sorted(_API)


def __getattr__(name):
    if name in _API:
        import importlib

        value = getattr(importlib.import_module(f".{_API[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'infoplane' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(_API))
