import Analysis
import Cluster
import Config
import Estimators
import Files
import Foundation
@testable import Pipeline
import Randomness
import Storage
import Support
import Testing

/// Projection-only storage: a run file holding a layer's raw projections (n × m) instead of its
/// activations gives the same plane, bit for bit, for the seed they were drawn under and any m
/// up to theirs; other settings are refused up front.
@Suite(.serialized) struct StoredProjectionsTests {
    let n = 600, widths = [40, 10], seed: UInt64 = 3

    /// n × width activations of a snapshot (ReLU of noise) and the shared inputs and labels.
    func activations(epoch: Int, layer: Int) -> [Float] {
        var stream = RandomStream(seed: 9, purpose: "test.acts", epoch, layer)
        return (0..<(n * widths[layer - 1])).map { _ in Float(max(0, stream.nextGaussian())) }
    }

    /// A run file with inputs correlated to layer 1 so the plane has signal; `project` lists the
    /// layers written as projections (m = 100 under `seed`).
    func runFile(_ path: String, project: Set<Int>) throws {
        let file = try HDF5File.create(at: path, overwrite: true)
        let first = activations(epoch: 0, layer: 1)
        var inputs: [Float] = [], labels: [Int64] = []
        for i in 0..<n {
            for c in 0..<3 { inputs.append(first[i * 40 + c] + 0.1) }
            labels.append((first[i * 40] > 0.5 ? 1 : 0) + Int64(i % 2))
        }
        try file.root.write("evaluation/inputs", inputs, shape: [n, 3])
        try file.root.write("evaluation/labels", labels, shape: [n])
        for epoch in [0, 2] {
            let group = try file.root.createGroup("snapshots/epoch_\(epoch)")
            try group.setAttribute("epoch", .int(Int64(epoch)))
            for layer in 1...2 {
                let values = activations(epoch: epoch, layer: layer)
                if project.contains(layer) {
                    var widened: [Double] = []
                    let raw = values.withUnsafeBufferPointer {
                        SlicedMutualInformation(k: 5, seed: seed).layerProjectionMatrix($0, columns: widths[layer - 1], layer: layer, slices: 100, widened: &widened)
                    }
                    try StoredProjections.write(group, layer: layer, projections: raw, samples: n, slices: 100, width: widths[layer - 1], seed: seed)
                } else {
                    try group.write("layer_\(layer)", values, shape: [n, widths[layer - 1]])
                }
            }
        }
        try file.close()
    }

    func analyze(_ path: String, slices: Int, seed: UInt64) throws -> String {
        var request = AnalyzeRequest(runPath: path)
        request.out = path + ".plane.h5"
        request.selection.settings.slices = slices
        request.selection.settings.seed = seed
        request.quiet = true
        request.force = true
        _ = try AnalyzeJob.run(request, comm: try Communicator.world())
        return request.out!
    }

    func values(_ plane: String) throws -> [String: [UInt64]] {
        let file = try HDF5File.open(at: plane, writable: false)
        defer { try? file.close() }
        var result: [String: [UInt64]] = [:]
        for layer in ["layer_1", "layer_2"] {
            for name in ["sxt", "sxt_se", "sty", "sty_se", "sxt_values", "sty_values"] {
                result["\(layer)/\(name)"] = try file.root.read("\(layer)/\(name)", as: Double.self).values.map(\.bitPattern)
            }
        }
        return result
    }

    @Test func projectionsGiveThePlaneOfTheActivations() throws {
        let directory = NSTemporaryDirectory() + "infoplane-projections-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try runFile("\(directory)/activations.h5", project: [])
        try runFile("\(directory)/projections.h5", project: [1])
        for slices in [70, 100] {
            let reference = try values(try analyze("\(directory)/activations.h5", slices: slices, seed: seed))
            #expect(reference["layer_1/sxt_values"]?.count == 2 * slices)
            #expect(try values(try analyze("\(directory)/projections.h5", slices: slices, seed: seed)) == reference, "m = \(slices)")
        }
        #expect(throws: ReportedFailure.self) { try analyze("\(directory)/projections.h5", slices: 101, seed: seed) }
        #expect(throws: ReportedFailure.self) { try analyze("\(directory)/projections.h5", slices: 50, seed: seed + 1) }
        let projected = try RunFileReader(path: "\(directory)/projections.h5").projectedLayers(samples: n, epochs: [0, 2])
        #expect(projected == [1: StoredProjections.Layer(width: 40, slices: 100, seed: seed)])
        var settings = AnalysisOverrides(slices: 101, seed: seed).applied(to: try RunSelection.settings(of: RunFileReader(path: "\(directory)/projections.h5")) { $0 })
        #expect(throws: InfoPlaneError.self) { try RunSelection.check(projected, settings: settings, path: "p.h5") }
        settings.slices = 100
        try RunSelection.check(projected, settings: settings, path: "p.h5")
    }
}
