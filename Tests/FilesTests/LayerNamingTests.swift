import Files
import Foundation
import Storage
import Support
import Testing

/// A run file like h5py users write: inputs and labels, and snapshots holding `layers` (name →
/// width, written as `Double` when `wide`), with the root attribute `layers` when `listed`.
private func writeNamedRun(_ path: String, layers: [(String, Int)], epochs: [Int] = [0, 3], listed: [String]? = nil,
                           wide: Bool = false, wideInputs: Bool = false) throws {
    let file = try HDF5File.create(at: path, overwrite: false)
    let n = 4
    if wideInputs {
        try file.root.write("evaluation/inputs", [Double](repeating: 0.1, count: n * 3), shape: [n, 3])
    } else {
        try file.root.write("evaluation/inputs", [Float](repeating: 0.5, count: n * 3), shape: [n, 3])
    }
    try file.root.write("evaluation/labels", [Int64]([0, 1, 0, 1]), shape: [n])
    if let listed { try file.root.setAttribute("layers", .strings(listed)) }
    for epoch in epochs {
        let group = try file.root.createGroup("snapshots/epoch_\(epoch)")
        for (position, (name, width)) in layers.enumerated() {
            let value = Double(epoch * 10 + position) + 0.1
            if wide {
                try group.write(name, [Double](repeating: value, count: n * width), shape: [n, width])
            } else {
                try group.write(name, [Float](repeating: Float(value), count: n * width), shape: [n, width])
            }
        }
    }
    try file.close()
}

private func temporaryFile(_ label: String) -> String {
    NSTemporaryDirectory() + "infoplane-\(label)-\(UUID().uuidString.prefix(8)).h5"
}

@Suite struct LayerNamingTests {
    @Test func onlyCanonicalLayerNamesCarryAnIndex() {
        #expect(LayerNaming.index(of: "layer_0") == 0 && LayerNaming.index(of: "layer_12") == 12)
        for other in ["layer_01", "layer_-1", "layer_", "layer_1.0", "Layer_1", "conv1", "features.0"] {
            #expect(LayerNaming.index(of: other) == nil, "\(other)")
        }
    }

    @Test func streamKeysAreTheIndicesWhenEveryNameIsLayerLElsePositions() {
        #expect(LayerNaming.streamKeys(["layer_1", "layer_2", "layer_3"]) == [1, 2, 3])
        #expect(LayerNaming.streamKeys(["layer_0", "layer_1"]) == [0, 1])
        #expect(LayerNaming.streamKeys(["layer_2", "layer_5"]) == [2, 5])
        #expect(LayerNaming.streamKeys(["conv", "layer_1"]) == [1, 2], "mixed names: positions, so no two layers share a stream")
        #expect(LayerNaming.streamKeys(["features.0", "fc"]) == [1, 2])
        #expect(LayerNaming.streamKeys([]) == [])
    }

    @Test func listedNamesMustBeUsableAndDistinct() {
        #expect(throws: Never.self) { try LayerNaming.check(["features.0", "fc"], file: "f.h5") }
        for (names, fragment) in [([String](), "lists no layer"), (["a/b"], "without '/'"), (["."], "cannot name"), (["fc", "fc"], "twice")] {
            #expect { try LayerNaming.check(names, file: "f.h5") } throws: { error in
                "\(error)".contains(fragment) && "\(error)".contains("f.h5")
            }
        }
    }

    @Test func layersAreSelectedByNameOrByNumber() throws {
        let layers = [RecordedLayer(layer: 1, name: "features.0", width: 4), RecordedLayer(layer: 2, name: "2", width: 3),
                      RecordedLayer(layer: 3, name: "fc", width: 2)]
        #expect(try LayerNaming.select(["fc", "1"], from: layers, file: "f.h5").map(\.name) == ["features.0", "fc"])
        #expect(try LayerNaming.select(["2"], from: layers, file: "f.h5").map(\.layer) == [2], "a name wins over a number")
        #expect { try LayerNaming.select(["conv"], from: layers, file: "f.h5") } throws: { error in
            "\(error)".contains("--layers conv: f.h5 has no layer conv") && "\(error)".contains("features.0 (1)") && "\(error)".contains("--layers")
        }
    }
}

/// How the reader names, orders, keys and converts the layers of files written by other tools.
@Suite struct NamedRunReadingTests {
    @Test func theLayersAttributeGivesNamesAndOrderWithPositionKeys() throws {
        let path = temporaryFile("named")
        defer { unlink(path) }
        try writeNamedRun(path, layers: [("fc", 2), ("features.0", 5), ("head", 3)], listed: ["features.0", "fc", "head"])
        let reader = try RunFileReader(path: path)
        let layers = try reader.layers(samples: 4, epochs: [0, 3])
        #expect(layers.map(\.name) == ["features.0", "fc", "head"])
        #expect(layers.map(\.layer) == [1, 2, 3] && layers.map(\.width) == [5, 2, 3])
        #expect(try reader.activations(epoch: 3, layer: 1) == [Float](repeating: 31.1, count: 20), "features.0 was written second")
        #expect(try reader.datasetName(layer: 2) == "fc")
    }

    @Test func zeroBasedLayerNamesAreAllKeptAndKeyedByTheirIndex() throws {
        let path = temporaryFile("zero")
        defer { unlink(path) }
        try writeNamedRun(path, layers: [("layer_0", 4), ("layer_1", 3), ("layer_2", 2), ("logits", 2)])
        let layers = try RunFileReader(path: path).layers(samples: 4, epochs: [0, 3])
        #expect(layers.map(\.name) == ["layer_0", "layer_1", "layer_2"], "layer_L datasets only; others ignored as before")
        #expect(layers.map(\.layer) == [0, 1, 2])
    }

    @Test func withoutLayerLDatasetsEveryTwoDimensionalDatasetIsALayerInNameOrder() throws {
        let path = temporaryFile("plain")
        defer { unlink(path) }
        try writeNamedRun(path, layers: [("relu2", 3), ("conv1", 4)])
        let file = try HDF5File.open(at: path, writable: true)
        try file.root.group("snapshots/epoch_0").write("step", [Int64(5)], shape: [1])
        try file.root.group("snapshots/epoch_3").write("step", [Int64(5)], shape: [1])
        try file.close()
        let layers = try RunFileReader(path: path).layers(samples: 4, epochs: [0, 3])
        #expect(layers.map(\.name) == ["conv1", "relu2"] && layers.map(\.layer) == [1, 2])
    }

    @Test func float64ActivationsAndInputsAreConvertedAndReported() throws {
        let path = temporaryFile("wide")
        defer { unlink(path) }
        try writeNamedRun(path, layers: [("layer_1", 3)], wide: true, wideInputs: true)
        let reader = try RunFileReader(path: path)
        let evaluation = try reader.evaluation()
        #expect(evaluation.inputs == [Float](repeating: Float(0.1), count: 12) && evaluation.inputsConvertedFrom == "float64")
        let layers = try reader.layers(samples: 4, epochs: [0, 3])
        #expect(layers.first?.convertedFrom == ["float64"])
        #expect(try reader.activations(epoch: 3, layer: 1) == [Float](repeating: Float(30.1), count: 12))
    }

    @Test func integerActivationsAreConvertedAndReported() throws {
        let path = temporaryFile("ints")
        defer { unlink(path) }
        try writeNamedRun(path, layers: [("layer_1", 3)])
        let file = try HDF5File.open(at: path, writable: true)
        for epoch in [0, 3] {
            let group = try file.root.group("snapshots/epoch_\(epoch)")
            try group.remove("layer_1")
            try group.write("layer_1", (0..<12).map { Int64($0 - epoch) }, shape: [4, 3])
        }
        try file.close()
        let reader = try RunFileReader(path: path)
        #expect(try reader.layers(samples: 4, epochs: [0, 3]).first?.convertedFrom == ["int64"])
        #expect(try reader.activations(epoch: 3, layer: 1) == (0..<12).map { Float($0 - 3) })
    }

    @Test func aLayersAttributeOfTheWrongKindIsOneLineNamingTheFix() throws {
        let path = temporaryFile("badattr")
        defer { unlink(path) }
        try writeNamedRun(path, layers: [("layer_1", 3)])
        let file = try HDF5File.open(at: path, writable: true)
        try file.root.setAttribute("layers", .ints([1, 2]))
        try file.close()
        #expect { try RunFileReader(path: path) } throws: { error in
            "\(error)".contains("'layers' must list the recorded layers' dataset names") && !"\(error)".contains("\n")
        }
    }
}
