import Foundation
import Storage
import Testing

/// `snapshots.store: projections` (docs/pipeline.md#huge-layers): the trainer records each
/// snapshot-layer's raw projections under the analysis's seed and m instead of its activations,
/// and the plane is bit-identical to the one the activations give, for P = 1 and 2, after a kill
/// and resume too; the run file is smaller; settings the projections cannot serve are refused.
@Suite(.serialized) struct StoredProjectionsCommandTests {
    static let projections = ["--set", "snapshots.store=projections"]

    /// Bytes of a run directory's run.h5 and parts.
    func runBytes(_ directory: String) throws -> Int {
        let parts = "\(directory)/parts"
        let names = try FileManager.default.contentsOfDirectory(atPath: parts).filter { $0.hasPrefix("snapshot-") }
        return try names.reduce(0) { $0 + ((try FileManager.default.attributesOfItem(atPath: "\(parts)/\($1)")[.size] as? Int) ?? 0) }
    }

    @Test func projectionOnlyRunGivesThePlaneOfTheActivationsOnOneAndTwoRanks() throws {
        let dir = try temporaryDirectory("store")
        let config = try CNNCommandTests.tinyConfig(in: dir)
        let reference = try infoplane("run", config, "--out", "\(dir)/activations", "--quiet")
        #expect(reference.status == 0, "\(reference.stderr)")
        for ranks in [1, 2] {
            let out = "\(dir)/projections-p\(ranks)", arguments = ["run", config, "--out", out, "--quiet"] + Self.projections
            let result = ranks == 1 ? try runProcess(infoplaneBinary, arguments) : try mpirun(ranks, arguments)
            #expect(result.status == 0, "\(result.stderr)")
            try expectSamePlane("\(dir)/activations/plane.h5", "\(out)/plane.h5")
        }
        // The snapshots hold projections_L (n × m float64 under the analysis's seed), no activations.
        let run = try HDF5File.open(at: "\(dir)/projections-p1/run.h5", writable: false)
        defer { try? run.close() }
        let snapshot = try run.root.group("snapshots/epoch_000002")
        #expect(try snapshot.members().map(\.name).sorted() == ["projections_1", "projections_2", "projections_3"])
        #expect(try snapshot.datasetInfo("projections_1").shape == [300, 32])
        #expect(try snapshot.dataset("projections_1").intAttribute("width") == 1568)
        #expect(try snapshot.dataset("projections_1").intAttribute("seed") == 5)
        // Smaller: 3 × 300 × 32 doubles per snapshot against 300 × 1,968 floats.
        let stored = try runBytes("\(dir)/projections-p1"), full = try runBytes("\(dir)/activations")
        #expect(stored * 2 < full, "projections \(stored) B, activations \(full) B")
        // `analyze` of that file: the plane again under the same settings, fewer slices are the
        // first slices' values; other seeds or more slices are refused in one line.
        let again = try infoplane("analyze", "\(dir)/projections-p1/run.h5", "--out", "\(dir)/again.h5", "--quiet")
        #expect(again.status == 0, "\(again.stderr)")
        try expectSamePlane("\(dir)/activations/plane.h5", "\(dir)/again.h5")
        for (option, value) in [("--slices", "33"), ("--seed", "6")] {
            let refused = try infoplane("analyze", "\(dir)/projections-p1/run.h5", option, value, "--out", "\(dir)/refused.h5")
            expectOneLineError(refused, ["stores layer 1 as 32 projections drawn under seed 5", "--seed 5 and --slices ≤ 32"])
            #expect(!FileManager.default.fileExists(atPath: "\(dir)/refused.h5"))
        }
    }

    @Test func aKilledProjectionRunResumesToTheSamePlaneAndRefusesOtherDirections() throws {
        let dir = try temporaryDirectory("store-resume")
        let config = try CNNCommandTests.tinyConfig(in: dir)
        let reference = try infoplane("run", config, "--out", "\(dir)/reference", "--quiet")
        #expect(reference.status == 0, "\(reference.stderr)")
        let killed = try runProcess(infoplaneBinary, ["run", config, "--out", "\(dir)/killed", "--quiet"] + Self.projections,
                                    environment: ["INFOPLANE_FAULT_KILL_AFTER_EPOCH": "1"])
        #expect(killed.status != 0)
        let otherSeed = try runProcess(infoplaneBinary, ["run", config, "--out", "\(dir)/killed", "--resume", "--set", "analysis.seed=6"] + Self.projections)
        expectOneLineError(otherSeed, ["--resume refused", "stores projections", "analysis.seed: 5 ≠ 6", "keep analysis.seed and analysis.slices"])
        let resumed = try runProcess(infoplaneBinary, ["run", config, "--out", "\(dir)/killed", "--resume"] + Self.projections)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        try expectSamePlane("\(dir)/reference/plane.h5", "\(dir)/killed/plane.h5")
    }
}
