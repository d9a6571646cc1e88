"""Reading InfoPlane's files: run.h5, plane.h5 (and the classic planes), redundancy.h5, an
ensemble's directory, and the CSVs of `infoplane bench accuracy`.

Every reader checks what it opens and raises `errors.InputError`, whose message is one line naming
the problem and the fix; the command line prints it and exits non-zero. Nothing here draws.
Tables are dicts of numpy arrays (one entry per column), ready for a DataFrame.
"""
import csv
import glob
import os
from contextlib import contextmanager
from dataclasses import dataclass, field

import h5py

from .errors import InputError

#: Root attribute `format` of each schema.
PLANE_FORMAT = "infoplane-plane"
REDUNDANCY_FORMAT = "infoplane-redundancy"

#: The per-layer columns of every plane file (classic planes store NaN standard errors).
PLANE_COLUMNS = ("epoch", "sxt", "sxt_se", "sty", "sty_se")
#: The extra columns of a plane analysed with a shuffle baseline.
BASELINE_COLUMNS = ("sxt_baseline", "sxt_baseline_se", "sty_baseline", "sty_baseline_se")
#: The per-layer columns of redundancy.h5.
REDUNDANCY_COLUMNS = ("epoch", "unit_sum", "sty", "sty_se", "redundancy_ratio", "mmi", "mmi_se", "mmi_ratio")
#: The columns each CSV of `infoplane bench accuracy` must have.
ACCURACY_COLUMNS = {
    "accuracy.csv": {"mode", "dimension", "samples", "slices", "k", "true_mi", "full_ksg", "true_smi", "sliced"},
    "summary.csv": {"dimension", "full_correlation", "sliced_correlation", "full_relative_bias", "sliced_relative_bias"},
}


@dataclass
class Plane:
    """One plane file: a table per hidden layer and the file's root attributes."""

    #: Where it was read from.
    path: str
    #: Per layer, in layer order: `layer` (its stream key), `name`, `width` and the columns
    #: (numpy arrays, one row per epoch).
    layers: list
    #: Root attributes (estimator settings: `slices`, `k`, `units`, `label_estimator`, ...).
    settings: dict = field(default_factory=dict)

    @property
    def units(self):
        """The information unit of every value ("nats")."""
        return self.settings.get("units", "nats")

    @property
    def epochs(self):
        """Every epoch of every layer (for a colour scale shared by several planes)."""
        return [e for layer in self.layers for e in layer["epoch"]]


def plane_path(path):
    """A plane file, or `plane.h5` inside a run directory."""
    return os.path.join(path, "plane.h5") if os.path.isdir(path) else path


def run_path(path):
    """A run file, or `run.h5` inside a run directory."""
    return os.path.join(path, "run.h5") if os.path.isdir(path) else path


def redundancy_path(path):
    """A redundancy file, or `redundancy.h5` inside a run directory."""
    return os.path.join(path, "redundancy.h5") if os.path.isdir(path) else path


# Which command writes each kind of file, for "no such file" (analyze reads run.h5, never writes it).
_WRITERS = {
    "run": "run.h5 comes from `infoplane train` or `infoplane run`; `infoplane analyze` only reads it",
    "plane": "run `infoplane run` or `infoplane analyze` first",
    "redundancy": "run `infoplane redundancy` first",
}


@contextmanager
def open_hdf5(path, kind):
    """The HDF5 file at `path` opened read-only; `kind` ("plane", "run", ...) names it in errors."""
    if not os.path.exists(path):
        raise InputError(f"no such {kind} file: {path} ({_WRITERS.get(kind, 'run `infoplane run` first')})")
    try:
        f = h5py.File(path, "r")
    except OSError:
        raise InputError(f"{path} is not an HDF5 file: give a {kind} file written by infoplane") from None
    with f:
        yield f


def attributes(node):
    """A group's or file's attributes as plain Python values (byte strings decoded)."""
    return {k: (v.decode() if isinstance(v, bytes) else v) for k, v in node.attrs.items()}


def read_columns(group, names, path):
    """The datasets `names` of `group` as numpy arrays; a missing one is an InputError."""
    missing = [name for name in names if name not in group]
    if missing:
        raise InputError(f"{path}: {group.name} lacks the dataset {', '.join(missing)}: "
                         "rewrite the file with this version of infoplane")
    return {name: group[name][...] for name in names}


def layer_groups(f):
    """The layer groups of a plane or redundancy file, in layer order: those the root attribute
    `layer_names` lists (planes name their groups as the run file names its layers), else the
    `layer_<L>` groups in order of L (older files, redundancy.h5)."""
    names = f.attrs.get("layer_names")
    if names is not None:
        names = [n.decode() if isinstance(n, bytes) else str(n) for n in names]
        missing = [n for n in names if n not in f]
        if missing:
            raise InputError(f"{f.filename}: layer_names lists {', '.join(missing)} but the file has no such group: "
                             "rewrite the plane with infoplane analyze --force")
        return [f[n] for n in names]
    numbered = [n for n in f if n.startswith("layer_") and n[6:].isdigit()]
    return [f[name] for name in sorted(numbered, key=lambda n: int(n[6:]))]


def layer_table(group, columns, path):
    """One layer of a plane or redundancy file: its stream key, name, width and `columns`."""
    missing = [name for name in ("layer", "width") if name not in group.attrs]
    if missing:
        raise InputError(f"{path}: {group.name} lacks the attribute {', '.join(missing)}: "
                         "rewrite the file with this version of infoplane")
    return {"layer": int(group.attrs["layer"]), "name": group.name.rsplit("/", 1)[-1], "width": int(group.attrs["width"]),
            **read_columns(group, columns, path)}


def load_plane(path, baselines=False):
    """A plane file (or a run directory's plane.h5). With `baselines`, also the shuffle-baseline
    columns, and a plane analysed without them is refused."""
    path = plane_path(path)
    with open_hdf5(path, "plane") as f:
        if f.attrs.get("format") != PLANE_FORMAT:
            raise InputError(f"{path} is not a plane file (format {f.attrs.get('format')!r}): "
                             "run `infoplane analyze` on a run file")
        if baselines and not f.attrs.get("shuffle_baseline", 0):
            raise InputError(f"{path} has no shuffle baseline: analyse with --shuffle-baseline "
                             "(or analysis.shuffle_baseline: true)")
        columns = PLANE_COLUMNS + (BASELINE_COLUMNS if baselines else ())
        return Plane(path, [layer_table(g, columns, path) for g in layer_groups(f)], attributes(f))


def load_curves(path):
    """(run name, /training columns) of a run file or directory: epoch, train/test loss and accuracy."""
    path = run_path(path)
    with open_hdf5(path, "run") as f:
        if "training" not in f:
            raise InputError(f"{path} has no /training group: give a run file written by infoplane train/run")
        columns = read_columns(f["training"], ("epoch", "train_loss", "test_loss", "train_accuracy", "test_accuracy"), path)
    return run_name(path), columns


@dataclass
class StoppingRecord:
    """What the information-based stopping rule recorded in a run file (`/stopping`)."""

    #: The run's name.
    name: str
    #: Per snapshot: epoch, objective J, sxt, sxt_se, sty, sty_se.
    rows: dict
    #: The rule's settings and decision: beta, tolerance, window, layer, slices, chosen_epoch, stopped_epoch.
    settings: dict
    #: The training curves: epoch, test_loss, test_accuracy, train_loss.
    curves: dict


def load_stopping(path):
    """The `/stopping` record of a run file or directory."""
    path = run_path(path)
    with open_hdf5(path, "run") as f:
        if "stopping" not in f:
            raise InputError(f"{path} has no /stopping group: train with a config that has a `stopping:` "
                             "section (e.g. configs/stopping.yaml)")
        if "training" not in f:
            raise InputError(f"{path} has no /training group: give a run file written by infoplane train/run")
        g = f["stopping"]
        rows = read_columns(g, ("epoch", "objective", "sxt", "sxt_se", "sty", "sty_se"), path)
        settings = attributes(g)
        missing = {"beta", "tolerance", "window", "layer", "slices", "chosen_epoch", "stopped_epoch"} - set(settings)
        if missing:
            raise InputError(f"{path}: /stopping lacks the attributes {', '.join(sorted(missing))}: "
                             "retrain with this version of infoplane")
        curves = read_columns(f["training"], ("epoch", "test_loss", "test_accuracy", "train_loss"), path)
    return StoppingRecord(run_name(path), rows, settings, curves)


def load_redundancy(path):
    """(layers, settings) of a redundancy file or a run directory's redundancy.h5: per layer the
    unit sum, S1(T;Y), the ratio, R_min and its ratio against the epoch."""
    path = redundancy_path(path)
    with open_hdf5(path, "redundancy") as f:
        if f.attrs.get("format") != REDUNDANCY_FORMAT:
            raise InputError(f"{path} is not a redundancy file (format {f.attrs.get('format')!r}): "
                             "run `infoplane redundancy RUN.h5` first")
        return [layer_table(g, REDUNDANCY_COLUMNS, path) for g in layer_groups(f)], attributes(f)


def load_ensemble(run_dir):
    """(copies, pooled) of an ensemble's directory: each copy's plane (replica-<r>/plane.h5, by r)
    and the pooled plane (pooled/plane.h5)."""
    paths = glob.glob(os.path.join(run_dir, "replica-*", "plane.h5"))
    numbered = []
    for p in paths:
        suffix = os.path.basename(os.path.dirname(p))[len("replica-"):]
        if suffix.isdigit():
            numbered.append((int(suffix), p))
    if not numbered:
        raise InputError(f"{run_dir} has no replica-<r>/plane.h5: run a config with replicas: R > 1 (infoplane run)")
    copies = [load_plane(p) for _, p in sorted(numbered)]
    return copies, load_plane(os.path.join(run_dir, "pooled", "plane.h5"))


def load_accuracy(directory):
    """(points, summary): the rows of accuracy.csv and summary.csv in an `infoplane bench accuracy`
    output directory, numbers as floats (`mode` stays text)."""
    tables = []
    for name in ("accuracy.csv", "summary.csv"):
        path = os.path.join(directory, name)
        if not os.path.exists(path):
            raise InputError(f"no {name} in {directory}: run `infoplane bench accuracy --out {directory}` first")
        with open(path, newline="") as f:
            reader = csv.DictReader(f)
            rows = list(reader)
        missing = ACCURACY_COLUMNS[name] - set(reader.fieldnames or [])
        if missing:
            raise InputError(f"{path} lacks the columns {', '.join(sorted(missing))}: "
                             "give the --out directory of `infoplane bench accuracy`")
        try:
            tables.append([{k: (v if k == "mode" else float(v)) for k, v in row.items()} for row in rows])
        except (TypeError, ValueError):
            raise InputError(f"{path} is not a bench accuracy CSV: rerun `infoplane bench accuracy --out {directory}`") from None
        if not rows:
            raise InputError(f"{path} holds no rows: rerun `infoplane bench accuracy --out {directory}`")
    return tables[0], tables[1]


def run_name(path):
    """The name of the run a file (or run directory) belongs to, for titles.

    The run file's root attribute `name` (the config's `name`), looked up in order: the file itself;
    `run.h5` beside it; the run file named by its `run` attribute (what plane.h5, redundancy.h5 and
    the classic planes record; relative paths are tried from the file's folder and from here).
    Only when none of them names the run: the folder's name."""
    path = os.path.abspath(path)
    folder = path if os.path.isdir(path) else os.path.dirname(path)
    candidates = [path, os.path.join(folder, "run.h5")]
    recorded = _root_attribute(path, "run")
    if recorded:
        candidates += [os.path.join(folder, recorded), os.path.abspath(recorded)]
    for candidate in candidates:
        name = _root_attribute(candidate, "name")
        if name:
            return str(name)
    return os.path.basename(folder)


def _root_attribute(path, key):
    """A root attribute of an HDF5 file, or None when the file or the attribute is missing."""
    if not os.path.isfile(path):
        return None
    try:
        with h5py.File(path, "r") as f:
            value = f.attrs.get(key)
    except OSError:
        return None
    return value.decode() if isinstance(value, bytes) else value
