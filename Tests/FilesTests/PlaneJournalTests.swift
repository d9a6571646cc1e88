import Files
import Foundation
import Support
import Testing

/// plane.journal: an append-only record that survives a kill at any moment.
@Suite struct PlaneJournalTests {
    @Test func journalKeepsWholeLinesAndDropsATornTail() throws {
        let path = NSTemporaryDirectory() + "journal-\(UUID().uuidString.prefix(8))"
        defer { unlink(path) }
        let journal = PlaneJournal(path: path)
        try journal.create(identity: ["k: 5", "seed: 1"])
        let values: [Double] = [0.1, -0.0, .pi, 1e-300]
        try journal.append(item: 3, values: values)
        try journal.append(item: 0, values: values.map { $0 * 2 })
        // A kill during a write leaves part of a line.
        let handle = FileHandle(forWritingAtPath: path)!
        handle.seekToEndOfFile()
        handle.write(Data("item 1 3fb999999999999a 80000".utf8))
        handle.closeFile()
        let read = try PlaneJournal(path: path).read { _ in 4 }
        #expect(read.identity == ["k: 5", "seed: 1"])
        #expect(read.records.count == 2)
        #expect(read.records[0].0 == 3 && read.records[0].1.map(\.bitPattern) == values.map(\.bitPattern))
        #expect(read.records[1].0 == 0)
        // The torn tail is gone, so appending continues cleanly.
        try PlaneJournal(path: path).append(item: 1, values: values)
        #expect(try PlaneJournal(path: path).read { _ in 4 }.records.map(\.0) == [3, 0, 1])
        // A damaged record followed by good ones is not a torn tail: refused, file unchanged.
        let whole = try String(contentsOfFile: path, encoding: .utf8)
        let damaged = whole.replacingOccurrences(of: "item 0 3fc", with: "item 0 3fd")
        try damaged.write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: InfoPlaneError.self) { try PlaneJournal(path: path).read { _ in 4 } }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == damaged)
        // A damaged last record is what a kill leaves: cut.
        try whole.replacingOccurrences(of: "item 1 3fb", with: "item 1 3fc").write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try PlaneJournal(path: path).read { _ in 4 }.records.map(\.0) == [3, 0])
    }

    @Test("one flipped byte in the identity header is refused without truncating the journal")
    func flippedHeaderByteIsRefusedAndKept() throws {
        let path = NSTemporaryDirectory() + "journal-\(UUID().uuidString.prefix(8))"
        defer { unlink(path) }
        let journal = PlaneJournal(path: path)
        try journal.create(identity: ["k: 5", "seed: 1"])
        for item in 0..<50 { try journal.append(item: item, values: [Double(item), 1, 2, 3]) }
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        for position in [0, 1, 8] {
            let original = bytes
            bytes[position] ^= 0x20
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            #expect(throws: InfoPlaneError.self) { try PlaneJournal(path: path).read { _ in 4 } }
            #expect([UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) == bytes, "byte \(position): the journal was changed")
            bytes = original
            try Data(bytes).write(to: URL(fileURLWithPath: path))
        }
        #expect(try PlaneJournal(path: path).read { _ in 4 }.records.count == 50)
    }
}
