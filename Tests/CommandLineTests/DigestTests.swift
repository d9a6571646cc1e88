import Foundation
import Testing

/// Every number the program computes stays what it was: three configs run on 2 ranks, and the
/// SHA-256 of every numeric dataset of their run.h5 and plane.h5 (wall-clock seconds aside) must
/// equal the digests recorded in Tests/Fixtures/digests.json.
///
/// BLAS kernels round differently on different CPUs, so the children run with the OpenBLAS core
/// the digests were recorded with (Haswell kernels run on any x86-64 CPU with AVX2).
@Suite(.serialized) struct DigestTests {
    static let fixture = "\(packageRoot)/Tests/Fixtures/digests.json"

    /// Name → the `run` arguments after the config path.
    static let cases: [(name: String, config: String, arguments: [String])] = [
        ("smoke", "smoke.yaml", []),
        ("regression", "regression.yaml",
         ["--set", "training.epochs=6", "--set", "snapshots.epochs=[0,1,2,4,6]", "--set", "analysis.slices=64"]),
        ("stopping", "stopping-smoke.yaml", []),
    ]

    @Test("run.h5 and plane.h5 of smoke, regression (shortened) and stopping-smoke on 2 ranks equal the recorded digests",
          arguments: cases.map(\.name))
    func numbersEqualTheRecordedDigests(name: String) throws {
        let recorded = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: Self.fixture))) as! [String: Any]
        let coreType = recorded["_openblas_coretype"] as! String
        let expected = recorded[name] as! [String: String]
        let entry = Self.cases.first { $0.name == name }!
        let dir = try temporaryDirectory("digest-\(name)")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let environment = ["OPENBLAS_CORETYPE": coreType]
        let result = try mpirun(2, ["run", "\(packageRoot)/configs/\(entry.config)", "--out", "\(dir)/\(name)", "--quiet"] + entry.arguments,
                                environment: environment)
        try #require(result.status == 0, "\(result.stderr)")
        let digest = try runProcess(python, ["\(packageRoot)/analysis/reference/h5digest.py", "\(dir)/\(name)/run.h5", "\(dir)/\(name)/plane.h5"])
        try #require(digest.status == 0, "\(digest.stderr)")
        let actual = try JSONSerialization.jsonObject(with: Data(digest.stdout.utf8)) as! [String: String]
        #expect(Set(actual.keys) == Set(expected.keys),
                "datasets differ: missing \(Set(expected.keys).subtracting(actual.keys).sorted()), new \(Set(actual.keys).subtracting(expected.keys).sorted())")
        let changed = expected.keys.filter { actual[$0] != nil && actual[$0] != expected[$0] }.sorted()
        #expect(changed.isEmpty, "\(changed.count) datasets changed value: \(changed.prefix(12))")
    }
}
