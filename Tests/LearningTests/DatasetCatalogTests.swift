import Foundation
import Support
import Testing
@testable import Learning

@Suite struct DatasetCatalogTests {
    static let fashionDirectory = "/usr/share/datasets/fashion-mnist"
    static let fashionInstalled = FileManager.default.fileExists(atPath: fashionDirectory + "/train-images-idx3-ubyte.gz")

    // MARK: Image datasets from fixtures

    @Test func loadsRawMNISTFilesAfterStructuralChecks() throws {
        let directory = try Fixture.temporaryDirectory()
        defer { Fixture.remove(directory) }
        let contents = try Fixture.writeImageSet(in: directory, train: 6, test: 4)
        let dataset = try DatasetCatalog.load(DatasetSpec(name: "mnist", path: directory))
        #expect(dataset.classes == 10)
        #expect(dataset.train.count == 6 && dataset.test.count == 4)
        #expect(dataset.train.features == 784 && dataset.test.features == 784)
        let trainPixels = Array(contents["train-images-idx3-ubyte"]![16...])
        #expect(dataset.train.inputs.storage == trainPixels.map { Float($0) / 255 })
        #expect(dataset.train.labels == [0, 1, 2, 3, 4, 5])
        #expect(dataset.test.labels == [0, 3, 6, 9])
        #expect(dataset.identity.name == "mnist")
        #expect(dataset.identity.source == directory)
        let digests = DatasetCatalog.imageFiles.map { SHA256.hex(contents[$0]!) }.joined()
        #expect(dataset.identity.sha256 == SHA256.hex(Array(digests.utf8)))
    }

    @Test func mnistGzipWithWrongChecksumIsAnError() throws {
        let directory = try Fixture.temporaryDirectory()
        defer { Fixture.remove(directory) }
        try Fixture.writeImageSet(in: directory)
        // A .gz next to the raw file is preferred, and fixtures cannot match the published digest.
        try Fixture.writeImageSet(in: directory, compress: true)
        let error = #expect(throws: InfoPlaneError.self) { try DatasetCatalog.load(DatasetSpec(name: "mnist", path: directory)) }
        let message = error?.description ?? ""
        #expect(message.contains(directory + "/train-images-idx3-ubyte.gz has SHA-256 "))
        #expect(message.contains("expected 440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"))
        #expect(message.contains("infoplane data fetch mnist"))
    }

    @Test func missingDirectoryNamesPathAndFix() throws {
        let directory = NSTemporaryDirectory() + "infoplane-missing-\(UUID().uuidString)"
        let mnist = #expect(throws: InfoPlaneError.self) { try DatasetCatalog.load(DatasetSpec(name: "mnist", path: directory)) }
        #expect(mnist?.description.contains("MNIST files not found in \(directory)") == true)
        #expect(mnist?.description.contains("infoplane data fetch mnist") == true)
        let fashion = #expect(throws: InfoPlaneError.self) {
            try DatasetCatalog.load(DatasetSpec(name: "fashion-mnist", path: directory))
        }
        #expect(fashion?.description.contains("Fashion-MNIST files not found in \(directory)") == true)
        #expect(fashion?.description.contains("apt-get install dataset-fashion-mnist") == true)
    }

    @Test func missingFileIsListed() throws {
        let directory = try Fixture.temporaryDirectory()
        defer { Fixture.remove(directory) }
        try Fixture.writeImageSet(in: directory)
        try FileManager.default.removeItem(atPath: directory + "/t10k-labels-idx1-ubyte")
        let error = #expect(throws: InfoPlaneError.self) { try DatasetCatalog.load(DatasetSpec(name: "mnist", path: directory)) }
        #expect(error?.description.contains("missing t10k-labels-idx1-ubyte[.gz]") == true)
        #expect(error?.description.contains("dataset.path") == true)
    }

    @Test func truncatedImageFileIsReported() throws {
        let directory = try Fixture.temporaryDirectory()
        defer { Fixture.remove(directory) }
        let contents = try Fixture.writeImageSet(in: directory)
        let path = directory + "/t10k-images-idx3-ubyte"
        try Fixture.write(Array(contents["t10k-images-idx3-ubyte"]!.dropLast(1)), to: path)
        let error = #expect(throws: InfoPlaneError.self) { try DatasetCatalog.load(DatasetSpec(name: "mnist", path: directory)) }
        #expect(error?.description.contains("\(path) is truncated") == true)
    }

    @Test func imageAndLabelCountsMustAgree() throws {
        let directory = try Fixture.temporaryDirectory()
        defer { Fixture.remove(directory) }
        try Fixture.writeImageSet(in: directory, train: 5, trainLabels: 4)
        let error = #expect(throws: InfoPlaneError.self) { try DatasetCatalog.load(DatasetSpec(name: "mnist", path: directory)) }
        let message = error?.description ?? ""
        #expect(message.contains("\(directory)/train-images-idx3-ubyte holds 5 images"))
        #expect(message.contains("\(directory)/train-labels-idx1-ubyte holds 4 labels"))
    }

    @Test func labelsMustBeDigits() throws {
        let directory = try Fixture.temporaryDirectory()
        defer { Fixture.remove(directory) }
        try Fixture.writeImageSet(in: directory, train: 5, badLabel: 10)
        let error = #expect(throws: InfoPlaneError.self) { try DatasetCatalog.load(DatasetSpec(name: "mnist", path: directory)) }
        #expect(error?.description.contains("train-labels-idx1-ubyte has label 10 at index 4") == true)
    }

    @Test func imagesMustBe28By28() throws {
        let directory = try Fixture.temporaryDirectory()
        defer { Fixture.remove(directory) }
        try Fixture.writeImageSet(in: directory, imageRows: 27)
        let error = #expect(throws: InfoPlaneError.self) { try DatasetCatalog.load(DatasetSpec(name: "mnist", path: directory)) }
        #expect(error?.description.contains("shape 6×27×28, expected n×28×28") == true)
    }

    @Test func fashionMNISTChecksDecompressedContents() throws {
        let directory = try Fixture.temporaryDirectory()
        defer { Fixture.remove(directory) }
        try Fixture.writeImageSet(in: directory, compress: true)
        let error = #expect(throws: InfoPlaneError.self) {
            try DatasetCatalog.load(DatasetSpec(name: "fashion-mnist", path: directory))
        }
        let message = error?.description ?? ""
        #expect(message.contains("train-images-idx3-ubyte.gz decompresses to IDX data with SHA-256"))
        #expect(message.contains("expected c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888"))
        #expect(message.contains("dataset-fashion-mnist"))
    }

    @Test(.enabled(if: DatasetCatalogTests.fashionInstalled))
    func loadsInstalledFashionMNIST() throws {
        let dataset = try DatasetCatalog.load(DatasetSpec(name: "fashion-mnist"))
        #expect(dataset.train.count == 60000 && dataset.test.count == 10000)
        #expect(dataset.train.features == 784 && dataset.test.features == 784)
        #expect(dataset.classes == 10)
        #expect(Self.extremes(dataset.train.inputs.storage) == (0, 1))
        #expect(Self.extremes(dataset.test.inputs.storage) == (0, 1))
        #expect(Set(dataset.train.labels) == Set(0..<10))
        #expect(dataset.identity.name == "fashion-mnist")
        #expect(dataset.identity.source == Self.fashionDirectory)
        // SHA-256 of the four decompressed files' hex digests, concatenated in catalog order.
        #expect(dataset.identity.sha256 == "d1fd84a877f3b78fa9a171b3de73f93e7b6f69ed94bada3feae9d96821401f5c")
    }

    /// The smallest and largest value, with a pointer loop that stays fast in debug builds.
    static func extremes(_ values: [Float]) -> (Float, Float) {
        values.withUnsafeBufferPointer { buffer in
            var low = Float.infinity, high = -Float.infinity
            guard var p = buffer.baseAddress else { return (low, high) }
            let end = p + buffer.count
            while p < end {
                let value = p.pointee
                if value < low { low = value }
                if value > high { high = value }
                p += 1
            }
            return (low, high)
        }
    }

    // MARK: Catalog bookkeeping

    @Test func defaultDirectories() {
        #expect(DatasetCatalog.defaultDirectory(for: "mnist", environment: ["INFOPLANE_DATA": "/data", "HOME": "/home/u"])
                == "/data/mnist")
        #expect(DatasetCatalog.defaultDirectory(for: "mnist", environment: ["HOME": "/home/u"])
                == "/home/u/.cache/infoplane/mnist")
        #expect(DatasetCatalog.defaultDirectory(for: "fashion-mnist") == Self.fashionDirectory)
        #expect(DatasetCatalog.defaultDirectory(for: "synthetic") == nil)
        #expect(DatasetCatalog.names == ["mnist", "fashion-mnist", "synthetic", "tishby-12bit", "quadratic"])
    }

    @Test func unknownDatasetListsTheChoices() {
        let error = #expect(throws: InfoPlaneError.self) { try DatasetCatalog.load(DatasetSpec(name: "cifar")) }
        #expect(error?.description == "unknown dataset 'cifar': choose one of mnist, fashion-mnist, synthetic, tishby-12bit, quadratic")
        #expect(!DatasetCatalog.status(of: "cifar", directory: nil).isUsable)
    }

    @Test func statusReportsPresentMissingAndCorruptFiles() throws {
        let directory = try Fixture.temporaryDirectory()
        defer { Fixture.remove(directory) }
        try Fixture.writeImageSet(in: directory)
        let ready = DatasetCatalog.status(of: "mnist", directory: directory)
        #expect(ready.isUsable)
        #expect(ready.files.map(\.state) == DatasetCatalog.imageFiles.map { .present(path: directory + "/" + $0) })

        try FileManager.default.removeItem(atPath: directory + "/train-labels-idx1-ubyte")
        try Fixture.write(Fixture.gzip(Array("not mnist".utf8)), to: directory + "/t10k-images-idx3-ubyte.gz")
        let broken = DatasetCatalog.status(of: "mnist", directory: directory)
        #expect(!broken.isUsable)
        #expect(broken.files[1].state == .missing)
        guard case .corrupt(let path, let reason) = broken.files[2].state else {
            Issue.record("expected a corrupt t10k-images file, got \(broken.files[2].state)")
            return
        }
        #expect(path == directory + "/t10k-images-idx3-ubyte.gz")
        #expect(reason.contains("SHA-256"))
        #expect(broken.description.contains("corrupt"))

        let synthetic = DatasetCatalog.status(of: "synthetic", directory: nil)
        #expect(synthetic.isUsable && synthetic.files.isEmpty)
    }

    // MARK: Synthetic data

    @Test func syntheticIsDeterministic() throws {
        let spec = DatasetSpec(name: "synthetic", syntheticSeed: 42)
        let a = try DatasetCatalog.load(spec), b = try DatasetCatalog.load(spec)
        #expect(a.train == b.train && a.test == b.test && a.identity == b.identity)
        #expect(a.train.count == 2000 && a.test.count == 500 && a.train.features == 16 && a.classes == 4)
        #expect(a.identity.source == "generated: features=16 classes=4 train=2000 test=500 seed=42")
        #expect(a.identity.sha256.count == 64)
        #expect(a.train.inputs.storage.allSatisfy { $0 > 0 && $0 < 1 })
        // Round-robin labels: classes are exactly balanced.
        for label in Int32(0)..<4 { #expect(a.train.labels.filter { $0 == label }.count == 500) }
        #expect(a.train.labels != (0..<2000).map { Int32($0 % 4) }, "labels should be shuffled")
    }

    @Test func syntheticSeedsAndParametersChangeTheData() throws {
        let a = try DatasetCatalog.load(DatasetSpec(name: "synthetic", syntheticSeed: 1))
        let b = try DatasetCatalog.load(DatasetSpec(name: "synthetic", syntheticSeed: 2))
        #expect(a.train.inputs != b.train.inputs)
        #expect(a.identity.sha256 != b.identity.sha256)
        #expect(a.train.inputs.rows(0..<500) != a.test.inputs, "train and test come from different streams")
        let c = try DatasetCatalog.load(DatasetSpec(name: "synthetic", syntheticFeatures: 5, syntheticClasses: 3,
                                                    syntheticTrainSize: 30, syntheticTestSize: 9, syntheticSeed: 1))
        #expect(c.train.count == 30 && c.test.count == 9 && c.train.features == 5 && c.classes == 3)
        #expect(c.identity.sha256 != a.identity.sha256)
    }

    @Test func syntheticIsLearnableByNearestClassMean() throws {
        let dataset = try DatasetCatalog.load(DatasetSpec(name: "synthetic", syntheticSeed: 7))
        let d = dataset.train.features, classes = dataset.classes
        var centroids = [Float](repeating: 0, count: classes * d)
        var counts = [Float](repeating: 0, count: classes)
        for i in 0..<dataset.train.count {
            let label = Int(dataset.train.labels[i])
            counts[label] += 1
            for f in 0..<d { centroids[label * d + f] += dataset.train.inputs[i, f] }
        }
        for c in 0..<classes { for f in 0..<d { centroids[c * d + f] /= counts[c] } }
        var correct = 0
        for i in 0..<dataset.test.count {
            let distances = (0..<classes).map { c in
                (0..<d).reduce(Float(0)) { sum, f in
                    let diff = dataset.test.inputs[i, f] - centroids[c * d + f]
                    return sum + diff * diff
                }
            }
            if distances.firstIndex(of: distances.min()!) == Int(dataset.test.labels[i]) { correct += 1 }
        }
        let accuracy = Double(correct) / Double(dataset.test.count)
        #expect(accuracy > 0.8, "nearest-class-mean accuracy \(accuracy)")
    }

    @Test func syntheticParametersAreValidated() {
        let cases: [(DatasetSpec, String)] = [
            (DatasetSpec(name: "synthetic", syntheticFeatures: 0), "at least 1 feature"),
            (DatasetSpec(name: "synthetic", syntheticClasses: 1), "at least 2 classes"),
            (DatasetSpec(name: "synthetic", syntheticClasses: 10, syntheticTrainSize: 9), "dataset.syntheticTrainSize = 9"),
            (DatasetSpec(name: "synthetic", syntheticTestSize: 3), "dataset.syntheticTestSize = 3"),
        ]
        for (spec, phrase) in cases {
            let error = #expect(throws: InfoPlaneError.self) { try DatasetCatalog.load(spec) }
            #expect(error?.description.contains(phrase) == true, "\(error?.description ?? "no error")")
        }
    }
}
