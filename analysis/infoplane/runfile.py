"""The run-file layout (format `infoplane-run`, version 2) as the Swift trainer writes it, for
the Python recorder: a small index `run.h5` that reaches the parts — the evaluation set and one
file per snapshot — through HDF5 external links (docs/files.md; Sources/Files/RunFile.swift,
RunIndex.swift, RunFileWriter.swift). Only writing lives here; `io` reads.
"""
import numpy as np
import h5py

#: Root attribute `format` and `format_version` of a run file.
FORMAT, FORMAT_VERSION = "infoplane-run", 2
#: Root attribute `tool` of files the Python recorder writes (the trainer writes none).
TOOL = "infoplane.Recorder"
#: Deflate level of activations and evaluation inputs, after the shuffle filter (as the trainer).
COMPRESSION_LEVEL = 1
#: Activations are chunked by whole rows of about this many bytes.
CHUNK_BYTES = 1 << 20
#: Rows per chunk of the extendible /training curves.
CURVE_CHUNK_ROWS = 256


def snapshot_group(epoch):
    """The link name of a snapshot in /snapshots: `epoch_NNNNNN`."""
    return f"epoch_{epoch:06d}"


def snapshot_part(parts, epoch):
    """The part of the snapshot at `epoch`, relative to the index's folder."""
    return f"{parts}/snapshot-{epoch:06d}.h5"


def evaluation_part(parts):
    """The evaluation set's part, relative to the index's folder."""
    return f"{parts}/evaluation.h5"


def row_chunks(shape, itemsize):
    """Chunks of whole rows of about CHUNK_BYTES (the trainer's rule)."""
    row_bytes = itemsize * int(np.prod(shape[1:], dtype=np.int64))
    return (max(1, min(shape[0], CHUNK_BYTES // max(row_bytes, 1))),) + tuple(shape[1:])


def create_rows(group, name, shape):
    """An empty n × width float32 dataset, chunked by rows, shuffled and deflated (level 1)."""
    return group.create_dataset(name, shape=shape, dtype="<f4", chunks=row_chunks(shape, 4), shuffle=True,
                                compression="gzip", compression_opts=COMPRESSION_LEVEL)


def write_evaluation(f, inputs, labels, targets):
    """The evaluation part's root: inputs (n × d float32, compressed like activations) and int64
    labels or float32 n × outputs targets."""
    create_rows(f, "inputs", inputs.shape)[...] = inputs
    if targets is not None:
        f.create_dataset("targets", data=targets.astype("<f4"))
    else:
        f.create_dataset("labels", data=labels.astype("<i8"))


def strings(values):
    """A 1-D array of variable-length UTF-8 strings (a string-array attribute)."""
    return np.array(list(values), dtype=h5py.string_dtype())


def write_index(f, attributes, curves, snapshots, parts):
    """An index: root `attributes`, /evaluation and one /snapshots link per epoch of `snapshots`
    to their parts, /training from `curves` ({name: [values]}, `epoch` first), and an empty
    /checkpoint (a recording has no checkpoints to resume from)."""
    for key, value in attributes.items():
        f.attrs[key] = value
    f["evaluation"] = h5py.ExternalLink(evaluation_part(parts), "/")
    training = f.create_group("training")
    for name, values in curves.items():
        dtype = "<i8" if name == "epoch" else "<f8"
        training.create_dataset(name, data=np.asarray(values, dtype=dtype), maxshape=(None,), chunks=(CURVE_CHUNK_ROWS,))
    group = f.create_group("snapshots")
    for epoch in snapshots:
        group[snapshot_group(epoch)] = h5py.ExternalLink(snapshot_part(parts, epoch), "/")
    f.create_group("checkpoint")
