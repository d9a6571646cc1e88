import Foundation
import Storage
import Testing

@Suite("Atomic writes")
struct AtomicWriteTests {
    private struct Interrupted: Error {}

    private func leftovers(in directory: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.contains(".partial-") }
    }

    @Test func publishesCompleteFile() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/plane.h5"
            try writeAtomically(to: path, overwrite: false) { file in
                #expect(file.path.hasPrefix(path + ".partial-"))
                #expect(!FileManager.default.fileExists(atPath: path))
                try file.root.write("layer_1/mi", [0.5, 0.25])
            }
            let file = try HDF5File.open(at: path, writable: false)
            #expect(try file.root.read("layer_1/mi", as: Double.self).values == [0.5, 0.25])
            #expect(try leftovers(in: directory) == [])
        }
    }

    @Test func failedBodyLeavesNothingBehind() throws {
        try withTemporaryDirectory { (directory: String) throws in
            let path = directory + "/plane.h5"
            #expect(throws: Interrupted.self) {
                try writeAtomically(to: path, overwrite: false) { file in
                    try file.root.write("partial", [1.0])
                    throw Interrupted()
                }
            }
            #expect(!FileManager.default.fileExists(atPath: path))
            #expect(try leftovers(in: directory) == [])
        }
    }

    @Test func failedBodyKeepsOldFile() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/plane.h5"
            try writeAtomically(to: path, overwrite: false) { try $0.root.write("version", [Int64(1)]) }
            let error = storageError {
                try writeAtomically(to: path, overwrite: true) { file in
                    try file.root.write("version", [Int64(2)])
                    _ = try file.root.read("missing", as: Double.self)
                }
            }
            #expect(error?.message.hasPrefix("no dataset 'missing' in plane.h5") == true)
            let file = try HDF5File.open(at: path, writable: false)
            #expect(try file.root.read("version", as: Int64.self).values == [1])
            #expect(try leftovers(in: directory) == [])
        }
    }

    @Test func overwriteReplacesOnlyWhenAllowed() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/plane.h5"
            try writeAtomically(to: path, overwrite: false) { try $0.root.write("version", [Int64(1)]) }
            var ran = false
            let refused = storageError {
                try writeAtomically(to: path, overwrite: false) { _ in ran = true }
            }
            #expect(!ran)
            #expect(refused?.kind == .alreadyExists)
            #expect(refused?.message == "\(path) already exists — choose another --out or allow overwriting it")
            try writeAtomically(to: path, overwrite: true) { try $0.root.write("version", [Int64(2)]) }
            let file = try HDF5File.open(at: path, writable: false)
            #expect(try file.root.read("version", as: Int64.self).values == [2])
        }
    }

    @Test func unwritableDirectoryIsNamed() throws {
        let underFile = storageError { try writeAtomically(to: "/etc/hostname/plane.h5", overwrite: true) { _ in } }
        #expect(underFile?.kind == .cannotWrite)
        #expect(underFile?.message == "cannot write /etc/hostname: not a directory — choose another --out")
        let missing = storageError { try writeAtomically(to: "/nonexistent-infoplane/p.h5", overwrite: true) { _ in } }
        #expect(missing?.message
                == "cannot write /nonexistent-infoplane: no such directory — create it or choose another --out")
        if getuid() != 0 {
            try withTemporaryDirectory { directory in
                let locked = directory + "/locked"
                try FileManager.default.createDirectory(atPath: locked, withIntermediateDirectories: false)
                chmod(locked, 0o555)
                defer { chmod(locked, 0o755) }
                let denied = storageError { try writeAtomically(to: locked + "/p.h5", overwrite: true) { _ in } }
                #expect(denied?.message == "cannot write \(locked): permission denied — choose another --out")
            }
        }
    }
}
