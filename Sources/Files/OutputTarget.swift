import Foundation
import Storage
import Support

/// Checks on an output file made before anything is touched: it must be a regular file (or not
/// exist yet), and it must not be one of the command's inputs, compared by device and inode so
/// another path to the same file (`R/run.h5` through a symlink or `R/../R/run.h5`) counts.
public enum OutputTarget {
    /// Refuses `outputs` (a file and its siblings, e.g. plane.h5, plane.csv, plane.journal)
    /// that are a directory, a device or another non-regular file, that are one of `inputs`, or
    /// that lie inside an input run's `parts/` directory.
    /// ``check(_:inputs:)`` for a command that writes its outputs in one go (nothing to resume):
    /// without `force`, an output that exists already is refused, naming it and the fix.
    public static func check(_ outputs: [String], inputs: [String], force: Bool) throws {
        try check(outputs, inputs: inputs)
        if !force, let existing = outputs.first(where: { FileManager.default.fileExists(atPath: $0) }) {
            throw InfoPlaneError("\(existing) already exists: pass --force to replace it, or --out to write elsewhere")
        }
    }

    public static func check(_ outputs: [String], inputs: [String]) throws {
        for output in outputs {
            try checkReplaceable(output, hint: "choose another --out")
            guard let target = identity(output) else { continue }
            for input in inputs where identity(input) == target {
                throw InfoPlaneError("--out \(output) is the input \(input): writing it would destroy what is read; choose another --out")
            }
        }
        for output in outputs {
            let outputFolder = identity((output as NSString).deletingLastPathComponent.isEmpty ? "." : (output as NSString).deletingLastPathComponent)
            for input in inputs {
                let inputFolder = (input as NSString).deletingLastPathComponent
                let parts = ((inputFolder.isEmpty ? "." : inputFolder) as NSString).appendingPathComponent(RunFile.partsDirectory)
                if let outputFolder, outputFolder == identity(parts) {
                    throw InfoPlaneError("--out \(output) is inside the parts directory of \(input): choose another --out")
                }
            }
        }
    }

    /// (device, inode) of what `path` names, following links; nil if it does not exist.
    private static func identity(_ path: String) -> [UInt64]? {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        return [UInt64(status.st_dev), UInt64(status.st_ino)]
    }
}
