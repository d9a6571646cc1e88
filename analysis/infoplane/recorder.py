"""`infoplane.Recorder`: records a model's layers during training into a run file that
`infoplane analyze` measures, in the layout the Swift trainer writes (format 2: an index and its
parts, docs/files.md).

    with infoplane.Recorder("runs/cnn/run.h5", x_eval, labels=y_eval,
                            layers={"conv1": model.conv1, "fc1": model.fc1}) as recorder:
        for epoch in range(epochs):
            recorder.snapshot(model, epoch)       # the evaluation set through the model, hooked
            train_one_epoch(model)
            recorder.log(epoch + 1, train_loss=loss, test_accuracy=accuracy)

Each snapshot is a new part, published (written beside, fsynced, renamed) before the index that
links it is republished the same way, so a snapshot appears whole or not at all: a process killed
at any instant leaves a valid run file holding every snapshot completed before. numpy and JAX users
call `add_snapshot(epoch, {name: array})` instead and never import torch.
"""
import datetime
import json
import os

import h5py
import numpy as np

from . import __version__, runfile
from .errors import InputError
from .publish import RunLock, fsync_directory, publish_hdf5, remove_stale_partials

#: h5py's chunk cache for a snapshot part: room for the chunks a batch of rows touches.
PART_CACHE_BYTES = 16 << 20


def _array(value, what):
    """A tensor (torch, on any device), JAX or numpy array, or sequence as a numpy array."""
    if hasattr(value, "detach"):
        value = value.detach().cpu().numpy()
    try:
        return np.asarray(value)
    except Exception as error:  # noqa: BLE001 - anything numpy cannot take is the user's input
        raise InputError(f"{what} is not an array ({type(value).__name__}): give a tensor or a numpy array") from error


def _check_name(name):
    if not isinstance(name, str) or not name or name == "." or "/" in name:
        raise InputError(f"layer name {name!r} cannot name a dataset: use non-empty names without '/' "
                         "(module names such as 'features.3' are fine)")
    return name


class Recorder:
    """Records evaluation inputs, labels or targets, snapshots of named layers and training
    curves into the run file `path` (a `.h5` file, or a folder to hold `run.h5`).

    `inputs` is the evaluation set (a tensor or array of any shape, one sample per row; stored
    flattened as n × d float32), fed to the model as given. `labels` are integer classes or
    `targets` regression targets (exactly one of them). `layers` is {name: torch module} for
    `snapshot`, in the order the run records them; numpy users leave it out and name layers in
    `add_snapshot`. `config` (a dict or text) is stored as the run's config text. A previous
    recording at `path` is replaced; any other file there is refused."""

    def __init__(self, path, inputs, labels=None, targets=None, layers=None, batch_size=1024, config=None):
        path = os.fspath(path)
        self.path = path if path.endswith(".h5") else os.path.join(path, "run.h5")
        folder = os.path.dirname(os.path.abspath(self.path))
        stem = os.path.splitext(os.path.basename(self.path))[0]
        # Parts beside the index: `parts/` for run.h5 (as the trainer), `<stem>.parts/` otherwise,
        # so two recordings in one folder never share parts.
        self.parts = "parts" if stem == "run" else f"{stem}.parts"
        self._inputs = inputs
        evaluation = self._evaluation(inputs, labels, targets)
        self.modules = None if layers is None else self._modules(layers)
        self.layer_names = None if layers is None else list(self.modules)
        if not isinstance(batch_size, int) or batch_size < 1:
            raise InputError(f"batch_size={batch_size!r} is impossible: use a positive whole number (1024 is usual)")
        self.batch_size = batch_size
        self.widths = None
        self.snapshots = []
        self.curves = {}
        self._attributes = self._root_attributes(config, folder, evaluation)
        try:
            os.makedirs(os.path.join(folder, self.parts), exist_ok=True)
        except OSError as error:
            raise InputError(f"cannot create {os.path.join(folder, self.parts)}: {error.strerror}; record to another path") from None
        self._lock = RunLock(self.path)
        try:
            self._start(evaluation)
        except BaseException:
            self._lock.release()
            raise

    # MARK: the API

    def snapshot(self, model, epoch):
        """Runs the evaluation inputs through `model` (batches of `batch_size`, `torch.no_grad()`,
        eval mode, each module's mode restored afterwards) and records every layer's output,
        flattened to n × features float32, as the snapshot of `epoch`."""
        if self.modules is None:
            raise InputError("snapshot(model, epoch) needs the layers to record: create the Recorder with "
                             "layers={name: module}, or call add_snapshot(epoch, {name: array})")
        epoch = self._new_epoch(epoch)
        from .capture import forward_outputs

        widths = {}

        def fill(f):
            datasets = {}

            def sink(start, outputs):
                if not datasets:
                    widths.update(self._checked_widths({name: rows.shape[1] for name, rows in outputs.items()}))
                    datasets.update({name: runfile.create_rows(f, name, (self.n, rows.shape[1])) for name, rows in outputs.items()})
                for name, rows in outputs.items():
                    datasets[name][start:start + len(rows)] = rows

            f.attrs["epoch"] = np.int64(epoch)
            forward_outputs(model, self.modules, self._inputs, self.batch_size, sink)
        self._publish_snapshot(epoch, fill, widths)

    def add_snapshot(self, epoch, activations):
        """Records `activations` ({name: array of n rows, any shape}) as the snapshot of `epoch`,
        flattened to n × features float32; the names are the recorder's layers (set by the
        first snapshot when the Recorder was made without `layers`)."""
        epoch = self._new_epoch(epoch)
        if not isinstance(activations, dict) or not activations:
            raise InputError("add_snapshot(epoch, activations) needs a dict {layer name: array}")
        names = [_check_name(name) for name in activations]
        if self.layer_names is not None and set(names) != set(self.layer_names):
            raise InputError(f"add_snapshot at epoch {epoch} has layers {names} but the run records {self.layer_names}: "
                             "give every snapshot the same layers")
        order = self.layer_names or names
        arrays = {}
        for name in order:
            array = _array(activations[name], f"layer {name!r}")
            if array.ndim < 1 or array.shape[0] != self.n or array.size == 0 or not np.issubdtype(array.dtype, np.number):
                raise InputError(f"layer {name!r} has shape {array.shape} of {array.dtype}: give {self.n} rows of numbers "
                                 "(one per evaluation sample)")
            arrays[name] = np.ascontiguousarray(array.reshape(self.n, -1), dtype=np.float32)
        widths = self._checked_widths({name: a.shape[1] for name, a in arrays.items()})

        def fill(f):
            f.attrs["epoch"] = np.int64(epoch)
            for name, array in arrays.items():
                runfile.create_rows(f, name, array.shape)[...] = array
        self._publish_snapshot(epoch, fill, widths)

    def log(self, epoch, **curves):
        """Records training curves at `epoch` (e.g. `train_loss=0.41, test_accuracy=0.87`; tensors
        and numpy scalars are fine); logging an epoch again adds or replaces its values."""
        epoch = self._epoch_number(epoch)
        row = self.curves.setdefault(epoch, {})
        for name, value in curves.items():
            if name == "epoch":
                raise InputError("log(epoch, epoch=...) is ambiguous: the epoch is the first argument")
            try:
                row[name] = float(_array(value, f"curve {name!r}"))
            except (TypeError, ValueError):
                raise InputError(f"curve {name!r} at epoch {epoch} is not one number: log scalars, e.g. loss.item()") from None
        self._publish_index()

    def close(self):
        """Ends the recording (the run file is complete after every call already); gives up the lock."""
        self._lock.release()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    # MARK: writing

    @property
    def n(self):
        """Evaluation samples."""
        return self._attributes["evaluation_size"]

    def _start(self, evaluation):
        """Replaces a previous recording (its index first, so no index ever links a mix), then
        publishes the evaluation part and the first index."""
        if os.path.lexists(self.path):
            self._check_replaceable()
            os.unlink(self.path)
            fsync_directory(self.path)
        folder = os.path.dirname(os.path.abspath(self.path))
        remove_stale_partials(self.path)
        for name in os.listdir(os.path.join(folder, self.parts)):
            os.unlink(os.path.join(folder, self.parts, name))
        inputs, labels, targets = evaluation
        publish_hdf5(self._part(runfile.evaluation_part(self.parts)), lambda f: runfile.write_evaluation(f, inputs, labels, targets))
        self._publish_index()

    def _check_replaceable(self):
        """Only a previous recording of this recorder may be replaced."""
        try:
            with h5py.File(self.path, "r") as f:
                tool = f.attrs.get("tool")
        except OSError:
            raise InputError(f"{self.path} exists and is not a run file: record to another path, or remove it") from None
        if tool != runfile.TOOL:
            raise InputError(f"{self.path} holds a run written by {tool or 'infoplane train'}, not by this recorder: "
                             "record to another path, or remove it first")

    def _publish_snapshot(self, epoch, fill, widths):
        """The snapshot part, then the index that links it; `widths` ({name: units}) are filled by
        `fill` and become the run's once the part is published."""
        publish_hdf5(self._part(runfile.snapshot_part(self.parts, epoch)), fill, rdcc_nbytes=PART_CACHE_BYTES)
        self.widths = dict(widths)
        self.layer_names = list(widths)
        self.snapshots = sorted(self.snapshots + [epoch])
        self._publish_index()

    def _publish_index(self):
        attributes = dict(self._attributes)
        if self.layer_names is not None:
            attributes["layers"] = runfile.strings(self.layer_names)
        if self.widths is not None:
            attributes["hidden_widths"] = np.asarray([self.widths[name] for name in self.layer_names], dtype="<i8")
        epochs = sorted(self.curves)
        names = sorted({name for row in self.curves.values() for name in row})
        curves = {"epoch": epochs, **{name: [self.curves[e].get(name, np.nan) for e in epochs] for name in names}}
        publish_hdf5(self.path, lambda f: runfile.write_index(f, attributes, curves, self.snapshots, self.parts))

    def _part(self, relative):
        return os.path.join(os.path.dirname(os.path.abspath(self.path)), relative)

    # MARK: checks

    def _evaluation(self, inputs, labels, targets):
        """(inputs n × d float32, labels int64 or None, targets n × w float32 or None), checked."""
        x = _array(inputs, "inputs")
        if x.ndim < 1 or len(x) < 2 or x.size == 0 or not np.issubdtype(x.dtype, np.number):
            raise InputError(f"inputs have shape {x.shape} of {x.dtype}: give at least 2 samples of numbers, one per row")
        n = len(x)
        x = np.ascontiguousarray(x.reshape(n, -1), dtype=np.float32)
        if not np.isfinite(x).all():
            raise InputError("inputs hold NaN or infinite values: give finite evaluation inputs")
        if (labels is None) == (targets is None):
            raise InputError("give labels= (integer classes) or targets= (regression targets), exactly one of them")
        if labels is not None:
            y = _array(labels, "labels")
            if y.shape not in ((n,), (n, 1)) or not np.issubdtype(y.dtype, np.number) or not np.all(np.mod(y, 1) == 0):
                raise InputError(f"labels have shape {y.shape} of {y.dtype}: give {n} integer class labels, one per input")
            y = y.reshape(n).astype(np.int64)
            if len(np.unique(y)) < 2:
                raise InputError("the labels hold a single class: S1(T;Y) is 0 by definition; give an evaluation set with several classes")
            return x, y, None
        t = _array(targets, "targets")
        if t.ndim not in (1, 2) or len(t) != n or not np.issubdtype(t.dtype, np.number):
            raise InputError(f"targets have shape {t.shape}: give {n} rows of real targets (n or n × outputs)")
        return x, None, np.ascontiguousarray(t.reshape(n, -1), dtype=np.float32)

    @staticmethod
    def _modules(layers):
        if not isinstance(layers, dict) or not layers:
            raise InputError("layers must be a dict {name: module}, e.g. dict(model.named_children())")
        for name, module in layers.items():
            _check_name(name)
            if not hasattr(module, "register_forward_hook"):
                raise InputError(f"layer {name!r} is a {type(module).__name__}, not a torch module: give nn.Module "
                                 "objects (numpy users: add_snapshot(epoch, {name: array}))")
        return dict(layers)

    def _root_attributes(self, config, folder, evaluation):
        inputs, labels, _ = evaluation
        if isinstance(config, dict):
            text = json.dumps(config, indent=2, default=str)
        elif config is None or isinstance(config, str):
            text = config
        else:
            raise InputError(f"config is a {type(config).__name__}: give a dict or text")
        name = config.get("name") if isinstance(config, dict) and isinstance(config.get("name"), str) else None
        attributes = {"format": runfile.FORMAT, "format_version": np.int64(runfile.FORMAT_VERSION),
                      "tool": runfile.TOOL, "tool_version": __version__, "name": name or os.path.basename(folder),
                      "classes": np.int64(labels.max() + 1 if labels is not None else 0),
                      "evaluation_size": np.int64(len(inputs)),
                      "created": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")}
        if text is not None:
            attributes["config"] = text
        return attributes

    def _epoch_number(self, epoch):
        if isinstance(epoch, bool) or not isinstance(epoch, (int, np.integer)) or epoch < 0:
            raise InputError(f"epoch {epoch!r} is not a whole number ≥ 0: count epochs from 0 (the initial network)")
        return int(epoch)

    def _new_epoch(self, epoch):
        epoch = self._epoch_number(epoch)
        if epoch in self.snapshots:
            raise InputError(f"the run already has a snapshot at epoch {epoch}: record each epoch once")
        return epoch

    def _checked_widths(self, widths):
        if self.widths is not None and widths != self.widths:
            raise InputError(f"this snapshot's layer widths {widths} differ from the run's {self.widths}: "
                             "record the same layers at every epoch")
        return widths
