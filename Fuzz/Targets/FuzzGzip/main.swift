// gzip/zlib input (InflateSource). Invariants:
// - the inflated bytes, and whether the input is reported damaged, are the same whatever the
//   compressed read chunk size and the size of the reads asked of the inflater;
// - every error carries an offset in the compressed input (stored) inside its bounds;
// - inflating stops at a bounded output (a bomb is not followed past the limit here).
import FuzzSupport
import PicketCore
import PicketIngest

struct Outcome: Equatable {
    var output: [UInt8] = []
    var damaged = false
}

let outputLimit = 1 << 20

func inflate(_ b: [UInt8], chunk: Int, readSize: Int) -> Outcome {
    var out = Outcome()
    let compressed = InputBuffer(source: MemorySource(b, chunk: chunk), capacity: 64, maximumCapacity: 1 << 20)
    let source: InflateSource
    do {
        source = try InflateSource(input: compressed, format: b.first == 0x1f ? "gzip" : "zlib")
    } catch {
        invariantFailed("inflateInit failed: \(error)")
    }
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: readSize, alignment: 1)
    defer { buffer.deallocate() }
    var reads = 0
    do {
        while out.output.count < outputLimit {
            let n = try source.read(into: buffer)
            require(n >= 0 && n <= readSize, "read returned \(n) for a \(readSize)-byte buffer")
            if n == 0 { break }
            reads += 1
            out.output.append(contentsOf: UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(buffer)[0..<n]))
        }
        if out.output.count >= outputLimit {
            out.output.removeLast(out.output.count - outputLimit)
            return out
        }
        // After the end, reading again still says 0.
        let again = try source.read(into: buffer)
        require(again == 0, "read after the end returned \(again) bytes")
    } catch {
        require(error.stored, "an inflate error must carry the compressed (stored) offset: \(error)")
        require(error.offset >= 0 && error.offset <= Int64(b.count), "error offset \(error.offset) outside the \(b.count)-byte input")
        out.damaged = true
        // After an error the source is finished.
        let again = (try? source.read(into: buffer)) ?? 0
        require(again == 0, "read after an error returned \(again) bytes")
    }
    require(source.storedOffset <= Int64(b.count), "stored offset past the input")
    return out
}

runFuzzer { input in
    let b = Array(input)
    let h = inputHash(input)
    let whole = inflate(b, chunk: Int.max, readSize: 1 << 16)
    let chunk = b.count <= 2048 ? 1 : 1 + Int(h % 53)
    let readSize = 1 + Int(h >> 8 % 4099)
    let pieces = inflate(b, chunk: chunk, readSize: readSize)
    if whole.output.count < outputLimit && pieces.output.count < outputLimit {
        require(pieces == whole, "inflating in \(chunk)-byte reads into \(readSize)-byte buffers gave \(pieces.output.count) bytes (damaged \(pieces.damaged)), whole gave \(whole.output.count) (damaged \(whole.damaged))")
    } else {
        let n = min(whole.output.count, pieces.output.count)
        require(whole.output.prefix(n) == pieces.output.prefix(n), "inflated bytes differ with the read sizes")
    }
}
