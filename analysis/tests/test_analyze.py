"""infoplane.analyze without a model: finding the binary, options to flags, mpirun and its
environment, errors before and after the binary runs, and the plane as a table."""
import os
import stat
import subprocess
import sys

import h5py
import numpy as np
import pytest

import infoplane
from infoplane import AnalysisError, InputError
from infoplane import analysis


def numpy_run(path, names=("hidden",), epochs=(0, 1)):
    """A small recording made with add_snapshot (no torch)."""
    rng = np.random.default_rng(2)
    x = rng.normal(size=(120, 6))
    y = (x[:, 0] > 0).astype(int) + 2 * (x[:, 1] > 0)
    with infoplane.Recorder(path, x, labels=y) as recorder:
        for epoch in epochs:
            recorder.add_snapshot(epoch, {name: np.tanh(x @ rng.normal(size=(6, 5))) for name in names})
    return path


def fake_binary(folder):
    """A stand-in for infoplane: prints the real binary's help, else records its arguments and
    the MPI root variables it sees (one line per process) and exits as told by $FAKE_STATUS."""
    real = os.environ["INFOPLANE_BIN"]
    script = folder / "infoplane"
    script.write_text(f"""#!/bin/sh
if [ "$2" = "--help" ]; then exec "{real}" "$@"; fi
echo "$* | ${{OMPI_ALLOW_RUN_AS_ROOT:-unset}} | ${{OMPI_COMM_WORLD_RANK:-none}}" >> "{folder}/calls"
echo "analysis: progress" >&2
if [ -n "$FAKE_STATUS" ]; then echo "Error: something named, and its fix" >&2; exit "$FAKE_STATUS"; fi
""")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return script


def test_options_become_flags_and_unknown_ones_are_refused_before_anything_runs(tmp_path, monkeypatch):
    run = numpy_run(tmp_path / "run.h5")
    monkeypatch.setenv("INFOPLANE_BIN", str(fake_binary(tmp_path)))
    plane = infoplane.analyze(run, slices=200, layers=["hidden", 2], epochs=range(0, 2), shuffle_baseline=False,
                              force=True, quiet=False, noise_variance=0.2)
    assert plane == str(tmp_path / "plane.h5")
    calls = (tmp_path / "calls").read_text().splitlines()
    assert calls[0].split(" | ")[0] == (f"analyze {run} --slices 200 --layers hidden,2 --epochs 0,1 "
                                        "--no-shuffle-baseline --force --noise-variance 0.2")
    with pytest.raises(InputError, match=r"no option 'slicez': choose from .*slices"):
        infoplane.analyze(run, slicez=10)
    with pytest.raises(InputError, match="is a switch"):
        infoplane.analyze(run, force="yes")
    with pytest.raises(InputError, match="takes a value"):
        infoplane.analyze(run, slices=True)
    with pytest.raises(InputError, match="ranks=0"):
        infoplane.analyze(run, ranks=0)
    assert len((tmp_path / "calls").read_text().splitlines()) == 1, "nothing ran for the refused calls"
    assert infoplane.analyze(run, method="kde") == str(tmp_path / "plane-kde.h5")
    assert infoplane.analyze(run, out=tmp_path / "x" / "p.h5") == str(tmp_path / "x" / "p.h5")


def test_ranks_run_under_mpirun_oversubscribed_and_allowed_as_root(tmp_path, monkeypatch, capfd):
    run = numpy_run(tmp_path / "run.h5")
    monkeypatch.setenv("INFOPLANE_BIN", str(fake_binary(tmp_path)))
    for variable in ("OMPI_ALLOW_RUN_AS_ROOT", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"):
        monkeypatch.delenv(variable, raising=False)
    ranks = (os.cpu_count() or 1) + 1
    arguments = analysis.command_line(os.environ["INFOPLANE_BIN"], run, ranks, None, {})
    assert arguments[:4] == [arguments[0], "-np", str(ranks), "--oversubscribe"] and arguments[0].endswith("mpirun")
    assert "--oversubscribe" not in analysis.command_line(os.environ["INFOPLANE_BIN"], run, 1, None, {})
    infoplane.analyze(run, ranks=ranks)
    calls = (tmp_path / "calls").read_text().splitlines()
    assert sorted(int(c.split(" | ")[2]) for c in calls) == list(range(ranks)), "one process per rank"
    expected = "1" if os.geteuid() == 0 else "unset"
    assert all(c.split(" | ")[1] == expected for c in calls)
    assert capfd.readouterr().err.count("analysis: progress") == ranks, "progress passed through"


def test_a_failing_analysis_raises_its_one_line_error(tmp_path, monkeypatch):
    run = numpy_run(tmp_path / "run.h5")
    monkeypatch.setenv("INFOPLANE_BIN", str(fake_binary(tmp_path)))
    monkeypatch.setenv("FAKE_STATUS", "1")
    with pytest.raises(AnalysisError, match=r"^infoplane analyze failed: something named, and its fix$"):
        infoplane.analyze(run)


def test_the_real_binary_names_what_is_wrong(tmp_path):
    run = numpy_run(tmp_path / "run.h5")
    with pytest.raises(AnalysisError, match="--layers conv: .* has no layer conv"):
        infoplane.analyze(run, layers=["conv"], slices=8)
    assert not (tmp_path / "plane.h5").exists()
    with pytest.raises(InputError, match="no such run file"):
        infoplane.analyze(tmp_path / "missing.h5")


def test_a_missing_binary_is_one_error_naming_the_fix(tmp_path, monkeypatch):
    monkeypatch.setenv("INFOPLANE_BIN", str(tmp_path / "nothing"))
    with pytest.raises(InputError, match=r"INFOPLANE_BIN=.*nothing is not an executable file.*make build"):
        analysis.find_binary()
    monkeypatch.delenv("INFOPLANE_BIN")
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(analysis, "REPOSITORY", str(tmp_path / "checkout"))
    with pytest.raises(InputError, match=r"infoplane binary was not found .*run `make build` in .*checkout, or set INFOPLANE_BIN"):
        infoplane.analyze(numpy_run(tmp_path / "run.h5"))
    built = tmp_path / "checkout" / ".build" / "release"
    built.mkdir(parents=True)
    (built / "infoplane").write_text("#!/bin/sh\n")
    (built / "infoplane").chmod(0o755)
    assert analysis.find_binary() == str(built / "infoplane")
    (tmp_path / "infoplane").write_text("#!/bin/sh\n")
    (tmp_path / "infoplane").chmod(0o755)
    assert analysis.find_binary() == str(tmp_path / "infoplane"), "PATH before the checkout's build"


def test_read_plane_of_a_trainer_run_matches_its_csv(tmp_path):
    pandas = pytest.importorskip("pandas")
    run = numpy_run(tmp_path / "run.h5", names=("layer_1", "layer_2"))
    plane = infoplane.analyze(run, slices=8, quiet=True)
    frame = infoplane.read_plane(tmp_path)  # a run directory works too
    pandas.testing.assert_frame_equal(frame, pandas.read_csv(tmp_path / "plane.csv"), check_exact=True)
    assert list(frame.columns) == ["layer", "epoch", "sxt", "sxt_se", "sty", "sty_se"]
    assert frame.attrs["widths"] == {"layer_1": 5, "layer_2": 5} and frame.attrs["streams"] == {"layer_1": 1, "layer_2": 2}
    summary = infoplane.plot_plane(plane)
    assert summary["panels"][0]["legend"][:2] == ["layer 1 (5 units)", "layer 2 (5 units)"]
    with h5py.File(plane, "r") as f:
        assert list(f.attrs["layer_names"]) == ["layer_1", "layer_2"]


def test_importing_infoplane_loads_nothing_heavy():
    code = "import sys, infoplane; print(sorted(m for m in ('torch', 'h5py', 'matplotlib', 'pandas') if m in sys.modules))"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "[]"
