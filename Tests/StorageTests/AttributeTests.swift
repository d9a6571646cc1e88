import Storage
import Testing

@Suite("Attributes")
struct AttributeTests {
    private let samples: [String: AttributeValue] = [
        "format": .string("infoplane-run"),
        "config": .string("layers: [784, 12, 10]\nname: \"π ≈ 3.14\" ✓\n"),
        "empty_text": .string(""),
        "format_version": .int(1),
        "seed": .int(Int64.min),
        "learning_rate": .double(0.0125),
        "widths": .ints([784, 12, 10]),
        "no_ints": .ints([]),
        "betas": .doubles([0.9, 0.999]),
        "no_doubles": .doubles([]),
        "layers": .strings(["layer_1", "features.0", "π ≈ 3.14"]),
        "no_layers": .strings([]),
    ]

    @Test func everyKindRoundTripsOnRootGroupAndDataset() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/run.h5"
            do {
                let file = try HDF5File.create(at: path, overwrite: false)
                try file.root.write("evaluation/inputs", [Float(0)], shape: [1, 1])
                let targets: [any HDF5Object] = [file.root, try file.root.group("evaluation"),
                                                 try file.root.dataset("evaluation/inputs")]
                for target in targets {
                    for (name, value) in samples { try target.setAttribute(name, value) }
                }
                try file.close()
            }
            let file = try HDF5File.open(at: path, writable: false)
            let targets: [any HDF5Object] = [file.root, try file.root.group("evaluation"),
                                             try file.root.dataset("evaluation/inputs")]
            for target in targets {
                #expect(try target.attributeNames() == samples.keys.sorted())
                for (name, value) in samples {
                    #expect(try target.attribute(name) == value, "attribute \(name) on \(target.path)")
                }
                #expect(try target.attribute("missing") == nil)
            }
        }
    }

    @Test func settingReplacesWhateverWasThere() throws {
        try withTemporaryDirectory { directory in
            let file = try HDF5File.create(at: directory + "/run.h5", overwrite: false)
            try file.root.setAttribute("x", .string("first"))
            try file.root.setAttribute("x", .doubles([1, 2, 3]))
            try file.root.setAttribute("x", .int(7))
            #expect(try file.root.attribute("x") == .int(7))
            #expect(try file.root.attributeNames() == ["x"])
            try file.root.removeAttribute("x")
            try file.root.removeAttribute("x")
            #expect(try file.root.attributeNames() == [])
        }
    }

    @Test func longTextAttributesFit() throws {
        try withTemporaryDirectory { directory in
            let file = try HDF5File.create(at: directory + "/run.h5", overwrite: false)
            let text = String(repeating: "key: value # a long config line\n", count: 5_000)
            try file.root.setAttribute("config", .string(text))
            let many = (0..<20_000).map { Double($0) }
            try file.root.setAttribute("many", .doubles(many))
            #expect(try file.root.stringAttribute("config") == text)
            #expect(try file.root.attribute("many") == .doubles(many))
        }
    }

    @Test func typedConveniences() throws {
        try withTemporaryDirectory { directory in
            let file = try HDF5File.create(at: directory + "/run.h5", overwrite: false)
            try file.root.setAttribute("name", .string("mnist"))
            try file.root.setAttribute("version", .int(3))
            try file.root.setAttribute("rate", .double(0.5))
            try file.root.setAttribute("single", .ints([42]))
            #expect(try file.root.stringAttribute("name") == "mnist")
            #expect(try file.root.intAttribute("version") == 3)
            #expect(try file.root.intAttribute("single") == 42)
            #expect(try file.root.doubleAttribute("rate") == 0.5)
            #expect(try file.root.doubleAttribute("version") == 3)
            #expect(try file.root.stringAttribute("absent") == nil)
            #expect(try file.root.intAttribute("absent") == nil)
            let mismatch = storageError { _ = try file.root.intAttribute("name") }
            #expect(mismatch?.kind == .typeMismatch)
            #expect(mismatch?.message == "attribute 'name' on the root group of run.h5 holds a string, expected an integer")
            #expect(storageError { _ = try file.root.stringAttribute("rate") }?.kind == .typeMismatch)
        }
    }

    @Test func invalidAttributesAreRefused() throws {
        try withTemporaryDirectory { directory in
            let file = try HDF5File.create(at: directory + "/run.h5", overwrite: false)
            #expect(storageError { try file.root.setAttribute("nul", .string("a\u{0}b")) }?.kind == .invalidArgument)
            #expect(storageError { try file.root.setAttribute("", .int(1)) }?.kind == .invalidArgument)
            let stale = try file.root.createGroup("stale")
            try file.root.remove("stale")
            let missing = storageError { try stale.setAttribute("a", .int(1)) }
            #expect(missing?.kind == .notFound)
            #expect(missing?.message == "no object 'stale' in run.h5 (it is empty)")
        }
    }
}
