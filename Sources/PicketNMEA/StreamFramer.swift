import PicketCore

/// Cuts a byte stream carrying NMEA sentences (TCP data, a serial capture) into sentences,
/// whatever the chunking: a sentence split across chunks is kept in one reused buffer until its
/// line feed arrives.
///
/// ```
///  chunk 1: "$GPGGA,1206…"      chunk 2: "58.28,…*4C\r\n$GPRMC,…"
///  sentences: "$GPGGA,120658.28,…*4C"   then "$GPRMC,…" once its "\r\n" comes
/// ```
/// A sentence longer than `maxSentenceBytes` is dropped as it streams past (the `line_length`
/// cap, counted in `overLong`), so memory stays bounded. `finish` hands out a last sentence that
/// had no line feed.
public struct NMEAStreamFramer {
    public static let defaultMaxSentenceBytes = 4096
    public let maxSentenceBytes: Int
    private var partial: [UInt8] = []
    private var discarding = false
    /// Sentences dropped for being longer than the cap.
    public private(set) var overLong = 0

    public init(maxSentenceBytes: Int = NMEAStreamFramer.defaultMaxSentenceBytes) {
        self.maxSentenceBytes = max(16, maxSentenceBytes)
        partial.reserveCapacity(256)
    }

    /// Feed a chunk; `body` gets each complete sentence (CR LF stripped, empty ones skipped) and
    /// returns false to stop. Returns false when `body` did.
    public mutating func feed(_ chunk: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) -> Bool) -> Bool {
        var start = 0
        for i in 0..<chunk.count where chunk[i] == 10 {
            let piece = UnsafeRawBufferPointer(rebasing: chunk[start..<i])
            start = i + 1
            if discarding {
                discarding = false
                partial.removeAll(keepingCapacity: true)
                continue
            }
            if partial.isEmpty {
                if piece.count > maxSentenceBytes + 1 { overLong += 1; continue }
                if !emit(piece, body) { return false }
            } else {
                guard partial.count + piece.count <= maxSentenceBytes + 1 else {
                    overLong += 1
                    partial.removeAll(keepingCapacity: true)
                    continue
                }
                partial.append(contentsOf: piece)
                let ok = partial.withUnsafeBytes { emit($0, body) }
                partial.removeAll(keepingCapacity: true)
                if !ok { return false }
            }
        }
        if start < chunk.count && !discarding {
            let rest = UnsafeRawBufferPointer(rebasing: chunk[start...])
            if partial.count + rest.count > maxSentenceBytes + 1 {
                overLong += 1
                discarding = true
                partial.removeAll(keepingCapacity: true)
            } else {
                partial.append(contentsOf: rest)
            }
        }
        return true
    }

    /// At the end of the stream: the last sentence, if it had no line feed.
    public mutating func finish(_ body: (UnsafeRawBufferPointer) -> Bool) -> Bool {
        defer { partial.removeAll(keepingCapacity: true); discarding = false }
        guard !discarding, !partial.isEmpty else { return true }
        return partial.withUnsafeBytes { emit($0, body) }
    }

    private func emit(_ piece: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) -> Bool) -> Bool {
        var n = piece.count
        while n > 0 && (piece[n - 1] == 13 || piece[n - 1] == 0) { n -= 1 }
        guard n > 0 else { return true }
        guard n <= maxSentenceBytes else { return true }
        return body(UnsafeRawBufferPointer(rebasing: piece[0..<n]))
    }
}
