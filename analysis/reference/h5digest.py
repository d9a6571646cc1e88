"""SHA-256 digests of every numeric dataset in HDF5 files, for bit-identity checks.

    python h5digest.py FILE [FILE ...]      → one JSON object: {"FILE:/path": "sha256", ...}
    python h5digest.py --per-file FILE ...  → {"FILE": {"/path": "sha256", ...} or {"error": "..."}, ...}

Each digest covers the dataset's shape, its numeric kind (float/int) and its values as
little-endian bytes of the stored width, so a file is "the same" when every number is.
Wall-clock figures (datasets named `seconds`) are left out: they differ run to run.
External links are followed, so a run file split into linked files digests as one.
"""
import hashlib
import json
import sys

import h5py
import numpy as np

SKIPPED = {"seconds"}


def digests(path):
    """{"/group/dataset": sha256} for every numeric dataset below the root, links followed."""
    out = {}

    def walk(group, prefix):
        for key in group:
            obj = group.get(key)
            name = f"{prefix}/{key}"
            if isinstance(obj, h5py.Group):
                walk(obj, name)
            elif isinstance(obj, h5py.Dataset) and obj.dtype.kind in "fiub" and key not in SKIPPED:
                data = np.ascontiguousarray(obj[()])
                data = data.astype(data.dtype.newbyteorder("<"), copy=False)
                h = hashlib.sha256()
                h.update(f"{data.dtype.kind}{data.dtype.itemsize}{list(data.shape)}".encode())
                h.update(data.tobytes())
                out[name] = h.hexdigest()

    with h5py.File(path, "r") as f:
        walk(f, "")
    return out


if __name__ == "__main__":
    if sys.argv[1:2] == ["--per-file"]:
        # Many files in one process (the reliability tests digest hundreds); a file that does not
        # open is reported, not fatal.
        result = {}
        for path in sys.argv[2:]:
            try:
                result[path] = digests(path)
            except Exception as error:  # noqa: BLE001 - any failure to read is the finding
                result[path] = {"error": str(error)}
    else:
        result = {}
        for path in sys.argv[1:]:
            result.update({f"{path.rsplit('/', 1)[-1]}:{k}": v for k, v in sorted(digests(path).items())})
    print(json.dumps(result, indent=1, sort_keys=True))
