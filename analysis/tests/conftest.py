"""Small InfoPlane files written with h5py (and CSVs), in the documented schemas, for the tests
of the `infoplane` package; and a runner of the figure CLI that returns its JSON lines."""
import csv
import json
import os

import h5py
import numpy as np
import pytest

from infoplane import plots

#: The checkout the tests run in.
REPOSITORY = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _default_binary():
    """`make test` builds the debug binary before the Python tests and names it in INFOPLANE_BIN;
    run alone, the tests take a built binary of this checkout (debug, else release)."""
    if "INFOPLANE_BIN" not in os.environ:
        for kind in ("debug", "release"):
            candidate = os.path.join(REPOSITORY, ".build", kind, "infoplane")
            if os.access(candidate, os.X_OK):
                os.environ["INFOPLANE_BIN"] = candidate
                return


_default_binary()


def write_run(folder, name="demo-run", epochs=6, stopping=None):
    """run.h5 with the root attributes, /training curves and (optionally) /stopping rows:
    `stopping` = (epochs, sxt, sty, settings)."""
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, "run.h5")
    rng = np.random.default_rng(len(name))
    with h5py.File(path, "w") as f:
        f.attrs.update({"format": "infoplane-run", "format_version": 1, "name": name})
        t = f.create_group("training")
        t["epoch"] = np.arange(1, epochs + 1, dtype="i8")
        t["train_loss"] = np.linspace(1.0, 0.3, epochs)
        t["test_loss"] = np.linspace(1.1, 0.4, epochs) + rng.normal(0, 0.01, epochs)
        t["train_accuracy"] = np.linspace(0.6, 0.9, epochs)
        t["test_accuracy"] = np.linspace(0.58, 0.87, epochs)
        t["seconds"] = np.full(epochs, 0.5)
        if stopping is not None:
            rows, sxt, sty, settings = stopping
            g = f.create_group("stopping")
            g.attrs.update(settings)
            g["epoch"] = np.asarray(rows, dtype="i8")
            g["sxt"], g["sty"] = np.asarray(sxt, float), np.asarray(sty, float)
            g["sxt_se"], g["sty_se"] = np.full(len(rows), 0.01), np.full(len(rows), 0.01)
            g["objective"] = g["sty"][...] - settings["beta"] * g["sxt"][...]
    return path


def write_plane(path, layers=((1, 10), (2, 6)), epochs=(0, 1, 2, 4), run="run.h5", baseline=False,
                estimator="ksg", extra=None, seed=0):
    """A plane file: per layer epoch, sxt, sty with standard errors (NaN for classic estimators)
    and, with `baseline`, the shuffle-baseline columns."""
    rng = np.random.default_rng(seed)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with h5py.File(path, "w") as f:
        f.attrs.update({"format": "infoplane-plane", "format_version": 1, "run": run, "estimator": estimator,
                        "slices": 8 if estimator == "ksg" else 1, "k": 5, "units": "nats",
                        "label_estimator": "ross", "target_estimator": "ross", "target": "labels",
                        "shuffle_baseline": int(baseline), **(extra or {})})
        for number, width in layers:
            g = f.create_group(f"layer_{number}")
            g.attrs.update({"layer": number, "width": width})
            n = len(epochs)
            g["epoch"] = np.asarray(epochs, dtype="i8")
            g["sxt"] = np.linspace(0.1, 0.05, n) * number + rng.normal(0, 0.002, n)
            g["sty"] = np.linspace(0.2, 0.6, n) + 0.05 * number
            se = np.full(n, 0.004) if estimator == "ksg" else np.full(n, np.nan)
            g["sxt_se"], g["sty_se"] = se, se
            if baseline:
                for q in ("sxt", "sty"):
                    g[q + "_baseline"] = np.zeros(n)
                    g[q + "_baseline_se"] = np.full(n, 0.003)
    return path


def write_redundancy(folder, layers=((1, 10), (2, 6)), epochs=(0, 1, 3), run="run.h5"):
    """redundancy.h5 with the per-layer measures."""
    path = os.path.join(folder, "redundancy.h5")
    with h5py.File(path, "w") as f:
        f.attrs.update({"format": "infoplane-redundancy", "format_version": 1, "run": run, "slices": 8, "k": 5,
                        "label_entropy": np.log(10), "label_estimator": "ross"})
        for number, width in layers:
            g = f.create_group(f"layer_{number}")
            g.attrs.update({"layer": number, "width": width})
            n = len(epochs)
            g["epoch"] = np.asarray(epochs, dtype="i8")
            g["unit_sum"] = np.linspace(3, 8, n) * number
            g["sty"] = np.linspace(0.3, 0.5, n)
            g["sty_se"] = np.full(n, 0.01)
            g["redundancy_ratio"] = g["unit_sum"][...] / g["sty"][...]
            g["mmi"] = np.linspace(0.28, 0.49, n)
            g["mmi_se"] = np.full(n, 0.01)
            g["mmi_ratio"] = g["mmi"][...] / g["sty"][...]
    return path


def write_accuracy(folder, dimensions=(1, 2, 5, 10, 20, 50, 100), levels=3):
    """accuracy.csv and summary.csv as `infoplane bench accuracy` writes them."""
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "accuracy.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["mode", "dimension", "set_value", "correlation", "samples", "slices", "k",
                    "true_mi", "full_ksg", "true_smi", "sliced"])
        for d in dimensions:
            for rho in np.linspace(0, 0.8, levels):
                mi = -d / 2 * np.log(1 - rho ** 2)
                w.writerow(["correlation", d, rho, rho, 300, 50, 5, mi, mi * 0.8, mi / d, mi / d * 0.98])
    with open(os.path.join(folder, "summary.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["dimension", "full_correlation", "sliced_correlation", "full_relative_bias", "sliced_relative_bias"])
        for d in dimensions:
            w.writerow([d, 0.99, 0.999, -0.2, -0.02])
    return folder


@pytest.fixture
def run_dir(tmp_path):
    """A run directory named `folder-name` whose run is named `demo-run`: run.h5 and plane.h5."""
    folder = tmp_path / "folder-name"
    write_run(folder)
    write_plane(folder / "plane.h5")
    return str(folder)


@pytest.fixture
def cli(capsys):
    """Runs `python -m infoplane.plots ARGS` in-process: (exit status, JSON lines, stderr)."""
    def run(*args):
        status = plots.main([str(a) for a in args])
        out, err = capsys.readouterr()
        lines = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
        return status, lines, err
    return run
