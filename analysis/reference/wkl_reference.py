"""Reference values for the Swift weighted Kozachenko-Leonenko estimator
(Tests/EstimatorsTests/WeightedKozachenkoLeonenkoTests.swift), written from Berrett, Samworth &
Yuan (2019) with numpy and scipy, independently of the Swift code.

Usage: wkl_reference.py CASES.json  -> prints {"results": [...]} as JSON on stdout.

CASES.json holds {"cases": [...]}, each a dict with "kind":
  weights  k, d          the weights: e_k for d < 4, else the minimum-norm solution (numpy's
                         lstsq, an SVD) of the paper's conditions on its support
                         S = {floor(i k / d) : i = 1..d} minus 0
                         -> {"support": [...], "weights": [...]}
  entropy  x, d, k       sum_j w_j H_j with H_j = psi(n) - psi(j) + d log 2 + d mean(log eps_j),
                         eps_j the max-norm distance to the j-th neighbour (cKDTree, p = inf)
                         -> {"value": ...}
  mi       x, dx, y, dy, k   H(X) + H(Y) - H(X,Y), each weighted for its own dimension
                         -> {"value": ...}

Exits with status 2 and a message on stderr if numpy or scipy cannot be imported: the tests
must fail then, not skip.
"""

import json
import sys

try:
    import numpy as np
    from scipy.spatial import cKDTree
    from scipy.special import digamma, gammaln
except ImportError as error:  # pragma: no cover - the environment check itself
    print(f"wkl_reference.py: cannot import numpy/scipy ({error}); install analysis/requirements.txt",
          file=sys.stderr)
    sys.exit(2)


def support(k, d):
    """The paper's support {floor(i k / d) : i = 1..d} without 0, ascending."""
    return sorted({i * k // d for i in range(1, d + 1)} - {0})


def weights(k, d):
    """(support, weights): e_k when d < 4, else the minimum-norm solution of the conditions."""
    conditions = d // 4
    if conditions == 0:
        return [k], np.array([1.0])
    orders = np.array(support(k, d), dtype=float)
    rows = [np.ones_like(orders)]
    for l in range(1, conditions + 1):
        rows.append(np.exp(gammaln(orders + 2.0 * l / d) - gammaln(orders)))
    a = np.vstack(rows)
    b = np.zeros(conditions + 1)
    b[0] = 1.0
    w = np.linalg.lstsq(a, b, rcond=None)[0]
    return [int(j) for j in orders], w


def entropy(x, k):
    """The weighted max-norm KL entropy of the rows of x (n x d)."""
    n, d = x.shape
    orders, w = weights(k, d)
    distances = cKDTree(x).query(x, k=max(orders) + 1, p=np.inf)[0]  # column 0 is the point itself
    total = 0.0
    for j, wj in zip(orders, w):
        total += wj * (digamma(n) - digamma(j) + d * np.log(2.0) + d * np.mean(np.log(distances[:, j])))
    return float(total)


def main(path):
    with open(path) as handle:
        cases = json.load(handle)["cases"]
    results = []
    for case in cases:
        kind, k = case["kind"], case["k"]
        if kind == "weights":
            orders, w = weights(k, case["d"])
            results.append({"support": orders, "weights": [float(v) for v in w]})
        elif kind == "entropy":
            x = np.asarray(case["x"], dtype=float).reshape(-1, case["d"])
            results.append({"value": entropy(x, k)})
        elif kind == "mi":
            x = np.asarray(case["x"], dtype=float).reshape(-1, case["dx"])
            y = np.asarray(case["y"], dtype=float).reshape(-1, case["dy"])
            value = entropy(x, k) + entropy(y, k) - entropy(np.hstack((x, y)), k)
            results.append({"value": value})
        else:
            print(f"wkl_reference.py: unknown case kind {kind!r}", file=sys.stderr)
            sys.exit(2)
    json.dump({"results": results}, sys.stdout)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print("usage: wkl_reference.py CASES.json", file=sys.stderr)
        sys.exit(2)
    main(sys.argv[1])
