"""Reference values for the Swift KSG estimators (Tests/EstimatorsTests/KSGSklearnParityTests.swift).

Usage: sklearn_reference.py CASES.json  -> prints {"results": [...]} as JSON on stdout.

CASES.json holds {"cases": [...]}, each case a dict with "kind" and its arrays (row-major lists):
  cc      x, y, k             scikit-learn's _compute_mi_cc (KSG-1, 1-D, max-norm)
  cd      x, labels, k        scikit-learn's _compute_mi_cd (Ross 2014, 1-D)
  cc_nd   x, dx, y, dy, k     KSG-1 in any dimensions, max-norm, via scipy's cKDTree(p=inf)
  cd_nd   x, dx, labels, k    Ross in any dimensions, max-norm, via cKDTree(p=inf)
  entropy x, d, k             NPEET's max-norm Kozachenko-Leonenko entropy (no added noise)
  micd    x, d, labels, k     NPEET's micd without abs(): H(X) - sum_y p(y) H(X|y)

Each result has "value", the estimate in nats WITHOUT scikit-learn's final max(0, .): the
"cc"/"cd" values repeat scikit-learn's own lines with its own NearestNeighbors/KDTree, and
"sklearn" is what the private sklearn function itself returns (clipped), as a cross-check.
Radii follow scikit-learn: counts within nextafter(eps, 0), inclusive, i.e. strictly within eps.

Exits with status 2 and a message on stderr if scikit-learn or scipy cannot be imported: the
parity tests must fail then, not skip.
"""

import json
import sys

try:
    import numpy as np
    from scipy.spatial import cKDTree
    from scipy.special import digamma
    from sklearn.feature_selection._mutual_info import _compute_mi_cc, _compute_mi_cd
    from sklearn.neighbors import KDTree, NearestNeighbors
except ImportError as error:  # pragma: no cover - the environment check itself
    print(f"sklearn_reference.py: cannot import the reference libraries ({error}); "
          "install analysis/requirements.txt (scikit-learn, scipy, numpy)", file=sys.stderr)
    sys.exit(2)


def sklearn_cc_unclipped(x, y, k):
    """scikit-learn's _compute_mi_cc, line for line, without the final max(0, mi)."""
    n_samples = x.size
    x = x.reshape((-1, 1))
    y = y.reshape((-1, 1))
    xy = np.hstack((x, y))
    nn = NearestNeighbors(metric="chebyshev", n_neighbors=k)
    nn.fit(xy)
    radius = nn.kneighbors()[0]
    radius = np.nextafter(radius[:, -1], 0)
    kd = KDTree(x, metric="chebyshev")
    nx = np.array(kd.query_radius(x, radius, count_only=True, return_distance=False)) - 1.0
    kd = KDTree(y, metric="chebyshev")
    ny = np.array(kd.query_radius(y, radius, count_only=True, return_distance=False)) - 1.0
    return digamma(n_samples) + digamma(k) - np.mean(digamma(nx + 1)) - np.mean(digamma(ny + 1))


def sklearn_cd_unclipped(c, d, k):
    """scikit-learn's _compute_mi_cd, line for line, without the final max(0, mi)."""
    n_samples = c.shape[0]
    c = c.reshape((-1, 1))
    radius = np.empty(n_samples)
    label_counts = np.empty(n_samples)
    k_all = np.empty(n_samples)
    nn = NearestNeighbors()
    for label in np.unique(d):
        mask = d == label
        count = np.sum(mask)
        if count > 1:
            kc = min(k, count - 1)
            nn.set_params(n_neighbors=kc)
            nn.fit(c[mask])
            r = nn.kneighbors()[0]
            radius[mask] = np.nextafter(r[:, -1], 0)
            k_all[mask] = kc
        label_counts[mask] = count
    mask = label_counts > 1
    n_samples = np.sum(mask)
    label_counts = label_counts[mask]
    k_all = k_all[mask]
    c = c[mask]
    radius = radius[mask]
    kd = KDTree(c)
    m_all = np.array(kd.query_radius(c, radius, count_only=True, return_distance=False))
    return digamma(n_samples) + np.mean(digamma(k_all)) - np.mean(digamma(label_counts)) - np.mean(digamma(m_all))


def kth_distances(points, k):
    """Max-norm distance from each row to its k-th nearest other row."""
    # The query includes the row itself at distance 0, so the k-th other is column k.
    return cKDTree(points).query(points, k=k + 1, p=np.inf)[0][:, k]


def strict_counts(points, radius):
    """Rows strictly within radius (max-norm) of each row, the row itself included."""
    return cKDTree(points).query_ball_point(points, np.nextafter(radius, 0), p=np.inf, return_length=True)


def ksg_nd(x, y, k):
    n = x.shape[0]
    eps = kth_distances(np.hstack((x, y)), k)
    nx = strict_counts(x, eps) - 1
    ny = strict_counts(y, eps) - 1
    return digamma(n) + digamma(k) - np.mean(digamma(nx + 1)) - np.mean(digamma(ny + 1))


def ross_nd(x, labels, k):
    n = x.shape[0]
    radius = np.zeros(n)
    k_all = np.zeros(n)
    counts = np.zeros(n)
    for label in np.unique(labels):
        mask = labels == label
        count = int(np.sum(mask))
        counts[mask] = count
        if count > 1:
            kc = min(k, count - 1)
            radius[mask] = kth_distances(x[mask], kc)
            k_all[mask] = kc
    keep = counts > 1
    m = strict_counts(x[keep], radius[keep])
    return digamma(np.sum(keep)) + np.mean(digamma(k_all[keep])) - np.mean(digamma(counts[keep])) - np.mean(digamma(m))


def npeet_entropy(x, k):
    n, d = x.shape
    nn = kth_distances(x, k)
    const = digamma(n) - digamma(k) + d * np.log(2)
    return const + d * np.log(nn).mean()


def npeet_micd(x, labels, k):
    entropy_x = npeet_entropy(x, k)
    values, counts = np.unique(labels, return_counts=True)
    conditional = 0.0
    for value, count in zip(values, counts):
        p = count / len(labels)
        subset = x[labels == value]
        conditional += p * (npeet_entropy(subset, k) if k <= len(subset) - 1 else entropy_x)
    return entropy_x - conditional


def evaluate(case):
    kind, k = case["kind"], int(case["k"])
    if kind == "cc":
        x, y = np.array(case["x"], dtype=float), np.array(case["y"], dtype=float)
        return {"value": float(sklearn_cc_unclipped(x, y, k)), "sklearn": float(_compute_mi_cc(x, y, k))}
    if kind == "cd":
        x, labels = np.array(case["x"], dtype=float), np.array(case["labels"])
        return {"value": float(sklearn_cd_unclipped(x, labels, k)), "sklearn": float(_compute_mi_cd(x, labels, k))}
    if kind == "cc_nd":
        x = np.array(case["x"], dtype=float).reshape(-1, case["dx"])
        y = np.array(case["y"], dtype=float).reshape(-1, case["dy"])
        return {"value": float(ksg_nd(x, y, k))}
    if kind == "cd_nd":
        x = np.array(case["x"], dtype=float).reshape(-1, case["dx"])
        return {"value": float(ross_nd(x, np.array(case["labels"]), k))}
    if kind == "entropy":
        return {"value": float(npeet_entropy(np.array(case["x"], dtype=float).reshape(-1, case["d"]), k))}
    if kind == "micd":
        x = np.array(case["x"], dtype=float).reshape(-1, case["d"])
        return {"value": float(npeet_micd(x, np.array(case["labels"]), k))}
    raise ValueError(f"unknown case kind {kind!r}")


def main():
    if len(sys.argv) != 2:
        print("usage: sklearn_reference.py CASES.json", file=sys.stderr)
        sys.exit(1)
    with open(sys.argv[1]) as handle:
        cases = json.load(handle)["cases"]
    json.dump({"results": [evaluate(case) for case in cases]}, sys.stdout)


if __name__ == "__main__":
    main()
