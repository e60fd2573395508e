import PicketCore

/// One HTTP/1.x request header block (RFC 9112 sections 3 and 5), parsed in place: the
/// ranges index the bytes given to `HTTPRequestParser.parse`.
///
/// ```
/// request-line = method SP request-target SP HTTP-version CRLF
/// field-line   = field-name ":" OWS field-value OWS CRLF      (repeated)
/// CRLF                                                          (end of the header block)
/// ```
/// As libhtp (Suricata's HTTP parser) does, the request target runs from the first space
/// to the last space before `HTTP/`, so a target with spaces in it is kept whole, and bare
/// LF line ends are accepted.
public struct HTTPRequestView {
    public var method: Range<Int> = 0..<0
    public var uri: Range<Int> = 0..<0
    /// `HTTP/1.1`; empty for an HTTP/0.9 request line.
    public var protocolVersion: Range<Int> = 0..<0
    /// The Host header's value as sent, and the part of it without the port (brackets of
    /// an IPv6 literal removed).
    public var host: Range<Int>?
    public var hostname: Range<Int>?
    public var port: Int?
    public var userAgent: Range<Int>?
    /// The Connection header's value (Suricata's `http.connection` buffer).
    public var connection: Range<Int>?
    /// The header block never ended (the stream closed first); what came is decoded.
    public var partial = false
    public var contentLength: Int64?
    public var chunked = false
    /// Bytes of the header block, blank line included.
    public var length = 0
    public init() {}
}

public enum HTTPRequestParser {
    /// Header blocks longer than this are not buffered (`http_headers` cap).
    public static let maxHeaderBytes = 32 << 10
    /// Header lines looked at per request.
    public static let maxHeaderLines = 256

    static let methods: [[UInt8]] = [
        "GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "CONNECT", "TRACE", "PATCH", "PROPFIND",
        "PROPPATCH", "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK", "M-SEARCH", "NOTIFY", "SUBSCRIBE",
        "UNSUBSCRIBE", "SEARCH", "REPORT", "MKACTIVITY", "CHECKOUT", "MERGE", "PURGE",
    ].map { Array($0.utf8) }

    /// How many bytes protocol detection looks at before it gives up (`NetworkPipeline`).
    public static let detectBytes = 64
    /// The longest method token taken.
    static let maxMethodBytes = 32

    /// Whether `b` starts like an HTTP request: true, false, or nil when there are too few bytes
    /// to tell. A known method and a space; or (`anyMethod`, inside a connection already taken
    /// for HTTP) any method token and a space; or a request line with another method that ends
    /// in `HTTP/x.y` within the first `window` bytes. Every answer depends on the first bytes
    /// only, so it does not depend on how the bytes arrive.
    public static func looksLikeRequest(_ b: UnsafeRawBufferPointer, anyMethod: Bool = false,
                                        window: Int = detectBytes) -> Bool? {
        if anyMethod {
            // As servers and libhtp take it: an unknown method must not end the decoding.
            var i = 0
            while i < b.count && Self.isToken(b[i]) {
                i += 1
                if i > Self.maxMethodBytes { return false }
            }
            if i < b.count { return i > 0 && b[i] == 32 }
            return nil
        }
        var short = false
        for m in methods {
            let n = m.count
            if n + 1 > window { continue }  // it could not be seen within the window
            if b.count < n + 1 {
                if b.count == 0 || zip(b, m).allSatisfy({ $0 == $1 }) { short = true }
                continue
            }
            var ok = b[n] == 32
            var i = 0
            while ok && i < n { ok = b[i] == m[i]; i += 1 }
            if ok { return true }
        }
        if short { return nil }
        // Another method: HTTP when the request line says so (`TOKEN SP target SP HTTP/x.y`),
        // as servers take it; a token alone is not enough. Only the first `detectBytes` count
        // (detection waits no longer), so the answer does not depend on how the bytes arrive.
        let limit = min(b.count, window)
        var i = 0
        while i < limit && Self.isToken(b[i]) {
            i += 1
            if i > Self.maxMethodBytes { return false }
        }
        if i == b.count && i < window { return nil }
        guard i > 0, i < limit, b[i] == 32 else { return false }
        var e = i
        while e < limit && b[e] != 10 { e += 1 }
        if e == b.count && e < window { return nil }  // the line is still coming
        guard e < limit && b[e] == 10 else { return false }
        var l = e
        if l > i && b[l - 1] == 13 { l -= 1 }
        guard l - i > 9 else { return false }
        let v = l - 8  // " HTTP/1.x"
        return b[v - 1] == 32 && b[v] == 72 && b[v + 1] == 84 && b[v + 2] == 84 && b[v + 3] == 80 && b[v + 4] == 47
    }

    /// RFC 9110 `tchar`.
    static func isToken(_ c: UInt8) -> Bool {
        switch c {
        case 48...57, 65...90, 97...122, 33, 35, 36, 37, 38, 39, 42, 43, 45, 46, 94, 95, 96, 124, 126: true
        default: false
        }
    }

    /// The end of the header block starting at `from` (the index just past the blank
    /// line), or nil when it has not all arrived.
    public static func headerEnd(_ b: UnsafeRawBufferPointer, from: Int) -> Int? {
        var i = from
        let n = b.count
        while i < n {
            if b[i] == 10 {
                if i + 1 < n && b[i + 1] == 10 { return i + 2 }
                if i + 2 < n && b[i + 1] == 13 && b[i + 2] == 10 { return i + 3 }
            }
            i += 1
        }
        return nil
    }

    /// Parse the header block `b[from..<end]`. Nil when the request line is not HTTP.
    public static func parse(_ b: UnsafeRawBufferPointer, from: Int, end: Int) -> HTTPRequestView? {
        var r = HTTPRequestView()
        r.length = end - from
        // Request line.
        var lineEnd = from
        while lineEnd < end && b[lineEnd] != 10 { lineEnd += 1 }
        var le = lineEnd
        if le > from && b[le - 1] == 13 { le -= 1 }
        var i = from
        while i < le && b[i] != 32 && b[i] != 9 { i += 1 }
        guard i > from, i < le else { return nil }
        r.method = from..<i
        for k in r.method {
            let c = b[k]
            guard (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 45 || c == 95 else { return nil }
        }
        while i < le && (b[i] == 32 || b[i] == 9) { i += 1 }
        // The protocol is the last word when it starts with HTTP/.
        var j = le
        while j > i && (b[j - 1] == 32 || b[j - 1] == 9) { j -= 1 }
        var k = j
        while k > i && b[k - 1] != 32 && b[k - 1] != 9 { k -= 1 }
        if k > i && j - k >= 5 && b[k] == 72 && b[k + 1] == 84 && b[k + 2] == 84 && b[k + 3] == 80 && b[k + 4] == 47 {
            r.protocolVersion = k..<j
            var u = k
            while u > i && (b[u - 1] == 32 || b[u - 1] == 9) { u -= 1 }
            r.uri = i..<u
        } else {
            r.uri = i..<j
        }
        // Header lines.
        var p = lineEnd + 1
        var lines = 0
        while p < end && lines < maxHeaderLines {
            lines += 1
            var e = p
            while e < end && b[e] != 10 { e += 1 }
            var ve = e
            if ve > p && b[ve - 1] == 13 { ve -= 1 }
            if ve == p { break }  // the blank line
            var colon = p
            while colon < ve && b[colon] != 58 { colon += 1 }
            if colon < ve {
                var vs = colon + 1
                while vs < ve && (b[vs] == 32 || b[vs] == 9) { vs += 1 }
                var vend = ve
                while vend > vs && (b[vend - 1] == 32 || b[vend - 1] == 9) { vend -= 1 }
                let name = UnsafeRawBufferPointer(rebasing: b[p..<colon])
                if r.host == nil && equalsIgnoringCase(name, "host") {
                    r.host = vs..<vend
                } else if r.userAgent == nil && equalsIgnoringCase(name, "user-agent") {
                    r.userAgent = vs..<vend
                } else if r.connection == nil && equalsIgnoringCase(name, "connection") {
                    r.connection = vs..<vend
                } else if equalsIgnoringCase(name, "content-length") {
                    // Leading zeros do not count towards the 15 digits (servers read
                    // 00000000000000005 as 5; capping them hid the request after the body).
                    var v: Int64 = 0
                    var digits = 0
                    var seen = false
                    for q in vs..<vend {
                        let c = b[q]
                        guard c >= 48 && c <= 57, digits < 15 else { break }
                        seen = true
                        if v == 0 && c == 48 { continue }
                        v = v * 10 + Int64(c - 48)
                        digits += 1
                    }
                    if seen { r.contentLength = v }
                } else if equalsIgnoringCase(name, "transfer-encoding") {
                    r.chunked = containsIgnoringCase(UnsafeRawBufferPointer(rebasing: b[vs..<vend]), "chunked")
                }
            }
            p = e + 1
        }
        // An absolute-form target names the host the server uses, whatever Host says (RFC 9112
        // 3.2.2; libhtp does the same): `GET http://evil.example/x` with `Host: benign.example`
        // goes to evil.example.
        if let authority = absoluteFormAuthority(b, r.uri) {
            splitHost(b, authority, into: &r)
        } else if let h = r.host {
            splitHost(b, h, into: &r)
        }
        return r
    }

    /// The authority of an `http://` or `https://` request target (userinfo dropped).
    static func absoluteFormAuthority(_ b: UnsafeRawBufferPointer, _ uri: Range<Int>) -> Range<Int>? {
        var i = uri.lowerBound
        for c in "http".utf8 {
            guard i < uri.upperBound, b[i] | 0x20 == c else { return nil }
            i += 1
        }
        if i < uri.upperBound && b[i] | 0x20 == UInt8(ascii: "s") { i += 1 }
        guard i + 3 <= uri.upperBound, b[i] == 58, b[i + 1] == 47, b[i + 2] == 47 else { return nil }
        var start = i + 3
        var e = start
        while e < uri.upperBound && b[e] != 47 && b[e] != 63 && b[e] != 35 {
            if b[e] == 64 { start = e + 1 }  // user:pass@
            e += 1
        }
        return e > start ? start..<e : nil
    }

    /// `host[:port]` or `[v6]:port` into the hostname and the port.
    static func splitHost(_ b: UnsafeRawBufferPointer, _ h: Range<Int>, into r: inout HTTPRequestView) {
        var nameStart = h.lowerBound
        var nameEnd = h.upperBound
        var portStart = -1
        if h.count > 0 && b[h.lowerBound] == 91 {  // [
            var c = h.lowerBound
            while c < h.upperBound && b[c] != 93 { c += 1 }
            guard c < h.upperBound else { r.hostname = h; return }
            nameStart = h.lowerBound + 1
            nameEnd = c
            if c + 1 < h.upperBound && b[c + 1] == 58 { portStart = c + 2 }
        } else {
            // One colon followed by digits is a port; a bare IPv6 literal has several.
            var colons = 0
            var c = h.upperBound
            for q in h where b[q] == 58 { colons += 1 }
            while c > h.lowerBound && b[c - 1] != 58 { c -= 1 }
            if colons == 1 && c > h.lowerBound {
                nameEnd = c - 1
                portStart = c
            }
        }
        r.hostname = nameStart..<nameEnd
        if portStart >= 0 && portStart < h.upperBound {
            var v = 0
            for q in portStart..<h.upperBound {
                let c = b[q]
                guard c >= 48 && c <= 57, v <= 65535 else { v = -1; break }
                v = v * 10 + Int(c - 48)
            }
            if v >= 0 && v <= 65535 { r.port = v }
        }
    }

    static func equalsIgnoringCase(_ a: UnsafeRawBufferPointer, _ s: StaticString) -> Bool {
        guard a.count == s.utf8CodeUnitCount else { return false }
        return s.withUTF8Buffer { w in
            for i in 0..<w.count where a[i] | 0x20 != w[i] | 0x20 { return false }
            return true
        }
    }

    static func containsIgnoringCase(_ a: UnsafeRawBufferPointer, _ s: StaticString) -> Bool {
        s.withUTF8Buffer { w in
            guard a.count >= w.count else { return false }
            for start in 0...(a.count - w.count) {
                var ok = true
                for i in 0..<w.count where a[start + i] | 0x20 != w[i] | 0x20 { ok = false; break }
                if ok { return true }
            }
            return false
        }
    }
}
