"""Reference principal components for the Swift PCA (Tests/EstimatorsTests/PrincipalComponentsTests.swift),
from numpy: np.cov (denominator n - 1) and np.linalg.eigh.

Usage: pca_reference.py CASES.json  -> prints {"results": [...]} as JSON on stdout.

CASES.json holds {"cases": [...]}, each {"x": row-major list, "d": columns, "p": components}.
Each result holds
  eigenvalues  every eigenvalue of the covariance, descending
  mean         the column means
  components   the top p eigenvectors as a d x p row-major list, each flipped so that its entry
               of largest magnitude (the first on a tie) is positive
  scores       (x - mean) @ components, n x p row-major

Exits with status 2 and a message on stderr if numpy cannot be imported.
"""

import json
import sys

try:
    import numpy as np
except ImportError as error:  # pragma: no cover - the environment check itself
    print(f"pca_reference.py: cannot import numpy ({error}); install analysis/requirements.txt", file=sys.stderr)
    sys.exit(2)


def components(x, p):
    values, vectors = np.linalg.eigh(np.cov(x, rowvar=False))
    order = np.argsort(values)[::-1]
    values, vectors = values[order], vectors[:, order[:p]]
    for c in range(p):
        if vectors[np.argmax(np.abs(vectors[:, c])), c] < 0:
            vectors[:, c] = -vectors[:, c]
    return values, vectors


def main(path):
    with open(path) as handle:
        cases = json.load(handle)["cases"]
    results = []
    for case in cases:
        x = np.asarray(case["x"], dtype=float).reshape(-1, case["d"])
        values, vectors = components(x, case["p"])
        mean = x.mean(axis=0)
        results.append({"eigenvalues": values.tolist(), "mean": mean.tolist(),
                        "components": vectors.ravel().tolist(), "scores": ((x - mean) @ vectors).ravel().tolist()})
    json.dump({"results": results}, sys.stdout)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print("usage: pca_reference.py CASES.json", file=sys.stderr)
        sys.exit(2)
    main(sys.argv[1])
