/// A failure of the storage layer, described in one line that names the file or object and,
/// where there is one, the fix.
///
/// `kind` lets callers react to a class of failure (for example treat ``Kind/notFound`` as
/// "start fresh" on resume) without parsing ``message``.
public struct StorageError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The class of failure.
    public enum Kind: Sendable, Equatable {
        /// The file does not exist.
        case noSuchFile
        /// The file exists but is not HDF5 (or is a directory).
        case notHDF5
        /// A file, group, dataset or attribute that should be new already exists.
        case alreadyExists
        /// A group, dataset or attribute is missing.
        case notFound
        /// Stored values have a type the caller's type cannot hold without loss.
        case typeMismatch
        /// Value counts, shapes or row ranges do not fit together.
        case shapeMismatch
        /// A directory cannot be written (missing, not a directory, or no permission).
        case cannotWrite
        /// The file cannot be read (permissions, locking).
        case cannotRead
        /// The caller passed something that cannot be stored (empty name, NUL in a string, …).
        case invalidArgument
        /// The file was already closed, or was opened read-only for a write.
        case notOpenForThis
        /// The file holds something this layer does not read (compound types, string arrays, …).
        case unsupported
        /// The HDF5 library reported a failure not covered above.
        case library
    }

    /// The class of failure.
    public let kind: Kind
    /// The one-line description.
    public let message: String

    /// An error of `kind` described by `message`.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// The one-line description.
    public var description: String { message }
}
