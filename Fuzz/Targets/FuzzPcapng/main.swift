// pcapng framing (PcapngFramer). Invariants:
// - the same records, problems and error offset whatever the read chunk size and starting
//   buffer capacity (the framer keeps no state that depends on how bytes arrive);
// - record offsets increase, each block lies inside the input, and a packet's bytes are the
//   input's bytes at its block's data field (EPB/PB: block + 28, SPB: block + 12);
// - a record with a framing problem carries no bytes.
import FuzzSupport
import PicketCore
import PicketIngest

struct Record: Equatable {
    var offset: Int64
    var length: Int
    var original: Int
    var linkType: UInt32
    var nanoseconds: Int64
    var problem: String?
}

struct Outcome: Equatable {
    var records: [Record] = []
    var errorOffset: Int64?
    var error: String?
    var interfacesCapped = 0
}

func frame(_ b: [UInt8], chunk: Int, capacity: Int, maxRecord: Int) -> Outcome {
    let buffer = InputBuffer(source: MemorySource(b, chunk: chunk), capacity: capacity,
                             maximumCapacity: maxRecord + (1 << 17))
    var framer = PcapngFramer(buffer: buffer, maxRecord: maxRecord)
    var out = Outcome()
    var last: Int64 = -1
    do {
        while let r = try framer.next() {
            require(r.offset > last, "record offsets go backwards: \(r.offset) after \(last)")
            last = r.offset
            require(r.offset >= 0 && r.offset + 12 <= Int64(b.count), "record block at \(r.offset) outside the input")
            if let p = r.problem {
                require(r.data.count == 0, "a record with problem \(p) carries \(r.data.count) bytes")
            } else {
                let at = Int(r.offset)
                var ok = false
                for start in [at + 28, at + 12] where start + r.data.count <= b.count {
                    var same = true
                    for i in 0..<r.data.count where r.data[i] != b[start + i] { same = false; break }
                    if same { ok = true; break }
                }
                require(ok, "record at \(r.offset) (\(r.data.count) bytes) is not the input's bytes at its data field")
            }
            _ = touch(r.data)
            out.records.append(Record(offset: r.offset, length: r.data.count, original: r.originalLength, linkType: r.linkType,
                                      nanoseconds: r.timestamp.nanoseconds, problem: r.problem.map { "\($0)" }))
            _ = framer.firstLinkType
        }
    } catch {
        require(error.offset >= 0 && error.offset <= Int64(b.count), "error offset \(error.offset) outside the input: \(error)")
        require(!error.reason.isEmpty, "empty error reason")
        out.errorOffset = error.offset
        out.error = error.reason
    }
    out.interfacesCapped = framer.interfacesCapped
    return out
}

runFuzzer { input in
    let b = Array(input)
    let h = inputHash(input)
    let maxRecord = h & 1 == 0 ? 16 << 20 : 64 + Int(h >> 8 & 1023)
    let whole = frame(b, chunk: Int.max, capacity: 1 << 16, maxRecord: maxRecord)
    let chunk = b.count <= 4096 ? 1 : 1 + Int(h >> 20 % 61)
    let small = frame(b, chunk: chunk, capacity: 16, maxRecord: maxRecord)
    require(small == whole, "framing with \(chunk)-byte reads \(small) differs from whole reads \(whole)")
}
