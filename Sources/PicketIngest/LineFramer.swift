#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import PicketCore

/// One line, borrowed from the input buffer until the framer is asked for the next one.
public struct LineRecord {
    /// 1-based line number in the input.
    public var number: Int
    /// The line without its `\n` (and without a `\r` before it; the first line without a UTF-8
    /// byte order mark opening the input). Empty for an over-long line.
    public var bytes: UnsafeRawBufferPointer
    /// Stream offset of the line's first byte.
    public var offset: Int64
    /// The line was longer than the `line_length` cap: its bytes were dropped, not buffered.
    public var overLong: Bool
}

/// Splits text into lines with a cap on line length.
///
/// Lines are handed out in place from the input buffer; nothing is copied. A line longer than
/// `maxLineBytes` is dropped as it streams past (the framer keeps consuming until the next
/// newline) and reported once, flagged `overLong`, so memory stays bounded whatever the input.
/// A last line without a newline is still a line.
public struct LineFramer {
    private let buffer: InputBuffer
    public let maxLineBytes: Int
    private var lineNumber = 0
    /// Bytes already searched for a newline without finding one.
    private var searched = 0
    private var discarding = false
    private var discardStart: Int64 = 0

    public init(buffer: InputBuffer, maxLineBytes: Int) {
        self.buffer = buffer
        self.maxLineBytes = max(1, maxLineBytes)
    }

    /// The next line, or nil at the end of the input.
    public mutating func next() throws(IngestError) -> LineRecord? {
        while true {
            if let line = frame() { return line }
            if try buffer.fill(wanting: min(maxLineBytes + 1, buffer.maximumCapacity)) == 0 && buffer.reachedEnd {
                return finish()
            }
        }
    }

    /// Try to cut one line from what is buffered; nil when more bytes are needed.
    mutating func frame() -> LineRecord? {
        let u = buffer.unread
        let n = u.count
        if searched < n, let base = u.baseAddress,
           let hit = memchr(base + searched, 10, n - searched) {
            let end = base.distance(to: UnsafeRawPointer(hit))
            let offset = buffer.offset
            searched = 0
            lineNumber += 1
            if discarding {
                discarding = false
                buffer.consume(end + 1)
                return LineRecord(number: lineNumber, bytes: UnsafeRawBufferPointer(start: nil, count: 0),
                                  offset: discardStart, overLong: true)
            }
            var len = end
            if len > 0 && u[len - 1] == 13 { len -= 1 }
            buffer.consume(end + 1)
            if len > maxLineBytes {
                return LineRecord(number: lineNumber, bytes: UnsafeRawBufferPointer(start: nil, count: 0),
                                  offset: offset, overLong: true)
            }
            return LineRecord(number: lineNumber, bytes: UnsafeRawBufferPointer(rebasing: u[Self.start(u, len, lineNumber)..<len]),
                              offset: offset, overLong: false)
        }
        if discarding {
            buffer.consume(n)
            searched = 0
        } else if n > maxLineBytes + 1 {
            // Longer than any line we keep and still no newline: drop it as it streams past.
            discarding = true
            discardStart = buffer.offset
            buffer.consume(n)
            searched = 0
        } else {
            searched = n
        }
        return nil
    }

    /// At the end of the input: the last line if it had no newline.
    mutating func finish() -> LineRecord? {
        let u = buffer.unread
        if discarding {
            discarding = false
            lineNumber += 1
            buffer.consume(u.count)
            return LineRecord(number: lineNumber, bytes: UnsafeRawBufferPointer(start: nil, count: 0),
                              offset: discardStart, overLong: true)
        }
        guard !u.isEmpty else { return nil }
        lineNumber += 1
        let offset = buffer.offset
        buffer.consume(u.count)
        var len = u.count
        if u[len - 1] == 13 { len -= 1 }
        if len > maxLineBytes {
            return LineRecord(number: lineNumber, bytes: UnsafeRawBufferPointer(start: nil, count: 0),
                              offset: offset, overLong: true)
        }
        searched = 0
        return LineRecord(number: lineNumber, bytes: UnsafeRawBufferPointer(rebasing: u[Self.start(u, len, lineNumber)..<len]),
                          offset: offset, overLong: false)
    }

    /// Where line `number` (of `len` bytes at the start of `u`) begins: past a UTF-8 byte order
    /// mark opening the input (editors on Windows write one; the first JSON line was text).
    @inline(__always)
    static func start(_ u: UnsafeRawBufferPointer, _ len: Int, _ number: Int) -> Int {
        number == 1 && len >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF ? 3 : 0
    }
}
