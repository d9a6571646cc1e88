import Foundation
import Storage
import Testing

/// A reduced CNN run end to end (issue 13): `model.layers` trains a convolutional network on
/// 28×28 images through the same session as the MLP, records conv1, pool1 and dense1 under
/// their names, and its plane is bit-identical for P = 1, 2 and 3 and after a resume.
@Suite(.serialized) struct CNNCommandTests {
    /// Four classes of 28×28 images, each a bright 10×10 square in its own quadrant over seeded
    /// noise: 300 training and 300 test images in MNIST's IDX files (uncompressed).
    static func writeImages(in directory: String) throws -> String {
        let data = "\(directory)/images"
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func noise() -> UInt8 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 59)  // 0…31
        }
        for (prefix, count) in [("train", 300), ("t10k", 300)] {
            var pixels: [UInt8] = [], labels: [UInt8] = []
            for i in 0..<count {
                let label = i % 4
                let (top, left) = (label / 2 * 14 + 2, label % 2 * 14 + 2)
                for y in 0..<28 {
                    for x in 0..<28 {
                        let inside = (top..<(top + 10)).contains(y) && (left..<(left + 10)).contains(x)
                        pixels.append(noise() &+ (inside ? 160 : 0))
                    }
                }
                labels.append(UInt8(label))
            }
            try writeIDX("\(data)/\(prefix)-images-idx3-ubyte", dims: [count, 28, 28], payload: pixels)
            try writeIDX("\(data)/\(prefix)-labels-idx1-ubyte", dims: [count], payload: labels)
        }
        return data
    }

    /// conv2-pool-dense8 on those images (conv1 2×28×28 = 1,568 units, pool1 392, dense1 8),
    /// n = 300, 2 epochs, 3 snapshots, 32 slices.
    static func tinyConfig(in directory: String) throws -> String {
        let file = "\(directory)/tiny-cnn.yaml"
        try """
            name: tiny-cnn
            seed: 5
            dataset:
              name: mnist
              path: \(try writeImages(in: directory))
              evaluation_size: 300
            model:
              layers:
                - {conv: 2, kernel: 3}
                - {pool: 2}
                - {dense: 8}
            training:
              epochs: 2
              batch_size: 32
            snapshots:
              epochs: [0, 1, 2]
            analysis:
              slices: 32
            """.write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }

    @Test func tinyCNNPlaneIsBitIdenticalForOneTwoAndThreeRanksAndNamesItsLayers() throws {
        let dir = try temporaryDirectory("cnn")
        let config = try Self.tinyConfig(in: dir)
        let alone = try infoplane("run", config, "--out", "\(dir)/p1")
        #expect(alone.status == 0, "\(alone.stderr)")
        #expect(alone.stderr.contains("CNN 1×28×28 conv2(3×3) pool dense8 → 10 relu"))
        #expect(alone.stderr.contains("analysis: 3/3 snapshots"))
        for ranks in [2, 3] {
            let result = try mpirun(ranks, ["run", config, "--out", "\(dir)/p\(ranks)", "--quiet"])
            #expect(result.status == 0, "\(result.stderr)")
            try expectSameRun("\(dir)/p1/run.h5", "\(dir)/p\(ranks)/run.h5")
            try expectSamePlane("\(dir)/p1/plane.h5", "\(dir)/p\(ranks)/plane.h5")
        }
        // run.h5 names the recorded layers and stores conv maps flattened C·H·W per sample.
        let run = try HDF5File.open(at: "\(dir)/p1/run.h5", writable: false)
        defer { try? run.close() }
        #expect(try run.root.attribute("layers") == .strings(["conv1", "pool1", "dense1"]))
        #expect(try run.root.attribute("hidden_widths") == .ints([1568, 392, 8]))
        let snapshot = try run.root.group("snapshots/epoch_000002")
        #expect(try snapshot.members().map(\.name).sorted() == ["conv1", "dense1", "pool1"])
        #expect(try snapshot.datasetInfo("conv1").shape == [300, 1568])
        #expect(try snapshot.datasetInfo("pool1").shape == [300, 392])
        // pool1 is the 2×2 maximum of conv1, map by map (NCHW order on both sides).
        let conv = try snapshot.read("conv1", as: Float.self).values, pool = try snapshot.read("pool1", as: Float.self).values
        for (sample, c, y, x) in [(0, 0, 0, 0), (7, 1, 13, 5), (299, 1, 6, 13)] {
            let at = { (yy: Int, xx: Int) in conv[sample * 1568 + c * 784 + yy * 28 + xx] }
            let expected = max(max(at(2 * y, 2 * x), at(2 * y, 2 * x + 1)), max(at(2 * y + 1, 2 * x), at(2 * y + 1, 2 * x + 1)))
            #expect(pool[sample * 392 + c * 196 + y * 14 + x] == expected)
        }
        // The plane labels its layers by name (its groups and CSV rows).
        let plane = try HDF5File.open(at: "\(dir)/p1/plane.h5", writable: false)
        defer { try? plane.close() }
        let groups = try plane.root.members().map(\.name)
        for name in ["conv1", "pool1", "dense1"] { #expect(groups.contains { $0.contains(name) }, "\(groups) lacks \(name)") }
        let csv = try String(contentsOfFile: "\(dir)/p1/plane.csv", encoding: .utf8)
        #expect(csv.contains("conv1") && csv.contains("pool1") && csv.contains("dense1"))
        // `--layers` selects by name.
        let one = try infoplane("analyze", "\(dir)/p1/run.h5", "--layers", "pool1", "--out", "\(dir)/pool1.h5", "--quiet")
        #expect(one.status == 0, "\(one.stderr)")
        // `analyze` reads conv1 (projected on loading) into each rank's own buffer where `run`
        // held its rows in the node's window: the same plane.
        let again = try mpirun(2, ["analyze", "\(dir)/p1/run.h5", "--out", "\(dir)/again.h5", "--quiet"])
        #expect(again.status == 0, "\(again.stderr)")
        try expectSamePlane("\(dir)/p1/plane.h5", "\(dir)/again.h5")
    }

    @Test func aKilledCNNRunResumesToTheBitIdenticalRunFile() throws {
        let dir = try temporaryDirectory("cnn-resume")
        let config = try Self.tinyConfig(in: dir)
        let overrides = ["--set", "training.epochs=3", "--set", "snapshots.epochs=[0, 1, 3]"]
        let full = try runProcess(infoplaneBinary, ["train", config, "--out", "\(dir)/reference", "--quiet"] + overrides)
        #expect(full.status == 0, "\(full.stderr)")
        let killed = try runProcess(infoplaneBinary, ["train", config, "--out", "\(dir)/killed", "--quiet"] + overrides,
                                    environment: ["INFOPLANE_FAULT_KILL_AFTER_EPOCH": "2"])
        #expect(killed.status != 0)
        let resumed = try runProcess(infoplaneBinary, ["train", config, "--out", "\(dir)/killed", "--resume"] + overrides)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stderr.contains("resuming"))
        try expectSameRun("\(dir)/reference/run.h5", "\(dir)/killed/run.h5")
        // The checkpoint holds the network's tensors under their layer names.
        let run = try HDF5File.open(at: "\(dir)/killed/run.h5", writable: false)
        defer { try? run.close() }
        let tensors = try run.root.group("checkpoint/slot_1").stringAttribute("tensors")
        #expect(tensors?.hasPrefix("conv1.W,conv1.b,dense1.W,dense1.b,output.W,output.b,") == true)
    }
}
