import Storage
import Testing

@Suite("Groups")
struct GroupTests {
    @Test func membersContainsAndNestedPaths() throws {
        try withTemporaryDirectory { directory in
            let file = try HDF5File.create(at: directory + "/run.h5", overwrite: false)
            let layer = try file.root.createGroup("snapshots/epoch_000005")
            #expect(layer.path == "/snapshots/epoch_000005")
            #expect(layer.name == "epoch_000005")
            try layer.write("layer_2", [Float(1)], shape: [1, 1])
            try layer.write("layer_1", [Float(1)], shape: [1, 1])
            try file.root.write("evaluation/inputs", [Float(1)], shape: [1])
            #expect(try layer.members() == [HDF5Member(name: "layer_1", kind: .dataset),
                                            HDF5Member(name: "layer_2", kind: .dataset)])
            #expect(try file.root.members().map(\.description) == ["evaluation/", "snapshots/"])
            #expect(file.root.contains("snapshots/epoch_000005/layer_1"))
            #expect(file.root.contains("/snapshots"))
            #expect(file.root.contains("snapshots//epoch_000005/"))
            #expect(!file.root.contains("snapshots/epoch_000006/layer_1"))
            #expect(!file.root.contains("evaluation/inputs/deeper"))
            #expect(!file.root.contains(""))
            #expect(file.root.kind(of: "snapshots") == .group)
            #expect(file.root.kind(of: "evaluation/inputs") == .dataset)
            #expect(file.root.kind(of: "nothing") == nil)
            #expect(try file.root.group("snapshots").contains("epoch_000005/layer_2"))
        }
    }

    @Test func createOpenAndGroupOrCreate() throws {
        try withTemporaryDirectory { directory in
            let file = try HDF5File.create(at: directory + "/run.h5", overwrite: false)
            _ = try file.root.createGroup("training")
            let again = storageError { _ = try file.root.createGroup("training") }
            #expect(again?.kind == .alreadyExists)
            #expect(again?.message == "group 'training' already exists in run.h5")
            #expect(try file.root.groupOrCreate("training").path == "/training")
            #expect(try file.root.groupOrCreate("checkpoint/optimizer").path == "/checkpoint/optimizer")
            #expect(try file.root.group("checkpoint").group("optimizer").path == "/checkpoint/optimizer")
            let missing = storageError { _ = try file.root.group("evaluation") }
            #expect(missing?.message == "no group 'evaluation' in run.h5 (it has: checkpoint/, training/)")
            try file.root.write("training/epoch", [Int64(1)])
            #expect(storageError { _ = try file.root.groupOrCreate("training/epoch") }?.kind == .notFound)
        }
    }

    @Test func moveAndRemove() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/run.h5"
            do {
                let file = try HDF5File.create(at: path, overwrite: false)
                let snapshots = try file.root.createGroup("snapshots")
                let partial = try snapshots.createGroup("epoch_000005.partial")
                try partial.write("layer_1", [Float(1), 2], shape: [1, 2])
                try snapshots.move("epoch_000005.partial", to: "epoch_000005")
                #expect(!snapshots.contains("epoch_000005.partial"))
                #expect(try snapshots.read("epoch_000005/layer_1", as: Float.self).values == [1, 2])
                try snapshots.createGroup("epoch_000006.partial").write("layer_1", [Float(3)], shape: [1, 1])
                let clash = storageError { try snapshots.move("epoch_000006.partial", to: "epoch_000005") }
                #expect(clash?.kind == .alreadyExists)
                try snapshots.remove("epoch_000006.partial")
                #expect(try snapshots.members().map(\.name) == ["epoch_000005"])
                try file.root.move("snapshots/epoch_000005/layer_1", to: "archive/layer_1")
                #expect(file.root.contains("archive/layer_1"))
                let missing = storageError { try snapshots.remove("epoch_000009") }
                #expect(missing?.kind == .notFound)
                #expect(missing?.message == "no object 'snapshots/epoch_000009' in run.h5 (it has: epoch_000005/)")
                #expect(storageError { try file.root.remove("/") }?.kind == .invalidArgument)
                try file.close()
            }
            let file = try HDF5File.open(at: path, writable: false)
            #expect(try file.root.read("archive/layer_1", as: Float.self).shape == [1, 2])
            #expect(try file.root.group("snapshots/epoch_000005").members() == [])
        }
    }

    @Test func describeListsTreeWithAttributes() throws {
        try withTemporaryDirectory { directory in
            let file = try HDF5File.create(at: directory + "/run.h5", overwrite: false)
            try file.root.setAttribute("format", .string("infoplane-run"))
            try file.root.setAttribute("config", .string(String(repeating: "abcdefghij", count: 20) + "\nend"))
            try file.root.setAttribute("widths", .ints(Array(1...20)))
            try file.root.write("evaluation/inputs", [Float](repeating: 0, count: 8), shape: [2, 4])
            try file.root.dataset("evaluation/inputs").setAttribute("scale", .double(0.5))
            try file.root.createExtendible("training/epoch", of: Int64.self, chunkRows: 16)
            try file.root.write("snapshots/epoch_000005/layer_1", [Float(0)], shape: [1, 1])
            let lines = try file.describe()
            #expect(lines == [
                "/  group",
                "    @config = \"" + String(repeating: "abcdefghij", count: 6) + "…\" (204 characters)",
                "    @format = \"infoplane-run\"",
                "    @widths = [1, 2, 3, 4, 5, 6, 7, 8, … (20 values)]",
                "/evaluation  group",
                "/evaluation/inputs  float32 [2, 4]",
                "    @scale = 0.5",
                "/snapshots  group",
                "/snapshots/epoch_000005  group",
                "/snapshots/epoch_000005/layer_1  float32 [1, 1]",
                "/training  group",
                "/training/epoch  int64 [0] max [unlimited], chunks [16]",
            ])
            let shallow = try file.root.describe(maxDepth: 1)
            #expect(shallow.contains("/snapshots  group, 1 member not listed"))
            #expect(!shallow.contains { $0.hasPrefix("/snapshots/") })
        }
    }
}
