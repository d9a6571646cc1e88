import Foundation
import Testing

/// Conv-scale layers through `analyze`: an h5py-written run file (analysis/reference/
/// make_wide_run.py) of 3,000 samples × 4,096 units, chunked and deflated, measured on 1, 2 and
/// 3 ranks, on 3 nodes of one rank each (every rank reads its node's layers; faked with
/// INFOPLANE_RANKS_PER_NODE), and with the projections' GEMMs on 2 threads: every plane is
/// bit-identical. Then the options for huge layers: `--samples`, and the refusals up front.
@Suite(.serialized) struct WideLayerTests {
    static func wideRun(_ dir: String, samples: Int = 3000, width: Int = 4096, chunked: Bool = true) throws -> String {
        let path = "\(dir)/wide.h5"
        let made = try runProcess(python, ["\(packageRoot)/analysis/reference/make_wide_run.py", path, "--samples", "\(samples)", "--width", "\(width)",
                                           "--snapshots", "2", "--features", "48", "--seed", "5"] + (chunked ? ["--chunked"] : []))
        try #require(made.status == 0, "\(made.stderr)")
        return path
    }

    @Test func aWideLayerGivesTheSamePlaneOnAnyRanksNodesAndThreads() throws {
        let dir = try temporaryDirectory("wide")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let run = try Self.wideRun(dir)
        let settings = ["--slices", "96", "--seed", "2", "--quiet"]
        let alone = try infoplane("analyze", run, "--out", "\(dir)/p1.h5", "--quiet", "--slices", "96", "--seed", "2")
        try #require(alone.status == 0, "\(alone.stderr)")
        let cases: [(name: String, ranks: Int, extra: [String], environment: [String: String])] = [
            ("p2", 2, [], [:]),
            ("p3", 3, [], [:]),
            ("p3-nodes", 3, [], ["INFOPLANE_RANKS_PER_NODE": "1"]),
            ("p2-threads", 2, ["--blas-threads", "2"], [:]),
        ]
        for entry in cases {
            let result = try mpirun(entry.ranks, ["analyze", run, "--out", "\(dir)/\(entry.name).h5"] + settings + entry.extra, environment: entry.environment)
            #expect(result.status == 0, "\(entry.name): \(result.stderr)")
            try expectSamePlane("\(dir)/p1.h5", "\(dir)/\(entry.name).h5")
        }
    }

    /// A wide layer is projected by rows where it is loaded, its full blocks sharing one GEMM
    /// call; `--blas-threads 3` cuts that call into one per block. The values must not depend on
    /// either: checked under the Haswell kernels the digests use and, where the CPU has them,
    /// OpenBLAS's AVX-512 kernels (SkylakeX, Cooperlake), whose edge handling differs. P = 1, 2
    /// and 3 and three BLAS threads give the same plane.
    @Test func sharedGEMMsGiveTheSamePlaneOnAnyRanksUnderEveryKernel() throws {
        let cpu = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let kernels = ["Haswell"] + (cpu.contains("avx512f") ? ["SkylakeX", "Cooperlake"] : [])
        let dir = try temporaryDirectory("wide-kernels")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let run = try Self.wideRun(dir, samples: 1500, width: 2048, chunked: false)
        let settings = ["--slices", "104", "--seed", "3", "--quiet"]
        for kernel in kernels {
            let environment = ["OPENBLAS_CORETYPE": kernel]
            let alone = try infoplane(["analyze", run, "--out", "\(dir)/\(kernel)-1.h5"] + settings, environment: environment)
            try #require(alone.status == 0, "\(alone.stderr)")
            let separate = try infoplane(["analyze", run, "--out", "\(dir)/\(kernel)-threads.h5", "--blas-threads", "3"] + settings,
                                         environment: environment)
            #expect(separate.status == 0, "\(separate.stderr)")
            try expectSamePlane("\(dir)/\(kernel)-1.h5", "\(dir)/\(kernel)-threads.h5")
            for ranks in [2, 3] {
                let result = try mpirun(ranks, ["analyze", run, "--out", "\(dir)/\(kernel)-\(ranks).h5"] + settings, environment: environment)
                #expect(result.status == 0, "\(kernel), \(ranks) ranks: \(result.stderr)")
                try expectSamePlane("\(dir)/\(kernel)-1.h5", "\(dir)/\(kernel)-\(ranks).h5")
            }
        }
    }

    /// `run` on 3 nodes of one rank: rank 0 reads each snapshot-layer and sends it to the other
    /// nodes' ranks; the plane equals `analyze` of the run file on one rank.
    @Test func runOnSeveralNodesSendsEachLayerToTheNodeThatNeedsIt() throws {
        let dir = try temporaryDirectory("wide-run")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let smoke = "\(packageRoot)/configs/smoke.yaml"
        let result = try mpirun(3, ["run", smoke, "--out", dir, "--set", "analysis.slices=64", "--quiet"], environment: ["INFOPLANE_RANKS_PER_NODE": "1"])
        try #require(result.status == 0, "\(result.stderr)")
        let alone = try infoplane("analyze", "\(dir)/run.h5", "--slices", "64", "--out", "\(dir)/alone.h5", "--quiet")
        try #require(alone.status == 0, "\(alone.stderr)")
        try expectSamePlane("\(dir)/plane.h5", "\(dir)/alone.h5")
    }

    /// `--samples N` measures the first N samples: the plane of a file cut to its first N rows;
    /// `--sample-seed` draws another N, the same on any ranks; `--resume` refuses another choice.
    @Test func samplesMeasuresTheFirstNOrASeededSubset() throws {
        let dir = try temporaryDirectory("wide-samples")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let run = try Self.wideRun(dir, samples: 1200, width: 256, chunked: false)
        let cut = try runProcess(python, ["-c", """
            import h5py, sys
            with h5py.File(sys.argv[1]) as f, h5py.File(sys.argv[2], "w") as g:
                for name in ("evaluation/inputs", "evaluation/labels"): g[name] = f[name][:700]
                for epoch in f["snapshots"]:
                    g[f"snapshots/{epoch}/layer_1"] = f[f"snapshots/{epoch}/layer_1"][:700]
                    g[f"snapshots/{epoch}"].attrs["epoch"] = f[f"snapshots/{epoch}"].attrs["epoch"]
            """, run, "\(dir)/first.h5"])
        try #require(cut.status == 0, "\(cut.stderr)")
        let settings = ["--slices", "64", "--quiet"]
        #expect(try infoplane(["analyze", run, "--samples", "700", "--out", "\(dir)/samples.h5"] + settings).status == 0)
        #expect(try infoplane(["analyze", "\(dir)/first.h5", "--out", "\(dir)/first-plane.h5"] + settings).status == 0)
        try expectSamePlane("\(dir)/samples.h5", "\(dir)/first-plane.h5")

        #expect(try infoplane(["analyze", run, "--samples", "700", "--sample-seed", "3", "--out", "\(dir)/seeded.h5"] + settings).status == 0)
        let seeded2 = try mpirun(2, ["analyze", run, "--samples", "700", "--sample-seed", "3", "--out", "\(dir)/seeded2.h5"] + settings)
        #expect(seeded2.status == 0, "\(seeded2.stderr)")
        try expectSamePlane("\(dir)/seeded.h5", "\(dir)/seeded2.h5")
        #expect(try planeContents("\(dir)/seeded.h5")["layer_1/sxt"] != planeContents("\(dir)/samples.h5")["layer_1/sxt"])

        let other = try infoplane(["analyze", run, "--samples", "700", "--sample-seed", "4", "--out", "\(dir)/seeded.h5", "--resume", "--slices", "64"])
        expectOneLineError(other, ["--resume refused", "sample_subset: seed 3"])
        expectOneLineError(try infoplane(["analyze", run, "--samples", "5000"] + settings), ["--samples 5000", "recorded 1200"])
        expectOneLineError(try infoplane(["analyze", run, "--sample-seed", "2"] + settings), ["--sample-seed", "--samples N"])
    }

    /// A layer the machine cannot hold is refused before any output, naming the need, the
    /// memory and the fixes (the h5py file declares 10,000 × 2,000,000 float32 but stores no data:
    /// each rank would widen 1,024 of its rows, 16 GB).
    @Test func aLayerTooLargeForTheNodeIsRefusedUpFront() throws {
        let dir = try temporaryDirectory("wide-huge")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let made = try runProcess(python, ["-c", """
            import h5py, numpy as np, sys
            with h5py.File(sys.argv[1], "w") as f:
                f["evaluation/inputs"] = np.zeros((10000, 4), "f4")
                f["evaluation/labels"] = np.arange(10000) % 3
                g = f.create_group("snapshots/epoch_1"); g.attrs["epoch"] = 1
                g.create_dataset("layer_1", shape=(10000, 2000000), dtype="f4")
            """, "\(dir)/huge.h5"])
        try #require(made.status == 0, "\(made.stderr)")
        let result = try mpirun(2, ["analyze", "\(dir)/huge.h5", "--slices", "64"])
        #expect(result.status != 0)
        let ours = result.stderr.split(separator: "\n").filter { $0.hasPrefix("Error:") }
        #expect(ours.count == 1, "\(result.stderr)")
        for fragment in ["the analysis needs", "GB on a node", "widened rows", "--samples", "projections only"] {
            #expect(result.stderr.contains(fragment), "\(fragment): \(result.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/plane.h5") && !FileManager.default.fileExists(atPath: "\(dir)/plane.journal"))
    }
}

/// `infoplane` with an argument list.
func infoplane(_ arguments: [String], environment: [String: String] = [:]) throws -> CommandResult {
    try runProcess(infoplaneBinary, arguments, environment: environment)
}
