"""infoplane.Recorder with real PyTorch: the file it writes (h5py, h5dump, the run-file layout),
what `infoplane analyze` makes of it, names and order, dtypes, modes, kills during a snapshot."""
import json
import os
import signal
import subprocess
import sys

import h5py
import numpy as np
import pytest

if os.environ.get("INFOPLANE_NO_TORCH") == "1":  # set-up was told to leave PyTorch out
    pytest.skip("INFOPLANE_NO_TORCH=1: no PyTorch", allow_module_level=True)
import torch  # noqa: E402  (bash .ci/setup.sh installs it; without it these tests fail, not skip)

import infoplane  # noqa: E402
from infoplane import InputError  # noqa: E402


def small_model(seed=0):
    """A tiny CNN and its evaluation set: 240 images 1×8×8 whose labels depend on the pixels."""
    torch.manual_seed(seed)
    x = torch.randn(240, 1, 8, 8)
    y = (x[:, 0, :4].mean(dim=(1, 2)) > 0).long() + 2 * (x[:, 0, 4:].mean(dim=(1, 2)) > 0).long()
    model = torch.nn.Sequential(torch.nn.Conv2d(1, 3, 3), torch.nn.ReLU(), torch.nn.Flatten(),
                                torch.nn.Linear(3 * 6 * 6, 12), torch.nn.Tanh(), torch.nn.Linear(12, 4))
    return model, x, y


def train_a_little(model, x, y, steps=15):
    optimizer = torch.optim.Adam(model.parameters(), 1e-2)
    for _ in range(steps):
        optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
    return loss


def record(path, layers_of, epochs=(0, 1, 2), seed=0, **options):
    """Records `layers_of(model)` of small_model at `epochs`, training between snapshots."""
    model, x, y = small_model(seed)
    with infoplane.Recorder(path, x, labels=y, layers=layers_of(model), **options) as recorder:
        for epoch in epochs:
            recorder.snapshot(model, epoch)
            loss = train_a_little(model, x, y)
            recorder.log(epoch + 1, train_loss=loss, test_accuracy=0.5)
    return model, x, y


def binary():
    path = os.environ.get("INFOPLANE_BIN")
    assert path and os.access(path, os.X_OK), "build the binary first (make test builds it; or set INFOPLANE_BIN)"
    return path


def plane_epochs(path, layer):
    with h5py.File(path, "r") as f:
        return list(f[layer]["epoch"][...])


def test_the_recorders_file_opens_in_h5py_and_h5dump_in_the_trainers_layout(tmp_path):
    run = tmp_path / "cnn" / "run.h5"
    record(run, lambda m: {"conv": m[1], "fc": m[4]}, config={"lr": 0.01, "name": "tiny-cnn"})
    with h5py.File(run, "r") as f:
        assert f.attrs["format"] == "infoplane-run" and f.attrs["format_version"] == 2
        assert f.attrs["tool"] == "infoplane.Recorder" and f.attrs["tool_version"] == infoplane.__version__
        assert list(f.attrs["layers"]) == ["conv", "fc"] and list(f.attrs["hidden_widths"]) == [108, 12]
        assert f.attrs["name"] == "tiny-cnn" and json.loads(f.attrs["config"]) == {"lr": 0.01, "name": "tiny-cnn"}
        assert f.attrs["evaluation_size"] == 240 and f.attrs["classes"] == 4
        assert f.get("evaluation", getlink=True).filename == "parts/evaluation.h5"
        inputs = f["evaluation/inputs"]
        assert inputs.dtype == np.float32 and inputs.shape == (240, 64) and inputs.chunks == (240, 64)
        assert inputs.shuffle and inputs.compression == "gzip" and inputs.compression_opts == 1
        assert f["evaluation/labels"].dtype == np.int64
        assert sorted(f["snapshots"]) == ["epoch_000000", "epoch_000001", "epoch_000002"]
        for epoch in (0, 1, 2):
            link = f["snapshots"].get(f"epoch_{epoch:06d}", getlink=True)
            assert isinstance(link, h5py.ExternalLink) and link.filename == f"parts/snapshot-{epoch:06d}.h5" and link.path == "/"
            group = f[f"snapshots/epoch_{epoch:06d}"]
            assert group.attrs["epoch"] == epoch and list(group) == ["conv", "fc"]
            conv = group["conv"]
            assert conv.dtype == np.float32 and conv.shape == (240, 108) and conv.shuffle and conv.compression_opts == 1
        assert list(f["training/epoch"][...]) == [1, 2, 3] and f["training/epoch"].maxshape == (None,)
        assert f["training/train_loss"].dtype == np.float64 and "checkpoint" in f
    assert sorted(os.listdir(run.parent / "parts")) == ["evaluation.h5", "snapshot-000000.h5", "snapshot-000001.h5",
                                                        "snapshot-000002.h5"]
    dump = subprocess.run(["h5dump", "-H", str(run)], capture_output=True, text=True, cwd=tmp_path)
    assert dump.returncode == 0 and 'DATASET "conv"' in dump.stdout and "H5T_IEEE_F32LE" in dump.stdout, dump.stderr
    inspect = subprocess.run([binary(), "inspect", str(run)], capture_output=True, text=True)
    assert inspect.returncode == 0, inspect.stderr
    assert "written by infoplane.Recorder" in inspect.stdout and "3 epochs logged" in inspect.stdout
    assert "conv 240×108 float32" in inspect.stdout


def test_the_recorded_activations_are_the_modules_outputs_flattened(tmp_path):
    model, x, y = small_model()
    with infoplane.Recorder(tmp_path / "run.h5", x, labels=y, layers={"conv": model[0], "fc": model[3]}, batch_size=50) as r:
        r.snapshot(model, 0)
    with torch.no_grad():
        conv = model[0](x)
        fc = model[3](model[2](model[1](conv)))
    with h5py.File(tmp_path / "run.h5", "r") as f:
        np.testing.assert_array_equal(f["snapshots/epoch_000000/conv"][...], conv.reshape(240, -1).numpy())
        np.testing.assert_array_equal(f["snapshots/epoch_000000/fc"][...], fc.numpy())
        np.testing.assert_array_equal(f["evaluation/inputs"][...], x.reshape(240, -1).numpy())


def test_snapshots_run_in_eval_mode_without_gradients_and_restore_every_modules_mode(tmp_path):
    model, x, y = small_model()
    model = torch.nn.Sequential(*model[:4], torch.nn.Dropout(0.5), *model[4:])
    seen = []
    model[4].register_forward_hook(lambda m, a, o: seen.append((m.training, torch.is_grad_enabled())))
    model.train()
    model[3].eval()  # a submodule the user froze stays frozen
    with infoplane.Recorder(tmp_path / "run.h5", x, labels=y, layers={"dropped": model[4]}, batch_size=100) as r:
        r.snapshot(model, 0)
    assert seen == [(False, False)] * 3, "eval mode and no_grad in every batch"
    assert model.training and model[4].training and not model[3].training
    with h5py.File(tmp_path / "run.h5", "r") as f:  # dropout off: the recorded output is the input
        with torch.no_grad():
            expected = model[3](model[2](model[1](model[0](x))))
        np.testing.assert_array_equal(f["snapshots/epoch_000000/dropped"][...], expected.numpy())


def test_names_with_dots_keep_their_order_through_analyze_on_two_ranks(tmp_path):
    run = tmp_path / "run.h5"
    record(run, lambda m: {"head.5": m[5], "features.1": m[1], "fc.tanh": m[4]})
    plane = infoplane.analyze(run, ranks=2, slices=32, seed=1, quiet=True)
    assert plane == str(tmp_path / "plane.h5")
    with h5py.File(plane, "r") as f:
        assert list(f.attrs["layer_names"]) == ["head.5", "features.1", "fc.tanh"]
        assert list(f.attrs["layers"]) == [1, 2, 3] and "converted" not in f.attrs
        assert [f[name].attrs["width"] for name in ("head.5", "features.1", "fc.tanh")] == [4, 108, 12]
        assert list(f["features.1/epoch"][...]) == [0, 1, 2] and f["fc.tanh/sxt_values"].shape == (3, 32)
    frame = infoplane.read_plane(plane)
    assert list(dict.fromkeys(frame["layer"])) == ["head.5", "features.1", "fc.tanh"]
    fc = frame[frame["layer"] == "fc.tanh"]
    assert fc["sty"].iloc[-1] > fc["sty"].iloc[0] + 0.1, "training makes the tanh layer informative about Y"


def test_zero_based_names_are_all_analysed(tmp_path):
    run = tmp_path / "run.h5"
    record(run, lambda m: {"layer_0": m[1], "layer_1": m[4], "layer_2": m[5]}, epochs=(0, 3))
    plane = infoplane.analyze(run, ranks=2, slices=16, quiet=True)
    with h5py.File(plane, "r") as f:
        assert list(f.attrs["layer_names"]) == ["layer_0", "layer_1", "layer_2"] and list(f.attrs["layers"]) == [0, 1, 2]
    assert plane_epochs(plane, "layer_0") == [0, 3]


def test_float64_models_inputs_and_arrays_work(tmp_path):
    model, x, y = small_model()
    model = model.double()
    x64 = x.double().numpy()  # numpy's float64 inputs, fed to a float64 model on the CPU
    with infoplane.Recorder(tmp_path / "run.h5", x64, labels=y.numpy(), layers={"conv": model[1], "fc": model[4]}) as r:
        r.snapshot(model, 0)
        r.add_snapshot(1, {"conv": np.random.default_rng(0).normal(size=(240, 3, 6, 6)), "fc": np.tanh(x64.reshape(240, -1)[:, :12])})
    with h5py.File(tmp_path / "run.h5", "r") as f:
        assert f["evaluation/inputs"].dtype == np.float32 and f["snapshots/epoch_000001/conv"].shape == (240, 108)
        assert all(f[f"snapshots/epoch_{e:06d}/{n}"].dtype == np.float32 for e in (0, 1) for n in ("conv", "fc"))
    plane = infoplane.analyze(tmp_path / "run.h5", slices=16, quiet=True)
    assert plane_epochs(plane, "fc") == [0, 1]

    # A float32 model fed float64 numpy inputs: the inputs take the model's dtype.
    model32, _, _ = small_model()
    with infoplane.Recorder(tmp_path / "b.h5", x64, labels=y, layers={"fc": model32[4]}) as r:
        r.snapshot(model32, 0)


def test_numpy_users_record_without_torch(tmp_path):
    script = """
import sys, numpy as np, infoplane
rng = np.random.default_rng(1)
x = rng.normal(size=(100, 5)); y = (x[:, 0] > 0).astype(int)
with infoplane.Recorder(sys.argv[1], x, labels=y) as r:
    for epoch in (0, 1):
        r.add_snapshot(epoch, {"hidden": np.maximum(x @ rng.normal(size=(5, 7)), 0)})
        r.log(epoch, loss=np.float32(0.5))
print("torch" in sys.modules)
"""
    result = subprocess.run([sys.executable, "-c", script, str(tmp_path / "run.h5")], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False", "numpy users never import torch"
    with h5py.File(tmp_path / "run.h5", "r") as f:
        assert list(f.attrs["layers"]) == ["hidden"] and f["snapshots/epoch_000001/hidden"].shape == (100, 7)


#: The child of the kill tests: records four snapshots, killed (SIGKILL) at the `at`-th rename
#: (`rename`: 0 = the evaluation part, 1 = the first index, then the part and the index of each
#: snapshot) or during the third batch of snapshot `at`'s forward pass (`forward`).
KILLED = """
import os, signal, sys, torch, infoplane
path, mode, at = sys.argv[1], sys.argv[2], int(sys.argv[3])
torch.manual_seed(0)
x = torch.randn(256, 20)
y = (x[:, 0] > 0).long() + 2 * (x[:, 1] > 0).long()
model = torch.nn.Sequential(torch.nn.Linear(20, 32), torch.nn.ReLU(), torch.nn.Linear(32, 8), torch.nn.Tanh())
if mode == "rename":
    real, count = os.replace, [0]
    def replace(a, b):
        if count[0] == at:
            os.kill(os.getpid(), signal.SIGKILL)
        count[0] += 1
        return real(a, b)
    os.replace = replace
with infoplane.Recorder(path, x, labels=y, layers={"relu": model[1], "tanh": model[3]}, batch_size=64) as recorder:
    for epoch in range(4):
        if mode == "forward" and epoch == at:
            batches = [0]
            def hook(module, arguments, output):
                batches[0] += 1
                if batches[0] == 3:
                    os.kill(os.getpid(), signal.SIGKILL)
            model[3].register_forward_hook(hook)
        recorder.snapshot(model, epoch)
        with torch.no_grad():
            model[0].weight.mul_(1.2)
"""


@pytest.mark.parametrize("mode,at,kept", [("forward", 2, [0, 1]), ("rename", 1, None), ("rename", 6, [0, 1]),
                                          ("rename", 7, [0, 1])])
def test_a_process_killed_during_a_snapshot_leaves_a_valid_file(tmp_path, mode, at, kept):
    run = tmp_path / "run.h5"
    child = subprocess.run([sys.executable, "-c", KILLED, str(run), mode, str(at)], capture_output=True, text=True)
    assert child.returncode == -signal.SIGKILL, child.stderr
    if kept is None:
        assert not run.exists(), "killed before the first index: no run file at all"
        return
    with h5py.File(run, "r") as f:
        assert sorted(f["snapshots"]) == [f"epoch_{e:06d}" for e in kept]
        for e in kept:
            assert f[f"snapshots/epoch_{e:06d}/tanh"].shape == (256, 8) and np.isfinite(f[f"snapshots/epoch_{e:06d}/relu"][...]).all()
    if (mode, at) == ("forward", 2):
        assert any(".partial-" in name for name in os.listdir(tmp_path / "parts")), "the killed part was being written"
        plane = infoplane.analyze(run, ranks=2, slices=16, quiet=True)
        assert plane_epochs(plane, "relu") == kept == plane_epochs(plane, "tanh")
        # A new recording at the same path starts clean.
        model, x, y = small_model()
        with infoplane.Recorder(run, x, labels=y, layers={"fc": model[4]}) as r:
            r.snapshot(model, 0)
        assert sorted(os.listdir(tmp_path / "parts")) == ["evaluation.h5", "snapshot-000000.h5"]


def test_plane_values_equal_infoplane_estimate_on_the_same_arrays(tmp_path):
    """layer_0 is keyed 0, the stream `infoplane estimate` draws φ from: same seed, same slices,
    same values, bit for bit (the arrays are float32, as stored)."""
    run = tmp_path / "run.h5"
    record(run, lambda m: {"layer_0": m[4], "layer_1": m[5]}, epochs=(0, 1))
    plane = infoplane.analyze(run, ranks=2, slices=40, seed=3, quiet=True)

    def estimate(*arguments):
        result = subprocess.run([binary(), "estimate", "--input", str(run), "--slices", "40", "--seed", "3", "--json", "--values",
                                 *arguments], capture_output=True, text=True, cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        return np.array(json.loads(result.stdout)["values"])

    sxt = estimate("--x", "evaluation/inputs", "--y", "snapshots/epoch_000001/layer_0")
    sty = estimate("--x", "snapshots/epoch_000001/layer_0", "--y", "evaluation/labels", "--discrete-y")
    with h5py.File(plane, "r") as f:
        np.testing.assert_array_equal(f["layer_0/sxt_values"][1], sxt)
        np.testing.assert_array_equal(f["layer_0/sty_values"][1], sty)
        assert f["layer_0/sxt"][1] == pytest.approx(sxt.mean(), abs=1e-15)


def test_read_plane_matches_plane_csv(tmp_path):
    pandas = pytest.importorskip("pandas")
    run = tmp_path / "run.h5"
    record(run, lambda m: {"conv, odd \"name\"": m[1], "fc": m[4]}, epochs=(0, 2))
    for baseline in (False, True):
        out = tmp_path / f"plane-{baseline}.h5"
        plane = infoplane.analyze(run, out=out, slices=16, shuffle_baseline=baseline, quiet=True)
        assert plane == str(out)
        frame = infoplane.read_plane(plane)
        csv = pandas.read_csv(tmp_path / f"plane-{baseline}.csv")
        pandas.testing.assert_frame_equal(frame, csv, check_exact=True)
        assert ("sty_baseline" in frame) == baseline
    summary = infoplane.plot_plane(frame, out=tmp_path / "figure")
    assert summary["panels"][0]["legend"][:2] == ['conv, odd "name" (108 units)', "fc (12 units)"]
    assert summary["panels"][0]["points"] == [2, 2] and os.path.getsize(tmp_path / "figure.png") > 1000


def test_bad_use_is_one_clear_error_before_anything_is_written(tmp_path):
    model, x, y = small_model()
    shared = torch.nn.ReLU()
    twice = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(64, 8), shared, torch.nn.Linear(8, 8), shared)
    cases = [
        (lambda: infoplane.Recorder(tmp_path / "a.h5", x, layers={"fc": model[4]}), "labels= (integer classes) or targets="),
        (lambda: infoplane.Recorder(tmp_path / "a.h5", x, labels=y[:10], layers={"fc": model[4]}), "240 integer class labels"),
        (lambda: infoplane.Recorder(tmp_path / "a.h5", x, labels=y, layers={"a/b": model[4]}), "without '/'"),
        (lambda: infoplane.Recorder(tmp_path / "a.h5", x, labels=y, layers={"fc": np.zeros(3)}), "not a torch module"),
        (lambda: infoplane.Recorder(tmp_path / "a.h5", x, labels=y, batch_size=0), "batch_size=0"),
    ]
    for make, fragment in cases:
        with pytest.raises(InputError, match=None) as error:
            make()
        assert fragment in str(error.value) and "\n" not in str(error.value)
    assert not (tmp_path / "a.h5").exists()

    with infoplane.Recorder(tmp_path / "b.h5", x, labels=y, layers={"shared": shared}) as r:
        with pytest.raises(InputError, match="ran 2 times"):
            r.snapshot(twice, 0)
        with pytest.raises(InputError, match="produced no output"):
            r.snapshot(model, 0)
    with infoplane.Recorder(tmp_path / "c.h5", x, labels=y, layers={"fc": model[4]}) as r:
        r.snapshot(model, 0)
        with pytest.raises(InputError, match="already has a snapshot at epoch 0"):
            r.snapshot(model, 0)
        with pytest.raises(InputError, match="layers"):
            r.add_snapshot(1, {"other": np.zeros((240, 3))})
        with pytest.raises(InputError, match="being written by"):
            infoplane.Recorder(tmp_path / "c.h5", x, labels=y)
    with h5py.File(tmp_path / "c.h5", "r") as f:
        assert sorted(f["snapshots"]) == ["epoch_000000"], "failed snapshots left the run as it was"
    assert [n for n in os.listdir(tmp_path / "c.parts") if "partial" in n] == []

    train = tmp_path / "trained"
    result = subprocess.run([binary(), "train", os.path.join(os.path.dirname(__file__), "../../configs/smoke.yaml"),
                             "--out", str(train), "--quiet", "--set", "training.epochs=1", "--set", "snapshots.epochs=[0,1]"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    with pytest.raises(InputError, match="written by infoplane train"):
        infoplane.Recorder(train / "run.h5", x, labels=y)
    assert (train / "run.h5").exists()
