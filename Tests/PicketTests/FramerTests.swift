import Foundation
import PicketCore
import PicketIngest
import Testing

/// A capture record copied out of the buffer, to compare runs.
struct OwnedRecord: Equatable {
    var linkType: UInt32
    var nanos: Int64
    var originalLength: Int
    var data: [UInt8]
    var offset: Int64
}

struct OwnedLine: Equatable {
    var number: Int
    var bytes: [UInt8]
    var offset: Int64
    var overLong: Bool
}

/// Run a capture through sniffing (and inflating) and the capture framer, with reads of
/// `chunk` bytes into a buffer that starts tiny, so every boundary is crossed.
func frameCapture(_ bytes: [UInt8], chunk: Int) throws -> (records: [OwnedRecord], error: IngestError?) {
    var buffer = InputBuffer(source: MemorySource(bytes, chunk: chunk), capacity: 16, maximumCapacity: 1 << 20)
    var format = try Sniffer.sniff(buffer)
    while format == .gzip || format == .zlib {
        buffer = InputBuffer(source: try InflateSource(input: buffer, format: format.name), capacity: 16, maximumCapacity: 1 << 20)
        format = try Sniffer.sniff(buffer)
    }
    #expect(format == .pcap || format == .pcapng)
    var framer = CaptureFramers.make(format, buffer: buffer, maxRecord: 1 << 18)
    var out: [OwnedRecord] = []
    do {
        while let r = try framer.next() {
            out.append(OwnedRecord(linkType: r.linkType, nanos: r.timestamp.nanoseconds, originalLength: r.originalLength,
                                   data: Array(r.data), offset: r.offset))
        }
        return (out, nil)
    } catch {
        return (out, error)
    }
}

func frameLines(_ bytes: [UInt8], chunk: Int, maxLine: Int = 64) throws -> (lines: [OwnedLine], error: IngestError?) {
    var buffer = InputBuffer(source: MemorySource(bytes, chunk: chunk), capacity: 16, maximumCapacity: 1 << 20)
    let format = try Sniffer.sniff(buffer)
    if format == .gzip || format == .zlib {
        buffer = InputBuffer(source: try InflateSource(input: buffer, format: format.name), capacity: 16, maximumCapacity: 1 << 20)
    }
    var framer = LineFramer(buffer: buffer, maxLineBytes: maxLine)
    var out: [OwnedLine] = []
    do {
        while let l = try framer.next() {
            out.append(OwnedLine(number: l.number, bytes: Array(l.bytes), offset: l.offset, overLong: l.overLong))
        }
        return (out, nil)
    } catch {
        return (out, error)
    }
}

func gzip(_ bytes: [UInt8]) throws -> [UInt8] {
    let path = Paths.temporary("gz-\(UUID().uuidString)")
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    try shell("gzip -n -f '\(path)'")
    defer { try? FileManager.default.removeItem(atPath: path + ".gz") }
    return Array(try Data(contentsOf: URL(fileURLWithPath: path + ".gz")))
}

func file(_ path: String) throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: path))) }

@Suite struct FramerTests {
    static let chunkSizes = [1, 3, 7, 4096]

    @Test("capture framers give the same records one byte at a time as all at once",
          arguments: ["suricata-verify/bug-5162/input.pcap", "suricata-verify/bug-130/input.pcap",
                      "suricata-verify/detect-uricontent-02/input.pcap", "nmea/pcap/sim2.pcapng",
                      "nmea/pcap/nmea0183udp.pcapng", "nmea/pcap/iec450-nmea.pcap"])
    func captureChunking(_ relative: String) throws {
        let bytes = try file(Paths.corpus(relative))
        let whole = try frameCapture(bytes, chunk: Int.max)
        #expect(whole.error == nil)
        #expect(!whole.records.isEmpty)
        for chunk in Self.chunkSizes {
            let pieces = try frameCapture(bytes, chunk: chunk)
            #expect(pieces.error == nil)
            #expect(pieces.records == whole.records, "chunk \(chunk)")
        }
        // The same capture gzip-compressed, fed one byte at a time.
        let gz = try frameCapture(try gzip(bytes), chunk: 1)
        #expect(gz.records == whole.records)
    }

    @Test("line framer gives the same lines one byte at a time as all at once")
    func lineChunking() throws {
        let text = Array("one\ntwo\r\n\n\(String(repeating: "x", count: 100))\nlast line without newline".utf8)
        let whole = try frameLines(text, chunk: Int.max)
        #expect(whole.lines.map(\.number) == [1, 2, 3, 4, 5])
        #expect(whole.lines[0].bytes == Array("one".utf8))
        #expect(whole.lines[1].bytes == Array("two".utf8))  // CR stripped
        #expect(whole.lines[2].bytes.isEmpty && !whole.lines[2].overLong)
        #expect(whole.lines[3].overLong)  // 100 bytes > cap of 64
        #expect(whole.lines[4].bytes == Array("last line without newline".utf8))
        for chunk in Self.chunkSizes {
            #expect(try frameLines(text, chunk: chunk).lines == whole.lines, "chunk \(chunk)")
        }
        #expect(try frameLines(try gzip(text), chunk: 1).lines == whole.lines)
    }

    @Test("line framer on a real log: counts equal newlines, chunking does not matter")
    func realLog() throws {
        let bytes = try file(Paths.corpus("nmea/gnss/gpsd/unicore-um621.log"))
        let whole = try frameLines(bytes, chunk: Int.max, maxLine: 4096)
        #expect(whole.lines.count == bytes.filter { $0 == 10 }.count)
        #expect(try frameLines(bytes, chunk: 1, maxLine: 4096).lines == whole.lines)
    }

    @Test("an over-long line is dropped as it streams, whatever its length, and counted once")
    func overLongLineIsBounded() throws {
        var text = Array(repeating: UInt8(ascii: "a"), count: 200_000)
        text += Array("\nnext\n".utf8)
        var buffer = InputBuffer(source: MemorySource(text, chunk: 1000), capacity: 256, maximumCapacity: 4096)
        _ = buffer
        buffer = InputBuffer(source: MemorySource(text, chunk: 1000), capacity: 256, maximumCapacity: 4096)
        var framer = LineFramer(buffer: buffer, maxLineBytes: 1024)
        var lines: [OwnedLine] = []
        while let l = try framer.next() { lines.append(OwnedLine(number: l.number, bytes: Array(l.bytes), offset: l.offset, overLong: l.overLong)) }
        #expect(lines.count == 2)
        #expect(lines[0].overLong && lines[0].number == 1 && lines[0].offset == 0)
        #expect(lines[1].bytes == Array("next".utf8) && lines[1].number == 2)
        #expect(buffer.capacity <= 4096)
    }

    @Test("gzip with several members reads as one stream")
    func multiMemberGzip() throws {
        let a = try gzip(Array("alpha\nbeta\n".utf8)), b = try gzip(Array("gamma\n".utf8))
        let lines = try frameLines(a + b + [0, 0, 0, 0], chunk: 1)
        #expect(lines.error == nil)
        #expect(lines.lines.map { String(decoding: $0.bytes, as: UTF8.self) } == ["alpha", "beta", "gamma"])
    }

    @Test("a gzip member cut short is an error with the compressed offset, after the lines before it")
    func truncatedGzip() throws {
        var text: [UInt8] = []
        for i in 0..<5000 { text += Array("line \(i) with some words to compress\n".utf8) }
        let gz = try gzip(text)
        let cut = Array(gz[0..<(gz.count - 10)])
        let result = try frameLines(cut, chunk: 4096, maxLine: 1024)
        let error = try #require(result.error)
        #expect(error.stored)
        #expect(error.reason.contains("cut short"))
        #expect(result.lines.count > 4000)
    }

    @Test("trailing garbage after the last gzip member is reported")
    func gzipTrailingGarbage() throws {
        let gz = try gzip(Array("a\n".utf8)) + Array("garbage".utf8)
        let result = try frameLines(gz, chunk: Int.max)
        #expect(result.lines.count == 1)
        #expect(result.error?.reason.contains("trailing garbage") == true)
    }

    @Test("pcap cut inside a record: the records before it, then an error at the record's offset")
    func truncatedPcap() throws {
        let bytes = try file(Paths.corpus("suricata-verify/bug-130/input.pcap"))
        let whole = try frameCapture(bytes, chunk: Int.max).records
        let last = try #require(whole.last)
        let cut = Array(bytes[0..<(Int(last.offset) + 20)])
        let result = try frameCapture(cut, chunk: 1)
        #expect(result.records == Array(whole.dropLast()))
        let error = try #require(result.error)
        #expect(error.offset == last.offset)
        #expect(error.reason.contains("record cut short"))
    }

    /// pcapng with two interfaces of different link types (libpcap 1.10 refuses these).
    /// ```
    /// SHB: 0a0d0d0a len=28 bom=1a2b3c4d v1.0 section_length=-1 len
    /// IDB: 1 len=20 linktype=1 (Ethernet) snaplen=0 len
    /// IDB: 1 len=20 linktype=101 (raw) snaplen=0 len
    /// EPB: 6 len=36 iface=1 ts=0:1000000 caplen=1 origlen=1 data=45 pad len
    /// EPB: 6 len=36 iface=0 ts=0:2000000 caplen=1 origlen=1 data=ff pad len
    /// ```
    static let twoLinkTypes = hex("""
        0a0d0d0a 1c000000 4d3c2b1a 0100 0000 ffffffffffffffff 1c000000
        01000000 14000000 0100 0000 00000000 14000000
        01000000 14000000 6500 0000 00000000 14000000
        06000000 24000000 01000000 00000000 40420f00 01000000 01000000 45000000 24000000
        06000000 24000000 00000000 00000000 80841e00 01000000 01000000 ff000000 24000000
        """)

    @Test("pcapng with several link types: each record carries its interface's")
    func pcapngLinkTypes() throws {
        let result = try frameCapture(Self.twoLinkTypes, chunk: 1)
        #expect(result.error == nil)
        #expect(result.records.map(\.linkType) == [101, 1])
        #expect(result.records.map(\.nanos) == [1_000_000_000, 2_000_000_000])
        #expect(result.records.map(\.data) == [[0x45], [0xff]])
    }

    @Test("pcapng block whose trailing length differs is damage at that offset")
    func pcapngTrailingLength() throws {
        var bytes = Self.twoLinkTypes
        bytes[bytes.count - 4] = 0x28
        let result = try frameCapture(bytes, chunk: 1)
        #expect(result.records.count == 1)
        let error = try #require(result.error)
        #expect(error.reason.contains("trailing block length 40 differs from the leading 36"))
        #expect(error.offset == Int64(bytes.count - 4))
    }

    @Test("pcapng block length below the minimum is damage")
    func pcapngShortBlock() throws {
        var bytes = Self.twoLinkTypes
        bytes[28 + 4] = 8  // first IDB claims 8 bytes
        let result = try frameCapture(bytes, chunk: Int.max)
        #expect(result.error?.reason.contains("below the 12-byte minimum") == true)
        #expect(result.error?.offset == 28)
    }

    @Test("sniffing decides by content", arguments: [
        ([0xd4, 0xc3, 0xb2, 0xa1], InputFormat.pcap), ([0xa1, 0xb2, 0xc3, 0xd4], .pcap),
        ([0x4d, 0x3c, 0xb2, 0xa1], .pcap), ([0x0a, 0x0d, 0x0d, 0x0a], .pcapng),
        ([0x1f, 0x8b, 0x08, 0x00], .gzip), ([0x78, 0x9c, 0x03, 0x00], .zlib), ([0x78, 0xda, 0x01, 0x02], .zlib),
        (Array("x^2 + y\n".utf8), .text), (Array("<34>Oct 11".utf8), .text), ([0x00, 0x01, 0x02, 0x03], .binary), ([], .empty),
    ] as [([UInt8], InputFormat)])
    func sniff(_ bytes: [UInt8], _ expected: InputFormat) {
        #expect(bytes.withUnsafeBytes { Sniffer.classify($0) } == expected)
    }
}
