import Files
import Foundation
import Storage
import Support
import Testing

/// Reading a share of a snapshot-layer's rows straight into memory the caller owns.
@Suite struct LayerSourceTests {
    /// A run file with one 7 × 3 layer whose value at (row r, unit u) is 10r + u, at epochs 0 and 4.
    func runFile() throws -> String {
        let path = NSTemporaryDirectory() + "infoplane-layers-\(UUID().uuidString.prefix(8)).h5"
        let file = try HDF5File.create(at: path, overwrite: false)
        try file.root.write("evaluation/inputs", [Float](repeating: 0.5, count: 7 * 2), shape: [7, 2])
        try file.root.write("evaluation/labels", [Int64]([0, 1, 0, 1, 0, 1, 0]), shape: [7])
        for epoch in [0, 4] {
            let values = (0..<7).flatMap { r in (0..<3).map { Float(10 * r + $0 + 100 * epoch) } }
            try file.root.write("snapshots/epoch_\(String(format: "%06d", epoch))/layer_1", values, shape: [7, 3])
        }
        try file.close()
        return path
    }

    @Test func partsOfTheFirstRowsAndOfASubsetLandWhereTheyBelong() throws {
        let path = try runFile()
        defer { unlink(path) }
        let reader = try RunFileReader(path: path)
        for rows in [SampleRows.first(7), .first(5), .subset([0, 2, 3, 6])] {
            let source = try LayerSource(reader: reader, epochs: [4], rows: rows)
            var layer = [Float](repeating: -1, count: rows.count * 3)
            let half = rows.count / 2
            try layer.withUnsafeMutableBufferPointer { buffer in
                // Two parts, read in the reverse order, as two ranks of a node might.
                try source.read(epochIndex: 0, layer: 1, width: 3, positions: half..<rows.count,
                                into: UnsafeMutableBufferPointer(rebasing: buffer[(half * 3)...]))
                try source.read(epochIndex: 0, layer: 1, width: 3, positions: 0..<half,
                                into: UnsafeMutableBufferPointer(rebasing: buffer[..<(half * 3)]))
            }
            let fileRows: [Int] = if case .subset(let list) = rows { list } else { Array(0..<rows.count) }
            var expected: [Float] = []
            for r in fileRows { for u in 0..<3 { expected.append(Float(10 * r + u + 400)) } }
            #expect(layer == expected, "\(rows)")
        }
    }

    @Test func subsetRowsReadAsRunsOfConsecutiveRows() {
        let runs = SampleRows.subset([1, 2, 3, 7, 9, 10]).runs(1..<6)
        #expect(runs.map(\.file) == [2..<4, 7..<8, 9..<11] && runs.map(\.at) == [1, 3, 4])
        #expect(SampleRows.first(9).runs(3..<6).map(\.file) == [3..<6])
        #expect(SampleRows.subset([2, 5]).select([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], columns: 2) == [4, 5, 10, 11])
    }

    @Test func nonFiniteValuesAreRefusedNamingSampleAndUnit() throws {
        let path = try runFile()
        defer { unlink(path) }
        let file = try HDF5File.open(at: path, writable: true)
        var values = (0..<21).map(Float.init)
        values[3 * 3 + 2] = .nan
        try file.root.write("snapshots/epoch_000007/layer_1", values, shape: [7, 3])
        try file.close()
        let source = try LayerSource(reader: try RunFileReader(path: path), epochs: [7], rows: .first(7))
        var layer = [Float](repeating: 0, count: 4 * 3)
        #expect { try layer.withUnsafeMutableBufferPointer { try source.read(epochIndex: 0, layer: 1, width: 3, positions: 2..<6, into: $0) } }
            throws: { ($0 as? InfoPlaneError)?.description.contains("nan at sample 3, unit 2") == true }
    }

    /// A named layer stored as numpy writes a conv map: float64, n × C × H × W. The share of
    /// rows arrives flattened per sample in NCHW order and converted to float32.
    @Test func aNamedFloat64ConvMapIsReadFlattenedAndConverted() throws {
        let path = NSTemporaryDirectory() + "infoplane-map-\(UUID().uuidString.prefix(8)).h5"
        defer { unlink(path) }
        let file = try HDF5File.create(at: path, overwrite: false)
        try file.root.write("evaluation/inputs", [Float](repeating: 0.5, count: 5 * 2), shape: [5, 2])
        try file.root.write("evaluation/labels", [Int64]([0, 1, 0, 1, 0]), shape: [5])
        let map = (0..<(5 * 12)).map { Double($0) + 0.25 }
        try file.root.write("snapshots/epoch_000003/features.0", map, shape: [5, 3, 2, 2])
        try file.root.setAttribute(LayerNaming.attribute, .strings(["features.0"]))
        try file.close()
        let reader = try RunFileReader(path: path)
        let layers = try reader.layers(samples: 5, epochs: [3])
        #expect(layers.map(\.name) == ["features.0"] && layers.map(\.width) == [12])
        let source = try LayerSource(reader: reader, epochs: [3], rows: .first(5), layers: layers)
        var rows = [Float](repeating: -1, count: 2 * 12)
        try rows.withUnsafeMutableBufferPointer { try source.read(epochIndex: 0, layer: layers[0].layer, width: 12, positions: 1..<3, into: $0) }
        #expect(rows == map[12..<36].map(Float.init))
    }
}
