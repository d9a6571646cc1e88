import Foundation
import Storage
import Testing

/// Issue 17's command-line paths on reduced sizes: `estimate --estimator wkl` and `--pca P`,
/// `analyze --estimator wkl`, `--method pca --components P` and `--pool-epochs W` on the smoke
/// run (5 snapshots of 3 layers, 500 samples).
@Suite(.serialized) struct EstimatorChoiceCommandTests {
    /// Slices per layer: 2 blocks, so items split across ranks.
    private let slices = "64"

    /// `estimate --json` as an object, the command required to succeed.
    private func estimateJSON(_ arguments: [String]) throws -> [String: Any] {
        let result = try runProcess(infoplaneBinary, ["estimate", "--json", "--values"] + arguments)
        #expect(result.status == 0, "\(arguments): \(result.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    }

    /// The `mean` of `estimate --json`, read with `Double(_:)` (exact): Foundation's JSON parser
    /// may round a 17-digit number to a neighbouring double.
    private func exactMean(_ arguments: [String]) throws -> Double? {
        let result = try runProcess(infoplaneBinary, ["estimate", "--json"] + arguments)
        #expect(result.status == 0, "\(arguments): \(result.stderr)")
        guard let start = result.stdout.range(of: "\"mean\": ") else { return nil }
        return Double(result.stdout[start.upperBound...].prefix { $0 != "," && $0 != "}" })
    }

    /// A root attribute of an HDF5 file.
    private func attribute(_ path: String, _ name: String) throws -> AttributeValue? {
        let file = try HDF5File.open(at: path, writable: false)
        defer { try? file.close() }
        return try file.root.attribute(name)
    }

    @Test func estimateWithWKLAndPCA() throws {
        let dir = try smokeRun("estimate-wkl")
        let run = "\(dir)/run.h5", layer = "snapshots/epoch_000005/layer_2"
        let common = ["--input", run, "--x", "evaluation/inputs", "--y", layer]
        // Sliced WKL: positive on dependent data, its own values (not KSG's).
        let wkl = try estimateJSON(common + ["--estimator", "wkl", "--slices", "30"])
        let ksg = try estimateJSON(common + ["--slices", "30"])
        #expect(wkl["estimator"] as? String == "wkl" && wkl["kind"] as? String == "sliced")
        #expect(((wkl["mean"] as? Double) ?? 0) > 0.05, "\(wkl)")
        #expect((wkl["values"] as? [Double]) != (ksg["values"] as? [Double]))
        // Against labels a 1-D WKL slice is micd's entropy difference, bit for bit.
        let labels = ["--input", run, "--x", layer, "--y", "evaluation/labels", "--discrete-y", "--slices", "30"]
        #expect(try estimateJSON(labels + ["--estimator", "wkl"])["values"] as? [Double]
            == estimateJSON(labels + ["--estimator", "micd"])["values"] as? [Double])
        // Full WKL against labels works in the layer's own dimensions (784 pixels would be refused).
        let full = try estimateJSON(["--input", run, "--x", layer, "--y", "evaluation/labels", "--discrete-y", "--estimator", "wkl",
                                     "--full", "--k", "25"])
        #expect(full["kind"] as? String == "full" && ((full["mean"] as? Double) ?? 0) > 0.3, "\(full)")
        // PCA: each side onto 2 components, then full KSG; reported as such.
        let pca = try estimateJSON(common + ["--pca", "2"])
        #expect(pca["kind"] as? String == "full" && pca["pca"] as? Int == 2 && pca["dx"] as? Int == 2 && pca["dy"] as? Int == 2)
        #expect(((pca["mean"] as? Double) ?? 0) > 0.5, "\(pca)")
        let text = try infoplane("estimate", "--input", run, "--x", layer, "--y", "evaluation/labels", "--discrete-y", "--pca", "3")
        #expect(text.status == 0 && text.stdout.contains("unsliced on the top 3 principal components of each side"), "\(text.stdout)\(text.stderr)")
    }

    @Test func analyzeWithWKLIsBitIdenticalForAnyRankCountAndRecordsItsEstimator() throws {
        let dir = try smokeRun("analyze-wkl")
        let run = "\(dir)/run.h5"
        let alone = try infoplane("analyze", run, "--slices", slices, "--estimator", "wkl", "--out", "\(dir)/wkl1.h5", "--quiet")
        #expect(alone.status == 0, "\(alone.stderr)")
        for ranks in [2, 3] {
            let result = try mpirun(ranks, ["analyze", run, "--slices", slices, "--estimator", "wkl", "--out", "\(dir)/wkl\(ranks).h5", "--quiet"])
            #expect(result.status == 0, "\(result.stderr)")
            try expectSamePlane("\(dir)/wkl1.h5", "\(dir)/wkl\(ranks).h5")
        }
        #expect(try attribute("\(dir)/wkl1.h5", "estimator") == .string("wkl"))
        #expect(try attribute("\(dir)/wkl1.h5", "label_estimator") == .string("micd"))
        // S1(T;Y) is micd's, slice for slice; S1(X;T) is WKL's own.
        let micd = try infoplane("analyze", run, "--slices", slices, "--estimator", "micd", "--out", "\(dir)/micd.h5", "--quiet")
        #expect(micd.status == 0, "\(micd.stderr)")
        let a = try planeContents("\(dir)/wkl1.h5"), b = try planeContents("\(dir)/micd.h5")
        for layer in 1...3 {
            #expect(a["layer_\(layer)/sty_values"] == b["layer_\(layer)/sty_values"])
            #expect(a["layer_\(layer)/sxt_values"] != b["layer_\(layer)/sxt_values"])
        }
        // Resume refuses another estimator; inspect shows it.
        let resumed = try infoplane("analyze", run, "--slices", slices, "--out", "\(dir)/wkl1.h5", "--resume")
        expectOneLineError(resumed, ["--resume refused", "estimator: wkl ≠ (unset)"])
        let inspect = try infoplane("inspect", "\(dir)/wkl1.h5")
        #expect(inspect.stdout.contains("estimate:   wkl + micd for Y"), "\(inspect.stdout)")
        // Resuming with the same estimator finds nothing left to do.
        let again = try infoplane("analyze", run, "--slices", slices, "--estimator", "wkl", "--out", "\(dir)/wkl1.h5", "--resume")
        #expect(again.status == 0 && again.stderr.contains("0 of 30 items to do"), "\(again.stderr)")
        // The config key `analysis.estimator: wkl` does what the option does.
        let configured = try temporaryDirectory("config-wkl")
        let trained = try infoplane("train", "\(packageRoot)/configs/smoke.yaml", "--out", configured, "--quiet", "--set", "analysis.estimator=wkl")
        #expect(trained.status == 0, "\(trained.stderr)")
        let fromConfig = try infoplane("analyze", "\(configured)/run.h5", "--slices", slices, "--quiet")
        #expect(fromConfig.status == 0, "\(fromConfig.stderr)")
        try expectSamePlane("\(dir)/wkl1.h5", "\(configured)/plane.h5")
    }

    @Test func pcaPlaneMatchesEstimateAndTheSameOnTwoRanks() throws {
        let dir = try smokeRun("analyze-pca")
        let run = "\(dir)/run.h5"
        let result = try infoplane("analyze", run, "--method", "pca", "--components", "2", "--quiet")
        #expect(result.status == 0, "\(result.stderr)")
        let plane = "\(dir)/plane-pca.h5"
        #expect(FileManager.default.fileExists(atPath: plane) && FileManager.default.fileExists(atPath: "\(dir)/plane-pca.csv"))
        #expect(try attribute(plane, "estimator") == .string("pca") && attribute(plane, "components") == .int(2))
        let two = try mpirun(2, ["analyze", run, "--method", "pca", "--components", "2", "--out", "\(dir)/pca2.h5", "--quiet"])
        #expect(two.status == 0, "\(two.stderr)")
        try expectSamePlane(plane, "\(dir)/pca2.h5")
        // Each point is `estimate --pca 2` of X against T and of T against Y, bit for bit.
        let values = try planeContents(plane)
        for (layer, epochIndex, epoch) in [(1, 0, "000000"), (3, 4, "000005")] {
            let t = "snapshots/epoch_\(epoch)/layer_\(layer)"
            let sxt = try exactMean(["--input", run, "--x", "evaluation/inputs", "--y", t, "--pca", "2"])
            let sty = try exactMean(["--input", run, "--x", t, "--y", "evaluation/labels", "--discrete-y", "--pca", "2"])
            #expect(sxt?.bitPattern == values["layer_\(layer)/sxt"]?[epochIndex], "layer \(layer) epoch \(epoch)")
            #expect(sty?.bitPattern == values["layer_\(layer)/sty"]?[epochIndex], "layer \(layer) epoch \(epoch)")
        }
    }

    @Test func poolingOverEpochsTakesRowIFromSnapshotIModW() throws {
        let dir = try smokeRun("analyze-pool")
        let run = "\(dir)/run.h5"
        // W = 1 is the run itself: the same values as the plain plane.
        for arguments in [["--out", "\(dir)/plain.h5"], ["--pool-epochs", "1"]] {
            let result = try runProcess(infoplaneBinary, ["analyze", run, "--slices", slices, "--quiet"] + arguments)
            #expect(result.status == 0, "\(result.stderr)")
        }
        try expectSamePlane("\(dir)/plain.h5", "\(dir)/plane-pool1.h5")
        // W = 2: one point per window, at its last epoch; any rank count gives the same plane.
        let alone = try infoplane("analyze", run, "--slices", slices, "--pool-epochs", "2", "--quiet")
        #expect(alone.status == 0, "\(alone.stderr)")
        let ranks = try mpirun(3, ["analyze", run, "--slices", slices, "--pool-epochs", "2", "--out", "\(dir)/pool2x3.h5", "--quiet"])
        #expect(ranks.status == 0, "\(ranks.stderr)")
        try expectSamePlane("\(dir)/plane-pool2.h5", "\(dir)/pool2x3.h5")
        let pooled = "\(dir)/plane-pool2.h5"
        #expect(try attribute(pooled, "pool_epochs") == .int(2))
        #expect(try planeContents(pooled)["layer_1/epoch"] == [1, 2, 3, 5])
        // The pooled run file: row i of the point at epoch 5 from snapshot 3 (i even) or 5 (i odd).
        let file = try HDF5File.open(at: "\(dir)/run-pool2.h5", writable: false), original = try HDF5File.open(at: run, writable: false)
        defer { try? file.close(); try? original.close() }
        let rows = try file.root.read("snapshots/epoch_000005/layer_2", as: Float.self)
        let three = try original.root.read("snapshots/epoch_000003/layer_2", as: Float.self)
        let five = try original.root.read("snapshots/epoch_000005/layer_2", as: Float.self)
        let width = rows.shape[1]
        for i in [0, 1, 2, 499] {
            let source = i % 2 == 0 ? three : five
            #expect(Array(rows.values[(i * width)..<((i + 1) * width)]) == Array(source.values[(i * width)..<((i + 1) * width)]), "row \(i)")
        }
        #expect(try file.root.attribute("pooled_epochs") == .int(2))
        // Resuming under another window is refused before anything is written.
        let other = try infoplane("analyze", run, "--slices", slices, "--pool-epochs", "3", "--out", pooled, "--resume")
        expectOneLineError(other, ["was analysed with --pool-epochs 2", "not with --pool-epochs 3"])
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/run-pool3.h5"))
    }

    @Test func figuresOfThePCAAndPooledPlanes() throws {
        let dir = try smokeRun("figures-17")
        let run = "\(dir)/run.h5"
        for arguments in [["--out", "\(dir)/plane.h5"], ["--pool-epochs", "2"]] {
            let result = try runProcess(infoplaneBinary, ["analyze", run, "--slices", "16", "--quiet"] + arguments)
            #expect(result.status == 0, "\(result.stderr)")
        }
        #expect(try infoplane("analyze", run, "--method", "pca", "--quiet").status == 0)
        for topic in ["pca", "pooled"] {
            let figure = try runProcess(python, ["-m", "infoplane.plots", topic, dir, "--dpi", "50"])
            #expect(figure.status == 0, "\(topic): \(figure.stderr)")
            #expect(FileManager.default.fileExists(atPath: "\(dir)/\(topic).png"), "\(topic)")
        }
    }
}
