import PicketCore
import PicketSignatures

/// The `picket scan` sink: every event goes through the matcher; findings go to the writer.
public struct MatchingSink: EventSink {
    public let matcher: Matcher
    public var writer: FindingWriter

    public init(matcher: Matcher, writer: FindingWriter) {
        self.matcher = matcher
        self.writer = writer
    }

    public mutating func consume<E: Event>(_ event: E, input: String) -> Bool {
        matcher.process(event, input: input, sink: &writer)
    }

    public mutating func streamEnded(_ key: StreamKey) { _ = matcher.streamEnded(key, sink: &writer) }
}

/// Signature-set loading for the command line: defaults, cache folder, errors for people.
public enum SignatureLoading {
    /// `$XDG_CACHE_HOME/picket` or `~/.cache/picket`, created on demand; nil when it cannot be.
    public static func cacheFolder() -> String? {
        let env = ProcessInfo.processInfo.environment
        if env["PICKET_NO_CACHE"] != nil { return nil }
        let base = env["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? (env["HOME"].map { $0 + "/.cache" } ?? "/tmp")
        let folder = base + "/picket"
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            return folder
        } catch {
            return nil
        }
    }
}

import Foundation
