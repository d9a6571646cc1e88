import Foundation

/// Where the files of one run live: `runs/<name>/` (or `--out`) holds run.h5 and, beside it,
/// plane.h5, plane.csv and plane.journal; an ensemble's copies and pool are run directories
/// inside it.
public struct RunDirectory: Sendable, Equatable {
    /// The directory.
    public let path: String

    /// A run directory at `path`.
    public init(_ path: String) { self.path = path }

    /// The default directory of a config's run: `runs/<name>`.
    public init(name: String) { path = "runs/\(name)" }

    /// `<directory>/run.h5`.
    public var runFile: String { child("run.h5") }
    /// `<directory>/plane.h5`.
    public var planeFile: String { child("plane.h5") }
    /// Copy `r` of an ensemble: `<directory>/replica-<r>`.
    public func copy(_ r: Int) -> RunDirectory { RunDirectory(child("replica-\(r)")) }
    /// An ensemble's pooled run: `<directory>/pooled`.
    public var pooled: RunDirectory { RunDirectory(child("pooled")) }
    /// An ensemble's summary of pooled against copies: `<directory>/ensemble.csv`.
    public var ensembleSummary: String { child("ensemble.csv") }

    private func child(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    /// A file named `name` in the directory of the run file at `runPath` (the default outputs of
    /// `analyze` and `redundancy`: plane.h5, plane-binning.h5, redundancy.h5).
    public static func beside(_ runPath: String, _ name: String) -> String {
        ((runPath as NSString).deletingLastPathComponent as NSString).appendingPathComponent(name)
    }

    /// The text twin of an HDF5 output (`plane.h5` → `plane.csv`, `.journal`): its stem and `suffix`.
    public static func sibling(of path: String, _ suffix: String) -> String {
        (path.hasSuffix(".h5") ? String(path.dropLast(3)) : path) + suffix
    }
}
