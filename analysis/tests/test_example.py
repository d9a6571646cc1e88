"""analysis/examples/pytorch_cnn.py end to end, shrunk (INFOPLANE_EXAMPLE_QUICK=1): Fashion-MNIST
from Debian's package, a CNN recorded, the plane measured on 2 ranks, the figure drawn."""
import os
import subprocess
import sys

import h5py
import pytest

if os.environ.get("INFOPLANE_NO_TORCH") == "1":  # set-up was told to leave PyTorch out
    pytest.skip("INFOPLANE_NO_TORCH=1: no PyTorch", allow_module_level=True)
import torch  # noqa: E402,F401  (bash .ci/setup.sh installs it; without it these tests fail, not skip)

EXAMPLE = os.path.join(os.path.dirname(__file__), "..", "examples", "pytorch_cnn.py")


def test_the_example_runs_end_to_end(tmp_path):
    environment = dict(os.environ, INFOPLANE_EXAMPLE_QUICK="1", MPLBACKEND="Agg")
    result = subprocess.run([sys.executable, EXAMPLE, "--out", str(tmp_path / "cnn")], capture_output=True, text=True,
                            env=environment, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "epoch 1: train loss" in result.stdout and "analysis: 2/2 snapshots" in result.stderr
    with h5py.File(tmp_path / "cnn" / "plane.h5", "r") as f:
        assert list(f.attrs["layer_names"]) == ["conv1", "conv2", "dense"]
        assert [int(f[n].attrs["width"]) for n in ("conv1", "conv2", "dense")] == [8 * 14 * 14, 16 * 7 * 7, 64]
        assert list(f["conv1/epoch"][...]) == [0, 1] and f.attrs["complete"] == 1
    with h5py.File(tmp_path / "cnn" / "run.h5", "r") as f:
        assert sorted(f["training"]) == ["epoch", "seconds", "test_accuracy", "test_loss", "train_accuracy", "train_loss"]
    assert os.path.getsize(tmp_path / "cnn" / "plane.png") > 1000


def test_a_missing_dataset_or_binary_is_one_line(tmp_path):
    environment = dict(os.environ, INFOPLANE_EXAMPLE_QUICK="1", INFOPLANE_BIN=str(tmp_path / "none"))
    result = subprocess.run([sys.executable, EXAMPLE, "--out", str(tmp_path / "cnn")], capture_output=True, text=True,
                            env=environment, timeout=300)
    assert result.returncode == 1 and result.stderr.count("\n") == 1 and "INFOPLANE_BIN=" in result.stderr, result.stderr
    result = subprocess.run([sys.executable, EXAMPLE, "--data", str(tmp_path)], capture_output=True, text=True,
                            env=dict(os.environ, INFOPLANE_EXAMPLE_QUICK="1"), timeout=300)
    assert result.returncode == 1 and "dataset-fashion-mnist" in result.stderr and result.stderr.count("\n") == 1, result.stderr
