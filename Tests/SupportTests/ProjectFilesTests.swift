import Foundation
import Support
import Testing

/// The checkout found from a binary's location, and where configs and the Python are looked for.
@Suite struct ProjectFilesTests {
    @Test func theCheckoutIsAboveTheLastBuildDirectory() {
        #expect(ProjectFiles.checkout(ofExecutable: "/home/me/infoplane/.build/x86_64-unknown-linux-gnu/release/infoplane") == "/home/me/infoplane")
        #expect(ProjectFiles.checkout(ofExecutable: "/w/.build/debug/infoplanePackageTests.xctest") == "/w")
        #expect(ProjectFiles.checkout(ofExecutable: "/.build/debug/infoplane") == "/")
        #expect(ProjectFiles.checkout(ofExecutable: "/usr/local/bin/infoplane") == nil)
        // The test binary itself lives in this checkout's .build.
        #expect(ProjectFiles.root.map { FileManager.default.fileExists(atPath: "\($0)/Package.swift") } == true)
    }

    @Test func aRelativePathIsLookedForHereThenInTheCheckout() throws {
        let here = FileManager.default.currentDirectoryPath
        #expect(ProjectFiles.candidates("configs/x.yaml", root: "/r") == ["\(here)/configs/x.yaml", "/r/configs/x.yaml"])
        #expect(ProjectFiles.candidates("/abs/x.yaml", root: "/r") == ["/abs/x.yaml"])
        #expect(ProjectFiles.candidates("configs/x.yaml", root: nil) == ["\(here)/configs/x.yaml"])
        let root = NSTemporaryDirectory() + "infoplane-root-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: "\(root)/configs", withIntermediateDirectories: true)
        try "seed: 1\n".write(toFile: "\(root)/configs/only-there.yaml", atomically: true, encoding: .utf8)
        #expect(ProjectFiles.locate("configs/only-there.yaml", root: root) == "\(root)/configs/only-there.yaml")
        #expect(ProjectFiles.locate("configs/nowhere.yaml", root: root) == nil)
    }

    @Test func thePythonComesFromTheOptionTheEnvironmentOrAVenvAndElseOneLineSaysWhereItLooked() throws {
        #expect(try ProjectFiles.python(explicit: "/x/python", environment: ["INFOPLANE_PYTHON": "/y/python"], root: nil) == "/x/python")
        #expect(try ProjectFiles.python(explicit: nil, environment: ["INFOPLANE_PYTHON": "/y/python"], root: nil) == "/y/python")
        let root = NSTemporaryDirectory() + "infoplane-venv-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: "\(root)/.venv/bin", withIntermediateDirectories: true)
        #expect(FileManager.default.createFile(atPath: "\(root)/.venv/bin/python", contents: Data("#!/bin/sh\n".utf8),
                                                attributes: [.posixPermissions: 0o755]))
        #expect(try ProjectFiles.python(explicit: nil, environment: [:], root: root, here: "/nonexistent-here") == "\(root)/.venv/bin/python")
        #expect(try ProjectFiles.python(explicit: nil, environment: [:], root: "/nonexistent-root", here: root) == "\(root)/.venv/bin/python")
        let here = "/nonexistent-here"
        do {
            _ = try ProjectFiles.python(explicit: nil, environment: ["INFOPLANE_PYTHON": ""], root: "/nonexistent-root", here: here)
            Issue.record("no Python exists there, yet one was found")
        } catch let error as InfoPlaneError {
            let line = error.description
            #expect(!line.contains("\n"))
            for fragment in ["\(here)/.venv/bin/python", "/nonexistent-root/.venv/bin/python", "make setup", "INFOPLANE_PYTHON"] {
                #expect(line.contains(fragment), "\(line)")
            }
        }
    }
}
