import Storage

/// The `format` and `format_version` root attributes of every HDF5 file InfoPlane writes: how a
/// reader (ours, h5py) tells our files apart and knows which schema to expect.
public struct FileFormat: Sendable, Equatable {
    /// The `format` attribute.
    public let name: String
    /// The `format_version` attribute; raised when the schema changes incompatibly.
    public let version: Int64

    /// `run.h5`: the training run (``RunFile``); version 2 is an index with external links to
    /// parts (version 1, one file written in place, is still read but not resumed).
    public static let run = FileFormat(name: "infoplane-run", version: 2)
    /// `plane.h5` and the classic planes (``PlaneFile``).
    public static let plane = FileFormat(name: "infoplane-plane", version: 1)
    /// `redundancy.h5` (``RedundancyFile``).
    public static let redundancy = FileFormat(name: "infoplane-redundancy", version: 1)
    /// `memorisation.h5` (``MemorisationFile``).
    public static let memorisation = FileFormat(name: "infoplane-memorisation", version: 1)

    /// The two attributes, first in every file's root attribute list.
    var attributes: [(String, AttributeValue)] { [("format", .string(name)), ("format_version", .int(version))] }

    /// Whether `group` (a file's root) carries this format's name.
    func marks(_ group: HDF5Group) throws -> Bool { try group.stringAttribute("format") == name }
}
