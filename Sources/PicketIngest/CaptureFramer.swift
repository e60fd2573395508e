import PicketCore

/// One capture record, borrowed from the input buffer: valid until the framer is asked for the
/// next one.
public struct CaptureRecord {
    /// LINKTYPE_ value of the interface the packet came in on.
    public var linkType: UInt32
    public var timestamp: Timestamp
    /// Bytes captured (`data.count`) and the packet's length on the wire.
    public var originalLength: Int
    public var data: UnsafeRawBufferPointer
    /// Stream offset of the record's first byte.
    public var offset: Int64
    /// Set when the record's framing is broken but the file's is not (the packet is counted as
    /// malformed and the scan goes on), e.g. `capture.pcapng.unknown_interface`.
    public var problem: StaticString?
}

/// Frames capture records out of an input buffer. `next()` returns nil at the clean end of the
/// input and throws `IngestError` when the container is cut or corrupt; records before the
/// damage have all been returned by then.
public protocol CaptureFramer {
    mutating func next() throws(IngestError) -> CaptureRecord?
    /// The link type of the first interface (for `--filter` and messages).
    var firstLinkType: UInt32? { get }
}

public enum CaptureFramers {
    /// The framer for a sniffed capture format.
    public static func make(_ format: InputFormat, buffer: InputBuffer, maxRecord: Int) -> any CaptureFramer {
        if format == .pcapng { return PcapngFramer(buffer: buffer, maxRecord: maxRecord) }
        return PcapFramer(buffer: buffer, maxRecord: maxRecord)
    }
}

@inline(__always)
func load32(_ b: UnsafeRawBufferPointer, _ i: Int, swapped: Bool) -> UInt32 {
    let v = b.loadUnaligned(fromByteOffset: i, as: UInt32.self)
    return swapped ? v.byteSwapped : v
}

@inline(__always)
func load16(_ b: UnsafeRawBufferPointer, _ i: Int, swapped: Bool) -> UInt16 {
    let v = b.loadUnaligned(fromByteOffset: i, as: UInt16.self)
    return swapped ? v.byteSwapped : v
}

/// Classic libpcap savefile.
///
/// ```
/// file header (24):  magic(4) version_major(2) version_minor(2) thiszone(4) sigfigs(4) snaplen(4) linktype(4)
/// record header (16): ts_sec(4) ts_usec_or_nsec(4) incl_len(4) orig_len(4), then incl_len bytes
/// ```
/// magic a1b2c3d4 = microseconds, a1b23c4d = nanoseconds, in the writer's byte order.
public struct PcapFramer: CaptureFramer {
    private let buffer: InputBuffer
    private let maxRecord: Int
    private var swapped = false
    private var nanos = false
    private var linkType: UInt32 = 0
    private var headerRead = false

    public init(buffer: InputBuffer, maxRecord: Int) {
        self.buffer = buffer
        self.maxRecord = maxRecord
    }

    public var firstLinkType: UInt32? { headerRead ? linkType : nil }

    public mutating func readHeader() throws(IngestError) {
        guard try buffer.ensure(24) else {
            throw IngestError(offset: buffer.offset, reason: "pcap: file header cut short (\(buffer.available) of 24 bytes)")
        }
        let h = buffer.unread
        let magic = h.loadUnaligned(as: UInt32.self)
        switch magic {
        case 0xA1B2_C3D4: swapped = false; nanos = false
        case 0xA1B2_3C4D: swapped = false; nanos = true
        case 0xD4C3_B2A1: swapped = true; nanos = false
        case 0x4D3C_B2A1: swapped = true; nanos = true
        default: throw IngestError(offset: buffer.offset, reason: "pcap: bad magic number")
        }
        let major = load16(h, 4, swapped: swapped)
        if major != 2 {
            throw IngestError(offset: buffer.offset + 4, reason: "pcap: unsupported version \(major) (expected 2)")
        }
        // The upper bits of the link type field carry FCS length flags.
        linkType = load32(h, 20, swapped: swapped) & 0x03FF_FFFF
        buffer.consume(24)
        headerRead = true
    }

    public mutating func next() throws(IngestError) -> CaptureRecord? {
        if !headerRead { try readHeader() }
        let recordOffset = buffer.offset
        guard try buffer.ensure(16) else {
            if buffer.available == 0 { return nil }
            throw IngestError(offset: recordOffset,
                              reason: "pcap: record header cut short (\(buffer.available) of 16 bytes)")
        }
        let h = buffer.unread
        let sec = load32(h, 0, swapped: swapped)
        let frac = load32(h, 4, swapped: swapped)
        let incl = Int(load32(h, 8, swapped: swapped))
        let orig = Int(load32(h, 12, swapped: swapped))
        if incl > maxRecord {
            throw IngestError(offset: recordOffset,
                              reason: "pcap: record claims \(incl) captured bytes, above the \(maxRecord)-byte record_length cap; framing lost",
                              cap: .recordLength)
        }
        guard try buffer.ensure(16 + incl) else {
            throw IngestError(offset: recordOffset,
                              reason: "pcap: record cut short (\(buffer.available - 16) of \(incl) captured bytes)")
        }
        let all = buffer.unread
        let data = UnsafeRawBufferPointer(rebasing: all[16..<(16 + incl)])
        buffer.consume(16 + incl)
        let ts = Timestamp(seconds: Int64(sec), nanos: nanos ? Int64(frac) : Int64(frac) * 1000)
        return CaptureRecord(linkType: linkType, timestamp: ts, originalLength: orig, data: data,
                             offset: recordOffset, problem: nil)
    }
}

/// pcapng (draft-ietf-opsawg-pcapng).
///
/// ```
/// block:  block_type(4) block_total_length(4) body… block_total_length(4)     (padded to 32 bits)
/// SHB 0x0A0D0D0A: byte_order_magic 1A2B3C4D(4) major(2) minor(2) section_length(8) options
/// IDB 0x00000001: linktype(2) reserved(2) snaplen(4) options (if_tsresol = 9, if_tsoffset = 14)
/// EPB 0x00000006: interface_id(4) ts_high(4) ts_low(4) captured_len(4) original_len(4) data options
/// SPB 0x00000003: original_len(4) data   (interface 0; captured = min(original, snaplen, body))
/// PB  0x00000002: interface_id(2) drops_count(2) ts_high(4) ts_low(4) captured_len(4) original_len(4) data
/// ```
/// Interfaces may have different link types in one file; each record carries its own.
public struct PcapngFramer: CaptureFramer {
    struct Interface {
        var linkType: UInt32
        var snaplen: UInt32
        /// Timestamp units per second: 10^n or 2^n.
        var resolution: UInt8 = 6
        var offsetSeconds: Int64 = 0
    }

    private let buffer: InputBuffer
    private let maxRecord: Int
    private var swapped = false
    private var sawSection = false
    private var interfaces: [Interface] = []
    public static let maxInterfaces = 4096
    public private(set) var interfacesCapped = 0

    public init(buffer: InputBuffer, maxRecord: Int) {
        self.buffer = buffer
        self.maxRecord = maxRecord
        interfaces.reserveCapacity(4)
    }

    public var firstLinkType: UInt32? { interfaces.first?.linkType }

    public mutating func next() throws(IngestError) -> CaptureRecord? {
        while true {
            let blockOffset = buffer.offset
            guard try buffer.ensure(12) else {
                if buffer.available == 0 { return nil }
                throw IngestError(offset: blockOffset, reason: "pcapng: block header cut short (\(buffer.available) of 12 bytes)")
            }
            var h = buffer.unread
            let rawType = h.loadUnaligned(as: UInt32.self)
            if rawType == 0x0A0D_0D0A {
                // The section header decides the byte order of everything up to the next one.
                let bom = h.loadUnaligned(fromByteOffset: 8, as: UInt32.self)
                if bom == 0x1A2B_3C4D { swapped = false } else if bom == 0x4D3C_2B1A { swapped = true } else {
                    throw IngestError(offset: blockOffset + 8, reason: "pcapng: bad byte-order magic in section header")
                }
                sawSection = true
                interfaces.removeAll(keepingCapacity: true)
            } else if !sawSection {
                throw IngestError(offset: blockOffset, reason: "pcapng: first block is not a section header")
            }
            let type = swapped ? rawType.byteSwapped : rawType
            let length = Int(load32(h, 4, swapped: swapped))
            if length < 12 || length % 4 != 0 {
                throw IngestError(offset: blockOffset,
                                  reason: "pcapng: block length \(length) is \(length < 12 ? "below the 12-byte minimum" : "not a multiple of 4"); framing lost")
            }
            if length > maxRecord + 64 * 1024 {
                throw IngestError(offset: blockOffset,
                                  reason: "pcapng: block length \(length) is above the record_length cap (\(maxRecord) bytes); framing lost",
                                  cap: .recordLength)
            }
            guard try buffer.ensure(length) else {
                throw IngestError(offset: blockOffset,
                                  reason: "pcapng: block cut short (\(buffer.available) of \(length) bytes)")
            }
            h = UnsafeRawBufferPointer(rebasing: buffer.unread[0..<length])
            let trailer = Int(load32(h, length - 4, swapped: swapped))
            if trailer != length {
                throw IngestError(offset: blockOffset + Int64(length) - 4,
                                  reason: "pcapng: trailing block length \(trailer) differs from the leading \(length); framing lost")
            }
            buffer.consume(length)
            let body = UnsafeRawBufferPointer(rebasing: h[8..<(length - 4)])
            switch type {
            case 0x0A0D_0D0A:
                if body.count < 16 { throw IngestError(offset: blockOffset, reason: "pcapng: section header too short") }
                let major = load16(body, 4, swapped: swapped)
                if major != 1 {
                    throw IngestError(offset: blockOffset + 12, reason: "pcapng: unsupported version \(major) (expected 1)")
                }
            case 1:
                if body.count < 8 { throw IngestError(offset: blockOffset, reason: "pcapng: interface description too short") }
                if interfaces.count >= Self.maxInterfaces {
                    interfacesCapped += 1
                    continue
                }
                var iface = Interface(linkType: UInt32(load16(body, 0, swapped: swapped)),
                                      snaplen: load32(body, 4, swapped: swapped))
                readInterfaceOptions(UnsafeRawBufferPointer(rebasing: body[8...]), into: &iface)
                interfaces.append(iface)
            case 6, 2:
                let isEPB = type == 6
                let fixed = 20
                if body.count < fixed {
                    return malformed(blockOffset, "capture.pcapng.block_too_short")
                }
                let ifaceID = isEPB ? Int(load32(body, 0, swapped: swapped)) : Int(load16(body, 0, swapped: swapped))
                let high = UInt64(load32(body, 4, swapped: swapped))
                let low = UInt64(load32(body, 8, swapped: swapped))
                let captured = Int(load32(body, 12, swapped: swapped))
                let original = Int(load32(body, 16, swapped: swapped))
                guard ifaceID < interfaces.count else {
                    return malformed(blockOffset, "capture.pcapng.unknown_interface")
                }
                guard captured <= body.count - fixed else {
                    return malformed(blockOffset, "capture.pcapng.captured_length_too_big")
                }
                let iface = interfaces[ifaceID]
                return CaptureRecord(linkType: iface.linkType, timestamp: timestamp(high << 32 | low, iface),
                                     originalLength: original,
                                     data: UnsafeRawBufferPointer(rebasing: body[fixed..<(fixed + captured)]),
                                     offset: blockOffset, problem: nil)
            case 3:
                if body.count < 4 { return malformed(blockOffset, "capture.pcapng.block_too_short") }
                guard let iface = interfaces.first else {
                    return malformed(blockOffset, "capture.pcapng.unknown_interface")
                }
                let original = Int(load32(body, 0, swapped: swapped))
                var captured = min(original, body.count - 4)
                if iface.snaplen > 0 { captured = min(captured, Int(iface.snaplen)) }
                return CaptureRecord(linkType: iface.linkType, timestamp: Timestamp(nanoseconds: 0),
                                     originalLength: original,
                                     data: UnsafeRawBufferPointer(rebasing: body[4..<(4 + captured)]),
                                     offset: blockOffset, problem: nil)
            default:
                continue  // name resolution, statistics, secrets, custom blocks: not packets
            }
        }
    }

    private func malformed(_ offset: Int64, _ problem: StaticString) -> CaptureRecord {
        CaptureRecord(linkType: interfaces.first?.linkType ?? 0, timestamp: Timestamp(nanoseconds: 0),
                      originalLength: 0, data: UnsafeRawBufferPointer(start: nil, count: 0),
                      offset: offset, problem: problem)
    }

    private func readInterfaceOptions(_ opts: UnsafeRawBufferPointer, into iface: inout Interface) {
        var i = 0
        while i + 4 <= opts.count {
            let code = load16(opts, i, swapped: swapped)
            let len = Int(load16(opts, i + 2, swapped: swapped))
            if code == 0 { break }
            let valueStart = i + 4
            guard valueStart + len <= opts.count else { break }
            if code == 9 && len >= 1 { iface.resolution = opts[valueStart] }
            if code == 14 && len >= 8 {
                let raw = opts.loadUnaligned(fromByteOffset: valueStart, as: UInt64.self)
                iface.offsetSeconds = Int64(bitPattern: swapped ? raw.byteSwapped : raw)
            }
            i = valueStart + (len + 3) & ~3
        }
    }

    /// Convert interface timestamp units to nanoseconds.
    private func timestamp(_ units: UInt64, _ iface: Interface) -> Timestamp {
        let r = iface.resolution
        var seconds: UInt64
        var nanos: UInt64
        if r & 0x80 == 0 {
            let exp = Int(r)
            if exp > 19 { return Timestamp(nanoseconds: 0) }
            var perSecond: UInt64 = 1
            for _ in 0..<exp { perSecond *= 10 }
            seconds = units / perSecond
            let rest = units % perSecond
            nanos = exp <= 9 ? rest * (1_000_000_000 / perSecond) : rest / (perSecond / 1_000_000_000)
        } else {
            let exp = Int(r & 0x7f)
            if exp > 63 { return Timestamp(nanoseconds: 0) }
            seconds = units >> UInt64(exp)
            let rest = units & ((1 << UInt64(exp)) - 1)
            let (hi, lo) = rest.multipliedFullWidth(by: 1_000_000_000)
            nanos = exp == 0 ? 0 : (hi << (64 - UInt64(exp))) | (lo >> UInt64(exp))
        }
        if seconds > UInt64(Int64.max / 1_000_000_000) { return Timestamp(nanoseconds: 0) }
        return Timestamp(seconds: Int64(seconds).saturatingAdd(iface.offsetSeconds), nanos: Int64(nanos))
    }
}
