import Foundation
import Storage
import Testing

/// An HDF5 fixture: x (n × 3, correlated with y), y (n × 2), labels from x, and odd cases.
private func estimateFixture(n: Int = 600) throws -> String {
    let dir = try temporaryDirectory("estimate")
    let path = "\(dir)/arrays.h5"
    let file = try HDF5File.create(at: path, overwrite: false)
    var state: UInt64 = 0x1234_5678
    func uniform() -> Double {  // a small LCG keeps the fixture independent of library code
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return (Double(state >> 11) + 0.5) / 9007199254740992.0
    }
    func gaussian() -> Double { (-2 * log(uniform())).squareRoot() * cos(2 * .pi * uniform()) }
    var x = [Float](), y = [Double](), labels = [Int64](), x1 = [Double](), y1 = [Double]()
    for _ in 0..<n {
        let a = gaussian(), b = gaussian(), c = gaussian()
        x += [Float(a), Float(b), Float(c)]
        y += [a + 0.5 * gaussian(), b - c + 0.5 * gaussian()]
        labels.append(a > 0.5 ? 2 : (a > -0.5 ? 1 : 0))
        x1.append(a)
        y1.append(0.8 * a + 0.6 * gaussian())
    }
    try file.root.write("x", x, shape: [n, 3])
    try file.root.write("y", y, shape: [n, 2])
    try file.root.write("labels", labels, shape: [n])
    try file.root.write("x1", x1, shape: [n])
    try file.root.write("y1", y1, shape: [n])
    try file.root.write("short", [Double](repeating: 1, count: n - 1), shape: [n - 1])
    try file.root.write("one_class", [Int64](repeating: 3, count: n), shape: [n])
    var withNaN = x1
    withNaN[17] = .nan
    try file.root.write("nan", withNaN, shape: [n])
    try file.root.write("tiny", [0.5], shape: [1])
    try file.close()
    return path
}

@Suite struct EstimateCommandTests {
    /// OpenBLAS starts a worker thread per core when it loads (unless OPENBLAS_NUM_THREADS=1), and
    /// an idle worker spins on sched_yield before it sleeps: a one-threaded `estimate` paid a
    /// tenth to a fifth more CPU time for it. Every command sets one BLAS thread and stops the
    /// workers at start (`BLASThreads.stopIdleWorkers`): while the estimate runs, its process has
    /// one thread.
    @Test func openBLASWorkersAreStoppedAtStart() throws {
        let file = try estimateFixture(n: 5000)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: infoplaneBinary)
        process.arguments = ["estimate", "--input", file, "--x", "x1", "--y", "y1", "--slices", "1000000", "--threads", "1"]
        var environment = ProcessInfo.processInfo.environment
        environment["OPENBLAS_NUM_THREADS"] = "2"
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        func threads() -> Int? {
            let status = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8)
            return status?.split(separator: "\n").first { $0.hasPrefix("Threads:") }
                .flatMap { Int($0.dropFirst("Threads:".count).trimmingCharacters(in: .whitespaces)) }
        }
        // Start-up (loading, reading the file) takes well under the two seconds sampled; the
        // million slices take minutes.
        var seen: [Int] = []
        for _ in 0..<40 {
            usleep(50_000)
            if let count = threads() { seen.append(count) }
        }
        #expect(process.isRunning, "the estimate ended early")
        #expect(seen.suffix(10) == [Int](repeating: 1, count: 10), "threads sampled over 2 s: \(seen)")
    }

    @Test func jsonReportsTheEstimateAndItsSettings() throws {
        let file = try estimateFixture()
        let result = try infoplane("estimate", "--input", file, "--x", "x", "--y", "y", "--slices", "40",
                                   "--json", "--values", "--shuffle-baseline", "--seed", "3")
        #expect(result.status == 0, "\(result.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as! [String: Any]
        #expect(object["estimator"] as? String == "ksg")
        #expect(object["k"] as? Int == 5)
        #expect(object["slices"] as? Int == 40)
        #expect((object["values"] as? [Double])?.count == 40)
        let mean = try #require(object["mean"] as? Double)
        let baseline = try #require((object["shuffle_baseline"] as? [String: Any])?["mean"] as? Double)
        #expect(mean > 0.1, "dependent data: \(mean)")
        #expect(abs(baseline) < 0.05, "independent data: \(baseline)")
        // Same seed, same numbers; threads do not matter.
        let again = try infoplane("estimate", "--input", file, "--x", "x", "--y", "y", "--slices", "40",
                                  "--json", "--values", "--shuffle-baseline", "--seed", "3", "--threads", "1")
        #expect(again.stdout == result.stdout)
    }

    @Test func discreteFullStiefelBinningAndKDEModesRun() throws {
        let file = try estimateFixture()
        for arguments in [["--y", "labels", "--discrete-y"],
                          ["--y", "labels", "--discrete-y", "--estimator", "micd"],
                          ["--y", "labels", "--discrete-y", "--full"],
                          ["--y", "y", "--stiefel", "2"],
                          ["--y", "y", "--full"],
                          ["--y", "labels", "--discrete-y", "--estimator", "binning"],
                          ["--y", "labels", "--discrete-y", "--estimator", "kde"]] {
            let whole = arguments.contains("--full") || arguments.contains("binning") || arguments.contains("kde")
            let result = try runProcess(infoplaneBinary, ["estimate", "--input", file, "--x", "x", "--json"]
                                        + arguments + (whole ? [] : ["--slices", "20"]))
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
            let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
            #expect(((object?["mean"] as? Double) ?? 0) > 0.05, "\(arguments): \(result.stdout)")
        }
    }

    @Test func matchesScikitLearnWithoutStandardisationOrJitter() throws {
        let file = try estimateFixture()
        let ours = try infoplane("estimate", "--input", file, "--x", "x1", "--y", "y1", "--slices", "1",
                                 "--no-standardize", "--jitter", "0", "--json")
        #expect(ours.status == 0, "\(ours.stderr)")
        let oursCD = try infoplane("estimate", "--input", file, "--x", "x1", "--y", "labels", "--discrete-y", "--slices", "1",
                                   "--no-standardize", "--jitter", "0", "--json")
        let script = """
            import h5py, json, sys
            from sklearn.feature_selection._mutual_info import _compute_mi_cc, _compute_mi_cd
            f = h5py.File(sys.argv[1], "r")
            x, y, c = f["x1"][...], f["y1"][...], f["labels"][...]
            print(json.dumps([_compute_mi_cc(x, y, 5), _compute_mi_cd(x, c, 5)]))
            """
        let reference = try runProcess(python, ["-c", script, file])
        #expect(reference.status == 0, "scikit-learn must be installed (make setup): \(reference.stderr)")
        let expected = try JSONSerialization.jsonObject(with: Data(reference.stdout.utf8)) as! [Double]
        func mean(_ r: CommandResult) throws -> Double {
            let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
            return object["mean"] as! Double
        }
        // A 1-D slice of 1-D data is the data itself up to sign, which KSG does not see.
        let cc = try mean(ours), cd = try mean(oursCD)
        #expect(abs(cc - expected[0]) <= 1e-9, "ksg \(cc) vs sklearn \(expected[0])")
        #expect(abs(cd - expected[1]) <= 1e-9, "ross \(cd) vs sklearn \(expected[1])")
    }

    /// Issue 16: integer Y without --discrete-y is estimated as labels, saying so on stderr;
    /// --continuous-y keeps KSG; --discrete-y says nothing.
    @Test func integerLabelsAreReadAsLabelsWithANote() throws {
        let file = try estimateFixture()
        func run(_ arguments: String...) throws -> CommandResult {
            try runProcess(infoplaneBinary, ["estimate", "--input", file, "--x", "x", "--y", "labels", "--slices", "20", "--json"] + arguments)
        }
        func object(_ r: CommandResult) throws -> [String: Any] { try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any] }
        let inferred = try run(), told = try run("--discrete-y"), continuous = try run("--continuous-y")
        #expect(inferred.status == 0 && told.status == 0 && continuous.status == 0, "\(inferred.stderr)\(continuous.stderr)")
        #expect(inferred.stdout == told.stdout, "inferred labels give the --discrete-y estimate")
        #expect(try object(inferred)["estimator"] as? String == "ross" && object(inferred)["discrete_y"] as? Bool == true)
        let note = inferred.stderr.split(separator: "\n")
        #expect(note.count == 1 && note[0].contains("'labels' holds integers") && note[0].contains("ross") && note[0].contains("--continuous-y"),
                "\(inferred.stderr)")
        #expect(told.stderr.isEmpty && continuous.stderr.isEmpty, "\(told.stderr)\(continuous.stderr)")
        #expect(try object(continuous)["estimator"] as? String == "ksg" && object(continuous)["discrete_y"] as? Bool == false)
        #expect(try object(continuous)["mean"] as? Double != object(told)["mean"] as? Double)
    }

    /// Issue 16: a whole-array estimate has no standard error: no ± in the text, null in JSON.
    @Test func unslicedEstimatesPrintNoStandardError() throws {
        let file = try estimateFixture()
        for arguments in [["--full"], ["--estimator", "binning"], ["--estimator", "kde"]] {
            let base = ["estimate", "--input", file, "--x", "x", "--y", "labels", "--discrete-y", "--shuffle-baseline"] + arguments
            let text = try runProcess(infoplaneBinary, base)
            #expect(text.status == 0, "\(arguments): \(text.stderr)")
            #expect(!text.stdout.contains("±") && text.stdout.contains("I(X;Y) = "), "\(arguments): \(text.stdout)")
            let json = try runProcess(infoplaneBinary, base + ["--json"])
            let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as! [String: Any]
            #expect(object["stderr"] is NSNull, "\(arguments): \(json.stdout)")
            #expect((object["shuffle_baseline"] as? [String: Any])?["stderr"] is NSNull, "\(arguments): \(json.stdout)")
        }
        let sliced = try runProcess(infoplaneBinary, ["estimate", "--input", file, "--x", "x", "--y", "labels", "--slices", "20"])
        #expect(sliced.stdout.contains("±"), "\(sliced.stdout)")
    }

    @Test func badInputIsOneLineAndNonZero() throws {
        let file = try estimateFixture()
        func run(_ arguments: String...) throws -> CommandResult {
            try runProcess(infoplaneBinary, ["estimate", "--input", file, "--slices", "5"] + arguments)
        }
        expectOneLineError(try run("--x", "x1", "--y", "short"), ["600 samples", "599"])
        expectOneLineError(try run("--x", "nan", "--y", "y1"), ["nan", "row 17"])
        expectOneLineError(try run("--x", "x1", "--y", "one_class", "--discrete-y"), ["single class"])
        expectOneLineError(try run("--x", "x1", "--y", "missing"), ["missing"])
        expectOneLineError(try run("--x", "x1", "--y", "y1", "--k", "600"), ["k = 600"])
        expectOneLineError(try run("--x", "tiny", "--y", "tiny"), ["1 sample"])
        expectOneLineError(try run("--x", "x1", "--y", "y1", "--discrete-y"), ["integer class labels"])
        expectOneLineError(try run("--x", "x1", "--y", "y1", "--estimator", "ross"), ["--discrete-y"])
        expectOneLineError(try run("--x", "x1", "--y", "labels", "--discrete-y", "--continuous-y"), ["contradict"])
        expectOneLineError(try run("--x", "x1", "--y", "y1", "--estimator", "nonsense"), ["unknown estimator"])
        expectOneLineError(try run("--x", "x", "--y", "y", "--stiefel", "5"), ["--stiefel 5"])
        let text = try temporaryDirectory("nothdf5") + "/plain.h5"
        try "hello".write(toFile: text, atomically: true, encoding: .utf8)
        expectOneLineError(try runProcess(infoplaneBinary, ["estimate", "--input", text, "--x", "a", "--y", "b"]), ["not an HDF5 file"])
    }
}
