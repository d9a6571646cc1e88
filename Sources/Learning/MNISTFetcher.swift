import Foundation
import Support

/// Downloads the four MNIST `.gz` files and verifies them against their published SHA-256.
public enum MNISTFetcher {
    /// Base URLs tried in order; each serves the four files under their usual names.
    public static let mirrors: [String] = [
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "https://storage.googleapis.com/cvdf-datasets/mnist/",
    ]

    /// Makes `directory` (created if needed) hold the four verified MNIST `.gz` files.
    ///
    /// Files already present with the right checksum are kept. Others are downloaded with `curl`
    /// to a hidden `.NAME.partial` file, verified, then renamed into place, so a file under its
    /// final name is always complete and correct. Progress goes to `log`, one line at a time.
    /// `$INFOPLANE_MNIST_MIRROR` (a base URL, e.g. a local copy as `file:///data/mnist/`)
    /// replaces the public mirrors.
    public static func fetch(into directory: String, log: (String) -> Void) throws {
        let chosen = ProcessInfo.processInfo.environment["INFOPLANE_MNIST_MIRROR"].map { [$0] } ?? mirrors
        try fetch(into: directory, mirrors: chosen, expected: DatasetCatalog.mnistCompressedDigests,
                  downloader: curlDownload, log: log)
    }

    /// ``fetch(into:log:)`` with the mirrors, the expected digests (keyed by file name) and the
    /// download step `downloader(url, destination)` supplied by the caller, for tests.
    ///
    /// A directory that does not exist yet is filled as a hidden sibling (`.NAME.fetching`) and
    /// renamed into place once all four files are verified; on failure the sibling and every
    /// parent directory this call created are removed, so an offline fetch leaves nothing behind.
    static func fetch(
        into directory: String, mirrors: [String], expected: [String: String],
        downloader: (String, String) throws -> Void, log: (String) -> Void
    ) throws {
        let manager = FileManager.default
        if manager.fileExists(atPath: directory) {
            return try fill(directory, shownAs: directory, mirrors: mirrors, expected: expected, downloader: downloader, log: log)
        }
        let url = URL(fileURLWithPath: directory).standardizedFileURL
        var created = url.deletingLastPathComponent()
        var topCreated: URL?
        while !manager.fileExists(atPath: created.path) { topCreated = created; created = created.deletingLastPathComponent() }
        let staging = url.deletingLastPathComponent().appendingPathComponent("." + url.lastPathComponent + ".fetching").path
        do {
            try manager.createDirectory(atPath: staging, withIntermediateDirectories: true)
        } catch {
            if let topCreated { try? manager.removeItem(at: topCreated) }
            throw InfoPlaneError("cannot create directory \(directory) (\(error.localizedDescription)): choose a writable directory with INFOPLANE_DATA")
        }
        do {
            try fill(staging, shownAs: directory, mirrors: mirrors, expected: expected, downloader: downloader, log: log)
            guard rename(staging, url.path) == 0 else {
                throw InfoPlaneError("cannot move the downloads into \(directory) (\(String(cString: strerror(errno)))): check the directory's permissions")
            }
        } catch {
            try? manager.removeItem(atPath: staging)
            if let topCreated { try? manager.removeItem(at: topCreated) }
            throw error
        }
    }

    /// Makes the existing `directory` hold the four verified files; errors name `shownAs`.
    private static func fill(
        _ directory: String, shownAs: String, mirrors: [String], expected: [String: String],
        downloader: (String, String) throws -> Void, log: (String) -> Void
    ) throws {
        let manager = FileManager.default
        for base in DatasetCatalog.imageFiles {
            let name = base + ".gz"
            guard let digest = expected[name] else { preconditionFailure("no expected digest for \(name)") }
            let final = directory + "/" + name
            if manager.fileExists(atPath: final) {
                if let bytes = manager.contents(atPath: final), SHA256.hex([UInt8](bytes)) == digest {
                    log("\(name): present, checksum OK")
                    continue
                }
                log("\(name): present but its SHA-256 is wrong; downloading it again")
            }
            try download(name, digest: digest, into: directory, shownAs: shownAs, mirrors: mirrors, downloader: downloader, log: log)
        }
    }

    /// Downloads file `name` from the first mirror that serves it with SHA-256 `digest`, through
    /// a partial file renamed into place.
    private static func download(_ name: String, digest: String, into directory: String, shownAs: String, mirrors: [String],
                                 downloader: (String, String) throws -> Void, log: (String) -> Void) throws {
        let manager = FileManager.default
        let final = directory + "/" + name
        let partial = directory + "/." + name + ".partial"
        var failures = [String]()
        var badDigest: String?
        for mirror in mirrors {
            let url = mirror.hasSuffix("/") ? mirror + name : mirror + "/" + name
            log("\(name): downloading \(url)")
            try? manager.removeItem(atPath: partial)
            do {
                try downloader(url, partial)
            } catch {
                try? manager.removeItem(atPath: partial)
                failures.append("\(url): \(error)")
                log("\(name): failed: \(error)")
                continue
            }
            let actual = manager.contents(atPath: partial).map { SHA256.hex([UInt8]($0)) } ?? "(no file written)"
            guard actual == digest else {
                try? manager.removeItem(atPath: partial)
                badDigest = actual
                failures.append("\(url): SHA-256 \(actual), expected \(digest)")
                log("\(name): SHA-256 \(actual), expected \(digest); discarded")
                continue
            }
            // rename(2) replaces any stale file atomically.
            guard rename(partial, final) == 0 else {
                let reason = String(cString: strerror(errno))
                try? manager.removeItem(atPath: partial)
                throw InfoPlaneError("cannot move the download into \(final) (\(reason)): check the directory's permissions")
            }
            log("\(name): OK")
            return
        }
        let byHand = "copy the four MNIST .gz files into \(shownAs) by hand and rerun"
        if let badDigest {
            throw InfoPlaneError("could not download \(name) with the expected SHA-256 from any mirror (got \(badDigest), expected \(digest)): \(byHand)")
        }
        let detail = failures.last.map { " (last error: \($0))" } ?? ""
        throw InfoPlaneError("could not download \(name) from any mirror (offline?): \(byHand)\(detail)")
    }

    /// Downloads `url` to `destination` with `curl -fsSL --retry 2 --connect-timeout 10`.
    static func curlDownload(url: String, destination: String) throws {
        guard let curl = executable(named: "curl") else {
            throw InfoPlaneError("curl not found on PATH: install it (`apt-get install curl`)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: curl)
        process.arguments = ["-fsSL", "--retry", "2", "--connect-timeout", "10", "-o", destination, url]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw InfoPlaneError("cannot run \(curl): \(error.localizedDescription)")
        }
        // Read before waiting so a chatty curl cannot block on a full pipe.
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            let firstLine = message.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
            throw InfoPlaneError("curl exited with status \(process.terminationStatus)\(firstLine.isEmpty ? "" : ": " + firstLine)")
        }
    }

    /// The first executable `name` on `PATH` (or in /usr/bin and /bin when `PATH` is unset).
    static func executable(named name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") where !directory.isEmpty {
            let candidate = directory + "/" + name
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}
