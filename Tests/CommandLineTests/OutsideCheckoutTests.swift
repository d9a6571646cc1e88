import Foundation
import Testing

/// Commands run from a directory outside the repository find the shipped configs and the
/// project's Python from the binary's own location (issue 16, item 2).
@Suite struct OutsideCheckoutTests {
    /// A fresh directory that is not inside the checkout, with no configs/ or .venv of its own.
    func outside() throws -> String {
        let dir = try temporaryDirectory("outside")
        try #require(!URL(fileURLWithPath: dir).resolvingSymlinksInPath().path.hasPrefix(packageRoot + "/"))
        return dir
    }

    @Test func shippedConfigsAreFoundFromAnyDirectory() throws {
        let dir = try outside()
        let run = try smokeRun("outside-run")
        let redundancy = try runProcess(infoplaneBinary, ["redundancy", "\(run)/run.h5", "--config", "configs/redundancy.yaml",
                                                          "--slices", "8", "--out", "r.h5", "--quiet"], directory: dir)
        #expect(redundancy.status == 0, "\(redundancy.stderr)")
        #expect(FileManager.default.fileExists(atPath: "\(dir)/r.h5"), "the output is relative to the current directory")

        let trained = try runProcess(infoplaneBinary, ["train", "configs/smoke.yaml", "--set", "training.epochs=1",
                                                       "--set", "snapshots.epochs=[0,1]", "--quiet"], directory: dir)
        #expect(trained.status == 0, "\(trained.stderr)")
        #expect(FileManager.default.fileExists(atPath: "\(dir)/runs/smoke/run.h5"))

        let missing = try runProcess(infoplaneBinary, ["redundancy", "\(run)/run.h5", "--config", "configs/none.yaml"], directory: dir)
        let resolved = URL(fileURLWithPath: dir).resolvingSymlinksInPath().path
        expectOneLineError(missing, ["no such config file: configs/none.yaml", "\(packageRoot)/configs/none.yaml", "/configs/none.yaml"])
        #expect(missing.stderr.contains("\(dir)/configs/none.yaml") || missing.stderr.contains("\(resolved)/configs/none.yaml"), "\(missing.stderr)")
    }

    @Test func benchEstimatorsFindsTheProjectPythonFromAnyDirectory() throws {
        let dir = try outside()
        let bench = try runProcess(infoplaneBinary, ["bench", "estimators", "--sizes", "200", "--repeats", "1", "--estimate-slices", "2"],
                                   environment: ["INFOPLANE_PYTHON": ""], directory: dir)
        #expect(bench.status == 0, "\(bench.stderr)")
        #expect(bench.stdout.contains("peak resident memory"), "\(bench.stdout)")
    }
}
