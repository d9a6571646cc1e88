import Foundation
import Storage

/// The hostile inputs of ``BadInputTests``, made once in one directory: config files (empty,
/// oversized, an alias bomb, deep nesting, …), run files written with Storage as h5py users
/// would (NaN, wrong shapes and types, missing groups, singleton classes), an array file for
/// `estimate`, and a good plane made from the good run file (the pre-existing output every
/// analyze case must leave untouched).
enum BadInputFixtures {
    /// Why the fixtures could not be made.
    struct Failure: Error, Sendable { let message: String }

    /// The directory, or why it could not be made.
    static let directory: Result<String, Failure> = {
        do { return .success(try make()) } catch { return .failure(Failure(message: "\(error)")) }
    }()

    /// Samples of the run files: large enough that `--slices 10000000` cannot fit in memory
    /// (2 × 10⁴ × 10⁷ doubles = 1.6 TB), small enough to write in milliseconds.
    static let samples = 20_000

    private static func make() throws -> String {
        let dir = try temporaryDirectory("bad-inputs")
        try makeConfigs(in: dir)
        try makeRunFiles(in: dir)
        try makeArrays(at: "\(dir)/arrays.h5")
        // The good output every analyze case starts from.
        try FileManager.default.createDirectory(atPath: "\(dir)/good", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: "\(dir)/good.h5", toPath: "\(dir)/good/run.h5")
        let analysis = try infoplane("analyze", "\(dir)/good/run.h5", "--slices", "8", "--quiet")
        guard analysis.status == 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: analysis.stderr]) }
        return dir
    }

    private static func makeConfigs(in dir: String) throws {
        func write(_ name: String, _ text: String) throws { try text.write(toFile: "\(dir)/\(name)", atomically: true, encoding: .utf8) }
        try write("empty.yaml", "")
        try write("comment.yaml", "# only a comment\n\n   \n")
        // The classic "billion laughs": 9 levels of 9 aliases, 342 bytes, 9⁹ values expanded.
        var bomb = [#"a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]"#]
        for (previous, name) in zip("abcdefgh", "bcdefghi") {
            bomb.append("\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 9).joined(separator: ",") + "]")
        }
        try write("bomb.yaml", bomb.joined(separator: "\n") + "\n")
        try write("deep.yaml", String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "\n")
        try write("deep-block.yaml", String(repeating: "- ", count: 100_000) + "x\n")
        try write("chain.yaml", "a0: &a0 [x]\n" + (1..<200).map { "a\($0): &a\($0) [*a\($0 - 1)]" }.joined(separator: "\n") + "\n")
        try write("big.yaml", String(repeating: "# padding padding padding padding padding padding padding\n", count: 20_000))
        try write("no-value.yaml", "name: novalue\ntraining:\n  epochs:\n")
        try write("twice.yaml", "seed: 1\nseed: 2\n")
        try write("syntax.yaml", "training: [epochs\n")
        try write("unknown.yaml", "trainign:\n  epochs: 3\n")
        // A CNN on Fashion-MNIST's 28×28 images (the catalog's default path), refused before they are read.
        try write("cnn.yaml", "dataset:\n  name: fashion-mnist\nmodel:\n  layers:\n    - {conv: 4}\n    - {pool: 2}\n    - {dense: 8}\n")
        try Data([0x6e, 0x61, 0x6d, 0x65, 0x3a, 0x20, 0xff, 0xfe, 0x0a]).write(to: URL(fileURLWithPath: "\(dir)/binary.yaml"))
        try FileManager.default.createDirectory(atPath: "\(dir)/folder.yaml", withIntermediateDirectories: true)
        try "not HDF5 at all\n".write(toFile: "\(dir)/text.h5", atomically: true, encoding: .utf8)
    }

    /// A valid run file by the documented schema (two snapshots of two layers, three classes)
    /// and one variant per defect.
    private static func makeRunFiles(in dir: String) throws {
        let n = samples, d = 3
        let inputs = (0..<(n * d)).map { Float(($0 * 7919) % 1000) / 1000 }
        let labels = (0..<n).map { Int32($0 % 3) }
        func layer(_ width: Int, _ salt: Int) -> [Float] { (0..<(n * width)).map { Float(($0 * 31 + salt) % 997) / 997 } }
        func runFile(_ name: String, edit: (HDF5Group) throws -> Void = { _ in }) throws {
            let file = try HDF5File.create(at: "\(dir)/\(name)", overwrite: true)
            try file.root.write("evaluation/inputs", inputs, shape: [n, d])
            try file.root.write("evaluation/labels", labels, shape: [n])
            for epoch in 0..<2 {
                let group = try file.root.groupOrCreate("snapshots/epoch_00000\(epoch)")
                try group.setAttribute("epoch", .int(Int64(epoch)))
                try group.write("layer_1", layer(4, epoch), shape: [n, 4])
                try group.write("layer_2", layer(2, epoch + 5), shape: [n, 2])
            }
            try edit(file.root)
            try file.close()
        }
        func replace(_ root: HDF5Group, _ path: String, _ write: (HDF5Group, String) throws -> Void) throws {
            let parts = path.split(separator: "/").map(String.init)
            let group = try parts.dropLast().reduce(root) { try $0.group($1) }
            try group.remove(parts.last!)
            try write(group, parts.last!)
        }
        try runFile("good.h5")
        try runFile("nan-layer.h5") { root in
            var values = layer(2, 6)
            values[17] = .nan
            try replace(root, "snapshots/epoch_000001/layer_2") { try $0.write($1, values, shape: [n, 2]) }
        }
        try runFile("zero-columns.h5") { try replace($0, "evaluation/inputs") { try $0.write($1, [Float](), shape: [n, 0]) } }
        try runFile("zero-width.h5") { root in
            for epoch in 0..<2 { try replace(root, "snapshots/epoch_00000\(epoch)/layer_1") { try $0.write($1, [Float](), shape: [n, 0]) } }
        }
        try runFile("layer-1d.h5") { try replace($0, "snapshots/epoch_000000/layer_1") { try $0.write($1, layer(1, 0), shape: [n]) } }
        try runFile("singletons.h5") { try replace($0, "evaluation/labels") { try $0.write($1, (0..<n).map { Int32($0) }, shape: [n]) } }
        try runFile("one-class.h5") { try replace($0, "evaluation/labels") { try $0.write($1, [Int32](repeating: 2, count: n), shape: [n]) } }
        try runFile("float-labels.h5") { try replace($0, "evaluation/labels") { try $0.write($1, [Float](repeating: 1, count: n), shape: [n]) } }
        try runFile("short-labels.h5") { try replace($0, "evaluation/labels") { try $0.write($1, Array(labels.dropLast()), shape: [n - 1]) } }
        try runFile("empty-inputs.h5") { try replace($0, "evaluation/inputs") { try $0.write($1, [Float](), shape: [0, d]) } }
        try runFile("nan-inputs.h5") { root in
            var values = inputs
            values[5] = .nan
            try replace(root, "evaluation/inputs") { try $0.write($1, values, shape: [n, d]) }
        }
        try runFile("no-snapshots.h5") { try $0.remove("snapshots") }
        try runFile("no-evaluation.h5") { try $0.remove("evaluation") }
        try runFile("empty-snapshot.h5") { root in
            let group = try root.group("snapshots/epoch_000000")
            try group.remove("layer_1")
            try group.remove("layer_2")
        }
        try runFile("negative-epoch.h5") { try $0.group("snapshots/epoch_000001").setAttribute("epoch", .int(-3)) }
        try runFile("config-bomb.h5") { root in
            try root.setAttribute("config", .string(try String(contentsOfFile: "\(dir)/bomb.yaml", encoding: .utf8)))
        }
    }

    /// `estimate`'s arrays: good x, y and labels, and one array per defect.
    private static func makeArrays(at path: String) throws {
        let n = 300
        let file = try HDF5File.create(at: path, overwrite: true)
        try file.root.write("x", (0..<(n * 3)).map { Float(($0 * 7919) % 1000) / 1000 }, shape: [n, 3])
        try file.root.write("y", (0..<(n * 2)).map { Double(($0 * 104_729) % 1000) / 1000 }, shape: [n, 2])
        try file.root.write("labels", (0..<n).map { Int64($0 % 3) }, shape: [n])
        try file.root.write("zero_columns", [Double](), shape: [n, 0])
        try file.root.write("zero_rows", [Double](), shape: [0, 3])
        try file.root.write("singletons", (0..<n).map { Int64($0) }, shape: [n])
        try file.root.write("one_class", [Int64](repeating: 4, count: n), shape: [n])
        var withNaN = (0..<n).map { Double($0) }
        withNaN[9] = .nan
        try file.root.write("nan", withNaN, shape: [n])
        try file.root.write("reals", (0..<n).map { Double($0) / 7 }, shape: [n])
        try file.root.write("short", [Double](repeating: 1, count: n - 1), shape: [n - 1])
        try file.root.write("big_labels", (0..<n).map { Int64($0 % 2) * 10_000_000_000 }, shape: [n])
        try file.close()
    }
}
