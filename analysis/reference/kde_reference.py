#!/usr/bin/env python3
"""Reference values for the KDE upper bound (Kolchinsky & Tracey 2017) as Saxe et al. (2018) compute it.

A direct numpy transcription of `entropy_estimator_kl` and `kde_condentropy` from Saxe et al.'s
`kde.py` and of the I(X;T), I(T;Y) combination in their `ComputeMI.ipynb`: the full n x n matrix of
squared distances (||a||^2 + ||b||^2 - 2 a.b, no clamping, no centring) and a max-shifted
logsumexp over each row. Used by Tests/EstimatorsTests/KDETests.swift.

Usage: kde_reference.py DATA N D VARIANCE [LABELS]
  DATA    raw little-endian float64, N x D row-major
  LABELS  raw little-endian int32, N entries
Prints one JSON object: {"entropy", "conditional_entropy", "mi_input"[, "mi_labels"]} in nats.
"""
import json
import sys

import numpy as np


def logsumexp_rows(a):
    m = a.max(axis=1, keepdims=True)
    return (m + np.log(np.exp(a - m).sum(axis=1, keepdims=True)))[:, 0]


def entropy_estimator_kl(x, var):
    n, dims = x.shape
    x2 = (x ** 2).sum(axis=1)[:, None]
    dists = x2 + x2.T - 2 * x.dot(x.T)
    dists2 = dists / (2 * var)
    normconst = (dims / 2.0) * np.log(2 * np.pi * var)
    lprobs = logsumexp_rows(-dists2) - np.log(n) - normconst
    h = -lprobs.mean()
    return dims / 2.0 + h


def kde_condentropy(x, var):
    dims = x.shape[1]
    return (dims / 2.0) * (np.log(2 * np.pi * var) + 1)


def main():
    path, n, d, var = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
    x = np.fromfile(path, dtype="<f8").reshape(n, d)
    h = entropy_estimator_kl(x, var)
    hcond = kde_condentropy(x, var)
    result = {"entropy": h, "conditional_entropy": hcond, "mi_input": h - hcond}
    if len(sys.argv) > 5:
        y = np.fromfile(sys.argv[5], dtype="<i4")
        assert y.shape[0] == n
        h_given_y = 0.0
        for label in np.unique(y):
            mask = y == label
            h_given_y += mask.mean() * entropy_estimator_kl(x[mask, :], var)
        result["mi_labels"] = h - h_given_y
    print(json.dumps({k: float(v) for k, v in result.items()}))


if __name__ == "__main__":
    main()
