/// How a message travels when MPI's 32-bit element count (or a transport's 2 GiB limit) could
/// not carry it whole: in pieces of exactly `limit` elements and then one shorter last piece,
/// possibly empty. A message shorter than the limit is one piece, as it always was; a receiver
/// that does not know the length keeps receiving while pieces come whole. Every call of
/// ``Communicator`` sends this way, so no caller ever meets the limit.
struct MessagePieces {
    /// The element ranges of the pieces, in order.
    let ranges: [Range<Int>]

    /// The pieces of a message of `total` elements with at most `limit` per piece.
    init(total: Int, limit: Int) {
        precondition(total >= 0 && limit >= 1, "pieces of \(total) elements by \(limit)")
        guard total >= limit else {
            ranges = [0..<total]
            return
        }
        var ranges = stride(from: 0, to: total - total % limit, by: limit).map { $0..<($0 + limit) }
        ranges.append((total - total % limit)..<total)  // shorter (maybe empty): the end mark
        self.ranges = ranges
    }
}
