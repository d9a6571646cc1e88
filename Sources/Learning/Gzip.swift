import CZlib
import Support

/// In-memory gzip (and zlib) decompression through the system zlib.
public enum Gzip {
    /// Whether `bytes` start with the gzip magic number `1f 8b`.
    public static func isGzip(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B
    }

    /// The decompressed contents of a gzip or zlib stream.
    ///
    /// Concatenated gzip members (what `cat a.gz b.gz` produces) are decompressed one after the
    /// other, as `gzip -d` does; zero padding after the last member is ignored. Throws a
    /// ``InfoPlaneError`` saying "gzip stream is truncated or corrupt (…)" when the stream ends
    /// early, fails its CRC, or is followed by anything other than another member.
    public static func decompress(_ bytes: [UInt8]) throws -> [UInt8] {
        guard !bytes.isEmpty else { throw corrupt("no input bytes") }
        var stream = z_stream()
        // 15 + 32: largest window, and let zlib detect gzip or zlib headers by itself.
        guard infoplane_inflate_init2(&stream, 15 + 32) == Z_OK else {
            throw InfoPlaneError("could not initialise zlib's inflate (out of memory?)")
        }
        defer { inflateEnd(&stream) }

        var output = [UInt8](repeating: 0, count: initialCapacity(for: bytes))
        var produced = 0
        try bytes.withUnsafeBufferPointer { input in
            // zlib counts in 32-bit `uInt`, so inputs over 4 GiB are handed over in pieces.
            let chunkLimit = Int(UInt32.max)
            var handedOver = 0
            stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress!)
            while true {
                if stream.avail_in == 0 && handedOver < input.count {
                    let chunk = min(chunkLimit, input.count - handedOver)
                    stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress! + handedOver)
                    stream.avail_in = uInt(chunk)
                    handedOver += chunk
                }
                if produced == output.count {
                    // Doubling keeps the total copying linear in the output size.
                    output.append(contentsOf: repeatElement(0, count: max(output.count, 1 << 16)))
                }
                let room = min(chunkLimit, output.count - produced)
                let status = output.withUnsafeMutableBufferPointer { out -> Int32 in
                    stream.next_out = out.baseAddress! + produced
                    stream.avail_out = uInt(room)
                    let status = inflate(&stream, Z_NO_FLUSH)
                    produced += room - Int(stream.avail_out)
                    stream.next_out = nil
                    return status
                }
                if try finished(status, &stream, input: input, handedOver: handedOver) { return }
            }
        }
        output.removeLast(output.count - produced)
        return output
    }

    /// Acts on one `inflate` status: true when the input is fully decompressed, false to go on
    /// (after restarting for the next gzip member at the end of one); errors for corrupt input.
    private static func finished(_ status: Int32, _ stream: inout z_stream, input: UnsafeBufferPointer<UInt8>,
                                 handedOver: Int) throws -> Bool {
        switch status {
        case Z_OK:
            return false
        case Z_STREAM_END:
            let rest = handedOver - Int(stream.avail_in)
            if rest == input.count { return true }
            let remaining = UnsafeBufferPointer(rebasing: input[rest...])
            if remaining.allSatisfy({ $0 == 0 }) { return true }
            guard remaining.count >= 2, remaining[0] == 0x1F, remaining[1] == 0x8B else {
                throw corrupt("\(remaining.count) bytes of trailing data after the compressed stream")
            }
            guard inflateReset(&stream) == Z_OK else { throw corrupt("cannot restart for the next member") }
            return false
        case Z_BUF_ERROR:
            // Output space is always offered, so no progress means the input ran out.
            if stream.avail_in == 0 && handedOver < input.count { return false }
            throw corrupt("input ends after \(input.count) bytes, before the end of the stream")
        case Z_NEED_DICT:
            throw corrupt("stream needs a preset dictionary")
        case Z_MEM_ERROR:
            throw InfoPlaneError("zlib ran out of memory while decompressing \(input.count) bytes")
        default:
            let message = stream.msg.map { String(cString: $0) } ?? "zlib error \(status)"
            throw corrupt(message)
        }
    }

    private static func corrupt(_ detail: String) -> InfoPlaneError {
        InfoPlaneError("gzip stream is truncated or corrupt (\(detail))")
    }

    /// A first guess at the output size. A gzip trailer's last four bytes hold the (last)
    /// member's size modulo 2^32, which is exact for ordinary single-member files; it is only
    /// trusted when it is within deflate's maximum ratio (about 1032:1) of the input size.
    private static func initialCapacity(for bytes: [UInt8]) -> Int {
        let fallback = max(bytes.count * 4, 1 << 16)
        guard isGzip(bytes), bytes.count >= 18 else { return fallback }
        let n = bytes.count
        let trailerSize = Int(bytes[n - 4]) | Int(bytes[n - 3]) << 8 | Int(bytes[n - 2]) << 16 | Int(bytes[n - 1]) << 24
        guard trailerSize > 0, trailerSize <= bytes.count &* 1032 else { return fallback }
        return trailerSize
    }
}
