import Analysis
import Cluster
import Config
import Files
import Foundation
@testable import Pipeline
import Support
import Testing

/// The MPI roles in one process (a single-rank world: rank 0 coordinates and computes every
/// item itself); mpirun with 1–4 ranks is exercised by CommandLineTests.
@Suite(.serialized) struct JobTests {
    private static let configs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("configs").path

    @Test func rankZeroDecidesOrEveryRankStops() throws {
        let comm = try Communicator.world()
        #expect(comm.size == 1)
        #expect(try RankZero.decide(comm) { [3, 4] } == [3, 4])
        #expect(throws: ReportedFailure.self) {
            let _: Int = try RankZero.decide(comm) { throw InfoPlaneError("a bad config (this line is expected in the test log)") }
        }
    }

    /// `run` (training into the sink, analysing each snapshot as it appears) and `analyze` of the
    /// run file it wrote give the same plane, value for value.
    @Test func runAndAnalyzeOfItsRunFileGiveTheSamePlane() throws {
        let directory = NSTemporaryDirectory() + "infoplane-jobs-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let comm = try Communicator.world()
        let summary = try RunJob.run(loading: {
            try ExperimentConfig.load(path: "\(Self.configs)/smoke.yaml", overrides: ["analysis.slices=40", "training.epochs=2",
                                                                                      "snapshots.epochs=[0, 2]"])
        }, out: directory, resume: false, force: false, quiet: true, comm: comm)
        #expect(summary?.hasSuffix("3 layers × 2 snapshots, 40 slices (also \(directory)/plane.csv)") == true)

        var request = AnalyzeRequest(runPath: RunDirectory(directory).runFile)
        request.out = "\(directory)/again.h5"
        request.quiet = true
        _ = try AnalyzeJob.run(request, comm: comm)
        let run = try PlaneFile.summaryRows(RunDirectory(directory).planeFile)
        let again = try PlaneFile.summaryRows("\(directory)/again.h5")
        #expect(run.keys.sorted() == [1, 2, 3] && run == again)
        #expect(run[3]?.map(\.epoch) == [0, 2])
    }
}
