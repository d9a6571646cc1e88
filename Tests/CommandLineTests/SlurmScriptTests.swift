import Foundation
import Testing

/// The job scripts' headers and argument plumbing. They run here under a stand-in `srun` that
/// launches with mpirun (the test against a real Slurm is still to come): the same binary, the
/// same arguments, the submit directory and array index as Slurm would set them.
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
}
