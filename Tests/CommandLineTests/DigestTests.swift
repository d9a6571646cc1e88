import Foundation
import Storage
import Testing

/// Every number the program computes stays what it was: three configs run on 2 ranks, and the
/// SHA-256 of every numeric dataset of their run.h5 and plane.h5 (wall-clock seconds aside) must
/// equal the digests recorded in Tests/Fixtures/digests.json. Every attribute of every group of
/// both files (the schema's names and settings, the stored config text) must equal
/// Tests/Fixtures/attributes.json, apart from the creation time.
///
/// BLAS kernels round differently on different CPUs, so the children run with the OpenBLAS core
/// the digests were recorded with (Haswell kernels run on any x86-64 CPU with AVX2).
@Suite(.serialized) struct DigestTests {
    static let fixture = "\(packageRoot)/Tests/Fixtures/digests.json"
    static let attributeFixture = "\(packageRoot)/Tests/Fixtures/attributes.json"

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
        try expectRecordedAttributes(name: name, directory: "\(dir)/\(name)")
    }

    /// The attributes of run.h5 and plane.h5 against the fixture. With
    /// `INFOPLANE_RECORD_ATTRIBUTES=1` the fixture entry is written instead (only when a change
    /// is meant to alter the schema; say why in the commit).
    private func expectRecordedAttributes(name: String, directory: String) throws {
        var actual: [String: String] = [:]
        for file in ["run.h5", "plane.h5"] {
            let h5 = try HDF5File.open(at: "\(directory)/\(file)", writable: false)
            defer { try? h5.close() }
            try Self.collectAttributes(h5.root, file: file, into: &actual)
        }
        // The plane names the run file it measured: a path inside this test's directory.
        actual = actual.mapValues { $0.replacingOccurrences(of: directory, with: "RUN_DIR") }
        if ProcessInfo.processInfo.environment["INFOPLANE_RECORD_ATTRIBUTES"] == "1" {
            var all = (try? JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: Self.attributeFixture)))) as? [String: Any] ?? [:]
            all[name] = actual
            try JSONSerialization.data(withJSONObject: all, options: [.prettyPrinted, .sortedKeys])
                .write(to: URL(fileURLWithPath: Self.attributeFixture))
            return
        }
        let recorded = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: Self.attributeFixture))) as! [String: Any]
        let expected = try #require(recorded[name] as? [String: String])
        #expect(Set(actual.keys) == Set(expected.keys),
                "attributes differ: missing \(Set(expected.keys).subtracting(actual.keys).sorted()), new \(Set(actual.keys).subtracting(expected.keys).sorted())")
        let changed = expected.keys.filter { actual[$0] != nil && actual[$0] != expected[$0] }.sorted()
        #expect(changed.isEmpty, "attributes changed: \(changed.prefix(8).map { "\($0) = \(actual[$0]!) (was \(expected[$0]!))" })")
    }

    /// `file:/group@name` → the value as listed, for every group below `group`; `created` (a
    /// time) is left out.
    private static func collectAttributes(_ group: HDF5Group, file: String, into result: inout [String: String]) throws {
        for name in try group.attributeNames() where name != "created" {
            result["\(file):\(group.path)@\(name)"] = try group.attribute(name).map { "\($0)" } ?? "nil"
        }
        for member in try group.members() where member.kind == .group {
            try collectAttributes(group.group(member.name), file: file, into: &result)
        }
    }
}
