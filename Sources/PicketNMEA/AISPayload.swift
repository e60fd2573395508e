/// An AIS message's bits, de-armoured from the VDM/VDO payload into one fixed buffer.
///
/// ```
///  payload character:  '0'...'W' (48...87) and '`'...'w' (96...119)
///  6-bit value:        c - 48, minus 8 more when that is above 40   (IEC 61162-1, 8.2.6 / Table 7)
///  bits:               the 6-bit values concatenated, most significant bit first; the last
///                      fragment's fill bits (0...5) are dropped from the end
/// ```
/// The buffer holds `maxChars` payload characters (the `ais_fragments` cap): ITU-R M.1371 caps a
/// message at five slots (1008 bits, 168 characters), and a 512-character buffer leaves room for
/// over-long messages seen in the wild without letting one line grow memory.
public struct AISPayload {
    public static let maxChars = 512
    static let capacityBytes = maxChars * 6 / 8 + 2
    var bytes: [UInt8]
    public private(set) var bitCount = 0
    /// Payload characters appended so far.
    public private(set) var charCount = 0

    public init() { bytes = [UInt8](repeating: 0, count: Self.capacityBytes) }

    mutating func reset() {
        let used = min(Self.capacityBytes, (bitCount + 7) / 8 + 1)
        for k in 0..<used { bytes[k] = 0 }
        bitCount = 0
        charCount = 0
    }

    /// Append payload characters `b[r]`. Returns a problem for a character outside the alphabet
    /// or when the payload would pass the cap.
    mutating func append(_ b: UnsafeRawBufferPointer, _ r: Range<Int>) -> NMEAProblem? {
        guard charCount + r.count <= Self.maxChars else { return .aisPayloadTooLong }
        for k in r {
            let c = b[k]
            guard (c >= 48 && c <= 87) || (c >= 96 && c <= 119) else { return .aisBadPayloadCharacter }
            var v = c &- 48
            if v > 40 { v &-= 8 }
            let p = bitCount
            let shift = p & 7
            let w = UInt16(v) << UInt16(10 - shift)
            bytes[p >> 3] |= UInt8(truncatingIfNeeded: w >> 8)
            if shift > 2 { bytes[(p >> 3) + 1] |= UInt8(truncatingIfNeeded: w) }
            bitCount += 6
        }
        charCount += r.count
        return nil
    }

    /// Drop the last fragment's fill bits.
    mutating func dropFill(_ n: Int) {
        let n = min(max(0, n), bitCount)
        bitCount -= n
    }

    /// Whether bits `0..<end` are all there.
    @inline(__always) public func has(_ end: Int) -> Bool { end <= bitCount }

    /// An unsigned field of `len` (≤ 64) bits at `start`; bits past the end read as 0.
    public func uint(_ start: Int, _ len: Int) -> UInt64 {
        var v: UInt64 = 0
        var i = start
        let end = start + len
        while i < end {
            let bit: UInt64 = i < bitCount ? UInt64(bytes[i >> 3] >> UInt8(7 - (i & 7)) & 1) : 0
            v = v << 1 | bit
            i += 1
        }
        return v
    }

    /// A two's complement signed field.
    public func int(_ start: Int, _ len: Int) -> Int64 {
        let u = uint(start, len)
        let sign: UInt64 = 1 << UInt64(len - 1)
        return u & sign != 0 ? Int64(bitPattern: u) - Int64(bitPattern: sign << 1) : Int64(u)
    }

    @inline(__always) public func bool(_ start: Int) -> Bool { uint(start, 1) == 1 }

    /// The 6-bit ASCII characters (ITU-R M.1371 Table 47) of a text field as gpsd reads them: up
    /// to the first `@`, trailing spaces dropped. Only whole characters inside the payload count.
    /// A second segment (`then`, the type 21 name extension) continues the first when the first
    /// has no `@`.
    public func withText<R>(_ start: Int, _ chars: Int, then start2: Int = 0, _ chars2: Int = 0,
                            _ body: (UnsafeRawBufferPointer) -> R) -> R {
        let n1 = max(0, min(chars, (bitCount - start) / 6))
        let n2 = max(0, min(chars2, (bitCount - start2) / 6))
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(1, n1 + n2)) { buf in
            var n = 0
            var ended = false
            for segment in 0..<2 where !ended {
                let s = segment == 0 ? start : start2
                for k in 0..<(segment == 0 ? n1 : n2) {
                    let v = UInt8(uint(s + 6 * k, 6))
                    let c = v < 32 ? v + 64 : v
                    if c == 64 { ended = true; break }  // '@' ends the text
                    buf[n] = c
                    n += 1
                }
            }
            while n > 0 && buf[n - 1] == 32 { n -= 1 }
            return body(UnsafeRawBufferPointer(rebasing: UnsafeMutableRawBufferPointer(buf)[0..<n]))
        }
    }

    /// Whether a text field has no character.
    public func textIsEmpty(_ start: Int, _ chars: Int, then start2: Int = 0, _ chars2: Int = 0) -> Bool {
        withText(start, chars, then: start2, chars2) { $0.isEmpty }
    }

    /// A text field from its slot: 20 characters past 20 mean a type 21 name with its extension.
    public func withText<R>(slot start: Int, _ chars: Int, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        if start == 43 && chars > 20 { return withText(43, 20, then: 272, chars - 20, body) }
        return withText(start, chars, then: 0, 0, body)
    }

    /// Binary data as gpsd writes it: `bits:hex`, the last byte padded with zero bits.
    public func withHex<R>(_ start: Int, _ bits: Int, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        let bits = max(0, min(bits, bitCount - start))
        let nbytes = (bits + 7) / 8
        let digits: StaticString = "0123456789abcdef"
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 8 + 2 * nbytes) { buf in
            var n = 0
            var scale = 1
            while scale * 10 <= bits { scale *= 10 }
            while scale > 0 { buf[n] = UInt8(bits / scale % 10) + 48; n += 1; scale /= 10 }
            buf[n] = 58; n += 1
            digits.withUTF8Buffer { hex in
                for k in 0..<nbytes {
                    let take = min(8, bits - 8 * k)
                    let v = UInt8(uint(start + 8 * k, take) << UInt64(8 - take))
                    buf[n] = hex[Int(v >> 4)]; buf[n + 1] = hex[Int(v & 15)]
                    n += 2
                }
            }
            return body(UnsafeRawBufferPointer(rebasing: UnsafeMutableRawBufferPointer(buf)[0..<n]))
        }
    }
}
