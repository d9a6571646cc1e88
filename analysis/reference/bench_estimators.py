"""Times scikit-learn's KSG estimators on arrays written by `infoplane bench estimators`.

Reads N float64 x, N float64 y and N int32 labels (raw little-endian, in that order) and prints
one JSON object: the median CPU seconds (time.process_time) per call of sklearn's `_compute_mi_cc(x, y, k)` and
`_compute_mi_cd(x, labels, k)` over --repeats calls, and the values they return.

With --h5 PATH it also writes the arrays `infoplane estimate` is timed on: x and y as two-column
arrays (the benchmark's x and y beside an independent N(0,1) column each, from a fixed seed) and
the labels.
"""
import argparse
import json
import statistics
import time

import numpy as np
from sklearn.feature_selection._mutual_info import _compute_mi_cc, _compute_mi_cd


def timed(function, repeats):
    times, value = [], None
    for _ in range(repeats):
        start = time.process_time()
        value = function()
        times.append(time.process_time() - start)
    return statistics.median(times), float(value)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--file", required=True)
    parser.add_argument("--n", type=int, required=True)
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--h5", help="also write x (n x 2), y (n x 2) and labels here for `infoplane estimate`")
    args = parser.parse_args()
    raw = open(args.file, "rb").read()
    n = args.n
    x = np.frombuffer(raw, dtype="<f8", count=n, offset=0).copy()
    y = np.frombuffer(raw, dtype="<f8", count=n, offset=8 * n).copy()
    labels = np.frombuffer(raw, dtype="<i4", count=n, offset=16 * n).copy()
    if args.h5:
        import h5py
        noise = np.random.default_rng(n).standard_normal((n, 2))
        with h5py.File(args.h5, "w") as f:
            f["x"] = np.column_stack([x, noise[:, 0]])
            f["y"] = np.column_stack([y, noise[:, 1]])
            f["labels"] = labels
    cc_seconds, cc_value = timed(lambda: _compute_mi_cc(x, y, args.k), args.repeats)
    cd_seconds, cd_value = timed(lambda: _compute_mi_cd(x, labels, args.k), args.repeats)
    import sklearn
    print(json.dumps({"sklearn": sklearn.__version__, "n": n, "k": args.k,
                      "cc_seconds": cc_seconds, "cc_value": cc_value,
                      "cd_seconds": cd_seconds, "cd_value": cd_value}))


if __name__ == "__main__":
    main()
