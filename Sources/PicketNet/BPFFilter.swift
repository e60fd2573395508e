import CPcap
import PicketCore

/// A `--filter` expression compiled by libpcap, once per link type it meets.
///
/// libpcap compiles BPF against a link type, and a pcapng file may mix several, so programs are
/// compiled lazily per link type and kept. An expression that cannot apply to some link type
/// (`ether host …` on raw IP) is reported once and filters out that link type's packets.
public final class BPFFilter {
    public let expression: String
    private var programs: [UInt32: bpf_program] = [:]
    private var failed: [UInt32: String] = [:]
    /// Messages for link types the expression could not be compiled for, to report once.
    public private(set) var newWarnings: [String] = []

    /// Validate the expression (against Ethernet) so bad usage stops before any input is read.
    public init(expression: String) throws(BPFError) {
        self.expression = expression
        _ = try compile(linkType: LinkType.ethernet)
    }

    deinit {
        for key in programs.keys { pcap_freecode(&programs[key]!) }
    }

    private func compile(linkType: UInt32) throws(BPFError) -> bpf_program {
        guard let dead = pcap_open_dead(Int32(linkType), 262_144) else {
            throw BPFError(message: "libpcap: cannot open a dead handle for link type \(linkType)")
        }
        defer { pcap_close(dead) }
        var program = bpf_program()
        if pcap_compile(dead, &program, expression, 1, PCAP_NETMASK_UNKNOWN) != 0 {
            let why = String(cString: pcap_geterr(dead))
            throw BPFError(message: "invalid --filter '\(expression)': \(why)")
        }
        return program
    }

    /// Whether the packet passes the filter.
    public func accepts(linkType: UInt32, data: UnsafeRawBufferPointer, wireLength: Int) -> Bool {
        if programs[linkType] == nil {
            if failed[linkType] != nil { return false }
            do {
                programs[linkType] = try compile(linkType: linkType)
            } catch {
                failed[linkType] = error.message
                newWarnings.append("--filter does not apply to link type \(LinkType.name(linkType)) (\(error.message)); its packets are skipped")
                return false
            }
        }
        var header = pcap_pkthdr()
        header.caplen = UInt32(data.count)
        header.len = UInt32(clamping: wireLength)
        guard let base = data.baseAddress?.assumingMemoryBound(to: UInt8.self) else {
            return withUnsafePointer(to: 0 as UInt8) { zero in
                pcap_offline_filter(&programs[linkType]!, &header, zero) != 0
            }
        }
        return pcap_offline_filter(&programs[linkType]!, &header, base) != 0
    }

    public func takeWarnings() -> [String] {
        defer { newWarnings.removeAll() }
        return newWarnings
    }
}

public struct BPFError: Error, Sendable {
    public var message: String
}
