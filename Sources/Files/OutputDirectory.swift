import Foundation
import Support

/// Creating an output directory, with errors a user can act on.
public enum OutputDirectory {
    /// Creates `path` (and its parents) unless it exists; refuses a file in the way or a
    /// directory that is not writable.
    public static func prepare(_ path: String) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw InfoPlaneError("output path \(path) is a file, not a directory: choose another --out")
            }
        } else {
            do {
                try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            } catch {
                throw InfoPlaneError("cannot create output directory \(path): choose another --out (\((error as NSError).localizedDescription))")
            }
        }
        guard FileManager.default.isWritableFile(atPath: path) else {
            throw InfoPlaneError("output directory \(path) is not writable: choose another --out")
        }
    }

    /// Creates the directory that will hold the output file `path` (and its parents) unless it
    /// exists: `--out new/folder/plane.h5` works, and what cannot be created is named.
    public static func prepare(forFile path: String) throws {
        let folder = (path as NSString).deletingLastPathComponent
        try prepare(folder.isEmpty ? "." : folder)
    }
}
