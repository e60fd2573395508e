// pcap framing (PcapFramer). Invariants:
// - the records and the error (its offset) equal those of an independent reference walker
//   of the format, whatever the read chunk size and starting buffer capacity;
// - every record's bytes are the input's bytes right after its 16-byte header.
import FuzzSupport
import PicketCore
import PicketIngest

struct Record: Equatable {
    var offset: Int64
    var length: Int
    var original: Int
    var linkType: UInt32
    var nanoseconds: Int64
}

struct Outcome: Equatable {
    var records: [Record] = []
    var errorOffset: Int64?
}

/// The format as the file header and record headers describe it, nothing more.
func reference(_ b: [UInt8], maxRecord: Int) -> Outcome {
    var out = Outcome()
    func u32(_ i: Int, _ swapped: Bool) -> UInt32 {
        let v = UInt32(b[i]) | UInt32(b[i + 1]) << 8 | UInt32(b[i + 2]) << 16 | UInt32(b[i + 3]) << 24
        return swapped ? v.byteSwapped : v
    }
    guard b.count >= 24 else { out.errorOffset = 0; return out }
    let magic = u32(0, false)
    let swapped: Bool, nanos: Bool
    switch magic {
    case 0xA1B2_C3D4: swapped = false; nanos = false
    case 0xA1B2_3C4D: swapped = false; nanos = true
    case 0xD4C3_B2A1: swapped = true; nanos = false
    case 0x4D3C_B2A1: swapped = true; nanos = true
    default: out.errorOffset = 0; return out
    }
    let major = swapped ? (UInt16(b[4]) << 8 | UInt16(b[5])) : (UInt16(b[5]) << 8 | UInt16(b[4]))
    guard major == 2 else { out.errorOffset = 4; return out }
    let link = u32(20, swapped) & 0x03FF_FFFF
    var pos = 24
    while pos < b.count {
        guard b.count - pos >= 16 else { out.errorOffset = Int64(pos); return out }
        let sec = u32(pos, swapped), frac = u32(pos + 4, swapped)
        let incl = Int(u32(pos + 8, swapped)), orig = Int(u32(pos + 12, swapped))
        guard incl <= maxRecord, b.count - pos - 16 >= incl else { out.errorOffset = Int64(pos); return out }
        let ts = Timestamp(seconds: Int64(sec), nanos: nanos ? Int64(frac) : Int64(frac) * 1000)
        out.records.append(Record(offset: Int64(pos), length: incl, original: orig, linkType: link, nanoseconds: ts.nanoseconds))
        pos += 16 + incl
    }
    return out
}

func frame(_ b: [UInt8], chunk: Int, capacity: Int, maxRecord: Int) -> Outcome {
    let buffer = InputBuffer(source: MemorySource(b, chunk: chunk), capacity: capacity, maximumCapacity: maxRecord + (1 << 16))
    var framer = PcapFramer(buffer: buffer, maxRecord: maxRecord)
    var out = Outcome()
    do {
        while let r = try framer.next() {
            require(r.problem == nil, "pcap records never carry a framing problem")
            require(r.data.count <= maxRecord, "record of \(r.data.count) bytes above the cap \(maxRecord)")
            let start = Int(r.offset) + 16
            require(start >= 16 && start + r.data.count <= b.count, "record at \(r.offset) (\(r.data.count) bytes) outside the input")
            for i in 0..<r.data.count where r.data[i] != b[start + i] {
                invariantFailed("record at \(r.offset): byte \(i) differs from the input")
            }
            out.records.append(Record(offset: r.offset, length: r.data.count, original: r.originalLength,
                                      linkType: r.linkType, nanoseconds: r.timestamp.nanoseconds))
        }
    } catch {
        require(error.offset >= 0 && error.offset <= Int64(b.count), "error offset \(error.offset) outside the input: \(error)")
        require(!error.reason.isEmpty, "empty error reason")
        out.errorOffset = error.offset
    }
    return out
}

runFuzzer { input in
    let b = Array(input)
    let h = inputHash(input)
    let maxRecord = h & 1 == 0 ? 16 << 20 : 64 + Int(h >> 8 & 1023)
    let expected = reference(b, maxRecord: maxRecord)
    let whole = frame(b, chunk: Int.max, capacity: 1 << 16, maxRecord: maxRecord)
    require(whole == expected, "framer \(whole) differs from the reference \(expected)")
    let chunk = b.count <= 4096 ? 1 : 1 + Int(h >> 20 % 61)
    let small = frame(b, chunk: chunk, capacity: 16, maxRecord: maxRecord)
    require(small == expected, "framer with \(chunk)-byte reads \(small) differs from the reference \(expected)")
}
