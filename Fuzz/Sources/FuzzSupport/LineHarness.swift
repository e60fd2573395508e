import PicketCore
import PicketIngest
import PicketLogs

struct FramedLine: Equatable {
    var number: Int
    var offset: Int64
    var overLong: Bool
    var bytes: [UInt8]
}

/// Lines as the format defines them: split at LF, a CR before it dropped, a last line
/// without LF still a line, a line longer than the cap reported without its bytes.
func referenceLines(_ b: [UInt8], maxLine: Int) -> [FramedLine] {
    var out: [FramedLine] = []
    var start = 0
    var number = 0
    func add(_ s: Int, _ e: Int) {
        number += 1
        var end = e
        if end > s && b[end - 1] == 13 { end -= 1 }
        if end - s > maxLine {
            out.append(FramedLine(number: number, offset: Int64(s), overLong: true, bytes: []))
        } else {
            // A byte order mark opening the input is not part of the first line.
            let bom = number == 1 && end - s >= 3 && b[s] == 0xEF && b[s + 1] == 0xBB && b[s + 2] == 0xBF
            out.append(FramedLine(number: number, offset: Int64(s), overLong: false, bytes: Array(b[(bom ? s + 3 : s)..<end])))
        }
    }
    for i in 0..<b.count where b[i] == 10 {
        add(start, i)
        start = i + 1
    }
    if start < b.count { add(start, b.count) }
    return out
}

func frameLines(_ b: [UInt8], maxLine: Int, chunk: Int, capacity: Int) -> [FramedLine] {
    let buffer = InputBuffer(source: MemorySource(b, chunk: chunk), capacity: capacity, maximumCapacity: maxLine + (1 << 16))
    var framer = LineFramer(buffer: buffer, maxLineBytes: maxLine)
    var out: [FramedLine] = []
    do {
        while let line = try framer.next() {
            require(!line.bytes.contains(10), "line \(line.number) contains a line feed")
            out.append(FramedLine(number: line.number, offset: line.offset, overLong: line.overLong, bytes: Array(line.bytes)))
        }
    } catch {
        invariantFailed("a memory source cannot fail, but the line framer threw \(error)")
    }
    return out
}

/// Text through the line framer (checked against the reference splitting, read whole and in
/// small chunks), then each line through the log decoder (syslog, JSON lines, text).
/// Invariants:
/// - the framer's lines equal the reference's, whatever the read size;
/// - every range the log decoder reports lies inside its line; a line decoded as JSON is
///   valid by Picket's own scanner; malformed lines carry a problem and text format;
/// - every line event answers its fields (and `extraFields`) and writes valid JSON — for a
///   JSON line this includes the line itself, copied raw into the output.
public func fuzzLines(_ input: UnsafeRawBufferPointer, extraFields: (UnsafeRawBufferPointer) -> [String] = { _ in [] }) {
    let b = Array(input)
    let h = inputHash(input)
    let maxLine = h & 1 == 0 ? 1 << 20 : 8 + Int(h >> 1 & 255)
    let expected = referenceLines(b, maxLine: maxLine)
    let whole = frameLines(b, maxLine: maxLine, chunk: Int.max, capacity: 1 << 16)
    require(whole == expected, "line framer (whole reads) differs from the reference splitting")
    let chunk = b.count <= 4096 ? 1 : 1 + Int(h >> 12 % 31)
    let pieces = frameLines(b, maxLine: maxLine, chunk: chunk, capacity: 16)
    if pieces != expected {
        let k = (0..<min(pieces.count, expected.count)).first { pieces[$0] != expected[$0] } ?? min(pieces.count, expected.count)
        invariantFailed("line framer with \(chunk)-byte reads differs from the reference at line \(k + 1) (max line \(maxLine)): "
                        + "\(k < pieces.count ? "\(pieces[k].offset) overLong \(pieces[k].overLong) \(pieces[k].bytes.count) bytes" : "none") vs "
                        + "\(k < expected.count ? "\(expected[k].offset) overLong \(expected[k].overLong) \(expected[k].bytes.count) bytes" : "none")")
    }
    let decoder = LogDecoder(reference: Timestamp(seconds: 1_800_000_000, nanos: 0))
    var sink = CheckingSink()
    var d = DecodedLine()
    for line in whole where !line.overLong && !line.bytes.isEmpty {
        line.bytes.withUnsafeBytes { l in
            decoder.decode(l, into: &d)
            for r in [d.host, d.app, d.pid, d.msgid, d.structuredData, d.message] {
                if let r { require(r.lowerBound >= 0 && r.lowerBound <= r.upperBound && r.upperBound <= l.count, "range \(r) outside the \(l.count)-byte line") }
            }
            if d.problem != nil { require(d.format == .text, "a malformed line decoded as \(d.format)") }
            if d.format == .json {
                // (NULs ending a line are not part of it: devices end syslog lines with one.)
                require(JSONScanner.validate(LogDecoder.trimmingTrailingNULs(l)) == nil, "a line decoded as JSON does not validate")
            }
            sink.extraFields = extraFields(l)
            withUnsafePointer(to: d) { p in
                _ = sink.consume(LineEvent(line: l, decoded: p, origin: Origin(input: 0, position: .line(line.number)),
                                           readTime: Timestamp(nanoseconds: 0)), input: "fuzz")
            }
        }
    }
}
