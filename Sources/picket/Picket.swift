import ArgumentParser
import PicketCore
import PicketScan

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@main
struct Picket: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "picket",
        abstract: "Scan network captures and log streams for cyber and hybrid-threat indicators.",
        discussion: """
            Picket reads pcap and pcapng captures, gzip/zlib-compressed or not, and text logs \
            (syslog, JSON lines, NMEA, plain text) from files, folders and stdin, detecting each \
            input's format from its content.
            """,
        subcommands: [Scan.self, Decode.self]
    )
}

/// Options every command that reads inputs shares.
struct InputOptions: ParsableArguments {
    @Argument(help: ArgumentHelp("Files, folders (walked recursively in sorted order), or - for stdin. With none, a piped stdin is read.", valueName: "input"))
    var inputs: [String] = []

    @Option(name: .customLong("filter"), help: ArgumentHelp("A libpcap (BPF) filter applied to packets before decoding, e.g. 'tcp port 443'.", valueName: "bpf"))
    var filter: String?

    @Option(name: .customLong("max-line-bytes"), help: "Longest log line kept; longer lines are counted as skipped (the line_length cap).")
    var maxLineBytes: Int = 1 << 20

    @Option(name: .customLong("stream-depth"), help: ArgumentHelp("Bytes of each TCP stream direction reassembled and inspected; 0 for no limit (the stream_depth cap).", valueName: "bytes"))
    var streamDepth: Int64 = 1 << 20

    @Option(name: .customLong("max-flows"), help: ArgumentHelp("Flows tracked at once; the least recently active is evicted beyond it (the flows cap).", valueName: "n"))
    var maxFlows: Int = 65536

    @Flag(name: .customLong("stats"), help: "Print counts and throughput on stderr at the end.")
    var stats = false

    @Option(name: .customLong("stats-json"), help: ArgumentHelp("Write the counts as one JSON object to this file.", valueName: "file"))
    var statsJSON: String?

    func validate() throws {
        if maxLineBytes < 1 || maxLineBytes > 64 << 20 {
            throw ValidationError("--max-line-bytes must be between 1 and \(64 << 20)")
        }
        if streamDepth < 0 { throw ValidationError("--stream-depth must be 0 (no limit) or a number of bytes") }
        if maxFlows < 1 || maxFlows > 16 << 20 { throw ValidationError("--max-flows must be between 1 and \(16 << 20)") }
        if inputs.isEmpty && isatty(0) != 0 {
            throw ValidationError("no input: name files or folders, or pipe data into stdin (use - to read it explicitly)")
        }
    }

    var specs: [InputSpec] { InputWalker.expand(inputs.isEmpty ? ["-"] : inputs) }

    var scanOptions: ScanOptions {
        var o = ScanOptions()
        o.filter = filter
        o.maxLineBytes = maxLineBytes
        o.network.stream.depth = streamDepth
        o.network.flows.maxFlows = maxFlows
        return o
    }
}

func printError(_ line: String) {
    var s = line + "\n"
    s.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
}

/// Run a scanner over the inputs, write the stats, and choose the exit status (DESIGN.md 5):
/// 2 when no input could be read, 3 when some input was damaged, else 0.
func runScan<Sink: EventSink>(_ input: InputOptions, sink: Sink, output: OutputFile?) throws -> ScanStats {
    signal(SIGPIPE, SIG_IGN)
    let scanner: Scanner<Sink>
    do {
        scanner = try Scanner(options: input.scanOptions, sink: sink, report: printError)
    } catch {
        printError("picket: \(error.message)")
        throw ExitCode(2)
    }
    let specs = input.specs
    scanner.scan(specs)
    output?.flush()
    let stats = scanner.stats
    if input.stats { printError(StatsReport.text(stats)) }
    if let path = input.statsJSON {
        var json = JSONOut()
        stats.writeJSON(to: &json)
        json.newline()
        do {
            let f = try OutputFile(path: path)
            f.write(json.bytes)
            f.flush()
        } catch {
            printError("picket: \(error.message)")
            throw ExitCode(2)
        }
    }
    if !specs.isEmpty && stats.unreadable == specs.count {
        printError("picket: no readable input")
        throw ExitCode(2)
    }
    if !stats.damaged.isEmpty { throw ExitCode(3) }
    return stats
}

struct Scan: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Scan captures and logs, counting every record and reporting damaged input.",
        discussion: """
            Examples:
              picket scan capture.pcap.gz --stats
              tcpdump -w - -i eth0 | picket scan -
              zcat ais.log.gz | picket scan - --stats-json stats.json
              picket scan evidence/ --filter 'udp port 53'

            Exit status: 0 the scan ran; 2 bad usage or no readable input; 3 some input was damaged \
            (each damage is reported on stderr with the file and byte offset).
            """
    )

    @OptionGroup var input: InputOptions

    func run() throws {
        _ = try runScan(input, sink: CountingSink(), output: nil)
    }
}

struct Decode: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print every decoded event as one JSON object a line, to see the fields signatures use.",
        discussion: """
            Examples:
              picket decode capture.pcapng | head
              picket decode --payload --filter 'tcp port 80' capture.pcap
              journalctl -o json | picket decode -

            Each object has kind, timestamp, input, pcap_cnt or line, and the event's fields \
            nested by their dotted names. A JSON log line's own fields appear under "json". \
            Captures also give stream events (reassembled TCP data: flow_id, direction, \
            stream.offset, stream.length, stream.gap; the bytes only with --payload) and dns, \
            http and tls events with Suricata's EVE field names.
            """
    )

    @OptionGroup var input: InputOptions

    @Flag(name: .customLong("payload"), help: "Add each event's payload bytes, base64-encoded.")
    var payload = false

    @Option(name: [.customShort("o"), .customLong("output")], help: ArgumentHelp("Write events to this file instead of stdout.", valueName: "file"))
    var outputPath: String?

    func run() throws {
        let output: OutputFile
        if let path = outputPath {
            do { output = try OutputFile(path: path) } catch {
                printError("picket: \(error.message)")
                throw ExitCode(2)
            }
        } else {
            output = OutputFile(fd: 1)
        }
        _ = try runScan(input, sink: DecodeWriter(output: output, includePayload: payload), output: output)
    }
}
