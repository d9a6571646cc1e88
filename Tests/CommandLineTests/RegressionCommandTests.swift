import Foundation
import Testing

private let regression = "\(packageRoot)/configs/regression.yaml"
/// configs/regression.yaml at a reduced size: 300 evaluation samples, 10 epochs, 2 snapshots,
/// 64 slices (4 layers × 2 snapshots × 2 blocks = 16 work items).
private let reduced = ["--set", "dataset.train_size=600", "--set", "dataset.test_size=300", "--set", "dataset.evaluation_size=300",
                       "--set", "training.epochs=10", "--set", "snapshots.epochs=[0,10]", "--set", "analysis.slices=64"]

/// Regression targets end to end: `run` and `analyze` with continuous Y on any number of ranks.
@Suite(.serialized) struct RegressionCommandTests {
    @Test func regressionPlaneIsBitIdenticalOnOneAndTwoRanksAndItsBaselineSitsAtZero() throws {
        let alone = try temporaryDirectory("regression-1")
        let one = try runProcess(infoplaneBinary, ["run", regression, "--out", alone, "--quiet"] + reduced)
        #expect(one.status == 0, "\(one.stderr)")
        let pair = try temporaryDirectory("regression-2")
        let two = try mpirun(2, ["run", regression, "--out", pair, "--quiet"] + reduced)
        #expect(two.status == 0, "\(two.stderr)")
        try expectSamePlane("\(alone)/plane.h5", "\(pair)/plane.h5")
        let analysed = try mpirun(2, ["analyze", "\(alone)/run.h5", "--out", "\(alone)/again.h5", "--quiet"])
        #expect(analysed.status == 0, "\(analysed.stderr)")
        try expectSamePlane("\(alone)/plane.h5", "\(alone)/again.h5")

        // The run file holds real targets; the plane says S1(T;Y) is KSG on a continuous Y.
        // The baseline (independent pairings) is 0 in truth; KSG's slices share one shuffled Y,
        // so its SE understates the spread of a single permutation (≈ 0.02 at n = 300): hence
        // the absolute 0.05 beside the 4-SE bound, as for labels. The signal is far above it and,
        // by the data-processing inequality, not above I(X;Y) (KSG on x and y, k = 5) by more
        // than the estimators' spread.
        let script = """
            import h5py, sys, numpy as np
            from sklearn.feature_selection import mutual_info_regression
            run, plane = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "r")
            assert "labels" not in run["evaluation"] and run["evaluation/targets"].shape == (300, 1)
            assert run.attrs["classes"] == 0 and run.attrs["dataset_name"] == "quadratic"
            x, y = run["evaluation/inputs"][:, 0], run["evaluation/targets"][:, 0]
            assert np.std(y - (x * x - x - 1)) < 0.3
            ixy = mutual_info_regression(x[:, None], y, n_neighbors=5, random_state=0)[0]
            assert plane.attrs["target"] == "continuous" and plane.attrs["target_estimator"] == "ksg"
            assert plane.attrs["target_width"] == 1 and plane.attrs["shuffle_baseline"] == 1
            for L in (1, 2, 3, 4):
                g = plane[f"layer_{L}"]
                assert list(g["epoch"][...]) == [0, 10]
                for e in (0, 1):
                    signal, base, se = g["sty"][e], g["sty_baseline"][e], g["sty_baseline_se"][e]
                    assert abs(base) < 0.05 and abs(base) < 4 * se + 0.02, (L, e, base, se)
                    assert signal > base + 10 * g["sty_se"][e] + 0.5, (L, e, signal, base)
                    assert signal < ixy + 0.25, (L, e, signal, ixy)
            print("ok", ixy, [float(plane[f"layer_{L}/sty"][-1]) for L in (1, 2, 3, 4)])
            """
        let py = try runProcess(python, ["-c", script, "\(alone)/run.h5", "\(alone)/plane.h5"])
        #expect(py.status == 0 && py.stdout.hasPrefix("ok"), "\(py.stdout)\(py.stderr)")

        // The baseline figure: S1(T;Y) and S1(X;T) of each of the 4 layers, both snapshots, and
        // (as measured above) no point indistinguishable from the baseline.
        let figure = try runProcess(python, ["-m", "infoplane.plots", "baseline", alone], environment: ["MPLBACKEND": "Agg"])
        #expect(figure.status == 0, "\(figure.stderr)")
        struct Panel: Decodable { var title: String; var curves: [String] }
        struct Figure: Decodable { var figure: String; var panels: [Panel]; var files: [String] }
        let summary = try JSONDecoder().decode(Figure.self, from: Data(figure.stdout.utf8))
        #expect(summary.figure == "baseline" && summary.panels.count == 8)
        #expect(summary.panels.filter { $0.title.hasSuffix("S1(T;Y)") }.count == 4)
        #expect(summary.panels.allSatisfy { $0.curves.count == 1 && $0.curves[0].hasSuffix("(0 of 2 ≈ baseline)") }, "\(summary.panels)")
        #expect(summary.files.allSatisfy { FileManager.default.fileExists(atPath: $0) })
        // Without a baseline the figure is refused with a one-line error.
        let plain = try infoplane("analyze", "\(alone)/run.h5", "--no-shuffle-baseline", "--slices", "32", "--out", "\(alone)/plain.h5", "--quiet")
        #expect(plain.status == 0, "\(plain.stderr)")
        let refused = try runProcess(python, ["-m", "infoplane.plots", "baseline", "\(alone)/plain.h5"])
        #expect(refused.status != 0 && refused.stderr.contains("--shuffle-baseline"), "\(refused.stderr)")
    }

    /// A regression run file written with h5py (float64 targets, 1-D) is analysed; bad targets
    /// are one-line errors that leave no output.
    @Test func h5pyTargetsAreAnalysedAndBadOnesRefused() throws {
        let dir = try temporaryDirectory("regression-h5py")
        let script = """
            import h5py, numpy as np, sys
            path, kind = sys.argv[1], sys.argv[2]
            rng = np.random.default_rng(1)
            x = rng.uniform(-3, 3, size=(200, 1)).astype("f4")
            y = (x[:, 0] ** 2 - x[:, 0] - 1 + 0.2 * rng.normal(size=200)).astype("f8")
            if kind == "nan": y[17] = np.nan
            if kind == "short": y = y[:150]
            if kind == "empty": y = np.zeros((0, 1))
            if kind == "int": y = y.astype("i8")
            with h5py.File(path, "w") as f:
                f["evaluation/inputs"] = x
                f["evaluation/targets"] = y
                if kind == "both": f["evaluation/labels"] = (x[:, 0] > 0).astype("i8")
                g = f.create_group("snapshots/epoch_0")
                g.attrs["epoch"] = 0
                g["layer_1"] = np.maximum(np.hstack([x, -x, x - 1]), 0).astype("f4")
            """
        for kind in ["good", "nan", "short", "empty", "int", "both"] {
            let made = try runProcess(python, ["-c", script, "\(dir)/\(kind).h5", kind])
            #expect(made.status == 0, "\(made.stderr)")
        }
        let good = try infoplane("analyze", "\(dir)/good.h5", "--slices", "32", "--shuffle-baseline", "--out", "\(dir)/good-plane.h5", "--quiet")
        #expect(good.status == 0, "\(good.stderr)")
        let contents = try planeContents("\(dir)/good-plane.h5")
        let sty = try #require(contents["layer_1/sty"]).map { Double(bitPattern: $0) }
        #expect(sty.count == 1 && sty[0] > 1, "T = relu(±x) carries y: \(sty)")
        // Label redundancy has no meaning for real targets.
        expectOneLineError(try infoplane("redundancy", "\(dir)/good.h5", "--out", "\(dir)/redundancy.h5"),
                           ["holds regression targets", "give a classification run"])
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/redundancy.h5"))
        // So have binning and the KDE bound, which measure information about classes.
        expectOneLineError(try infoplane("analyze", "\(dir)/good.h5", "--method", "binning", "--out", "\(dir)/binning.h5"),
                           ["holds regression targets", "--method binning needs class labels"])
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/binning.h5"))

        for (kind, fragments) in [("nan", ["/evaluation/targets holds nan at row 17", "non-finite"]),
                                  ("short", ["/evaluation/targets must hold 200 rows", "[150]"]),
                                  ("empty", ["/evaluation/targets must hold 200 rows", "[0, 1]"]),
                                  ("int", ["float32 or float64 targets", "int64"]),
                                  ("both", ["both /evaluation/labels and /evaluation/targets"])] {
            let result = try infoplane("analyze", "\(dir)/\(kind).h5", "--slices", "32", "--out", "\(dir)/\(kind)-plane.h5")
            expectOneLineError(result, fragments)
            #expect(!FileManager.default.fileExists(atPath: "\(dir)/\(kind)-plane.h5"), "no plane after an error")
        }
    }
}
