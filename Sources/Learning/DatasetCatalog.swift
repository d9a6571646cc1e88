import Foundation
import Randomness
import Support

/// Which dataset to load and, for generated data, how to generate it.
public struct DatasetSpec: Sendable, Equatable {
    /// A catalog name: one of ``DatasetCatalog/names``.
    public var name: String
    /// Directory holding the dataset's files; `nil` uses ``DatasetCatalog/defaultDirectory(for:)``.
    public var path: String?
    /// Number of input features of the `synthetic` dataset.
    public var syntheticFeatures: Int = 16
    /// Number of classes of the `synthetic` dataset.
    public var syntheticClasses: Int = 4
    /// Training samples of the `synthetic` dataset.
    public var syntheticTrainSize: Int = 2000
    /// Test samples of the `synthetic` dataset.
    public var syntheticTestSize: Int = 500
    /// Seed of the `synthetic` dataset's random streams.
    public var syntheticSeed: UInt64 = 0

    /// A spec for dataset `name`; the `synthetic…` parameters matter only for `synthetic`.
    public init(
        name: String, path: String? = nil,
        syntheticFeatures: Int = 16, syntheticClasses: Int = 4,
        syntheticTrainSize: Int = 2000, syntheticTestSize: Int = 500, syntheticSeed: UInt64 = 0
    ) {
        self.name = name
        self.path = path
        self.syntheticFeatures = syntheticFeatures
        self.syntheticClasses = syntheticClasses
        self.syntheticTrainSize = syntheticTrainSize
        self.syntheticTestSize = syntheticTestSize
        self.syntheticSeed = syntheticSeed
    }
}

/// What is on disk for one catalog dataset, as shown by `infoplane data list`.
public struct CatalogStatus: Sendable, Equatable, CustomStringConvertible {
    /// The state of one of a dataset's files.
    public enum FileState: Sendable, Equatable {
        /// Found at `path` and verified (checksum or, where none applies, structure).
        case present(path: String)
        /// Neither the `.gz` nor the uncompressed file exists.
        case missing
        /// Found at `path` but failed verification for `reason`.
        case corrupt(path: String, reason: String)
    }

    /// One expected file and its state.
    public struct File: Sendable, Equatable {
        /// The file's name without the `.gz` suffix, e.g. `train-images-idx3-ubyte`.
        public var name: String
        /// What was found.
        public var state: FileState

        /// A file entry.
        public init(name: String, state: FileState) {
            self.name = name
            self.state = state
        }
    }

    /// The catalog name asked about.
    public var name: String
    /// The directory inspected; `nil` for generated or unknown datasets.
    public var directory: String?
    /// The expected files, empty for generated or unknown datasets.
    public var files: [File]
    /// Whether ``DatasetCatalog/load(_:)`` can be expected to succeed.
    public var isUsable: Bool
    /// One line: the state and, when the dataset is not usable, the fix.
    public var description: String

    /// A status record.
    public init(name: String, directory: String?, files: [File], isUsable: Bool, description: String) {
        self.name = name
        self.directory = directory
        self.files = files
        self.isUsable = isUsable
        self.description = description
    }
}

/// The datasets InfoPlane knows by name, and how to load them.
///
/// `mnist` and `fashion-mnist` are read from the four IDX files of each (gzip-compressed or not);
/// `synthetic` and `tishby-12bit` (``TishbyTask``) are generated from a seed. Loading verifies checksums: for MNIST the published
/// SHA-256 of each `.gz` file; for Fashion-MNIST, whose Debian package re-compresses the files,
/// the SHA-256 of each decompressed IDX file.
public enum DatasetCatalog {
    /// The catalog names, in the order `infoplane data list` shows them.
    public static let names: [String] = ["mnist", "fashion-mnist", "synthetic", "tishby-12bit", "quadratic"]

    /// The four IDX files of an image dataset, without `.gz`, in the order their digests enter
    /// ``DatasetIdentity/sha256``.
    static let imageFiles = [
        "train-images-idx3-ubyte", "train-labels-idx1-ubyte",
        "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte",
    ]

    /// Published SHA-256 of the MNIST `.gz` files (as served by the mirrors MNISTFetcher uses).
    static let mnistCompressedDigests: [String: String] = [
        "train-images-idx3-ubyte.gz": "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
        "train-labels-idx1-ubyte.gz": "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
        "t10k-images-idx3-ubyte.gz": "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
        "t10k-labels-idx1-ubyte.gz": "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
    ]

    /// SHA-256 of the decompressed Fashion-MNIST IDX files (identical upstream and in Debian's
    /// dataset-fashion-mnist, whose `.gz` files differ from upstream's only in compression).
    static let fashionPayloadDigests: [String: String] = [
        "train-images-idx3-ubyte": "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
        "train-labels-idx1-ubyte": "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
        "t10k-images-idx3-ubyte": "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
        "t10k-labels-idx1-ubyte": "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
    ]

    /// Loads the dataset `spec` names.
    ///
    /// For `mnist` and `fashion-mnist` the identity's `source` is the directory read and its
    /// `sha256` is the SHA-256 of the ASCII text formed by concatenating the four files' hex
    /// digests, each taken over the decompressed IDX file, in the order train-images,
    /// train-labels, t10k-images, t10k-labels (so a `.gz` and an uncompressed copy of the same
    /// data get the same identity). For `synthetic` and `tishby-12bit` it is the SHA-256 of a
    /// canonical text of the generator's parameters.
    public static func load(_ spec: DatasetSpec) throws -> Dataset {
        switch spec.name {
        case "mnist", "fashion-mnist":
            let source = ImageSource.named(spec.name)!
            let directory = spec.path ?? defaultDirectory(for: spec.name)!
            return try loadImages(source, directory: directory)
        case "synthetic":
            return try synthetic(spec)
        case "tishby-12bit":
            return TishbyTask.dataset(seed: spec.syntheticSeed)
        case "quadratic":
            return try quadratic(spec)
        default:
            throw unknownDataset(spec.name)
        }
    }

    /// Where a dataset's files are looked for when `dataset.path` is not set; `nil` for generated
    /// or unknown datasets.
    ///
    /// `mnist`: `$INFOPLANE_DATA/mnist` if `INFOPLANE_DATA` is set, else
    /// `$HOME/.cache/infoplane/mnist`. `fashion-mnist`: `/usr/share/datasets/fashion-mnist`, where
    /// Debian's dataset-fashion-mnist installs it.
    public static func defaultDirectory(for name: String) -> String? {
        defaultDirectory(for: name, environment: ProcessInfo.processInfo.environment)
    }

    /// ``defaultDirectory(for:)`` against an explicit environment (testable without `setenv`).
    static func defaultDirectory(for name: String, environment: [String: String]) -> String? {
        switch name {
        case "mnist":
            if let root = environment["INFOPLANE_DATA"], !root.isEmpty {
                return join(root, "mnist")
            }
            let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 }
                ?? FileManager.default.homeDirectoryForCurrentUser.path
            return join(home, ".cache/infoplane/mnist")
        case "fashion-mnist":
            return "/usr/share/datasets/fashion-mnist"
        default:
            return nil
        }
    }

    /// Which of a dataset's files are present, missing or corrupt in `directory` (the default
    /// directory when `nil`). Present files are verified as ``load(_:)`` would, so this reads them.
    public static func status(of name: String, directory: String?) -> CatalogStatus {
        if name == "synthetic" || name == "tishby-12bit" || name == "quadratic" {
            return CatalogStatus(name: name, directory: nil, files: [], isUsable: true,
                                 description: "\(name): generated on demand from \(name == "tishby-12bit" ? "the run's seed" : "dataset parameters") (no files)")
        }
        guard let source = ImageSource.named(name), let directory = directory ?? defaultDirectory(for: name) else {
            return CatalogStatus(name: name, directory: nil, files: [], isUsable: false,
                                 description: unknownDataset(name).description)
        }
        let files = imageFiles.map { base -> CatalogStatus.File in
            guard let path = locate(base, in: directory) else { return .init(name: base, state: .missing) }
            do {
                _ = try verifiedFile(base, at: path, source: source)
                return .init(name: base, state: .present(path: path))
            } catch {
                return .init(name: base, state: .corrupt(path: path, reason: String(describing: error)))
            }
        }
        let missing = files.filter { $0.state == .missing }.map(\.name)
        let corrupt = files.compactMap { file -> String? in
            if case .corrupt = file.state { return file.name }
            return nil
        }
        let description: String
        if missing.isEmpty && corrupt.isEmpty {
            description = "\(name): ready (4 files verified in \(directory))"
        } else if corrupt.isEmpty {
            description = "\(name): \(missing.count) of 4 files missing in \(directory) (\(missing.joined(separator: ", "))): \(source.missingFix)"
        } else {
            description = "\(name): corrupt files in \(directory) (\(corrupt.joined(separator: ", "))): \(source.corruptFix)"
        }
        return CatalogStatus(name: name, directory: directory, files: files,
                             isUsable: missing.isEmpty && corrupt.isEmpty, description: description)
    }

    private static func unknownDataset(_ name: String) -> InfoPlaneError {
        InfoPlaneError("unknown dataset '\(name)': choose one of \(names.joined(separator: ", "))")
    }

    private static func join(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }
}

// MARK: - Image datasets

extension DatasetCatalog {
    /// How one image dataset is named, checked and repaired.
    struct ImageSource {
        var name: String
        var title: String
        /// Expected SHA-256 of gzip-compressed files, keyed by file name with `.gz`.
        var compressedDigests: [String: String]?
        /// Expected SHA-256 of decompressed IDX files, keyed by file name without `.gz`.
        var payloadDigests: [String: String]?
        var missingFix: String
        var corruptFix: String

        static func named(_ name: String) -> ImageSource? {
            let holding = "set dataset.path to a directory holding "
                + imageFiles.map { $0 + ".gz" }.joined(separator: ", ") + " (or the uncompressed files)"
            switch name {
            case "mnist":
                return ImageSource(
                    name: name, title: "MNIST", compressedDigests: mnistCompressedDigests, payloadDigests: nil,
                    missingFix: "run `infoplane data fetch mnist` (needs a network) or " + holding,
                    corruptFix: "fetch it again with `infoplane data fetch mnist`")
            case "fashion-mnist":
                return ImageSource(
                    name: name, title: "Fashion-MNIST", compressedDigests: nil, payloadDigests: fashionPayloadDigests,
                    missingFix: "install Debian's dataset-fashion-mnist (`apt-get install dataset-fashion-mnist`) or " + holding,
                    corruptFix: "reinstall it (`apt-get install --reinstall dataset-fashion-mnist`) or fix dataset.path")
            default:
                return nil
            }
        }
    }

    /// A file that passed its checks: its IDX contents and the digest of the decompressed file.
    struct VerifiedFile {
        var path: String
        var array: IDXArray
        var payloadDigest: String
    }

    /// The path of `base` in `directory`, preferring the `.gz` file when both exist.
    static func locate(_ base: String, in directory: String) -> String? {
        let manager = FileManager.default
        for candidate in [join(directory, base + ".gz"), join(directory, base)] {
            var isDirectory: ObjCBool = false
            if manager.fileExists(atPath: candidate, isDirectory: &isDirectory), !isDirectory.boolValue {
                return candidate
            }
        }
        return nil
    }

    /// Reads `path` and checks it against `source`'s digests and the IDX structure.
    static func verifiedFile(_ base: String, at path: String, source: ImageSource) throws -> VerifiedFile {
        let fileBytes = try IDXReader.readFile(path: path)
        // Published digests are of the compressed files; an uncompressed copy cannot be checked
        // against them and is accepted on structure alone.
        if let digests = source.compressedDigests, path.hasSuffix(".gz") || Gzip.isGzip(fileBytes),
           let expected = digests[base + ".gz"] {
            let actual = SHA256.hex(fileBytes)
            guard actual == expected else {
                throw InfoPlaneError("\(path) has SHA-256 \(actual), expected \(expected): the file is corrupt or not \(source.title); \(source.corruptFix)")
            }
        }
        let payload = try IDXReader.decompressedIfNeeded(fileBytes, name: path)
        let payloadDigest = SHA256.hex(payload)
        if let expected = source.payloadDigests?[base], payloadDigest != expected {
            throw InfoPlaneError("\(path) decompresses to IDX data with SHA-256 \(payloadDigest), expected \(expected): the file is corrupt or not \(source.title); \(source.corruptFix)")
        }
        return VerifiedFile(path: path, array: try IDXReader.parse(payload, name: path), payloadDigest: payloadDigest)
    }

    static func loadImages(_ source: ImageSource, directory: String) throws -> Dataset {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw InfoPlaneError("\(source.title) files not found in \(directory) (no such directory): \(source.missingFix)")
        }
        let paths = imageFiles.map { locate($0, in: directory) }
        let missing = zip(imageFiles, paths).filter { $0.1 == nil }.map { $0.0 + "[.gz]" }
        guard missing.isEmpty else {
            throw InfoPlaneError("\(source.title) files not found in \(directory) (missing \(missing.joined(separator: ", "))): \(source.missingFix)")
        }
        var digests = [String]()
        var splits = [Split]()
        for pair in 0..<2 {
            let images = try verifiedFile(imageFiles[2 * pair], at: paths[2 * pair]!, source: source)
            let labels = try verifiedFile(imageFiles[2 * pair + 1], at: paths[2 * pair + 1]!, source: source)
            digests += [images.payloadDigest, labels.payloadDigest]
            splits.append(try imageSplit(images: images, labels: labels, source: source))
        }
        let identity = DatasetIdentity(name: source.name, source: directory,
                                       sha256: SHA256.hex(Array(digests.joined().utf8)))
        return Dataset(identity: identity, train: splits[0], test: splits[1], classes: 10)
    }

    /// Pixels scaled to [0, 1] and labels checked against the ten classes.
    static func imageSplit(images: VerifiedFile, labels: VerifiedFile, source: ImageSource) throws -> Split {
        let shape = images.array.dimensions
        guard shape.count == 3, shape[1] == 28, shape[2] == 28 else {
            let found = shape.map(String.init).joined(separator: "×")
            throw InfoPlaneError("\(images.path) holds an array of shape \(found), expected n×28×28 images: the file is not \(source.title) images; \(source.corruptFix)")
        }
        guard labels.array.dimensions.count == 1 else {
            let found = labels.array.dimensions.map(String.init).joined(separator: "×")
            throw InfoPlaneError("\(labels.path) holds an array of shape \(found), expected a list of labels: the file is not \(source.title) labels; \(source.corruptFix)")
        }
        let count = shape[0]
        guard labels.array.dimensions[0] == count else {
            throw InfoPlaneError("\(images.path) holds \(count) images but \(labels.path) holds \(labels.array.dimensions[0]) labels: the files do not belong together; \(source.corruptFix)")
        }
        let labelBytes = labels.array.bytes
        if let bad = labelBytes.firstIndex(where: { $0 >= 10 }) {
            throw InfoPlaneError("\(labels.path) has label \(labelBytes[bad]) at index \(bad), outside 0–9: the file is corrupt; \(source.corruptFix)")
        }
        // A table gives exactly Float(byte) / 255 without a division per pixel; the pointer
        // loop keeps debug builds fast on 47 million pixels.
        let scale = (0..<256).map { Float($0) / 255 }
        let pixels = images.array.bytes
        let storage = [Float](unsafeUninitializedCapacity: pixels.count) { out, initialized in
            scale.withUnsafeBufferPointer { table in
                pixels.withUnsafeBufferPointer { src in
                    guard var source = src.baseAddress, var destination = out.baseAddress else { return }
                    let end = source + src.count
                    let table = table.baseAddress!
                    while source < end {
                        destination.initialize(to: (table + Int(source.pointee)).pointee)
                        source += 1
                        destination += 1
                    }
                }
            }
            initialized = pixels.count
        }
        return Split(inputs: Matrix(rows: count, columns: 28 * 28, storage: storage),
                     labels: labelBytes.map { Int32($0) })
    }
}

// MARK: - Synthetic data

extension DatasetCatalog {
    /// Standard deviation of the Gaussian noise around each class mean.
    static let syntheticNoise = 0.7

    /// A seeded Gaussian-blob classification set: class means from N(0, 1) per feature, samples
    /// at mean + 0.7·N(0, 1), squashed into (0, 1) by the logistic function so that inputs look
    /// like pixel intensities. Labels are round-robin (balanced classes) in a random order.
    static func synthetic(_ spec: DatasetSpec) throws -> Dataset {
        let d = spec.syntheticFeatures, classes = spec.syntheticClasses
        guard d >= 1 else {
            throw InfoPlaneError("synthetic dataset needs at least 1 feature, got dataset.syntheticFeatures = \(d)")
        }
        guard classes >= 2 else {
            throw InfoPlaneError("synthetic dataset needs at least 2 classes, got dataset.syntheticClasses = \(classes)")
        }
        for (key, size) in [("syntheticTrainSize", spec.syntheticTrainSize), ("syntheticTestSize", spec.syntheticTestSize)] {
            guard size >= classes else {
                throw InfoPlaneError("synthetic dataset needs at least one sample per class: dataset.\(key) = \(size) is below syntheticClasses = \(classes)")
            }
            // Beyond 2^31 values (8 GiB of Float) a typo is far likelier than intent.
            let (values, overflow) = size.multipliedReportingOverflow(by: d)
            guard !overflow, values <= 1 << 31 else {
                throw InfoPlaneError("synthetic dataset too large: dataset.\(key) = \(size) × syntheticFeatures = \(d) exceeds 2^31 values")
            }
        }
        guard classes <= Int(Int32.max) else {
            throw InfoPlaneError("synthetic dataset has too many classes (\(classes)); labels are 32-bit")
        }
        let seed = spec.syntheticSeed
        var meanStream = RandomStream(seed: seed, purpose: "synthetic.means")
        let means = (0..<(classes * d)).map { _ in meanStream.nextGaussian() }

        func split(_ index: Int, count: Int) -> Split {
            var order = RandomStream(seed: seed, purpose: "synthetic.labels", index)
            let labels = order.permutation(of: count).map { Int32($0 % classes) }
            var noise = RandomStream(seed: seed, purpose: "synthetic.noise", index)
            var storage = [Float](repeating: 0, count: count * d)
            for i in 0..<count {
                let meanOffset = Int(labels[i]) * d
                for f in 0..<d {
                    let x = means[meanOffset + f] + syntheticNoise * noise.nextGaussian()
                    storage[i * d + f] = Float(1 / (1 + exp(-x)))
                }
            }
            return Split(inputs: Matrix(rows: count, columns: d, storage: storage), labels: labels)
        }

        let parameters = "features=\(d) classes=\(classes) train=\(spec.syntheticTrainSize) test=\(spec.syntheticTestSize) seed=\(seed)"
        // Versioned so that a change to the generator changes every synthetic identity.
        let canonical = "infoplane synthetic v1: \(parameters) noise=0.7 squash=logistic"
        let identity = DatasetIdentity(name: "synthetic", source: "generated: \(parameters)",
                                       sha256: SHA256.hex(Array(canonical.utf8)))
        return Dataset(identity: identity,
                       train: split(0, count: spec.syntheticTrainSize),
                       test: split(1, count: spec.syntheticTestSize),
                       classes: classes)
    }
}
