import Storage
import Testing

@Suite("Datasets")
struct DatasetTests {
    /// Writes `values` with `shape`, reopens the file and checks values, shape and stored type.
    private func roundTrip<T: HDF5Scalar>(_ values: [T], shape: [Int], chunked: Bool = false,
                                          compressionLevel: Int? = nil) throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/data.h5"
            do {
                let file = try HDF5File.create(at: path, overwrite: false)
                try file.root.write("a/b/values", values, shape: shape, chunked: chunked,
                                    compressionLevel: compressionLevel)
                try file.close()
            }
            let file = try HDF5File.open(at: path, writable: false)
            let (read, readShape) = try file.root.read("a/b/values", as: T.self)
            #expect(read == values)
            #expect(readShape == shape)
            let info = try file.root.datasetInfo("a/b/values")
            #expect(info.elementType == T.elementType.description)
            #expect(info.scalarType == T.elementType)
            #expect(info.shape == shape)
        }
    }

    @Test func everyElementTypeAndShapeRoundTrips() throws {
        let shapes: [[Int]] = [[], [0], [1], [6], [2, 3], [3, 2, 1], [0, 4]]
        for shape in shapes {
            let count = shape.reduce(1, *)
            try roundTrip((0..<count).map { Float($0) * 0.5 - 1 }, shape: shape)
            try roundTrip((0..<count).map { Double($0) / 3 }, shape: shape)
            try roundTrip((0..<count).map { Int32($0) - 2 }, shape: shape)
            try roundTrip((0..<count).map { Int64($0) * 1_000_000_007 }, shape: shape)
            try roundTrip((0..<count).map { UInt8($0 * 40 % 256) }, shape: shape)
        }
    }

    @Test func extremeValuesSurvive() throws {
        try roundTrip([Float.greatestFiniteMagnitude, -Float.infinity, Float.leastNonzeroMagnitude], shape: [3])
        try roundTrip([Double.pi, -0.0, Double.infinity, Double.ulpOfOne], shape: [2, 2])
        try roundTrip([Int64.min, Int64.max, 0], shape: [3])
        try roundTrip([Int32.min, Int32.max], shape: [2])
        try roundTrip([UInt8.min, UInt8.max], shape: [2])
    }

    @Test func oneDimensionalByDefault() throws {
        try withTemporaryDirectory { directory in
            let file = try HDF5File.create(at: directory + "/x.h5", overwrite: false)
            try file.root.write("v", [1.0, 2.0, 3.0])
            #expect(try file.root.datasetInfo("v").shape == [3])
        }
    }

    @Test func chunkedAndCompressedDatasetsRoundTrip() throws {
        let values = (0..<(300 * 784)).map { Float($0 % 97) }
        try roundTrip(values, shape: [300, 784], chunked: true)
        try roundTrip(values, shape: [300, 784], compressionLevel: 4)
        try withTemporaryDirectory { directory in
            let file = try HDF5File.create(at: directory + "/c.h5", overwrite: false)
            try file.root.write("inputs", values, shape: [300, 784], compressionLevel: 6)
            let info = try file.root.datasetInfo("inputs")
            #expect(info.chunkShape == [300, 784])
            #expect(info.filters == ["deflate"])
            #expect(info.maxShape == [300, 784])
            #expect(info.count == 300 * 784)
        }
    }

    @Test func widerTypesReadLosslessly() throws {
        try withTemporaryDirectory { directory in
            let file = try HDF5File.create(at: directory + "/w.h5", overwrite: false)
            try file.root.write("f32", [Float(1.5), -2.25], shape: [2])
            try file.root.write("i32", [Int32(-7), 9], shape: [2])
            try file.root.write("u8", [UInt8(200), 3], shape: [2])
            #expect(try file.root.read("f32", as: Double.self).values == [1.5, -2.25])
            #expect(try file.root.read("i32", as: Int64.self).values == [-7, 9])
            #expect(try file.root.read("u8", as: Int32.self).values == [200, 3])
            #expect(try file.root.read("u8", as: Int64.self).values == [200, 3])
        }
    }

    @Test func lossyOrCrossClassReadsAreRefused() throws {
        try withTemporaryDirectory { directory in
            let file = try HDF5File.create(at: directory + "/run.h5", overwrite: false)
            try file.root.write("evaluation/inputs", [Int64(1), 2], shape: [2])
            try file.root.write("f64", [1.0, 2.0], shape: [2])
            try file.root.write("i32", [Int32(-1)], shape: [1])
            let classError = storageError { _ = try file.root.read("evaluation/inputs", as: Float.self) }
            #expect(classError?.kind == .typeMismatch)
            #expect(classError?.message == "dataset 'evaluation/inputs' in run.h5 holds int64 values, expected float32")
            let narrowing = storageError { _ = try file.root.read("f64", as: Float.self) }
            #expect(narrowing?.kind == .typeMismatch)
            #expect(narrowing?.message.contains("would lose precision") == true)
            #expect(storageError { _ = try file.root.read("i32", as: UInt8.self) }?.kind == .typeMismatch)
            #expect(storageError { _ = try file.root.read("i32", as: Double.self) }?.kind == .typeMismatch)
        }
    }

    @Test func writeChecksShapeAndExistence() throws {
        try withTemporaryDirectory { directory in
            let file = try HDF5File.create(at: directory + "/run.h5", overwrite: false)
            let shape = storageError { try file.root.write("x", [1.0, 2.0, 3.0], shape: [2, 2]) }
            #expect(shape?.kind == .shapeMismatch)
            #expect(shape?.message == "cannot write dataset 'x' in run.h5: shape [2, 2] holds 4 values, got 3")
            #expect(!file.root.contains("x"))
            try file.root.write("x", [1.0], shape: [1])
            #expect(storageError { try file.root.write("x", [1.0], shape: [1]) }?.kind == .alreadyExists)
            #expect(storageError { try file.root.write("y", [1.0], compressionLevel: 12) }?.kind == .invalidArgument)
            #expect(storageError { try file.root.write("z", [Double](), shape: [-1, 0]) }?.kind == .invalidArgument)
        }
    }

    @Test func extendibleDatasetsAppendAndResize() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/run.h5"
            do {
                let file = try HDF5File.create(at: path, overwrite: false)
                let training = try file.root.createGroup("training")
                try training.createExtendible("epoch", of: Int64.self, chunkRows: 4)
                try training.createExtendible("train_loss", of: Double.self, chunkRows: 4, compressionLevel: 1)
                for epoch in 1...10 {
                    try training.append("epoch", [Int64(epoch)])
                    try training.append("train_loss", [1.0 / Double(epoch)])
                }
                let info = try training.datasetInfo("epoch")
                #expect(info.shape == [10])
                #expect(info.maxShape == [nil])
                #expect(info.chunkShape == [4])
                try training.append("epoch", [Int64]())
                try file.close()
            }
            // Resume after a crash at epoch 7: drop later rows, then continue.
            let file = try HDF5File.open(at: path, writable: true)
            let training = try file.root.group("training")
            try training.resize("epoch", rows: 7)
            try training.resize("train_loss", rows: 7)
            try training.append("epoch", [Int64(8)])
            #expect(try training.read("epoch", as: Int64.self).values == [1, 2, 3, 4, 5, 6, 7, 8])
            #expect(try training.read("train_loss", as: Double.self).values.count == 7)
            #expect(try training.readRows("epoch", rows: 2..<5, as: Int64.self) == [3, 4, 5])
            #expect(try training.readRows("epoch", rows: 8..<8, as: Int64.self) == [])
            let outside = storageError { _ = try training.readRows("epoch", rows: 6..<9, as: Int64.self) }
            #expect(outside?.message == "rows 6..<9 are outside dataset 'training/epoch' in run.h5, which has 8 rows")
            try training.resize("epoch", rows: 10)
            #expect(try training.read("epoch", as: Int64.self).values == [1, 2, 3, 4, 5, 6, 7, 8, 0, 0])
        }
    }

    @Test func twoDimensionalExtendibleDatasetsGrowByRows() throws {
        try withTemporaryDirectory { directory in
            let file = try HDF5File.create(at: directory + "/run.h5", overwrite: false)
            try file.root.createExtendible("rows", of: Float.self, columns: 3, chunkRows: 2)
            try file.root.append("rows", [Float(1), 2, 3])
            try file.root.append("rows", [Float(4), 5, 6, 7, 8, 9])
            let (values, shape) = try file.root.read("rows", as: Float.self)
            #expect(shape == [3, 3])
            #expect(values == (1...9).map(Float.init))
            #expect(try file.root.readRows("rows", rows: 1..<3, as: Float.self) == [4, 5, 6, 7, 8, 9])
            #expect(try file.root.datasetInfo("rows").maxShape == [nil, 3])
            let ragged = storageError { try file.root.append("rows", [Float(1), 2]) }
            #expect(ragged?.kind == .shapeMismatch)
            #expect(try file.root.datasetInfo("rows").shape == [3, 3])
            let wider = storageError { try file.root.append("rows", [Double(1), 2, 3]) }
            #expect(wider?.kind == .typeMismatch)
            #expect(wider?.message == "cannot append float64 values to dataset 'rows' in run.h5, which holds float32")
        }
    }

    @Test func fixedDatasetsCannotGrow() throws {
        try withTemporaryDirectory { directory in
            let file = try HDF5File.create(at: directory + "/run.h5", overwrite: false)
            try file.root.write("fixed", [1.0, 2.0])
            let error = storageError { try file.root.append("fixed", [3.0]) }
            #expect(error?.kind == .shapeMismatch)
            #expect(error?.message.contains("createExtendible") == true)
            #expect(storageError { try file.root.resize("fixed", rows: 5) }?.kind == .shapeMismatch)
            #expect(try file.root.read("fixed", as: Double.self).values == [1, 2])
        }
    }

    @Test func overwriteRewritesInPlace() throws {
        try withTemporaryDirectory { directory in
            let file = try HDF5File.create(at: directory + "/run.h5", overwrite: false)
            try file.root.write("checkpoint/w", [Float](repeating: 0, count: 6), shape: [2, 3])
            try file.root.overwrite("checkpoint/w", (1...6).map(Float.init))
            let (values, shape) = try file.root.read("checkpoint/w", as: Float.self)
            #expect(values == [1, 2, 3, 4, 5, 6])
            #expect(shape == [2, 3])
            let error = storageError { try file.root.overwrite("checkpoint/w", [Float(1)]) }
            #expect(error?.message == "cannot overwrite dataset 'checkpoint/w' in run.h5: it has shape [2, 3] "
                                      + "(6 values), got 1")
        }
    }

    @Test func datasetHandlesReadAndDescribe() throws {
        try withTemporaryDirectory { directory in
            let file = try HDF5File.create(at: directory + "/run.h5", overwrite: false)
            try file.root.write("evaluation/labels", [Int64(3), 1, 4], shape: [3])
            let labels = try file.root.group("evaluation").dataset("labels")
            #expect(labels.path == "/evaluation/labels")
            #expect(try labels.read(as: Int64.self).values == [3, 1, 4])
            #expect(try labels.readRows(1..<2, as: Int64.self) == [1])
            #expect(try labels.info().elementType == "int64")
            let notDataset = storageError { _ = try file.root.dataset("evaluation") }
            #expect(notDataset?.message == "'evaluation' in run.h5 is a group, not a dataset")
        }
    }
}
