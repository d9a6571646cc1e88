import Estimators
import Storage
import Support

/// Arrays of any HDF5 file, by dataset path, for `infoplane estimate` (a PyTorch or numpy user's
/// own activations): X as an n × d matrix, Y as a matrix or as class labels.
public final class ArrayFile {
    private let file: HDF5File

    /// Opens the file read-only.
    public init(path: String) throws { file = try HDF5File.open(at: path, writable: false) }

    /// Closes the file (also done when released).
    public func close() throws { try file.close() }

    /// A float (or integer) dataset as an n × d matrix: 1-D is n × 1, trailing dimensions are
    /// flattened (n × 28 × 28 images become n × 784). NaN or Inf is an error naming the row.
    /// - Parameter role: the option that named it (`--x`, `--y`), for messages.
    public func matrix(_ name: String, role: String) throws -> SampleMatrix {
        let info = try file.root.datasetInfo(name)
        // Shapes are checked before anything is read: zero columns would leave nothing to
        // project, and a shape too large for memory must not reach the allocator.
        if let zero = info.shape.dropFirst().firstIndex(of: 0) {
            throw InfoPlaneError("\(role) '\(name)' has shape \(info.shape.map(String.init).joined(separator: "×")): dimension \(zero) is empty, so a sample has no values; give n × d with d ≥ 1")
        }
        var bytes = MemoryEstimate()
        bytes.add("\(role) '\(name)' as doubles", bytes: info.shape.reduce(1.0) { $0 * Double($1) } * 8, fix: "estimate on a subset of the rows")
        try bytes.check(perRank: false)
        let values: [Double]
        if info.scalarType?.isFloatingPoint ?? true {
            values = try file.root.read(name, as: Double.self).values
        } else {
            values = try file.root.read(name, as: Int64.self).values.map(Double.init)
        }
        guard let n = info.shape.first, info.shape.count >= 1 else {
            throw InfoPlaneError("\(role) '\(name)' is a scalar: it must hold one row per sample")
        }
        let d = info.shape.dropFirst().reduce(1, *)
        if let bad = values.firstIndex(where: { !$0.isFinite }) {
            throw InfoPlaneError("\(role) '\(name)' holds \(values[bad]) at row \(bad / max(d, 1)): remove or replace non-finite values")
        }
        return SampleMatrix(rows: n, columns: d, values: values)
    }

    /// Whether `name` is a 1-D (or n × 1) integer dataset: class labels, as `estimate` reads
    /// them unless told `--continuous-y`.
    public func holdsIntegerLabels(_ name: String) -> Bool {
        guard let info = try? file.root.datasetInfo(name), let type = info.scalarType, !type.isFloatingPoint else { return false }
        return info.shape.count == 1 || (info.shape.count == 2 && info.shape[1] == 1)
    }

    /// A 1-D integer dataset of class labels (`--y` with `--discrete-y`).
    public func labels(_ name: String) throws -> [Int32] {
        let info = try file.root.datasetInfo(name)
        guard info.shape.count == 1 || (info.shape.count == 2 && info.shape[1] == 1) else {
            throw InfoPlaneError("--y '\(name)' has shape \(info.shape.map(String.init).joined(separator: "×")): discrete labels must be one value per sample")
        }
        guard let type = info.scalarType, !type.isFloatingPoint else {
            throw InfoPlaneError("--y '\(name)' holds \(info.elementType) values: --discrete-y needs integer class labels (or drop --discrete-y for a continuous target)")
        }
        let values = try file.root.read(name, as: Int64.self).values
        guard let bad = values.first(where: { $0 < Int64(Int32.min) || $0 > Int64(Int32.max) }) else {
            return values.map { Int32($0) }
        }
        throw InfoPlaneError("--y '\(name)' holds label \(bad), outside the 32-bit range: relabel the classes 0..<C")
    }
}
