import Foundation
import Testing

/// `infoplane redundancy` end to end: the file and CSV on the smoke run, its numbers against the
/// plane's S1(T;Y) and scikit-learn, any rank count, the one-line errors, and the figure.
@Suite(.serialized) struct RedundancyCommandTests {
    static let header = "layer,epoch,width,unit_sum,sty,sty_se,redundancy_ratio,half_a,half_a_se,half_b,half_b_se,mmi,mmi_se,mmi_ratio"

    @Test func smokeRunGivesTheDocumentedFileTheCSVAndThePlanesJoint() throws {
        let dir = try smokeRun("redundancy")
        let result = try infoplane("redundancy", "\(dir)/run.h5", "--slices", "16", "--quiet")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("redundancy.h5: 3 layers × 5 snapshots, 16 slices"), "\(result.stdout)")
        let csv = try String(contentsOfFile: "\(dir)/redundancy.csv", encoding: .utf8).split(separator: "\n")
        #expect(csv.first.map(String.init) == Self.header)
        #expect(csv.dropFirst().map { $0.split(separator: ",").prefix(3).joined(separator: ",") }
                == ["1,0,16", "1,1,16", "1,2,16", "1,3,16", "1,5,16", "2,0,12", "2,1,12", "2,2,12", "2,3,12", "2,5,12",
                    "3,0,8", "3,1,8", "3,2,8", "3,3,8", "3,5,8"])

        // Derived quantities follow from the stored values; the trained layers are redundant.
        let script = """
            import h5py, numpy as np, sys
            f = h5py.File(sys.argv[1], "r")
            assert f.attrs["format"] == "infoplane-redundancy" and f.attrs["slices"] == 16 and f.attrs["seed"] == 7
            assert abs(f.attrs["label_entropy"] - np.log(4)) < 0.01, f.attrs["label_entropy"]
            for L, w in ((1, 16), (2, 12), (3, 8)):
                g = f[f"layer_{L}"]
                assert g.attrs["width"] == w and g.attrs["half_a_width"] == (w + 1) // 2
                assert g["unit_information"].shape == (5, w) and g["sty_values"].shape == (5, 16)
                assert np.array_equal(g["unit_sum"][...], g["unit_information"][...].sum(axis=1)) or \\
                    np.allclose(g["unit_sum"][...], g["unit_information"][...].sum(axis=1), rtol=1e-12)
                assert np.array_equal(g["sty"][...], g["sty_values"][...].mean(axis=1)) or \\
                    np.allclose(g["sty"][...], g["sty_values"][...].mean(axis=1), rtol=1e-12)
                assert np.array_equal(g["mmi"][...], np.minimum(g["half_a"][...], g["half_b"][...]))
                assert np.allclose(g["redundancy_ratio"][...], g["unit_sum"][...] / g["sty"][...], rtol=1e-12)
                assert np.allclose(g["mmi_ratio"][...], g["mmi"][...] / g["sty"][...], rtol=1e-12)
                # Trained to 98%: the units together repeat the label many times over H(Y).
                assert g["unit_sum"][-1] > np.log(4), (L, g["unit_sum"][-1])
            print("ok")
            """
        let py = try runProcess(python, ["-c", script, "\(dir)/redundancy.h5"])
        #expect(py.status == 0 && py.stdout.contains("ok"), "\(py.stdout)\(py.stderr)")

        // The joint S1(T;Y) is the plane's, slice for slice (same directions, preparation and seed).
        #expect(try infoplane("analyze", "\(dir)/run.h5", "--slices", "16", "--quiet").status == 0)
        let plane = try planeContents("\(dir)/plane.h5"), redundancy = try planeContents("\(dir)/redundancy.h5")
        for layer in 1...3 {
            #expect(redundancy["layer_\(layer)/sty_values"] == plane["layer_\(layer)/sty_values"], "layer \(layer)")
        }

        // Two ranks, and another thread count: bit-identical files.
        let spread = try mpirun(2, ["redundancy", "\(dir)/run.h5", "--slices", "16", "--quiet", "--out", "\(dir)/two.h5"])
        #expect(spread.status == 0, "\(spread.stderr)")
        #expect(try planeContents("\(dir)/two.h5") == redundancy)
        let threaded = try infoplane("redundancy", "\(dir)/run.h5", "--slices", "16", "--quiet", "--threads", "3", "--out", "\(dir)/t.h5")
        #expect(threaded.status == 0, "\(threaded.stderr)")
        #expect(try planeContents("\(dir)/t.h5") == redundancy)
    }

    @Test func singleUnitInformationsEqualScikitLearnsAndCopiesAreFullyRedundant() throws {
        let dir = try temporaryDirectory("redundancy-h5py")
        // layer_1: four informative units on different class features; layer_2: one unit copied
        // four times; layer_3: a single unit (cannot be halved).
        let script = """
            import h5py, numpy as np, sys
            rng = np.random.default_rng(5)
            y = rng.integers(0, 3, size=400)
            u = (y[:, None] * np.array([1.0, 0.6, 0.3, 1.5]) + rng.normal(size=(400, 4))).astype("f4")
            with h5py.File(sys.argv[1], "w") as f:
                f["evaluation/inputs"] = rng.normal(size=(400, 3)).astype("f4")
                f["evaluation/labels"] = y
                g = f.create_group("snapshots/epoch_0")
                g.attrs["epoch"] = 0
                g["layer_1"] = u
                g["layer_2"] = np.repeat(u[:, :1], 4, axis=1)
                g["layer_3"] = u[:, :1]
            """
        #expect(try runProcess(python, ["-c", script, "\(dir)/acts.h5"]).status == 0)
        let result = try infoplane("redundancy", "\(dir)/acts.h5", "--layers", "1,2", "--slices", "24", "--quiet")
        #expect(result.status == 0, "\(result.stderr)")
        let check = """
            import h5py, numpy as np, sys
            from sklearn.feature_selection import mutual_info_classif
            run, red = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "r")
            y = run["evaluation/labels"][...]
            for L in (1, 2):
                t = run[f"snapshots/epoch_0/layer_{L}"][...].astype("f8")
                ours = red[f"layer_{L}/unit_information"][0]
                theirs = mutual_info_classif(t, y, n_neighbors=5, random_state=0)
                assert np.all(theirs > 0.05) and np.max(np.abs(ours - theirs)) < 1e-9, (L, ours, theirs)
            g = red["layer_2"]
            assert np.max(np.abs(g["unit_information"][0] - g["unit_information"][0][0])) < 1e-9
            assert abs(g["redundancy_ratio"][0] - 4) < 1e-8 and abs(g["mmi_ratio"][0] - 1) < 1e-9
            assert red["layer_1"]["mmi_ratio"][0] < 1
            print("ok")
            """
        let py = try runProcess(python, ["-c", check, "\(dir)/acts.h5", "\(dir)/redundancy.h5"])
        #expect(py.status == 0 && py.stdout.contains("ok"), "\(py.stdout)\(py.stderr)")

        expectOneLineError(try infoplane("redundancy", "\(dir)/acts.h5", "--out", "\(dir)/x.h5"), ["layer_3", "halves", "--layers"])
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/x.h5"))
    }

    @Test func badInputGivesOneLineErrorsAndLeavesOutputsAlone() throws {
        let dir = try smokeRun("redundancy-errors")
        let run = "\(dir)/run.h5"
        expectOneLineError(try infoplane("redundancy", "\(dir)/missing.h5"), ["no such run file", "missing.h5"])
        expectOneLineError(try infoplane("redundancy", run, "--layers", "9", "--slices", "4"), ["no layer 9", "--layers"])
        expectOneLineError(try infoplane("redundancy", run, "--epochs", "4", "--slices", "4"), ["no snapshot at epoch 4", "--epochs"])
        expectOneLineError(try infoplane("redundancy", run, "--slices", "0"), ["--slices 0", "at least 1"])
        // A missing output folder is created; one that cannot be (a file is in the way) is named.
        expectOneLineError(try infoplane("redundancy", run, "--slices", "4", "--out", "\(dir)/run.h5/sub/r.h5"),
                           ["cannot create output directory \(dir)/run.h5/sub", "--out"])
        try "slice: 10\n".write(toFile: "\(dir)/bad.yaml", atomically: true, encoding: .utf8)
        expectOneLineError(try infoplane("redundancy", run, "--config", "\(dir)/bad.yaml"), ["unknown key 'slice'", "slices"])
        expectOneLineError(try infoplane("redundancy", run, "--config", "\(dir)/none.yaml"), ["no such config file", "configs/redundancy.yaml"])
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/redundancy.h5"), "no output after a failed check")

        // The shipped settings file parses; an existing output needs --force.
        let first = try infoplane("redundancy", run, "--config", "\(packageRoot)/configs/redundancy.yaml", "--slices", "4",
                                  "--epochs", "5", "--quiet")
        #expect(first.status == 0, "\(first.stderr)")
        let before = try Data(contentsOf: URL(fileURLWithPath: "\(dir)/redundancy.h5"))
        expectOneLineError(try infoplane("redundancy", run, "--slices", "4"), ["already exists", "--force"])
        // Under mpirun rank 0 alone reports it (mpirun adds its own notice of the non-zero exit).
        let spread = try mpirun(2, ["redundancy", run, "--slices", "4"])
        #expect(spread.status != 0)
        #expect(spread.stderr.components(separatedBy: "Error:").count == 2 && spread.stderr.contains("already exists"), "\(spread.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: "\(dir)/redundancy.h5")) == before)
        #expect(try infoplane("redundancy", run, "--slices", "4", "--epochs", "5", "--force", "--quiet").status == 0)
    }

    @Test func figureHoldsBothRunsEveryLayerAndEveryMeasure() throws {
        let first = try smokeRun("redundancy-plot-a")
        let second = try narrowSmokeRun("redundancy-plot-b")
        for dir in [first, second] {
            #expect(try infoplane("redundancy", "\(dir)/run.h5", "--slices", "8", "--quiet").status == 0)
        }
        let result = try runProcess(python, ["-m", "infoplane.plots", "redundancy", first, second, "--labels", "wide", "narrow",
                                             "--out", "\(second)/fig"], environment: ["MPLBACKEND": "Agg"])
        #expect(result.status == 0, "\(result.stderr)")
        let figure = try JSONDecoder().decode(PlotTests.Figure.self, from: Data(result.stdout.utf8))
        #expect(figure.figure == "redundancy" && figure.files == ["\(second)/fig.png", "\(second)/fig.svg"])
        #expect(figure.panels.count == 6, "three measures for each of two runs")
        #expect(figure.panels[0].title.hasPrefix("wide") && figure.panels[1].title.hasPrefix("narrow"))
        // Rows: unit sum and S1 per layer; the ratio; the halves' R_min / S1 (panels row-major).
        #expect(figure.panels[0].curves == ["L1 ΣI(Ti;Y)", "L1 S1(T;Y)", "L2 ΣI(Ti;Y)", "L2 S1(T;Y)", "L3 ΣI(Ti;Y)", "L3 S1(T;Y)"])
        #expect(figure.panels[1].curves.count == 4)
        #expect(figure.panels[3].curves == ["L1 (10 units)", "L2 (6 units)"])
        #expect(figure.panels[4].curves == ["L1", "L2", "L3"] && figure.panels[4].xlabel == "epoch")
        for file in figure.files { #expect(FileManager.default.fileExists(atPath: file)) }

        let missing = try runProcess(python, ["-m", "infoplane.plots", "redundancy", "\(second)/nothing"])
        #expect(missing.status != 0 && missing.stderr.contains("no such redundancy file"), "\(missing.stderr)")
    }
}
