import Foundation
import Storage
import Support

/// The `parts/` directory of a run (``RunFile``): where parts are published, and how debris —
/// parts no published index links, temporaries of killed writers — is removed. Only the holder
/// of the run directory's ``OutputLock`` calls this, so anything unlinked there is debris.
struct RunParts {
    /// The run directory.
    let directory: RunDirectory

    init(_ directory: RunDirectory) { self.directory = directory }

    /// The absolute-or-relative path of `part` (a path relative to the run directory).
    func path(_ part: String) -> String { (directory.path as NSString).appendingPathComponent(part) }

    /// `parts/` itself.
    var folder: String { path(RunFile.partsDirectory) }

    /// Creates `parts/` if needed and removes every file in it that `keeping` (paths relative to
    /// the run directory) does not name, and temporaries of run.h5 beside it.
    func prepare(keeping: Set<String>) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw InfoPlaneError("\(folder) is a file, but a run keeps its parts in a directory of that name: move it away, or choose another --out")
            }
        } else {
            do {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
            } catch {
                throw InfoPlaneError("cannot create \(folder): \((error as NSError).localizedDescription); check the run directory's permissions or free space")
            }
            syncDirectory(of: folder)
        }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        let debris = names.map { "\(RunFile.partsDirectory)/\($0)" }.filter { !keeping.contains($0) }
        remove(Set(debris))
        let runName = (directory.runFile as NSString).lastPathComponent + ".partial-"
        for name in (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [] where name.hasPrefix(runName) {
            unlink(path(name))
        }
    }

    /// Unlinks `parts` (relative paths), then makes the removal durable.
    func remove(_ parts: Set<String>) {
        guard !parts.isEmpty else { return }
        for part in parts { unlink(path(part)) }
        syncDirectory(of: path(RunFile.evaluationPart))
    }
}
