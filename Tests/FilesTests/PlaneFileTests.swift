import Config
import Files
import Foundation
import Storage
import Testing

/// plane.h5: the value layout, and a written plane read back for a resume.
@Suite struct PlaneFileTests {
    @Test func everySliceOfEveryQuantityHasItsOwnPlace() {
        var values = PlaneValues(epochs: 3, layers: 2, quantities: 4, slices: 5)
        for e in 0..<3 { for l in 0..<2 { for q in 0..<4 {
            let base = Double(((e * 2 + l) * 4 + q) * 5)
            values.store(ArraySlice((0..<5).map { base + Double($0) }), epoch: e, layer: l, quantity: q, slices: 0..<5)
        } } }
        // ((e·L + l)·Q + q)·m + j, in order, with nothing overwritten.
        var all: [Double] = []
        for e in 0..<3 { for l in 0..<2 { for q in 0..<4 { all += values.values(epoch: e, layer: l, quantity: q) } } }
        #expect(all == (0..<120).map(Double.init))
        #expect(values.values(epoch: 1, layer: 1, quantity: 2, slices: 1..<3) == [71, 72])
        values.keepEpochs(1)
        #expect(values.epochs == 1 && values.values(epoch: 0, layer: 1, quantity: 3) == [35, 36, 37, 38, 39])
    }

    @Test func aWrittenPlaneRestoresItsValuesAndIdentity() throws {
        let directory = NSTemporaryDirectory() + "infoplane-plane-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/plane.h5"
        let settings = AnalysisSettings(slices: 3, k: 5, labelEstimator: .micd, seed: 2, shuffleBaseline: false, jitter: 0)
        let quantities = PlaneQuantity.measured(shuffleBaseline: false)
        // Layer 2 at epochs 0 and 4: S1(X;T) = epoch + j/10, S1(T;Y) = −that.
        let columns = quantities.map { quantity in
            let values = [0.0, 4].flatMap { e in (0..<3).map { j in (quantity == .sxt ? 1 : -1) * (e + Double(j) / 10) } }
            return PlaneFile.Column(name: quantity.name, means: [0, 4], standardErrors: [0.1, 0.1], values: values, slices: 3)
        }
        let header = PlaneFile.SlicedHeader(run: "run.h5", settings: settings, targetWidth: 0, samples: 9, epochs: [0, 2, 4],
                                            layers: [2], identity: ["a: 1", "b: 2"])
        try PlaneFile.write(to: path, header: header, complete: false, layers: [PlaneFile.LayerTable(layer: 2, width: 7, epochs: [0, 4], columns: columns)])
        #expect(try PlaneFile.storedIdentity(path) == ["a: 1", "b: 2"])
        #expect(try String(contentsOfFile: PlaneFile.csvPath(for: path), encoding: .utf8)
                == "layer,epoch,sxt,sxt_se,sty,sty_se\nlayer_2,0,0.0,0.1,0.0,0.1\nlayer_2,4,4.0,0.1,4.0,0.1\n")

        // A plan of epochs [2, 4] finds epoch 4 (index 1) and skips epoch 0, which it lacks.
        var values = PlaneValues(epochs: 2, layers: 1, quantities: 2, slices: 3)
        let restored = try PlaneFile.restore(path, into: &values, epochs: [2, 4], layers: ["layer_2"], quantities: quantities)
        #expect(restored.map(\.epoch) == [1] && restored.map(\.layer) == [0])
        #expect(values.values(epoch: 1, layer: 0, quantity: 0) == [4, 4.1, 4.2])
        #expect(values.values(epoch: 1, layer: 0, quantity: 1) == [-4, -4.1, -4.2])
        #expect(values.values(epoch: 0, layer: 0, quantity: 0).allSatisfy { $0.isNaN })
        #expect(try PlaneFile.summaryRows(path)[2]?.map(\.epoch) == [0, 4])
    }

    @Test func layersAreGroupsNamedAsInTheRunFileAndTheCSVQuotesWhatItMust() throws {
        let directory = NSTemporaryDirectory() + "infoplane-plane-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/plane.h5"
        let settings = AnalysisSettings(slices: 1, k: 5, labelEstimator: .ross, seed: 0, shuffleBaseline: false, jitter: 0)
        let columns = PlaneQuantity.measured(shuffleBaseline: false).map {
            PlaneFile.Column(name: $0.name, means: [1], standardErrors: [0], values: [1], slices: 1)
        }
        var header = PlaneFile.SlicedHeader(run: "run.h5", settings: settings, targetWidth: 0, samples: 9, epochs: [5],
                                            layers: [1, 2], identity: [])
        header.converted = ["features.0 float64→float32"]
        try PlaneFile.write(to: path, header: header, complete: true, layers: [
            PlaneFile.LayerTable(layer: 1, name: "features.0", width: 7, epochs: [5], columns: columns),
            PlaneFile.LayerTable(layer: 2, name: "odd, \"named\"", width: 3, epochs: [5], columns: columns),
        ])
        let file = try HDF5File.open(at: path, writable: false)
        defer { try? file.close() }
        #expect(try file.root.members().map(\.name) == ["features.0", "odd, \"named\""])
        #expect(try file.root.stringsAttribute("layer_names") == ["features.0", "odd, \"named\""])
        #expect(try file.root.stringsAttribute("converted") == ["features.0 float64→float32"])
        #expect(try file.root.group("features.0").intAttribute("layer") == 1)
        let csv = try String(contentsOfFile: PlaneFile.csvPath(for: path), encoding: .utf8).split(separator: "\n")
        #expect(csv.dropFirst() == ["features.0,5,1.0,0.0,1.0,0.0", "\"odd, \"\"named\"\"\",5,1.0,0.0,1.0,0.0"])
        #expect(try PlaneFile.summaryRows(path)[2]?.map(\.epoch) == [5])
    }
}
