import Foundation
import Storage
import Testing

private let smoke = "\(packageRoot)/configs/smoke.yaml"

/// `replicas: R`: R copies trained from seeds seed + r on the same data, each measured, their
/// activations pooled (sample i from copy i mod R) and measured too — the same values for any
/// number of ranks, copy 0 equal to the single-network run.
@Suite(.serialized) struct EnsembleCommandTests {
    static let ensembleArguments = ["--set", "replicas=2", "--set", "analysis.slices=64", "--quiet"]

    /// A layer's activations at one epoch, with its shape.
    func activations(_ run: String, epoch: String, layer: Int) throws -> (values: [Float], shape: [Int]) {
        let file = try HDF5File.open(at: run, writable: false)
        defer { try? file.close() }
        return try file.root.read("snapshots/\(epoch)/layer_\(layer)", as: Float.self)
    }

    @Test func ensembleIsBitIdenticalForAnyRankCountAndPoolsTheCopies() throws {
        let base = try temporaryDirectory("ensemble")
        // P = 1 without mpirun; P = 2 (one rank per copy); P = 3 (copy 0 on ranks 0 and 2, copy 1 on rank 1).
        for ranks in [1, 2, 3] {
            let out = "\(base)/p\(ranks)"
            let arguments = ["run", smoke, "--out", out] + Self.ensembleArguments
            let result = ranks == 1 ? try runProcess(infoplaneBinary, arguments) : try mpirun(ranks, arguments)
            #expect(result.status == 0, "P = \(ranks): \(result.stderr)")
            #expect(result.stdout.contains("2 copies"), "\(result.stdout)")
        }
        for ranks in [2, 3] {
            for part in ["replica-0/plane.h5", "replica-1/plane.h5", "pooled/plane.h5"] {
                try expectSamePlane("\(base)/p1/\(part)", "\(base)/p\(ranks)/\(part)")
            }
            #expect(try String(contentsOfFile: "\(base)/p1/ensemble.csv", encoding: .utf8)
                    == String(contentsOfFile: "\(base)/p\(ranks)/ensemble.csv", encoding: .utf8))
        }

        // Copy 0 is the single network (seed + 0); copy 1 is another network on the same data.
        let single = "\(base)/single"
        #expect(try infoplane("run", smoke, "--out", single, "--set", "analysis.slices=64", "--quiet").status == 0)
        try expectSamePlane("\(single)/plane.h5", "\(base)/p1/replica-0/plane.h5")
        try expectSameRun("\(single)/run.h5", "\(base)/p1/replica-0/run.h5")
        let copy0 = try planeContents("\(base)/p1/replica-0/plane.h5"), copy1 = try planeContents("\(base)/p1/replica-1/plane.h5")
        #expect(copy0["layer_1/sxt"] != copy1["layer_1/sxt"], "the copies are different networks")

        // The pool: row i from copy i mod 2, at every snapshot and layer.
        let epoch = "epoch_000005"
        for layer in 1...3 {
            let pooled = try activations("\(base)/p1/pooled/run.h5", epoch: epoch, layer: layer)
            let copies = try (0..<2).map { try activations("\(base)/p1/replica-\($0)/run.h5", epoch: epoch, layer: layer) }
            #expect(pooled.shape == copies[0].shape)
            let width = pooled.shape[1]
            let expected = (0..<pooled.shape[0]).flatMap { i in copies[i % 2].values[(i * width)..<((i + 1) * width)] }
            #expect(pooled.values == expected, "pooled layer \(layer) takes row i from copy i mod 2")
        }

        // ensemble.csv: the copies' mean and SD are those of the copies' planes.
        let csv = try String(contentsOfFile: "\(base)/p1/ensemble.csv", encoding: .utf8).split(separator: "\n")
        #expect(csv.count == 1 + 3 * 5, "a row per layer and snapshot")
        let header = csv[0].split(separator: ",").map(String.init)
        let row = csv[1].split(separator: ",").map(String.init)
        let field = { (name: String) in Double(row[header.firstIndex(of: name)!])! }
        let sxt = [copy0, copy1].map { Double(bitPattern: $0["layer_1/sxt"]![0]) }
        #expect(abs(field("copies_sxt_mean") - (sxt[0] + sxt[1]) / 2) < 1e-15)
        #expect(abs(field("copies_sxt_sd") - abs(sxt[0] - sxt[1]) / 2.squareRoot()) < 1e-12)
        let pooledPlane = try planeContents("\(base)/p1/pooled/plane.h5")
        #expect(field("pooled_sty") == Double(bitPattern: pooledPlane["layer_1/sty"]![0]))

        // The figure: every copy's spread and the pool, a trajectory per layer.
        let plot = try runProcess(python, ["-m", "infoplane.plots", "ensemble", "\(base)/p1"], environment: ["MPLBACKEND": "Agg"])
        #expect(plot.status == 0, "\(plot.stderr)")
        #expect(plot.stdout.contains("\"trajectories\": 3, \"spreads\": 3, \"points\": [5, 5, 5]"), "\(plot.stdout)")
        #expect(plot.stdout.contains("\"trajectories\": 3, \"spreads\": 0, \"points\": [5, 5, 5]"), "\(plot.stdout)")

        // Existing outputs are refused once, naming the way out; --resume finds everything done.
        let again = try mpirun(2, ["run", smoke, "--out", "\(base)/p2"] + Self.ensembleArguments)
        expectOneLineError(again, ["replica-0/run.h5", "already holds a run", "--resume"], underMPI: true)
        let resumed = try mpirun(2, ["run", smoke, "--out", "\(base)/p2", "--resume"] + Self.ensembleArguments)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        try expectSamePlane("\(base)/p1/pooled/plane.h5", "\(base)/p2/pooled/plane.h5")
    }

    @Test func trainWritesEveryCopyAndBadReplicaCountsAreOneLineErrors() throws {
        let dir = try temporaryDirectory("ensemble-train")
        let result = try infoplane("train", smoke, "--out", dir, "--set", "replicas=2", "--quiet")
        #expect(result.status == 0, "\(result.stderr)")
        for r in 0..<2 { #expect(FileManager.default.fileExists(atPath: "\(dir)/replica-\(r)/run.h5")) }
        let plain = try smokeRun("ensemble-plain")
        try expectSameRun("\(plain)/run.h5", "\(dir)/replica-0/run.h5")

        expectOneLineError(try infoplane("train", smoke, "--out", "\(dir)/x", "--set", "replicas=0"), ["replicas", "0"])
        expectOneLineError(try infoplane("train", smoke, "--out", "\(dir)/y", "--set", "replicas=2", "--set", "replica=2"), ["replica", "2"])
        expectOneLineError(try mpirun(2, ["run", smoke, "--out", "\(dir)/z", "--set", "replicas=-1"]), ["replicas"], underMPI: true)
    }
}
