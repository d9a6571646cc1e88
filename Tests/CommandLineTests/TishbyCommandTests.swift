import Foundation
import Storage
import Testing

/// A short tishby-tanh run (4 epochs, snapshots 0, 2, 4; every 4,096-pattern evaluation set).
private func tishbyRun(_ label: String, activation: String = "tanh") throws -> String {
    let dir = try temporaryDirectory(label)
    let result = try infoplane("train", "\(packageRoot)/configs/tishby-\(activation).yaml", "--out", dir, "--quiet",
                               "--set", "training.epochs=4", "--set", "snapshots.dense_until=0", "--set", "snapshots.count=3")
    #expect(result.status == 0, "\(result.stderr)")
    return dir
}

/// Plug-in entropy in nats of the rows of `keys`, computed here with a dictionary of counts.
private func entropy<Key: Hashable>(_ keys: [Key]) -> Double {
    var counts: [Key: Int] = [:]
    for key in keys { counts[key, default: 0] += 1 }
    let n = Double(keys.count)
    return -counts.values.map { Double($0) / n }.sorted().reduce(0) { $0 + $1 * log($1) }
}

/// The classic estimators of `infoplane analyze --method binning|kde` on Tishby's task: their
/// numbers against independent computations, their files, their errors, their figure.
@Suite struct TishbyCommandTests {
    @Test func binningEqualsTheExactDiscreteEntropyOfTheStoredActivations() throws {
        let dir = try tishbyRun("tishby-binning")
        let result = try infoplane("analyze", "\(dir)/run.h5", "--method", "binning", "--quiet")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(FileManager.default.fileExists(atPath: "\(dir)/plane-binning.csv"))
        let run = try HDF5File.open(at: "\(dir)/run.h5", writable: false)
        defer { try? run.close() }
        let labels = try run.root.read("evaluation/labels", as: Int64.self).values
        #expect(labels.count == 4096)
        let plane = try HDF5File.open(at: "\(dir)/plane-binning.h5", writable: false)
        defer { try? plane.close() }
        #expect(try plane.root.stringAttribute("format") == "infoplane-plane")
        #expect(try plane.root.stringAttribute("estimator") == "binning")
        #expect(try plane.root.stringAttribute("units") == "nats")
        var checked = 0
        for layer in 1...5 {
            let group = try plane.root.group("layer_\(layer)")
            let epochs = try group.read("epoch", as: Int64.self).values
            #expect(epochs == [0, 2, 4])
            let sxt = try group.read("sxt", as: Double.self).values
            let sty = try group.read("sty", as: Double.self).values
            #expect(try group.read("sxt_values", as: Double.self).shape == [3, 1])
            #expect(try group.read("sxt_se", as: Double.self).values.allSatisfy(\.isNaN), "no slices, no standard error")
            for (row, epoch) in epochs.enumerated() {
                let (t, shape) = try run.root.read("snapshots/epoch_\(String(format: "%06d", epoch))/layer_\(layer)", as: Float.self)
                let width = shape[1]
                // 30 bins of width 2/30 over tanh's [-1, 1]; +1 exactly falls in the last bin.
                let rows = (0..<4096).map { i in
                    (0..<width).map { u in min(29, Int(((Double(t[i * width + u]) + 1) / 2 * 30).rounded(.down))) }
                }
                let h = entropy(rows)
                // Every input is distinct and T is a function of X: I(X;T) = H(T).
                #expect(abs(sxt[row] - h) < 1e-12, "layer \(layer) epoch \(epoch): \(sxt[row]) vs \(h)")
                var conditional = 0.0
                for y in [Int64(0), 1] {
                    let members = rows.indices.filter { labels[$0] == y }.map { rows[$0] }
                    conditional += Double(members.count) / 4096 * entropy(members)
                }
                #expect(abs(sty[row] - (h - conditional)) < 1e-12, "I(T;Y) = H(T) − H(T|Y)")
                checked += 1
            }
        }
        #expect(checked == 15)
        // The raw inputs, binned the same way, are 4,096 distinct patterns: exactly log 4096 nats.
        let inputs = try infoplane("estimate", "--input", "\(dir)/run.h5", "--x", "evaluation/inputs", "--y", "evaluation/inputs",
                                   "--estimator", "binning", "--bins", "30", "--json")
        #expect(inputs.status == 0, "\(inputs.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(inputs.stdout.utf8)) as? [String: Any]
        let value = try #require(object?["mean"] as? Double)
        #expect(abs(value - log(4096)) < 1e-12, "\(value)")
    }

    @Test func kdeMatchesSaxesReferenceAndIsBounded() throws {
        let dir = try tishbyRun("tishby-kde")
        let result = try infoplane("analyze", "\(dir)/run.h5", "--method", "kde", "--layers", "4,5", "--epochs", "0,4", "--quiet")
        #expect(result.status == 0, "\(result.stderr)")
        let run = try HDF5File.open(at: "\(dir)/run.h5", writable: false)
        defer { try? run.close() }
        let labels = try run.root.read("evaluation/labels", as: Int64.self).values.map { Int32($0) }
        let plane = try HDF5File.open(at: "\(dir)/plane-kde.h5", writable: false)
        defer { try? plane.close() }
        #expect(try plane.root.stringAttribute("estimator") == "kde")
        #expect(try plane.root.doubleAttribute("noise_variance") == 0.1)
        #expect(try plane.root.members().map(\.name).sorted() == ["layer_4", "layer_5"])
        let group = try plane.root.group("layer_5")
        let sxt = try group.read("sxt", as: Double.self).values, sty = try group.read("sty", as: Double.self).values
        for value in sxt { #expect(value >= 0 && value <= log(4096), "I(X;T) bound lies in [0, log n]") }
        // The last epoch against a numpy transcription of Saxe et al.'s kde.py.
        let (t, shape) = try run.root.read("snapshots/epoch_000004/layer_5", as: Float.self)
        let scratch = try temporaryDirectory("tishby-kde-ref")
        try Data(t.map { Double($0) }.withUnsafeBytes { Array($0) }).write(to: URL(fileURLWithPath: "\(scratch)/t.bin"))
        try Data(labels.withUnsafeBytes { Array($0) }).write(to: URL(fileURLWithPath: "\(scratch)/y.bin"))
        let reference = try runProcess(python, ["\(packageRoot)/analysis/reference/kde_reference.py", "\(scratch)/t.bin",
                                                "\(shape[0])", "\(shape[1])", "0.1", "\(scratch)/y.bin"])
        #expect(reference.status == 0, "\(reference.stderr)")
        let values = try JSONSerialization.jsonObject(with: Data(reference.stdout.utf8)) as? [String: Double]
        let miInput = try #require(values?["mi_input"]), miLabels = try #require(values?["mi_labels"])
        #expect(abs(sxt[1] - miInput) < 1e-9 * max(1, abs(miInput)), "\(sxt[1]) vs \(miInput)")
        #expect(abs(sty[1] - miLabels) < 1e-9, "\(sty[1]) vs \(miLabels)")
    }

    @Test func badInputIsOneLineAndWritesNothing() throws {
        let dir = try tishbyRun("tishby-errors")
        let run = "\(dir)/run.h5"
        expectOneLineError(try infoplane("analyze", run, "--method", "histogram"), ["--method histogram", "ksg, binning, kde or pca"])
        expectOneLineError(try infoplane("analyze", run, "--method", "binning", "--bins", "1"), ["--bins 1", "at least 2"])
        expectOneLineError(try infoplane("analyze", run, "--method", "kde", "--noise-variance", "0"), ["--noise-variance 0", "positive"])
        expectOneLineError(try infoplane("analyze", run, "--method", "kde", "--bins", "30"), ["--bins applies to --method binning"])
        expectOneLineError(try infoplane("analyze", run, "--bins", "30"), ["--bins applies to --method binning"])
        expectOneLineError(try infoplane("analyze", run, "--method", "binning", "--slices", "10"), ["--slices applies to the sliced analysis"])
        expectOneLineError(try infoplane("analyze", run, "--method", "binning", "--resume"), ["--resume", "--force"])
        expectOneLineError(try infoplane("analyze", "\(dir)/missing.h5", "--method", "binning"), ["no such run file", "missing.h5"])
        expectOneLineError(try infoplane("analyze", run, "--method", "binning", "--layers", "9"), ["no layer 9", "--layers"])
        let contents = try FileManager.default.contentsOfDirectory(atPath: dir)
        #expect(!contents.contains { $0.hasPrefix("plane") }, "no output after an error: \(contents)")

        #expect(try infoplane("analyze", run, "--method", "binning", "--quiet").status == 0)
        let before = try Data(contentsOf: URL(fileURLWithPath: "\(dir)/plane-binning.h5"))
        expectOneLineError(try infoplane("analyze", run, "--method", "binning"), ["already exists", "--force"])
        #expect(try Data(contentsOf: URL(fileURLWithPath: "\(dir)/plane-binning.h5")) == before, "left untouched")
        #expect(try infoplane("analyze", run, "--method", "binning", "--force", "--quiet").status == 0)
    }

    @Test func reluRunsBinOverTheirOwnRangeAndMPIRanksAgree() throws {
        let dir = try tishbyRun("tishby-relu", activation: "relu")
        let single = try infoplane("analyze", "\(dir)/run.h5", "--method", "binning", "--quiet")
        #expect(single.status == 0, "\(single.stderr)")
        let plane = try HDF5File.open(at: "\(dir)/plane-binning.h5", writable: false)
        var range: [Double]?
        if case .doubles(let bounds)? = try plane.root.attribute("range_layer_5") { range = bounds }
        try plane.close()
        #expect(range?.first == 0 && (range?.last ?? 0) > 0, "ReLU bins span [0, the layer's largest activation]: \(String(describing: range))")
        let parallel = try mpirun(2, ["analyze", "\(dir)/run.h5", "--method", "binning", "--out", "\(dir)/p2.h5", "--quiet"])
        #expect(parallel.status == 0, "\(parallel.stderr)")
        #expect(try planeContents("\(dir)/p2.h5") == planeContents("\(dir)/plane-binning.h5"), "same numbers under mpirun -np 2")
    }

    /// The whole pipeline on the task's five hidden layers and two ranks (more layers than rank 0's
    /// activation cache holds; RunSourceTests pins the re-read this needs deterministically).
    @Test func runWithFiveLayersOnTwoRanks() throws {
        let dir = try temporaryDirectory("tishby-run")
        let result = try mpirun(2, ["run", "\(packageRoot)/configs/tishby-tanh.yaml", "--out", dir, "--quiet",
                                    "--set", "training.epochs=4", "--set", "snapshots.dense_until=4", "--set", "analysis.slices=8"])
        #expect(result.status == 0, "\(result.stderr)")
        let plane = try planeContents("\(dir)/plane.h5")
        #expect(plane["layer_5/epoch"]?.count == 5, "every snapshot of the deepest layer is measured")
    }

    @Test func classicFigureHasThreePanels() throws {
        let dir = try tishbyRun("tishby-plot")
        for method in ["binning", "kde", "ksg"] {
            var arguments = ["analyze", "\(dir)/run.h5", "--method", method, "--layers", "4,5", "--epochs", "0,4", "--quiet"]
            if method == "ksg" { arguments += ["--slices", "8"] }
            let result = try runProcess(infoplaneBinary, arguments)
            #expect(result.status == 0, "\(method): \(result.stderr)")
        }
        let result = try runProcess(python, ["-m", "infoplane.plots", "classic", dir, "--dpi", "60"],
                                    environment: ["MPLBACKEND": "Agg"])
        #expect(result.status == 0, "\(result.stderr)")
        let figure = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        #expect(figure?["figure"] as? String == "classic")
        let panels = try #require(figure?["panels"] as? [[String: Any]])
        #expect(panels.count == 3)
        #expect(panels.map { $0["trajectories"] as? Int } == [2, 2, 2], "one trajectory per layer")
        #expect(panels.map { $0["points"] as? [Int] } == [[2, 2], [2, 2], [2, 2]], "one point per snapshot")
        #expect(panels.map { $0["xlabel"] as? String } == ["I(X;T) [nats]", "S1(X;T) [nats]", "I(X;T) upper bound [nats]"])
        #expect((panels[0]["title"] as? String)?.contains("30 bins") == true)
        #expect(FileManager.default.fileExists(atPath: "\(dir)/classic.png"))
        let missing = try runProcess(python, ["-m", "infoplane.plots", "classic", "\(dir)/nothing"])
        #expect(missing.status != 0 && missing.stderr.contains("no such plane file"))
    }
}
