import Foundation

/// The checkout this test binary was built from, and its files as text.
enum Checkout {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    static func text(_ relativePath: String) throws -> String {
        try String(contentsOfFile: "\(root)/\(relativePath)", encoding: .utf8)
    }

    /// Every `.swift` file below `directory` (relative paths, sorted).
    static func swiftFiles(under directory: String) -> [String] {
        let enumerator = FileManager.default.enumerator(atPath: "\(root)/\(directory)")
        var files: [String] = []
        while let path = enumerator?.nextObject() as? String {
            if path.hasSuffix(".swift") { files.append("\(directory)/\(path)") }
        }
        return files.sorted()
    }
}
