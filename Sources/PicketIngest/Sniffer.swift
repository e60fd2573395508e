import PicketCore

/// What an input holds, decided from its first bytes, never from its name.
public enum InputFormat: Equatable, Sendable {
    case pcap
    case pcapng
    case gzip
    case zlib
    case text
    /// Not a capture, not compressed, not text.
    case binary
    case empty

    public var name: String {
        switch self {
        case .pcap: "pcap"
        case .pcapng: "pcapng"
        case .gzip: "gzip"
        case .zlib: "zlib"
        case .text: "text"
        case .binary: "binary"
        case .empty: "empty"
        }
    }
}

public enum Sniffer {
    /// Look at the first bytes without consuming them. Waits only for the few bytes a magic
    /// number needs, so a slow pipe of log lines is not held up.
    public static func sniff(_ buffer: InputBuffer) throws(IngestError) -> InputFormat {
        _ = try buffer.ensure(4)
        return classify(buffer.unread)
    }

    /// Classify a prefix of an input.
    public static func classify(_ b: UnsafeRawBufferPointer) -> InputFormat {
        if b.isEmpty { return .empty }
        if b.count >= 4 {
            let be = UInt32(b[0]) << 24 | UInt32(b[1]) << 16 | UInt32(b[2]) << 8 | UInt32(b[3])
            switch be {
            case 0xA1B2_C3D4, 0xD4C3_B2A1, 0xA1B2_3C4D, 0x4D3C_B2A1: return .pcap
            case 0x0A0D_0D0A: return .pcapng
            default: break
            }
        }
        if b.count >= 2 && b[0] == 0x1f && b[1] == 0x8b { return .gzip }
        if b.count >= 2 && looksLikeZlib(b) { return .zlib }
        return looksLikeText(b) ? .text : .binary
    }

    /// A zlib header: deflate, a window of at most 32 KiB, no preset dictionary, and the check
    /// bits right. Some headers are also text (`x^`, `X` and a tab, `H` and a CR), so when both
    /// bytes could be text the next byte must not be.
    static func looksLikeZlib(_ b: UnsafeRawBufferPointer) -> Bool {
        let cmf = b[0], flg = b[1]
        guard cmf & 0x0f == 8, cmf >> 4 <= 7, flg & 0x20 == 0, (UInt16(cmf) << 8 | UInt16(flg)) % 31 == 0 else { return false }
        let text = { (c: UInt8) in (c >= 0x20 && c < 0x7f) || c == 9 || c == 10 || c == 13 }
        if text(cmf) && text(flg) {
            guard b.count >= 3 else { return false }
            return !text(b[2])
        }
        return true
    }

    /// Text: almost no NUL bytes (at most 1 in 256 — a serial log with a burst of line noise is
    /// still text, UTF-16 and binary formats are not), and few control characters besides tab,
    /// newline, carriage return, form feed and escape. Invalid UTF-8 is allowed (Latin-1 logs
    /// exist); each line is judged again on its own.
    static func looksLikeText(_ b: UnsafeRawBufferPointer) -> Bool {
        let n = min(b.count, 4096)
        var controls = 0
        var nuls = 0
        var lineEndNULs = 0  // NULs just before a line end: devices end syslog lines with one
        var run = 0
        for i in 0..<n {
            let c = b[i]
            if c == 0 {
                nuls += 1
                run += 1
            } else {
                if c == 10 || c == 13 { lineEndNULs += min(run, 2) }  // a terminator or two, not a run
                run = 0
            }
            if c < 0x20 && c != 9 && c != 10 && c != 13 && c != 12 && c != 27 { controls += 1 }
        }
        let counted = nuls - lineEndNULs
        controls -= lineEndNULs
        return counted * 256 <= n && (counted == 0 || n >= 256) && controls * 10 <= n
    }
}
