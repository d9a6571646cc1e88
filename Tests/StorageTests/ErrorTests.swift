import Foundation
import Storage
import Testing

@Suite("Errors")
struct ErrorTests {
    @Test func missingFile() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/runs/x/run.h5"
            let error = storageError { _ = try HDF5File.open(at: path, writable: false) }
            #expect(error?.kind == .noSuchFile)
            #expect(error?.message == "no such file: \(path)")
            #expect(!HDF5File.isHDF5(path))
        }
    }

    @Test func notAnHDF5File() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/run.h5"
            try "just some text\n".write(toFile: path, atomically: false, encoding: .utf8)
            let error = storageError { _ = try HDF5File.open(at: path, writable: false) }
            #expect(error?.kind == .notHDF5)
            #expect(error?.message == "\(path) is not an HDF5 file")
            #expect(!HDF5File.isHDF5(path))
            let empty = directory + "/empty.h5"
            _ = FileManager.default.createFile(atPath: empty, contents: Data())
            #expect(storageError { _ = try HDF5File.open(at: empty, writable: true) }?.kind == .notHDF5)
            let folder = storageError { _ = try HDF5File.open(at: directory, writable: false) }
            #expect(folder?.message == "\(directory) is a directory, not an HDF5 file")
        }
    }

    @Test func missingDatasetListsWhatExists() throws {
        try withTemporaryDirectory { directory in
            let file = try HDF5File.create(at: directory + "/run.h5", overwrite: false)
            #expect(HDF5File.isHDF5(directory + "/run.h5"))
            for layer in 1...3 {
                try file.root.write("snapshots/epoch_000003/layer_\(layer)", [Float(0)], shape: [1, 1])
            }
            let error = storageError { _ = try file.root.read("snapshots/epoch_000003/layer_4", as: Float.self) }
            #expect(error?.kind == .notFound)
            #expect(error?.message
                    == "no dataset 'snapshots/epoch_000003/layer_4' in run.h5 (it has: layer_1, layer_2, layer_3)")
            let deeper = storageError { _ = try file.root.datasetInfo("snapshots/epoch_000009/layer_1") }
            #expect(deeper?.message == "no dataset 'snapshots/epoch_000009/layer_1' in run.h5 "
                                       + "('snapshots' has: epoch_000003/)")
            let top = storageError { _ = try file.root.read("evaluation/inputs", as: Float.self) }
            #expect(top?.message == "no dataset 'evaluation/inputs' in run.h5 (the root group has: snapshots/)")
            let group = try file.root.group("snapshots")
            let relative = storageError { _ = try group.read("epoch_000003/layer_9", as: Float.self) }
            #expect(relative?.message.hasPrefix("no dataset 'snapshots/epoch_000003/layer_9'") == true)
        }
    }

    @Test func createOverExistingFile() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/run.h5"
            try HDF5File.create(at: path, overwrite: false).root.write("a", [1.0])
            let error = storageError { _ = try HDF5File.create(at: path, overwrite: false) }
            #expect(error?.kind == .alreadyExists)
            #expect(error?.message == "\(path) already exists — remove it or allow overwriting")
            let fresh = try HDF5File.create(at: path, overwrite: true)
            #expect(try fresh.root.members() == [])
        }
    }

    @Test func unwritableDirectory() throws {
        // Tests may run as root, where permission bits do not stop writes: a regular file as the
        // "directory" and a missing directory fail for everyone.
        let underFile = storageError { _ = try HDF5File.create(at: "/etc/hostname/x.h5", overwrite: false) }
        #expect(underFile?.kind == .cannotWrite)
        #expect(underFile?.message == "cannot write /etc/hostname: not a directory — choose another path")
        let missing = storageError { _ = try HDF5File.create(at: "/nonexistent-infoplane/x.h5", overwrite: true) }
        #expect(missing?.message
                == "cannot write /nonexistent-infoplane: no such directory — create it or choose another path")
    }

    @Test func closedAndReadOnlyFiles() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/run.h5"
            let file = try HDF5File.create(at: path, overwrite: false)
            try file.root.write("x", [1.0])
            try file.flush()
            try file.close()
            try file.close()
            #expect(!file.isOpen)
            let closed = storageError { _ = try file.root.read("x", as: Double.self) }
            #expect(closed?.message == "run.h5 is already closed")
            #expect(!file.root.contains("x"))
            let reader = try HDF5File.open(at: path, writable: false)
            #expect(!reader.isWritable)
            let readOnly = storageError { try reader.root.write("y", [2.0]) }
            #expect(readOnly?.message == "run.h5 was opened read-only; open it writable to change it")
            #expect(storageError { try reader.root.setAttribute("a", .int(1)) }?.kind == .notOpenForThis)
        }
    }

    @Test func errorsDescribeThemselves() {
        let error = StorageError(.notFound, "no dataset 'x' in run.h5")
        #expect("\(error)" == "no dataset 'x' in run.h5")
    }
}
