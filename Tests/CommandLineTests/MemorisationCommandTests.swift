import Foundation
import Testing

private let smoke = "\(packageRoot)/configs/smoke.yaml"

/// Label noise end to end: the draw recorded in run.h5, resume refusing another p, and
/// `infoplane memorisation` — its file, any rank count, and each value against `estimate` on the
/// same rows.
@Suite(.serialized) struct MemorisationCommandTests {
    /// The smoke config recording 400 training samples, with 30 % of its 2,000 training labels
    /// replaced; three snapshots.
    static let noisy = ["--set", "dataset.evaluation_split=train", "--set", "dataset.evaluation_size=400", "--set", "dataset.label_noise=0.3",
                        "--set", "training.epochs=3", "--set", "snapshots.epochs=[0,1,3]"]

    static func train(_ label: String, _ extra: [String] = []) throws -> String {
        let dir = try temporaryDirectory(label)
        let result = try runProcess(infoplaneBinary, ["train", smoke, "--out", dir, "--quiet"] + noisy + extra)
        #expect(result.status == 0, "\(result.stderr)")
        return dir
    }

    @Test func theRunRecordsTheDrawAndResumeRefusesAnotherFraction() throws {
        let dir = try Self.train("noise-draw")
        let script = """
            import h5py, numpy as np, sys
            f = h5py.File(sys.argv[1], "r")
            g = f["label_noise"]
            noisy, true, changed = g["noisy_labels"][...], g["true_labels"][...], g["changed"][...].astype(bool)
            assert len(noisy) == len(true) == len(changed) == 2000, len(noisy)
            assert changed.sum() == 600 == g.attrs["replaced"] and g.attrs["fraction"] == 0.3 and g.attrs["seed"] == 7
            assert (changed | (noisy == true)).all() and noisy.min() >= 0 and noisy.max() <= 3
            # Replaced labels are uniform over the 4 classes: about a quarter keep the true one.
            assert 100 < (noisy[changed] == true[changed]).sum() < 200
            # The evaluation set is the first 400 training samples, with their true labels.
            assert np.array_equal(f["evaluation/labels"][...], true[:400])
            assert "label_noise: 0.3" in f.attrs["config"]
            print("ok", int(changed[:400].sum()))
            """
        let py = try runProcess(python, ["-c", script, "\(dir)/run.h5"])
        #expect(py.status == 0 && py.stdout.hasPrefix("ok"), "\(py.stdout)\(py.stderr)")
        let inspect = try infoplane("inspect", "\(dir)/run.h5")
        #expect(inspect.stdout.contains("p = 0.3 label noise: 600 of 2000 training labels replaced"), "\(inspect.stdout)")
        // The draw does not depend on the rank count: `run` on 2 ranks records the same labels.
        let two = try temporaryDirectory("noise-draw-2")
        let run = try mpirun(2, ["run", smoke, "--out", two, "--quiet", "--set", "analysis.slices=4"] + Self.noisy)
        #expect(run.status == 0, "\(run.stderr)")
        let compare = """
            import h5py, numpy as np, sys
            a, b = h5py.File(sys.argv[1], "r")["label_noise"], h5py.File(sys.argv[2], "r")["label_noise"]
            assert all(np.array_equal(a[k][...], b[k][...]) for k in ("noisy_labels", "true_labels", "changed"))
            print("same")
            """
        let same = try runProcess(python, ["-c", compare, "\(dir)/run.h5", "\(two)/run.h5"])
        #expect(same.status == 0 && same.stdout.contains("same"), "\(same.stdout)\(same.stderr)")

        let refused = try runProcess(infoplaneBinary, ["train", smoke, "--out", dir, "--resume"] + Self.noisy + ["--set", "dataset.label_noise=0.4"])
        expectOneLineError(refused, ["--resume refused", "different config", "dataset.label_noise"])
        let resumed = try runProcess(infoplaneBinary, ["train", smoke, "--out", dir, "--resume"] + Self.noisy)
        #expect(resumed.status == 0 && resumed.stderr.contains("already complete"), "\(resumed.stderr)")
    }

    @Test func memorisationWritesTheCurvesOnAnyRankCountAndEachIsEstimateOnTheRows() throws {
        let dir = try Self.train("memorisation")
        let result = try infoplane("memorisation", "\(dir)/run.h5", "--slices", "12", "--quiet")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("memorisation.h5: 3 layers × 3 snapshots, 12 slices"), "\(result.stdout)")
        let csv = try String(contentsOfFile: "\(dir)/memorisation.csv", encoding: .utf8).split(separator: "\n")
        #expect(csv.first == "layer,epoch,width,noisy_sty_noisy,noisy_sty_noisy_se,noisy_sty_true,noisy_sty_true_se,clean_sty,clean_sty_se")
        #expect(csv.count == 10)
        let one = try planeContents("\(dir)/memorisation.h5")
        for ranks in [2, 3] {
            let spread = try mpirun(ranks, ["memorisation", "\(dir)/run.h5", "--slices", "12", "--quiet", "--out", "\(dir)/p\(ranks).h5"])
            #expect(spread.status == 0, "\(spread.stderr)")
            #expect(try planeContents("\(dir)/p\(ranks).h5") == one, "\(ranks) ranks")
        }

        // Each curve's slices are estimate's on the same rows and labels (seed 7, k 5, jitter as run).
        let extract = """
            import h5py, numpy as np, sys
            run, out = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "w")
            g = run["label_noise"]
            n = len(run["evaluation/labels"])
            changed = g["changed"][:n].astype(bool)
            t = run["snapshots/epoch_000003/layer_2"][...]
            out["noisy_t"], out["clean_t"] = t[changed], t[~changed]
            out["noisy_y"], out["true_y"] = g["noisy_labels"][:n][changed], g["true_labels"][:n][changed]
            out["clean_y"] = g["true_labels"][:n][~changed]
            print(int(changed.sum()))
            """
        let rows = try runProcess(python, ["-c", extract, "\(dir)/run.h5", "\(dir)/rows.h5"])
        #expect(rows.status == 0 && (Int(rows.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0) > 50, "\(rows.stdout)\(rows.stderr)")
        for (curve, x, y) in [("noisy_sty_noisy", "noisy_t", "noisy_y"), ("noisy_sty_true", "noisy_t", "true_y"), ("clean_sty", "clean_t", "clean_y")] {
            let estimate = try infoplane("estimate", "--input", "\(dir)/rows.h5", "--x", x, "--y", y, "--discrete-y", "--slices", "12",
                                         "--seed", "7", "--values", "--json")
            #expect(estimate.status == 0, "\(estimate.stderr)")
            let check = """
                import h5py, json, numpy as np, sys
                values = json.loads(sys.argv[3])["values"]
                stored = h5py.File(sys.argv[1], "r")["layer_2"][sys.argv[2] + "_values"][-1]
                assert np.array_equal(np.array(values), stored), (values, stored)
                print("equal")
                """
            let same = try runProcess(python, ["-c", check, "\(dir)/memorisation.h5", curve, estimate.stdout])
            #expect(same.status == 0 && same.stdout.contains("equal"), "\(curve): \(same.stdout)\(same.stderr)")
        }
    }

    @Test func withoutNoiseOnlyTheCleanCurveExistsAndTestSamplesAreRefused() throws {
        let dir = try Self.train("memorisation-clean", ["--set", "dataset.label_noise=0"])
        let result = try infoplane("memorisation", "\(dir)/run.h5", "--slices", "8", "--quiet", "--layers", "3")
        #expect(result.status == 0, "\(result.stderr)")
        let script = """
            import h5py, numpy as np, sys
            f = h5py.File(sys.argv[1], "r")
            assert "label_noise" not in h5py.File(sys.argv[2], "r")
            assert f.attrs["noisy_samples"] == 0 and f.attrs["clean_samples"] == 400 and f.attrs["label_noise"] == 0
            g = f["layer_3"]
            assert np.isnan(g["noisy_sty_noisy"][...]).all() and np.isnan(g["noisy_sty_true_values"][...]).all()
            assert np.isfinite(g["clean_sty"][...]).all() and g["clean_sty_values"].shape == (3, 8)
            print("ok")
            """
        let py = try runProcess(python, ["-c", script, "\(dir)/memorisation.h5", "\(dir)/run.h5"])
        #expect(py.status == 0 && py.stdout.contains("ok"), "\(py.stdout)\(py.stderr)")

        let testSplit = try smokeRun("memorisation-test-split")
        expectOneLineError(try infoplane("memorisation", "\(testSplit)/run.h5"), ["recorded test samples", "dataset.evaluation_split: train"])
        let again = try infoplane("memorisation", "\(dir)/run.h5", "--slices", "8", "--quiet")
        expectOneLineError(again, ["memorisation.h5 already exists", "--force"])
    }
}
