import Foundation

/// Files of the checkout the running binary was built in (its configs, its Python environment),
/// found from the binary's own location, so that `configs/redundancy.yaml` or `.venv/bin/python`
/// work from any directory, not only from the project directory.
///
/// The binary lives at `ROOT/.build/<triple>/{release,debug}/infoplane` (`.build/release` is a
/// link there); ROOT is the parent of the last `.build` component of `/proc/self/exe`.
public enum ProjectFiles {
    /// The running executable's own path, links resolved.
    public static let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path

    /// The checkout holding the running executable, or nil for a binary installed elsewhere.
    public static let root: String? = checkout(ofExecutable: executable)

    /// The checkout of an executable at `path`: the directory above its last `.build` component.
    public static func checkout(ofExecutable path: String) -> String? {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard let build = parts.lastIndex(of: ".build"), build > 0 else { return nil }
        let root = parts[..<build].joined(separator: "/")
        return root.isEmpty ? "/" : root
    }

    /// Where a file named `path` is looked for, in order: as given (relative to `here`, the
    /// current directory), then, for a relative path, under the checkout `root`. Absolute paths.
    public static func candidates(_ path: String, root: String? = ProjectFiles.root,
                                  here: String = FileManager.default.currentDirectoryPath) -> [String] {
        let asGiven = path.hasPrefix("/") ? path : (here as NSString).appendingPathComponent(path)
        guard !path.hasPrefix("/"), let root else { return [asGiven] }
        let inCheckout = (root as NSString).appendingPathComponent(path)
        return inCheckout == asGiven ? [asGiven] : [asGiven, inCheckout]
    }

    /// `path` itself if it exists, else the first other of ``candidates(_:root:)`` that does, or nil.
    public static func locate(_ path: String, root: String? = ProjectFiles.root) -> String? {
        if FileManager.default.fileExists(atPath: path) { return path }
        return candidates(path, root: root).dropFirst().first { FileManager.default.fileExists(atPath: $0) }
    }

    /// The project's Python (the one with scikit-learn and the `infoplane` package): `explicit`
    /// (a `--python` option) if given, else `$INFOPLANE_PYTHON`, else `.venv/bin/python` of the
    /// current directory, else that of the checkout. None found: one line with the paths tried
    /// and the fix.
    public static func python(explicit: String?, environment: [String: String] = ProcessInfo.processInfo.environment,
                              root: String? = ProjectFiles.root, here: String = FileManager.default.currentDirectoryPath) throws -> String {
        if let explicit { return explicit }
        if let configured = environment["INFOPLANE_PYTHON"], !configured.isEmpty { return configured }
        let tried = candidates(".venv/bin/python", root: root, here: here)
        if let found = tried.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) { return found }
        let setup = root.map { "run `make setup` in \($0)" } ?? "run `make setup` in the project directory"
        throw InfoPlaneError("no Python environment found (tried \(tried.joined(separator: ", ")); INFOPLANE_PYTHON is not set): "
                             + "\(setup), or set INFOPLANE_PYTHON or --python to a Python with scikit-learn")
    }
}
