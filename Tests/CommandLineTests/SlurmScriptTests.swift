import Foundation
import Testing

/// The job scripts: headers, argument plumbing under a stand-in `srun`, and every script submitted
/// with `sbatch --wait` to a real one-node Slurm started for the test (`slurm/local-cluster.sh`).
@Suite(.serialized) struct SlurmScriptTests {
    static let scripts = ["run.sbatch", "analyze.sbatch", "sweep.sbatch"]

    @Test(arguments: scripts)
    func headersAreWhatAClusterUserExpects(script: String) throws {
        let text = try String(contentsOfFile: "\(packageRoot)/slurm/\(script)", encoding: .utf8)
        for line in ["#SBATCH --job-name=", "#SBATCH --ntasks=", "#SBATCH --time=", "#SBATCH --mem-per-cpu=",
                     "#SBATCH --output=%x-", "set -euo pipefail", "export OPENBLAS_NUM_THREADS=1",
                     "srun --mpi=pmix --kill-on-bad-exit=1", "# mpirun -np \"$SLURM_NTASKS\""] {
            #expect(text.contains(line), "\(script) lacks \(line)")
        }
        #expect(try runProcess("/bin/bash", ["-n", "\(packageRoot)/slurm/\(script)"]).status == 0)
    }

    /// A submit directory with the configs, and a `srun` that drops its own options and runs the
    /// rest under `mpirun -np $SLURM_NTASKS`.
    func fakeCluster() throws -> (submit: String, environment: [String: String]) {
        let submit = try temporaryDirectory("slurm")
        try FileManager.default.createSymbolicLink(atPath: "\(submit)/configs", withDestinationPath: "\(packageRoot)/configs")
        let bin = "\(submit)/fake-bin"
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        let srun = """
            #!/usr/bin/env bash
            while [[ $1 == --* ]]; do shift; done
            exec mpirun -np "$SLURM_NTASKS" --oversubscribe "$@"
            """
        try srun.write(toFile: "\(bin)/srun", atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: "\(bin)/srun")
        let environment = ["PATH": "\(bin):" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"),
                           "SLURM_SUBMIT_DIR": submit, "SLURM_NTASKS": "2", "INFOPLANE_BIN": infoplaneBinary,
                           "OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1"]
        return (submit, environment)
    }

    @Test func scriptsRunThePipelineWithTheirArguments() throws {
        let (submit, environment) = try fakeCluster()
        let run = try runProcess("/bin/bash", ["\(packageRoot)/slurm/run.sbatch", "configs/smoke.yaml",
                                               "--set", "analysis.slices=32", "--quiet"], environment: environment)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(FileManager.default.fileExists(atPath: "\(submit)/runs/smoke/plane.h5"), "outputs land under runs/ of the submit directory")

        let analyze = try runProcess("/bin/bash", ["\(packageRoot)/slurm/analyze.sbatch", "runs/smoke/run.h5",
                                                   "--slices", "32", "--out", "runs/smoke/offline.h5", "--quiet"], environment: environment)
        #expect(analyze.status == 0, "\(analyze.stderr)")
        try expectSamePlane("\(submit)/runs/smoke/plane.h5", "\(submit)/runs/smoke/offline.h5")

        var sweepEnvironment = environment
        sweepEnvironment["CONFIGS"] = "configs/smoke.yaml"
        sweepEnvironment["SEEDS"] = "3 4"
        sweepEnvironment["SLURM_ARRAY_TASK_ID"] = "1"
        let sweep = try runProcess("/bin/bash", ["\(packageRoot)/slurm/sweep.sbatch", "--set", "analysis.slices=32", "--quiet"],
                                   environment: sweepEnvironment)
        #expect(sweep.status == 0, "\(sweep.stderr)")
        #expect(sweep.stdout.contains("seed 4"))
        #expect(FileManager.default.fileExists(atPath: "\(submit)/runs/smoke-seed4/plane.h5"))

        sweepEnvironment["SLURM_ARRAY_TASK_ID"] = "2"
        let outside = try runProcess("/bin/bash", ["\(packageRoot)/slurm/sweep.sbatch"], environment: sweepEnvironment)
        #expect(outside.status != 0 && outside.stderr.contains("--array=0-1"), "\(outside.stderr)")
        let noConfig = try runProcess("/bin/bash", ["\(packageRoot)/slurm/run.sbatch"], environment: environment)
        #expect(noConfig.status != 0 && noConfig.stderr.contains("usage: sbatch slurm/run.sbatch CONFIG"))
    }

    @Test func everyScriptCompletesOnARealSlurm() throws {
        let cluster = try temporaryDirectory("slurmd")
        let port = 17_000 + Int(getpid() % 500) * 2
        let start = try runProcess("/bin/bash", ["\(packageRoot)/slurm/local-cluster.sh", "start", cluster, "\(port)"])
        defer { _ = try? runProcess("/bin/bash", ["\(packageRoot)/slurm/local-cluster.sh", "stop", cluster]) }
        try #require(start.status == 0, "the local Slurm did not start: \(start.stderr)")
        let submit = try temporaryDirectory("slurm-submit")
        try FileManager.default.createSymbolicLink(atPath: "\(submit)/configs", withDestinationPath: "\(packageRoot)/configs")
        let environment = ["SLURM_CONF": "\(cluster)/slurm.conf", "INFOPLANE_BIN": infoplaneBinary]

        func submitAndWait(_ arguments: [String], extra: [String: String] = [:]) throws -> String {
            let result = try runProcess("/usr/bin/sbatch", ["--wait", "--parsable", "--ntasks=2", "--mem-per-cpu=500M", "--time=00:05:00"] + arguments,
                                        environment: environment.merging(extra) { $1 }, directory: submit)
            #expect(result.status == 0, "sbatch \(arguments): \(result.stdout)\(result.stderr)")
            let id = result.stdout.split(separator: "\n").last.map { String($0.split(separator: ";")[0]) } ?? ""
            let show = try runProcess("/usr/bin/scontrol", ["show", "job", id], environment: environment)
            let states = show.stdout.matches(of: /JobState=(\w+)/).map { String($0.1) }
            #expect(!states.isEmpty && states.allSatisfy { $0 == "COMPLETED" }, "job \(id): \(show.stdout)")
            #expect(show.stdout.contains("NumTasks=2"))
            return id
        }

        let run = try submitAndWait(["\(packageRoot)/slurm/run.sbatch", "configs/smoke.yaml", "--set", "analysis.slices=32"])
        #expect(FileManager.default.fileExists(atPath: "\(submit)/runs/smoke/plane.h5"))
        let log = try String(contentsOfFile: "\(submit)/infoplane-run-\(run).out", encoding: .utf8)
        #expect(log.contains("on 2 rank(s)") && log.contains("analysis: 5/5 snapshots"), "\(log)")

        _ = try submitAndWait(["\(packageRoot)/slurm/analyze.sbatch", "runs/smoke/run.h5", "--slices", "32",
                               "--out", "runs/smoke/offline.h5", "--quiet"])
        try expectSamePlane("\(submit)/runs/smoke/plane.h5", "\(submit)/runs/smoke/offline.h5")

        _ = try submitAndWait(["--array=0-1", "\(packageRoot)/slurm/sweep.sbatch", "--set", "analysis.slices=32", "--quiet"],
                              extra: ["CONFIGS": "configs/smoke.yaml", "SEEDS": "5 6"])
        for seed in [5, 6] {
            #expect(FileManager.default.fileExists(atPath: "\(submit)/runs/smoke-seed\(seed)/plane.h5"))
        }
    }
}
