import CZlib
import PicketCore

/// Inflates gzip (one member or several) and zlib streams, block by block.
///
/// ```
/// gzip member:  1f 8b | CM=08 | FLG | MTIME(4) | XFL | OS | [extra, name, comment, hcrc] | deflate | CRC32 | ISIZE
/// zlib stream:  CMF FLG (CMF*256+FLG ≡ 0 mod 31) | deflate | ADLER32
/// ```
/// zlib is asked to detect either header (`windowBits = 15 + 32`). After a member ends, the next
/// member starts where it stopped; trailing zero bytes (tape padding) are ignored, anything else
/// after the last member is reported as damage. A member cut short or failing its check is
/// reported with the compressed offset where inflating stopped; everything inflated before it
/// is delivered first.
public final class InflateSource: ByteSource {
    private let input: InputBuffer
    private var stream = z_stream()
    private var inMember = false
    private var memberStart: Int64 = 0
    private var pendingError: IngestError?
    private var finished = false
    /// Members inflated to their end, and bytes the current member gave so far.
    private var membersDone = 0
    private var memberOutput = 0
    public let format: String
    /// Offsets are in the input as stored: false inside another compression layer, where they
    /// are offsets in the outer layer's decompressed data.
    private let stored: Bool

    /// `input` holds the compressed bytes, starting at the first header byte; `outermost` when
    /// they are the file's own bytes (not another layer's output).
    public init(input: InputBuffer, format: String, outermost: Bool = true) throws(IngestError) {
        self.input = input
        self.format = format
        self.stored = outermost
        let rc = inflateInit2_(&stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        if rc != Z_OK { throw IngestError(offset: input.offset, reason: "zlib: cannot initialise (\(rc))", stored: stored) }
    }

    deinit { inflateEnd(&stream) }

    public var storedOffset: Int64 { input.source.storedOffset }

    /// The compressed offset of the next byte zlib will read.
    private var compressedOffset: Int64 { input.offset }

    public func read(into out: UnsafeMutableRawBufferPointer) throws(IngestError) -> Int {
        if let e = pendingError { pendingError = nil; finished = true; throw e }
        if finished || out.count == 0 { return 0 }
        while true {
            if input.available == 0 {
                let n = try input.fill()
                if n == 0 {
                    if inMember {
                        // zlib may still hold output decoded from input it already took (the
                        // rest of a match when the last read had no room for it): hand that
                        // on before reporting the cut, whatever size the reads are.
                        let (rc, produced) = drain(into: out)
                        if rc == Z_STREAM_END {
                            inMember = false
                            inflateReset(&stream)
                            if produced > 0 { return produced }
                            continue
                        }
                        if produced > 0 { return produced }
                        finished = true
                        if rc != Z_OK && rc != Z_BUF_ERROR {
                            let msg = stream.msg.map { String(cString: $0) } ?? "error \(rc)"
                            throw IngestError(offset: compressedOffset, reason: "corrupt \(format) data: \(msg)", stored: stored)
                        }
                        throw IngestError(offset: compressedOffset,
                                          reason: "\(format) data cut short: the member that starts at offset \(memberStart) does not end", stored: stored)
                    }
                    finished = true
                    return 0
                }
            }
            if !inMember {
                // Between members: skip zero padding; anything else must start a new member.
                let u = input.unread
                var zeros = 0
                while zeros < u.count && u[zeros] == 0 { zeros += 1 }
                if zeros > 0 { input.consume(zeros); continue }
                let b0 = u[0]
                if b0 != 0x1f && !(b0 & 0x0f == 8) {
                    finished = true
                    throw trailingGarbage(at: compressedOffset)
                }
                inMember = true
                memberStart = compressedOffset
                memberOutput = 0
            }
            let unread = input.unread
            let availIn = unread.count
            stream.next_in = UnsafeMutablePointer(mutating: unread.baseAddress!.assumingMemoryBound(to: Bytef.self))
            stream.avail_in = UInt32(clamping: availIn)
            stream.next_out = out.baseAddress!.assumingMemoryBound(to: Bytef.self)
            stream.avail_out = UInt32(clamping: out.count)
            let rc = inflate(&stream, Z_NO_FLUSH)
            let consumed = availIn - Int(stream.avail_in)
            let produced = min(out.count, Int(UInt32(clamping: out.count))) - Int(stream.avail_out)
            input.consume(consumed)
            memberOutput += produced
            switch rc {
            case Z_STREAM_END:
                inMember = false
                membersDone += 1
                inflateReset(&stream)
                if produced > 0 { return produced }
            case Z_OK, Z_BUF_ERROR:
                if produced > 0 { return produced }
                if rc == Z_BUF_ERROR && consumed == 0 && input.available > 0 {
                    // No progress with input present and room for output: cannot happen with a
                    // healthy stream; treat as corruption rather than loop.
                    let e = IngestError(offset: compressedOffset, reason: "\(format): inflate made no progress", stored: stored)
                    finished = true
                    throw e
                }
            default:
                finished = produced == 0
                // After a complete member, bytes that gave nothing are not a member at all (their
                // first byte only looked like a zlib header): garbage where they start.
                if membersDone > 0 && memberOutput == 0 { throw trailingGarbage(at: memberStart) }
                let msg = stream.msg.map { String(cString: $0) } ?? "error \(rc)"
                let e = IngestError(offset: compressedOffset, reason: "corrupt \(format) data: \(msg)", stored: stored)
                if produced > 0 { pendingError = e; return produced }
                throw e
            }
        }
    }

    private func trailingGarbage(at offset: Int64) -> IngestError {
        IngestError(offset: offset, reason: "\(format): trailing garbage after the last complete member", stored: stored)
    }

    /// Run inflate with no new input: output it can still produce from what it holds.
    private func drain(into out: UnsafeMutableRawBufferPointer) -> (Int32, Int) {
        stream.next_in = nil
        stream.avail_in = 0
        stream.next_out = out.baseAddress!.assumingMemoryBound(to: Bytef.self)
        stream.avail_out = UInt32(clamping: out.count)
        let rc = inflate(&stream, Z_NO_FLUSH)
        return (rc, min(out.count, Int(UInt32(clamping: out.count))) - Int(stream.avail_out))
    }
}
