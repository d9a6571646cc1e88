"""Every figure topic on small files: what the figure holds (its JSON line), titles from the run's
name, --title and --dpi, legends clear of the data, labelled error bars."""
import os

import pytest
from PIL import Image

from conftest import write_accuracy, write_plane, write_redundancy, write_run

STOPPING = {"beta": 0.5, "tolerance": 0.001, "window": 2, "layer": 2, "slices": 8, "k": 5,
            "chosen_epoch": 2, "stopped_epoch": 4}


def png_width(path):
    with Image.open(path) as image:
        return image.size[0]


def clear(figure):
    """Every legend of the figure is clear of the data (read back by describe)."""
    assert figure["legends_over_data"] == 0, figure


def test_plane_title_names_the_run_not_the_folder(run_dir, cli):
    status, [figure], _ = cli("plane", run_dir)
    assert status == 0
    assert figure["title"].startswith("Sliced Information Plane — demo-run\n") and "folder-name" not in figure["title"]
    panel = figure["panels"][0]
    assert panel["trajectories"] == 2 and panel["points"] == [4, 4] and figure["colorbars"] == 1
    assert panel["legend"] == ["layer 1 (10 units)", "layer 2 (6 units)", "±1 SE over slices"]
    clear(figure)
    assert [os.path.basename(f) for f in figure["files"]] == ["plane.png", "plane.svg"]
    assert all(os.path.getsize(f) > 1000 for f in figure["files"])


def test_a_plane_alone_is_named_by_its_run_attribute_else_by_its_folder(tmp_path, cli):
    run = write_run(tmp_path / "elsewhere", name="recorded-run")
    write_plane(tmp_path / "analysed" / "plane.h5", run=run)
    status, [figure], _ = cli("plane", tmp_path / "analysed" / "plane.h5", "--out", tmp_path / "a")
    assert status == 0 and figure["title"].startswith("Sliced Information Plane — recorded-run\n")
    write_plane(tmp_path / "orphan" / "plane.h5", run="/nowhere/run.h5")
    status, [figure], _ = cli("plane", tmp_path / "orphan", "--out", tmp_path / "b")
    assert status == 0 and figure["title"].startswith("Sliced Information Plane — orphan\n")


def test_title_and_dpi_options(run_dir, cli, tmp_path, monkeypatch):
    status, [small], _ = cli("plane", run_dir, "--dpi", "50", "--out", tmp_path / "small", "--title", "My net")
    assert status == 0 and small["title"].startswith("My net\nm = 8 projections")
    _, [large], _ = cli("plane", run_dir, "--dpi", "100", "--out", tmp_path / "large")
    assert 1.9 < png_width(large["files"][0]) / png_width(small["files"][0]) < 2.1
    monkeypatch.setenv("INFOPLANE_PLOT_DPI", "50")
    _, [default], _ = cli("plane", run_dir, "--out", tmp_path / "env")
    assert png_width(default["files"][0]) == png_width(small["files"][0])
    monkeypatch.setenv("INFOPLANE_PLOT_DPI", "lots")
    status, lines, err = cli("plane", run_dir, "--out", tmp_path / "bad")
    assert status == 1 and lines == [] and err.count("\n") == 1 and "INFOPLANE_PLOT_DPI=lots" in err
    assert not any(name.startswith("bad") for name in os.listdir(tmp_path))


def test_all_draws_plane_and_curves_with_one_title(run_dir, cli):
    status, figures, _ = cli("all", run_dir, "--title", "Run A")
    assert status == 0 and [f["figure"] for f in figures] == ["plane", "curves"]
    assert figures[0]["title"].startswith("Run A\n") and figures[1]["title"] == "Run A"
    curves = figures[1]
    assert [p["curves"] for p in curves["panels"]] == [["train", "test"], ["train", "test"]]
    assert [p["ylabel"] for p in curves["panels"]] == ["loss", "accuracy [%]"]
    for figure in figures:
        clear(figure)


def test_curves_are_titled_by_the_run(run_dir, cli):
    status, [figure], _ = cli("curves", os.path.join(run_dir, "run.h5"))
    assert status == 0 and figure["title"] == "demo-run: training curves"
    assert all(p["legend"] == ["train", "test"] for p in figure["panels"])


def test_compare_labels_default_to_the_runs_names(tmp_path, run_dir, cli):
    other = tmp_path / "second-folder"
    write_run(other, name="second-run")
    write_plane(other / "plane.h5", layers=((1, 8),), seed=3)
    status, [figure], _ = cli("compare", run_dir, other, "--out", tmp_path / "both")
    assert status == 0 and [p["title"] for p in figure["panels"]] == ["demo-run", "second-run"]
    assert [p["trajectories"] for p in figure["panels"]] == [2, 1]
    clear(figure)


def test_compare_needs_out(run_dir, cli):
    with pytest.raises(SystemExit):
        cli("compare", run_dir, run_dir)


def make_ensemble(folder, copies=3):
    for r in range(copies):
        write_run(folder / f"replica-{r}", name="ens")
        write_plane(folder / f"replica-{r}" / "plane.h5", layers=((1, 16), (2, 16), (3, 16)), seed=r)
    write_run(folder / "pooled", name="ens")
    write_plane(folder / "pooled" / "plane.h5", layers=((1, 16), (2, 16), (3, 16)), seed=9)


def test_ensemble_draws_spreads_and_the_pool_with_a_shared_legend(tmp_path, cli):
    make_ensemble(tmp_path / "ensemble-folder")
    status, [figure], _ = cli("ensemble", tmp_path / "ensemble-folder")
    assert status == 0 and figure["title"].startswith("Ensemble of ens\n3 copies")
    assert [(p["trajectories"], p["spreads"], p["points"]) for p in figure["panels"]] == \
        [(3, 3, [4, 4, 4]), (3, 0, [4, 4, 4])]
    assert "±1 SD across copies (left)" in figure["legend"] and "±1 SE over slices (right)" in figure["legend"]
    clear(figure)


def test_redundancy_labels_default_to_the_runs_names(tmp_path, cli):
    for folder, name, layers in (("a", "wide-run", ((1, 10), (2, 6), (3, 4))), ("b", "narrow-run", ((1, 10), (2, 6)))):
        write_run(tmp_path / folder, name=name)
        write_redundancy(tmp_path / folder, layers=layers)
    status, [figure], _ = cli("redundancy", tmp_path / "a", tmp_path / "b", "--out", tmp_path / "fig")
    assert status == 0 and len(figure["panels"]) == 6
    assert figure["panels"][0]["title"].startswith("wide-run") and figure["panels"][1]["title"].startswith("narrow-run")
    assert figure["panels"][0]["curves"] == [f"L{n} {q}" for n in (1, 2, 3) for q in ("ΣI(Ti;Y)", "S1(T;Y)")]
    assert figure["panels"][3]["curves"] == ["L1 (10 units)", "L2 (6 units)"]
    assert "row 3: ±1 SE over slices" in figure["legend"]
    clear(figure)
    status, _, err = cli("redundancy", tmp_path / "a", tmp_path / "b", "--labels", "only-one", "--out", tmp_path / "x")
    assert status == 1 and "2 runs" in err and err.count("\n") == 1


def test_accuracy_is_a_grid_of_at_most_four_columns(tmp_path, cli):
    from infoplane.drawing import new_figure
    from infoplane.io import load_accuracy
    from infoplane.topics.accuracy import draw_accuracy

    write_accuracy(tmp_path / "small", dimensions=(1, 2, 5))
    status, [figure], _ = cli("accuracy", tmp_path / "small", "--dpi", "40")
    assert status == 0 and len(figure["panels"]) == 3 * 2 + 2
    assert [p["title"] for p in figure["panels"][:4]] == [f"{e}, d = {d}" for d in (1, 2) for e in ("full KSG", "sliced")]
    assert all(p["points"] == [3] for p in figure["panels"][:6])
    assert [p["curves"] for p in figure["panels"][6:]] == [["full KSG", "sliced"], ["full KSG", "sliced"]]
    clear(figure)
    write_accuracy(tmp_path / "bench")
    fig = new_figure(figsize=(11, 10))
    draw_accuracy(fig, *load_accuracy(tmp_path / "bench"))
    fig.draw_without_rendering()
    lefts = {round(ax.get_position().x0, 3) for ax in fig.axes}
    rows = {round(ax.get_position().y0, 3) for ax in fig.axes}
    assert len(lefts) == 4 and len(rows) == 4, "7 dimensions and the summary: 2 bands of 4 slots"


def test_stopping_marks_the_decision_and_replay_repeats_it(tmp_path, cli):
    epochs = [0, 1, 2, 3, 4]
    sxt, sty = [0.1, 0.12, 0.1, 0.11, 0.11], [0.3, 0.5, 0.55, 0.5, 0.5]
    write_run(tmp_path / "stop", name="stopper", stopping=(epochs, sxt, sty, STOPPING))
    status, [figure], _ = cli("stopping", tmp_path / "stop")
    assert status == 0 and figure["title"] == "stopper: the information-based stopping rule"
    marks = ["chosen epoch 2", "stopped after epoch 4"]
    assert [p["curves"] for p in figure["panels"]] == [["S1(T;Y)", "S1(X;T)", "J = S1(T;Y) − 0.5·S1(X;T)"] + marks,
                                                       ["test loss"] + marks, ["test accuracy"] + marks]
    assert "±1 SE over slices" in figure["panels"][0]["legend"]
    clear(figure)
    status, [replay], _ = cli("stopping-replay", tmp_path / "stop", "--betas", "0.5,0")
    assert status == 0 and replay["rows"][0]["stopped"] == 4 and replay["rows"][0]["chosen"] == 2
    status, _, err = cli("stopping-replay", tmp_path / "stop", "--betas", "a,b")
    assert status == 1 and "--betas a,b" in err


def test_classic_has_three_panels_and_one_legend_below(tmp_path, cli):
    folder = tmp_path / "tishby-folder"
    write_run(folder, name="tishby-tanh")
    layers = ((1, 10), (2, 7), (3, 5), (4, 4), (5, 3))
    write_plane(folder / "plane-binning.h5", layers=layers, estimator="binning", extra={"bins": 30})
    write_plane(folder / "plane.h5", layers=layers)
    write_plane(folder / "plane-kde.h5", layers=layers, estimator="kde", extra={"noise_variance": 0.1})
    status, [figure], _ = cli("classic", folder, "--dpi", "60")
    assert status == 0 and figure["title"] == "tishby-tanh: the information plane three ways"
    assert [p["trajectories"] for p in figure["panels"]] == [5, 5, 5]
    assert [p["xlabel"] for p in figure["panels"]] == ["I(X;T) [nats]", "S1(X;T) [nats]", "I(X;T) upper bound [nats]"]
    assert figure["panels"][0]["title"] == "binning (30 bins)" and all(p["legend"] == [] for p in figure["panels"])
    assert figure["legend"][:5] == [f"layer {n} ({w} units)" for n, w in layers]
    assert figure["legend"][5] == "±1 SE over slices (sliced KSG)"
    clear(figure)


def test_pca_sets_the_sliced_and_compressed_planes_side_by_side(tmp_path, cli):
    folder = tmp_path / "h64-folder"
    write_run(folder, name="fashion-h64")
    write_plane(folder / "plane.h5")
    write_plane(folder / "plane-pca.h5", estimator="pca", extra={"components": 2})
    status, [figure], _ = cli("pca", folder, "--dpi", "60")
    assert status == 0 and figure["title"] == "fashion-h64: sliced and PCA-compressed information planes"
    assert [p["trajectories"] for p in figure["panels"]] == [2, 2]
    assert [p["title"] for p in figure["panels"]] == ["sliced KSG (m = 8, k = 5)", "PCA to 2 components, full KSG (k = 5)"]
    assert [p["xlabel"] for p in figure["panels"]] == ["S1(X;T) [nats]", "I(X_2;T_2) [nats]"]
    assert figure["legend"][:2] == ["layer 1 (10 units)", "layer 2 (6 units)"]
    assert [os.path.basename(f) for f in figure["files"]] == ["pca.png", "pca.svg"]
    clear(figure)


def test_pooled_sets_the_single_epoch_and_pooled_planes_side_by_side(tmp_path, cli):
    folder = tmp_path / "h64-folder"
    write_run(folder, name="fashion-h64")
    write_plane(folder / "plane.h5")
    write_plane(folder / "plane-pool3.h5", epochs=(2, 4), extra={"pool_epochs": 3})
    status, [figure], _ = cli("pooled", folder, "--dpi", "60")
    assert status == 0 and figure["title"] == "fashion-h64: single-epoch and epoch-pooled planes"
    assert [p["points"] for p in figure["panels"]] == [[4, 4], [2, 2]]
    assert figure["panels"][1]["title"] == "pooled over 3 consecutive snapshots (at the last)"
    clear(figure)
    # Two windows: the figure asks which; a plane without pool_epochs is refused.
    write_plane(folder / "plane-pool2.h5", epochs=(1, 2, 4), extra={"pool_epochs": 2})
    status, lines, err = cli("pooled", folder)
    assert status == 1 and lines == [] and "holds 2 plane-pool<W>.h5 files" in err and "--window W" in err
    status, [figure], _ = cli("pooled", folder, "--window", "2", "--out", tmp_path / "two")
    assert status == 0 and [p["points"] for p in figure["panels"]] == [[4, 4], [3, 3]]
    write_plane(folder / "plane-pool5.h5")
    status, _, err = cli("pooled", folder, "--window", "5")
    assert status == 1 and "no pool_epochs attribute" in err and err.count("\n") == 1


def test_baseline_counts_indistinguishable_points_and_says_what_the_bars_are(tmp_path, cli):
    folder = tmp_path / "regression-folder"
    write_run(folder, name="regression")
    write_plane(folder / "plane.h5", layers=((1, 8), (2, 8)), baseline=True)
    status, [figure], _ = cli("baseline", folder, "--docs", tmp_path / "small.png")
    assert status == 0 and len(figure["panels"]) == 4
    assert figure["title"].startswith("regression: signal against the shuffle baseline\n")
    assert "±2 SE over slices" in figure["title"]
    assert all(p["curves"][0].endswith("(0 of 4 ≈ baseline)") for p in figure["panels"])
    assert os.path.exists(tmp_path / "small.png")
    clear(figure)
    write_plane(tmp_path / "plain.h5")
    status, _, err = cli("baseline", tmp_path / "plain.h5")
    assert status == 1 and "--shuffle-baseline" in err


@pytest.mark.parametrize("arguments, fragment", [
    (["plane", "{tmp}/nothing.h5"], "no such plane file"),
    (["plane", "{tmp}/folder-name/run.h5"], "is not a plane file"),
    (["curves", "{tmp}/folder-name/plane.h5"], "has no /training group"),
    (["stopping", "{tmp}/folder-name"], "has no /stopping group"),
    (["redundancy", "{tmp}/folder-name"], "no such redundancy file"),
    (["ensemble", "{tmp}/folder-name"], "has no replica-<r>/plane.h5"),
    (["accuracy", "{tmp}/folder-name"], "no accuracy.csv"),
    (["classic", "{tmp}/folder-name"], "no such plane file"),
    (["pca", "{tmp}/folder-name"], "no such plane file"),
    (["pooled", "{tmp}/folder-name"], "holds 0 plane-pool<W>.h5 files"),
    (["plane", "{tmp}/folder-name", "--dpi", "0"], "out of range"),
    (["plane", "{tmp}/folder-name", "--out", "{tmp}/no/such/folder/plane"], "no such folder"),
])
def test_bad_input_is_one_line_and_writes_nothing(run_dir, tmp_path, cli, arguments, fragment):
    before = sorted(os.listdir(run_dir))
    status, lines, err = cli(*[a.format(tmp=tmp_path) for a in arguments])
    assert status == 1 and lines == []
    assert err.startswith("error: ") and err.count("\n") == 1 and fragment in err, err
    assert sorted(os.listdir(run_dir)) == before


def test_curves_of_an_analyze_only_folder_name_the_commands_that_write_run_h5(tmp_path, cli):
    # analyze writes plane.h5 only: the message must not send the user back to analyze.
    write_plane(tmp_path / "analyzed" / "plane.h5")
    status, _, err = cli("curves", tmp_path / "analyzed")
    assert status == 1 and err.count("\n") == 1, err
    assert "`infoplane train` or `infoplane run`" in err and "analyze` first" not in err, err


def test_a_plane_file_missing_a_column_is_one_line(tmp_path, cli):
    import h5py

    path = write_plane(tmp_path / "broken" / "plane.h5")
    with h5py.File(path, "a") as f:
        del f["layer_2/sty_se"]
    status, _, err = cli("plane", path)
    assert status == 1 and err.count("\n") == 1 and "/layer_2 lacks the dataset sty_se" in err, err
