import Foundation
import Storage
import Testing

/// Run files as Python users naturally write them (issue 14): layers named from 0 or by module
/// names, numpy's float64, an output folder that does not exist yet.
@Suite(.serialized) struct OtherToolsFileTests {
    /// Writes `acts.h5` in `dir` with h5py: float64 inputs, int64 labels, and two snapshots whose
    /// layers `names` are float64 (`listed`: also the root attribute `layers`, in that order).
    private func writeActivations(_ dir: String, names: [String], listed: Bool) throws -> String {
        let script = """
            import h5py, numpy as np, sys, json
            path, names, listed = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3] == "1"
            rng = np.random.default_rng(4)
            x = rng.normal(size=(300, 12))
            y = (x[:, 0] > 0).astype("i8") + 2 * (x[:, 1] > 0)
            with h5py.File(path, "w") as f:
                f["evaluation/inputs"] = x                     # float64, as numpy makes it
                f["evaluation/labels"] = y
                if listed:
                    f.attrs["layers"] = names
                for epoch in (0, 5):
                    g = f.create_group(f"snapshots/epoch_{epoch}")
                    g.attrs["epoch"] = epoch
                    for i, name in enumerate(names):
                        w = rng.normal(size=(12, 4 + i))
                        g[name] = np.tanh(x @ w * (1 + epoch / 5))  # float64 too
            """
        let path = "\(dir)/acts.h5"
        let encoded = String(decoding: try JSONSerialization.data(withJSONObject: names), as: UTF8.self)
        let made = try runProcess(python, ["-c", script, path, encoded, listed ? "1" : "0"])
        try #require(made.status == 0, "\(made.stderr)")
        return path
    }

    @Test func zeroBasedFloat64LayersAreAllAnalysedAndTheConversionIsNoted() throws {
        let dir = try temporaryDirectory("zero-based")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let acts = try writeActivations(dir, names: ["layer_0", "layer_1", "layer_2"], listed: false)
        let out = "\(dir)/not/yet/there/plane.h5"
        let result = try mpirun(2, ["analyze", acts, "--slices", "32", "--seed", "1", "--out", out, "--quiet"])
        #expect(result.status == 0, "\(result.stderr)")
        let file = try HDF5File.open(at: out, writable: false)
        defer { try? file.close() }
        #expect(try file.root.members().map(\.name) == ["layer_0", "layer_1", "layer_2"], "layer_0 is kept")
        #expect(try file.root.stringsAttribute("layer_names") == ["layer_0", "layer_1", "layer_2"])
        #expect(try file.root.intsAttribute("layers") == [0, 1, 2])
        #expect(try file.root.stringsAttribute("converted")
                == ["evaluation/inputs float64→float32", "layer_0 float64→float32", "layer_1 float64→float32", "layer_2 float64→float32"])
        let csv = try String(contentsOfFile: "\(dir)/not/yet/there/plane.csv", encoding: .utf8).split(separator: "\n")
        #expect(csv.dropFirst().map { $0.split(separator: ",")[0] } == ["layer_0", "layer_0", "layer_1", "layer_1", "layer_2", "layer_2"])
    }

    @Test func namedLayersKeepTheirOrderAndAreChosenByName() throws {
        let dir = try temporaryDirectory("named")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let acts = try writeActivations(dir, names: ["features.3", "classifier.0", "head"], listed: true)
        let all = try infoplane("analyze", acts, "--slices", "16", "--quiet")
        #expect(all.status == 0, "\(all.stderr)")
        let file = try HDF5File.open(at: "\(dir)/plane.h5", writable: false)
        #expect(try file.root.stringsAttribute("layer_names") == ["features.3", "classifier.0", "head"])
        #expect(try ["features.3", "classifier.0", "head"].map { try file.root.group($0).intAttribute("width") } == [4, 5, 6])
        try file.close()
        let chosen = try infoplane("analyze", acts, "--slices", "16", "--layers", "head,1", "--out", "\(dir)/two.h5", "--quiet")
        #expect(chosen.status == 0, "\(chosen.stderr)")
        let two = try HDF5File.open(at: "\(dir)/two.h5", writable: false)
        defer { try? two.close() }
        #expect(try two.root.stringsAttribute("layer_names") == ["features.3", "head"], "file order, by name or number")
        let unknown = try infoplane("analyze", acts, "--layers", "fc", "--out", "\(dir)/three.h5")
        expectOneLineError(unknown, ["--layers fc: ", "has no layer fc", "features.3 (1)"])
    }

    @Test func anOutputFolderThatCannotBeCreatedIsNamed() throws {
        let dir = try temporaryDirectory("out")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let acts = try writeActivations(dir, names: ["layer_1"], listed: false)
        try "not a folder".write(toFile: "\(dir)/file", atomically: true, encoding: .utf8)
        let result = try infoplane("analyze", acts, "--slices", "8", "--out", "\(dir)/file/sub/plane.h5")
        expectOneLineError(result, ["cannot create output directory \(dir)/file/sub", "--out"])
        #expect(!result.stderr.contains("writable"))
    }

    /// The Python package's recorder (numpy path, no torch): its index and parts are analysed on
    /// 2 ranks, its user's config (no experiment config) is kept but not parsed, inspect reads it.
    @Test func aRunRecordedByThePythonRecorderIsAnalysedAndInspected() throws {
        let dir = try temporaryDirectory("recorder")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let script = """
            import sys, numpy as np, infoplane
            rng = np.random.default_rng(5)
            x = rng.normal(size=(200, 10)).astype("f4")
            y = (x[:, 0] > 0).astype(int) + 2 * (x[:, 1] > 0)
            with infoplane.Recorder(sys.argv[1], x, labels=y, config={"optimizer": "sgd", "lr": 0.1}) as r:
                for epoch in (0, 2):
                    w = rng.normal(size=(10, 6))
                    r.add_snapshot(epoch, {"encoder.0": np.maximum(x @ w, 0), "head": np.tanh(x[:, :3] * (1 + epoch))})
                    r.log(epoch + 1, train_loss=1.0 / (epoch + 1))
            """
        let made = try runProcess(python, ["-c", script, "\(dir)/run"])
        try #require(made.status == 0, "\(made.stderr)")
        let result = try mpirun(2, ["analyze", "\(dir)/run/run.h5", "--slices", "16", "--quiet"])
        #expect(result.status == 0, "\(result.stderr)")
        let plane = try HDF5File.open(at: "\(dir)/run/plane.h5", writable: false)
        defer { try? plane.close() }
        #expect(try plane.root.stringsAttribute("layer_names") == ["encoder.0", "head"])
        #expect(try plane.root.group("encoder.0").read("epoch", as: Int64.self).values == [0, 2])
        #expect(try plane.root.intAttribute("seed") == 0, "no experiment config: the defaults")
        let inspect = try infoplane("inspect", "\(dir)/run/run.h5")
        #expect(inspect.status == 0, "\(inspect.stderr)")
        #expect(inspect.stdout.contains("written by infoplane.Recorder") && inspect.stdout.contains("encoder.0 200×6 float32, head 200×3"),
                "\(inspect.stdout)")
        #expect(inspect.stdout.contains("evaluation: 200 samples of 10 features, 4 classes") && !inspect.stdout.contains("dataset:")
                && !inspect.stdout.contains("?"), "a recorder's file has no dataset identity or seed to show: \(inspect.stdout)")
    }
}
