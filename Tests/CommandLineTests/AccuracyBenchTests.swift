import Foundation
import Testing

/// `infoplane bench accuracy` end to end at a reduced size: the CSVs it writes, determinism
/// over thread counts, its one-line errors, and the figure drawn from its output.
@Suite struct AccuracyBenchTests {
    static let reduced = ["bench", "accuracy", "--dimensions", "1,4", "--levels", "3", "--max", "0.8",
                          "--samples", "300", "--slices", "40", "--seed", "2"]

    func rows(_ path: String) throws -> [[String]] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map { $0.split(separator: ",").map(String.init) }
    }

    @Test func writesOneRowPerPointAndASummaryPerDimension() throws {
        let dir = try temporaryDirectory("accuracy")
        let result = try runProcess(infoplaneBinary, Self.reduced + ["--out", dir, "--threads", "1"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("d = 4 done"), "progress lines on stderr")
        let points = try rows("\(dir)/accuracy.csv")
        let header = try #require(points.first)
        #expect(header.prefix(4) == ["mode", "dimension", "set_value", "correlation"])
        let column = { (name: String) in header.firstIndex(of: name)! }
        #expect(points.count == 1 + 2 * 3)
        #expect(points.dropFirst().map { $0[column("dimension")] } == ["1", "1", "1", "4", "4", "4"])
        #expect(points.dropFirst().map { Double($0[column("set_value")])! } == [0, 0.4, 0.8, 0, 0.4, 0.8])
        for row in points.dropFirst() {
            let d = Double(row[column("dimension")])!, rho = Double(row[column("correlation")])!
            #expect(abs(Double(row[column("true_mi")])! - (-d / 2 * log(1 - rho * rho))) < 1e-12)
            let full = Double(row[column("full_ksg")])!, truth = Double(row[column("true_mi")])!
            if d == 1 { #expect(abs(full - truth) < 0.15, "KSG in 1 + 1 dimensions is close: \(row)") }
            if d == 4 && rho == 0.8 { #expect(full < truth - 0.3, "KSG in 4 + 4 dimensions underestimates 2 nats: \(row)") }
        }
        let summary = try rows("\(dir)/summary.csv")
        #expect(summary.count == 3 && summary[1][0] == "1" && summary[2][0] == "4")
        #expect(summary.dropFirst().allSatisfy { Double($0[2])! > 0.9 }, "sliced r > 0.9: \(summary)")
        #expect(result.stdout.contains("r full KSG") && result.stdout.split(separator: "\n").count == 5)

        // Same settings and seed: byte-identical CSVs whatever the thread count.
        let again = try temporaryDirectory("accuracy-again")
        #expect(try runProcess(infoplaneBinary, Self.reduced + ["--out", again, "--threads", "2", "--quiet"]).stderr.isEmpty)
        for name in ["accuracy.csv", "summary.csv"] {
            #expect(FileManager.default.contents(atPath: "\(dir)/\(name)") == FileManager.default.contents(atPath: "\(again)/\(name)"))
        }

        let figures = try PlotTests().plots(["accuracy", dir])
        let figure = try #require(figures.first)
        #expect(figure.figure == "accuracy" && figure.panels.count == 2 * 2 + 2)
        #expect(figure.panels.prefix(4).map(\.title) == ["full KSG, d = 1", "sliced, d = 1", "full KSG, d = 4", "sliced, d = 4"])
        #expect(figure.panels.prefix(4).allSatisfy { $0.points == [3] }, "one point per set value")
        #expect(figure.panels.suffix(2).map(\.curves) == [["full KSG", "sliced"], ["full KSG", "sliced"]])
        #expect(figure.panels.suffix(2).map(\.ylabel) == ["Pearson r (estimate, truth)", "relative bias [%]"])
        #expect(figure.files.allSatisfy { FileManager.default.fileExists(atPath: $0) })
        let missing = try runProcess(python, ["-m", "infoplane.plots", "accuracy", "\(dir)/none"])
        expectOneLineError(missing, ["no accuracy.csv", "bench accuracy"])
        let wrong = try temporaryDirectory("accuracy-wrong")
        try "layer,epoch\n1,2\n".write(toFile: "\(wrong)/accuracy.csv", atomically: true, encoding: .utf8)
        expectOneLineError(try runProcess(python, ["-m", "infoplane.plots", "accuracy", wrong]),
                           ["accuracy.csv lacks the columns", "full_ksg"])
    }

    @Test(arguments: [
        (["--samples", "5", "--k", "5"], ["samples (--samples) = 5", "more samples than neighbours"]),
        (["--slices", "0"], ["slices (--slices) = 0"]),
        (["--dimensions", "0,2"], ["dimensions (--dimensions)"]),
        (["--dimensions", "1,x"], ["--dimensions 1,x", "comma-separated"]),
        (["--values", "0.5"], ["two or more different values"]),
        (["--mode", "bits"], ["--mode bits", "mi or correlation"]),
        (["--max", "1.5"], ["max (--max) = 1.5"]),
        (["--max", "nan"], ["max (--max) = nan"]),
        (["--values", "0,nan"], ["correlation nan is impossible"]),
        (["--levels", "1"], ["levels (--levels) = 1"]),
        (["--mode", "mi", "--values", "0,-1"], ["MI -1.0 is impossible"]),
    ])
    func badParametersAreOneLineErrors(arguments: [String], fragments: [String]) throws {
        let dir = try temporaryDirectory("accuracy-bad")
        expectOneLineError(try runProcess(infoplaneBinary, ["bench", "accuracy", "--out", dir] + arguments), fragments)
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/accuracy.csv"), "nothing written")
    }

    @Test func configFileIsStrict() throws {
        let dir = try temporaryDirectory("accuracy-config")
        try "samples: 300\nslice: 10\n".write(toFile: "\(dir)/bench.yaml", atomically: true, encoding: .utf8)
        expectOneLineError(try infoplane("bench", "accuracy", "--config", "\(dir)/bench.yaml", "--out", dir),
                           ["unknown key 'slice'", "did you mean 'slices'"])
        expectOneLineError(try infoplane("bench", "accuracy", "--config", "\(dir)/missing.yaml", "--out", dir),
                           ["no such config file"])
        expectOneLineError(try infoplane("bench", "accuracy", "--dimensions", "1", "--out", "\(dir)/bench.yaml/sub"),
                           ["cannot create the output directory", "choose another --out"])
    }
}
