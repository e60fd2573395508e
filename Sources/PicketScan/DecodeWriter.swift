import PicketCore

/// The `picket decode` sink: one JSON object per event (DESIGN.md section 5), written in blocks.
public struct DecodeWriter: EventSink {
    private let output: OutputFile
    private var json = JSONOut(capacity: 1 << 16)
    public var includePayload: Bool

    public init(output: OutputFile, includePayload: Bool) {
        self.output = output
        self.includePayload = includePayload
    }

    public mutating func consume<E: Event>(_ event: E, input: String) -> Bool {
        json.reset()
        json.beginObject()
        json.key("kind"); json.string(event.kind.name)
        json.key("timestamp"); json.timestamp(event.timestamp)
        json.key("input"); json.string(input)
        switch event.origin.position {
        case .packet(let n): json.key("pcap_cnt"); json.int(n)
        case .line(let n): json.key("line"); json.int(n)
        }
        event.writeFields(to: &json)
        if includePayload {
            json.key("payload"); json.base64(event.payload)
        }
        if event.timeSource == .read {
            json.key("picket")
            json.beginObject()
            json.key("time_source"); json.string("read")
            json.endObject()
        }
        json.endObject()
        json.newline()
        output.write(json.bytes)
        return !output.closedByReader
    }
}
