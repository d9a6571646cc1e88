import Foundation
import Testing

/// The plotting scripts run headless on a real (small) run, and the figures hold what they
/// should: one trajectory per layer, one point per snapshot, both curves of both quantities.
@Suite struct PlotTests {
    struct Panel: Decodable {
        var title: String
        var trajectories: Int
        var points: [Int]
        var curves: [String]
        var xlabel: String
        var ylabel: String
    }
    struct Figure: Decodable {
        var figure: String
        var panels: [Panel]
        var colorbars: Int
        var files: [String]
    }

    func plots(_ arguments: [String]) throws -> [Figure] {
        let result = try runProcess(python, ["-m", "infoplane.plots"] + arguments, environment: ["MPLBACKEND": "Agg"])
        #expect(result.status == 0, "\(result.stderr)")
        return try result.stdout.split(separator: "\n").map { try JSONDecoder().decode(Figure.self, from: Data($0.utf8)) }
    }

    @Test func planeCurvesAndComparisonHoldEveryLayerAndSnapshot() throws {
        let first = try smokeRun("plots-a")
        let second = try narrowSmokeRun("plots-b")
        for dir in [first, second] {
            #expect(try infoplane("analyze", "\(dir)/run.h5", "--slices", "32", "--quiet").status == 0)
        }

        let figures = try plots(["all", first])
        #expect(figures.map(\.figure) == ["plane", "curves"])
        let plane = try #require(figures.first?.panels.first)
        #expect(plane.trajectories == 3, "one trajectory per hidden layer")
        #expect(plane.points == [5, 5, 5], "one point per snapshot epoch")
        #expect(plane.xlabel == "S1(X;T) [nats]" && plane.ylabel == "S1(T;Y) [nats]")
        #expect(figures.first?.colorbars == 1, "points are coloured by epoch with a colour bar")
        let curves = try #require(figures.last)
        #expect(curves.panels.map(\.curves) == [["train", "test"], ["train", "test"]])
        #expect(curves.panels.map(\.ylabel) == ["loss", "accuracy [%]"])
        for file in figures.flatMap(\.files) {
            let size = (try FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0
            #expect(size > 1000, "\(file) is written")
        }
        #expect(figures.flatMap(\.files).map { ($0 as NSString).lastPathComponent }.sorted()
                == ["curves.png", "curves.svg", "plane.png", "plane.svg"])

        let compare = try plots(["compare", first, second, "--labels", "h16", "h10", "--out", "\(first)/compare"])
        let panels = try #require(compare.first?.panels)
        #expect(panels.map(\.title) == ["h16", "h10"])
        #expect(panels.map(\.trajectories) == [3, 2])
        #expect(panels.map(\.points) == [[5, 5, 5], [3, 3]])

        // Missing or wrong files are one-line errors.
        let missing = try runProcess(python, ["-m", "infoplane.plots", "plane", "\(second)/nothing.h5"])
        #expect(missing.status != 0 && missing.stderr.contains("no such plane file"))
        let wrong = try runProcess(python, ["-m", "infoplane.plots", "plane", "\(second)/run.h5"])
        #expect(wrong.status != 0 && wrong.stderr.contains("is not a plane file"))
    }
}
