"""The `memorisation` figure topic on small memorisation.h5 files written with h5py."""
import os

import h5py
import numpy as np

from conftest import write_run


def write_memorisation(folder, p, layers=((1, 10), (2, 6)), epochs=(0, 1, 3)):
    """memorisation.h5 with the three curves per layer (NaN noisy curves at p = 0)."""
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, "memorisation.h5")
    n = len(epochs)
    with h5py.File(path, "w") as f:
        f.attrs.update({"format": "infoplane-memorisation", "format_version": 1, "run": "run.h5", "slices": 8, "k": 5,
                        "label_noise": p, "samples": 400, "noisy_samples": int(400 * p), "clean_samples": 400 - int(400 * p)})
        for number, width in layers:
            g = f.create_group(f"layer_{number}")
            g.attrs.update({"layer": number, "width": width, "name": f"layer_{number}"})
            g["epoch"] = np.asarray(epochs, dtype="i8")
            for curve, values in (("noisy_sty_noisy", np.linspace(0, 0.3 * p, n)), ("noisy_sty_true", np.linspace(0.4, 0.5, n)),
                                  ("clean_sty", np.linspace(0.5, 0.9, n))):
                if p == 0 and curve.startswith("noisy"):
                    values = np.full(n, np.nan)
                g[curve], g[curve + "_se"] = values, np.full(n, 0.01)
    return path


def test_memorisation_draws_a_column_per_layer_and_a_colour_per_fraction(tmp_path, cli):
    for p in (0.4, 0.0):
        write_run(tmp_path / f"p{p}", name="memorisation-demo")
        write_memorisation(tmp_path / f"p{p}", p)
    status, [figure], _ = cli("memorisation", tmp_path / "p0.4", tmp_path / "p0.0", "--out", tmp_path / "fig")
    assert status == 0
    assert figure["title"].startswith("Label-noise memorisation — memorisation-demo")
    # 4 rows × 2 layers, the accuracy row's second panel hidden (still an axis of the figure).
    assert len(figure["panels"]) == 8
    top, middle, bottom = figure["panels"][0], figure["panels"][2], figure["panels"][4]
    assert top["title"] == "layer_1 (10 units)" and figure["panels"][1]["title"] == "layer_2 (6 units)"
    # Runs are ordered by p; p = 0 has no noisy rows, so only its clean curve is drawn.
    assert top["curves"] == ["p=0.4"] and middle["curves"] == ["p=0.4"] and bottom["curves"] == ["p=0", "p=0.4"]
    assert figure["panels"][6]["curves"] == ["p=0 train", "p=0 test", "p=0.4 train", "p=0.4 test"]
    assert "p = 0.4 (160 noisy rows)" in figure["legend"] and "±1 SE over slices" in figure["legend"]
    assert figure["legends_over_data"] == 0
    assert all(os.path.getsize(f) > 1000 for f in figure["files"])


def test_memorisation_refuses_other_files_in_one_line(tmp_path, cli):
    write_run(tmp_path / "run", name="x")
    status, _, err = cli("memorisation", tmp_path / "run")
    assert status == 1 and "no such memorisation file" in err and err.count("\n") == 1
    write_memorisation(tmp_path / "a", 0.2)
    write_memorisation(tmp_path / "b", 0.4, layers=((1, 10),))
    status, _, err = cli("memorisation", tmp_path / "a", tmp_path / "b", "--out", tmp_path / "f")
    assert status == 1 and "different layers" in err and err.count("\n") == 1
