import Foundation
import Testing

/// The layout docs/architecture.md describes, checked from Package.swift and Sources/ as text:
/// the analysis links no MPI, functions stay short, each command has its own file, and the
/// architecture page's module graph is the manifest's.
@Suite struct StructureTests {
    static let graph = PackageGraph(manifest: try! Checkout.text("Package.swift"))

    /// Files whose KSG kernels are long on purpose (one pass over sorted data each, with
    /// measured reasons in their comments); nothing else may hold a function over 60 lines.
    static let kernelFiles: Set<String> = [
        "Sources/Estimators/MixedKSGEstimator.swift",
        "Sources/Estimators/KSGJointNeighbours.swift",
        "Sources/Estimators/KSGSort.swift",
    ]
    static let longestFunction = 60

    @Test func analysisAndItsTestsLinkNoMPI() {
        let analysis = Self.graph.closure(of: "Analysis")
        #expect(analysis.isSuperset(of: ["Files", "Estimators", "Config", "Support", "Storage"]), "the manifest was not read: \(analysis)")
        #expect(analysis.isDisjoint(with: ["Cluster", "CMPI"]), "Analysis reaches \(analysis.intersection(["Cluster", "CMPI"]))")
        let tests = Self.graph.closure(of: "AnalysisTests")
        #expect(tests.contains("Analysis") && tests.isDisjoint(with: ["Cluster", "CMPI", "Pipeline"]), "AnalysisTests reaches \(tests)")
        // The check itself: Pipeline does reach MPI.
        #expect(Self.graph.closure(of: "Pipeline").isSuperset(of: ["Cluster", "CMPI"]))
    }

    /// Issue 16: a time left is shown only as measured — AnalysisProgress (analyze, run and an
    /// ensemble's copies and pool) says "estimating…" until every rank delivered an item; train
    /// and redundancy print no ETA. A new ETA elsewhere must go through its `timeLeft`.
    @Test func everyETAIsMeasured() throws {
        let printing = try Checkout.swiftFiles(under: "Sources").filter { try Checkout.text($0).contains("ETA") }
        #expect(printing == ["Sources/Analysis/AnalysisProgress.swift"], "ETA printed outside AnalysisProgress: \(printing)")
        let progress = try Checkout.text("Sources/Analysis/AnalysisProgress.swift")
        #expect(progress.contains("let eta = Self.timeLeft(") && progress.contains("return \"estimating…\""))
        let users = try Checkout.swiftFiles(under: "Sources/Pipeline").filter { try Checkout.text($0).contains("AnalysisProgress(") }
        #expect(Set(users) == ["Sources/Pipeline/AnalyzeJob.swift", "Sources/Pipeline/RunJob.swift"], "\(users)")
    }

    @Test func noFunctionIsLongerThanSixtyLinesOutsideTheKernels() throws {
        var long: [String] = []
        for file in Checkout.swiftFiles(under: "Sources") where !Self.kernelFiles.contains(file) {
            for function in FunctionLengths.functions(in: try Checkout.text(file)) where function.length > Self.longestFunction {
                long.append("\(file):\(function.line) \(function.length) lines: \(function.declaration)")
            }
        }
        #expect(long.isEmpty, "\(long.joined(separator: "\n"))")
        #expect(Checkout.swiftFiles(under: "Sources").count > 100, "Sources/ was not found")
    }

    /// The scanner finds a long function and is not fooled by braces in strings and comments.
    @Test func theLengthScannerCountsBodiesNotStrings() {
        let body = (0..<60).map { "    let x\($0) = \"}}{\" // }\n" }.joined()
        let source = "struct S {\n    func long() {\n" + body + "    }\n\n    var short: String { \"{ \\(1 + (2)) }\" }\n}\n"
        let functions = FunctionLengths.functions(in: source)
        #expect(functions.map(\.length) == [62, 1])
        #expect(functions.first?.declaration == "func long() {")
    }

    @Test func everyCommandLivesInAFileNamedAfterIt() throws {
        let files = Checkout.swiftFiles(under: "Sources/infoplane")
        let sources = try Dictionary(uniqueKeysWithValues: files.map { ($0, try Checkout.text($0)) })
        func file(declaring type: String) -> String? {
            sources.first { $0.value.contains("struct \(type): ParsableCommand") }?.key
        }
        func subcommands(of type: String) -> [String] {
            guard let file = file(declaring: type), let text = sources[file],
                  let list = text.range(of: "subcommands: [") else { return [] }
            let names = text[list.upperBound...].prefix { $0 != "]" }
            return names.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: ".self", with: "") }
        }
        func commandName(of type: String) -> String {
            let text = file(declaring: type).flatMap { sources[$0] } ?? ""
            if let range = text.range(of: #"commandName: "[^"]+""#, options: .regularExpression) {
                return String(text[range].dropFirst("commandName: \"".count).dropLast())
            }
            return type.lowercased()
        }
        let top = subcommands(of: "InfoPlane")
        #expect(top.count >= 9, "the subcommand list was not read: \(top)")
        var misplaced: [String] = []
        for command in top {
            let expected = "Sources/infoplane/" + Self.camelCase(commandName(of: command)) + ".swift"
            if file(declaring: command) != expected { misplaced.append("\(command) in \(file(declaring: command) ?? "nowhere"), not \(expected)") }
            for child in subcommands(of: command) {
                let childFile = file(declaring: child) ?? "nowhere"
                let named = "Sources/infoplane/" + Self.camelCase(commandName(of: command)) + Self.camelCase(commandName(of: child)) + ".swift"
                if file(declaring: child) != named && childFile != expected { misplaced.append("\(child) in \(childFile), not \(named)") }
            }
        }
        #expect(misplaced.isEmpty, "\(misplaced)")
    }

    /// docs/architecture.md's diagram (a mermaid graph of `A --> B` edges) is Package.swift's
    /// module graph, edge for edge.
    @Test func theArchitecturePageDrawsTheManifest() throws {
        let page = try Checkout.text("docs/architecture.md")
        guard let start = page.range(of: "```mermaid"), let end = page.range(of: "```", range: start.upperBound..<page.endIndex) else {
            Issue.record("docs/architecture.md has no ```mermaid block")
            return
        }
        let edges = page[start.upperBound..<end.lowerBound].split(separator: "\n").compactMap { line -> String? in
            let parts = line.components(separatedBy: "-->").map { $0.trimmingCharacters(in: .whitespaces) }
            return parts.count == 2 ? "\(parts[0]) → \(parts[1])" : nil
        }
        let drawn = Set(edges), manifest = Self.graph.moduleEdges
        #expect(drawn == manifest, "drawn but not in Package.swift: \(drawn.subtracting(manifest).sorted()); in Package.swift but not drawn: \(manifest.subtracting(drawn).sorted())")
    }

    /// `cluster-check` → `ClusterCheck`.
    static func camelCase(_ name: String) -> String {
        name.split(separator: "-").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }
}
