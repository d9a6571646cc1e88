import Foundation
import Support
import Testing
@testable import Learning

@Suite struct MNISTFetcherTests {
    static let mirrors = ["https://first.invalid/mnist/", "https://second.invalid/mnist"]

    /// Stand-ins for the four MNIST downloads, keyed by file name, and their digests.
    static func fakeFiles() -> (files: [String: [UInt8]], digests: [String: String]) {
        var files = [String: [UInt8]]()
        for (index, base) in DatasetCatalog.imageFiles.enumerated() {
            files[base + ".gz"] = Array("fake \(base) payload \(index)".utf8)
        }
        return (files, files.mapValues { SHA256.hex($0) })
    }

    static func contents(of directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
    }

    @Test func offlineFailsClearlyAndLeavesNothing() throws {
        let directory = try Fixture.temporaryDirectory() + "/mnist"
        defer { Fixture.remove(directory) }
        var attempts = [String]()
        let error = #expect(throws: InfoPlaneError.self) {
            try MNISTFetcher.fetch(into: directory, mirrors: Self.mirrors, expected: Self.fakeFiles().digests,
                                   downloader: { url, destination in
                                       attempts.append(url)
                                       try Fixture.write([1, 2, 3], to: destination)  // a partial download
                                       throw InfoPlaneError("curl exited with status 6: Could not resolve host")
                                   }, log: { _ in })
        }
        #expect(error?.description.hasPrefix(
            "could not download train-images-idx3-ubyte.gz from any mirror (offline?): copy the four MNIST .gz files into \(directory) by hand and rerun") == true)
        #expect(error?.description.contains("Could not resolve host") == true)
        #expect(attempts == ["https://first.invalid/mnist/train-images-idx3-ubyte.gz",
                             "https://second.invalid/mnist/train-images-idx3-ubyte.gz"])
        // Issue 16: not even an empty directory is left behind (nor its staging sibling).
        #expect(!FileManager.default.fileExists(atPath: directory))
        #expect(Self.contents(of: (directory as NSString).deletingLastPathComponent).isEmpty)
    }

    @Test func offlineRemovesTheParentsItCreatedAndSuccessRenamesTheStagingIntoPlace() throws {
        let base = try Fixture.temporaryDirectory()
        defer { Fixture.remove(base) }
        let directory = base + "/cache/infoplane/mnist"
        let (files, digests) = Self.fakeFiles()
        var served = 0
        // Two files arrive, then the network goes: nothing partial may stay.
        #expect(throws: InfoPlaneError.self) {
            try MNISTFetcher.fetch(into: directory, mirrors: Self.mirrors, expected: digests, downloader: { url, destination in
                served += 1
                guard served <= 2 else { throw InfoPlaneError("curl exited with status 6: Could not resolve host") }
                try Fixture.write(files[(url as NSString).lastPathComponent]!, to: destination)
            }, log: { _ in })
        }
        #expect(Self.contents(of: base).isEmpty, "left behind: \(Self.contents(of: base))")
        try MNISTFetcher.fetch(into: directory, mirrors: Self.mirrors, expected: digests, downloader: { url, destination in
            try Fixture.write(files[(url as NSString).lastPathComponent]!, to: destination)
        }, log: { _ in })
        #expect(Self.contents(of: directory) == files.keys.sorted())
        #expect(Self.contents(of: base + "/cache/infoplane") == ["mnist"])
    }

    @Test func corruptDownloadIsDiscarded() throws {
        let directory = try Fixture.temporaryDirectory()
        defer { Fixture.remove(directory) }
        let error = #expect(throws: InfoPlaneError.self) {
            try MNISTFetcher.fetch(into: directory, mirrors: Self.mirrors, expected: Self.fakeFiles().digests,
                                   downloader: { _, destination in
                                       try Fixture.write(Array("<html>captive portal</html>".utf8), to: destination)
                                   }, log: { _ in })
        }
        let message = error?.description ?? ""
        #expect(message.contains("train-images-idx3-ubyte.gz with the expected SHA-256"))
        #expect(message.contains("expected \(Self.fakeFiles().digests["train-images-idx3-ubyte.gz"]!)"))
        #expect(Self.contents(of: directory).isEmpty)
    }

    @Test func goodDownloadsAreVerifiedAndKept() throws {
        let directory = try Fixture.temporaryDirectory()
        defer { Fixture.remove(directory) }
        let (files, digests) = Self.fakeFiles()
        var attempts = [String]()
        var lines = [String]()
        try MNISTFetcher.fetch(into: directory, mirrors: Self.mirrors, expected: digests,
                               downloader: { url, destination in
                                   attempts.append(url)
                                   // The first mirror is down; the second serves the files.
                                   guard url.hasPrefix("https://second") else { throw InfoPlaneError("HTTP 503") }
                                   try Fixture.write(files[String(url.split(separator: "/").last!)]!, to: destination)
                               }, log: { lines.append($0) })
        #expect(attempts.count == 8)
        #expect(Self.contents(of: directory) == files.keys.sorted())
        for (name, bytes) in files { #expect(try Fixture.read(directory + "/" + name) == bytes) }
        #expect(lines.contains("train-images-idx3-ubyte.gz: OK"))

        // A second run finds everything in place; a damaged file is fetched again.
        try Fixture.write([0], to: directory + "/t10k-labels-idx1-ubyte.gz")
        attempts = []
        lines = []
        try MNISTFetcher.fetch(into: directory, mirrors: Array(Self.mirrors.dropFirst()), expected: digests,
                               downloader: { url, destination in
                                   attempts.append(url)
                                   try Fixture.write(files[String(url.split(separator: "/").last!)]!, to: destination)
                               }, log: { lines.append($0) })
        #expect(attempts == ["https://second.invalid/mnist/t10k-labels-idx1-ubyte.gz"])
        #expect(lines.filter { $0.hasSuffix("present, checksum OK") }.count == 3)
        #expect(try Fixture.read(directory + "/t10k-labels-idx1-ubyte.gz") == files["t10k-labels-idx1-ubyte.gz"]!)
        #expect(Self.contents(of: directory) == files.keys.sorted())
    }

    @Test func curlDownloaderCopiesFileURLsAndReportsFailures() throws {
        let directory = try Fixture.temporaryDirectory()
        defer { Fixture.remove(directory) }
        try Fixture.write([9, 8, 7], to: directory + "/source")
        try MNISTFetcher.curlDownload(url: "file://\(directory)/source", destination: directory + "/copy")
        #expect(try Fixture.read(directory + "/copy") == [9, 8, 7])
        let error = #expect(throws: InfoPlaneError.self) {
            try MNISTFetcher.curlDownload(url: "file://\(directory)/absent", destination: directory + "/other")
        }
        #expect(error?.description.hasPrefix("curl exited with status") == true)
    }

    @Test func publicMirrorsAreTheKnownOnes() {
        #expect(MNISTFetcher.mirrors == ["https://ossci-datasets.s3.amazonaws.com/mnist/",
                                         "https://storage.googleapis.com/cvdf-datasets/mnist/"])
    }
}
