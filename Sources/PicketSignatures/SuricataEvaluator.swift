import PicketCore
import PicketMatch

/// Evaluates a Suricata rule on one event, with Suricata's semantics for the header, `flow`,
/// `dsize`, `flags`, `itype`/`icode` and content inspection (detect-engine-content-inspection):
/// contents and pcres are checked in order per buffer; `offset`/`depth` bound a content from the
/// start of the buffer, `distance`/`within` from the end of the previous match; a relative chain
/// backtracks to later occurrences of earlier contents when a later one fails; a negated content
/// or pcre must not match where it would be looked for.
enum SuricataEvaluator {
    /// The buffer a rule looks at, and where new data starts (for stream windows: matches must
    /// end in the new data, so data already inspected does not alert again).
    struct Subject {
        var bytes: UnsafeRawBufferPointer
        var newFrom: Int = 0
    }

    static func ipProto(_ e: some Event) -> String? {
        if case .string(let s) = e.field("proto") { return s }
        return nil
    }

    static func int(_ v: FieldValue?) -> Int? {
        switch v {
        case .int(let i): return Int(i)
        case .double(let d): return Int(d)
        default: return nil
        }
    }

    static func ip(_ v: FieldValue?) -> IPAddress? {
        if case .ip(let a) = v { return a }
        return nil
    }

    /// Header, flow and packet keywords: everything but the content inspection.
    static func headerMatches<E: Event>(_ r: SuricataRule, _ e: E) -> Bool {
        // Protocol.
        let proto = ipProto(e)
        switch r.proto {
        case .tcp, .tcpPkt, .tcpStream, .http, .tls: if proto != "TCP" { return false }
        case .udp: if proto != "UDP" { return false }
        case .dns: if proto != "UDP" && proto != "TCP" { return false }
        case .icmp: if proto != "ICMP" && proto != "IPv6-ICMP" { return false }
        case .ip: if proto == nil { return false }
        }
        // Addresses and ports, in either orientation for `<>`.
        guard let src = ip(e.field("src_ip")), let dst = ip(e.field("dest_ip")) else { return false }
        let sp = int(e.field("src_port")), dp = int(e.field("dest_port"))
        func oriented(_ a: IPAddress, _ ap: Int?, _ b: IPAddress, _ bp: Int?) -> Bool {
            guard r.source.matches(a), r.destination.matches(b) else { return false }
            if let ap, !r.sourcePorts.matches(ap) { return false }
            if let bp, !r.destinationPorts.matches(bp) { return false }
            if ap == nil && !r.sourcePorts.any { return false }
            if bp == nil && !r.destinationPorts.any { return false }
            return true
        }
        if !oriented(src, sp, dst, dp) && !(r.bidirectional && oriented(dst, dp, src, sp)) { return false }
        if let f = r.flow {
            if let want = f.toServer {
                guard case .string(let d) = e.field("direction") else { return false }
                if (d == "to_server") != want { return false }
            }
            if let want = f.established {
                guard case .bool(let est) = e.field("flow.established") else { return false }
                if est != want { return false }
            }
            if f.onlyStream && e.kind == .packet { return false }
            if f.noStream && e.kind == .stream { return false }
        }
        if let d = r.dsize {
            guard e.kind == .packet, let n = int(e.field("payload_len")), d.holds(n) else { return false }
        }
        if let fl = r.flags {
            guard let v = int(e.field("tcp.flags")) else { return false }
            let flags = UInt8(truncatingIfNeeded: v) & ~fl.ignore
            if fl.any {
                if flags & fl.required == 0 && fl.required != 0 { return false }
            } else if fl.plus {
                if flags & fl.required != fl.required { return false }
            } else if flags != fl.required {
                return false
            }
        }
        if let t = r.itype { guard let v = int(e.field("icmp_type")), t.holds(v) else { return false } }
        if let c = r.icode { guard let v = int(e.field("icmp_code")), c.holds(v) else { return false } }
        return true
    }

    /// Content and pcre inspection of one buffer: the matches in order.
    static func inspect(_ matches: [SuricataRule.Match], _ s: Subject) -> Bool {
        var budget = 10_000  // recursion budget, as Suricata's inspection recursion limit
        return step(matches, 0, s, prevEnd: 0, lastPositiveEnd: -1, budget: &budget) == 1
    }

    /// One keyword of the chain, then (recursively) the rest. Returns 1 for a match, 0 for no
    /// match (an earlier content may try its next occurrence), -1 to give up entirely.
    /// `prevEnd` is where the previous positive match ended (Suricata's buffer_offset).
    static func step(_ m: [SuricataRule.Match], _ i: Int, _ s: Subject, prevEnd: Int, lastPositiveEnd: Int, budget: inout Int) -> Int {
        budget -= 1
        if budget <= 0 { return -1 }
        if i == m.count {
            // In a stream window the match must end in data not inspected before.
            if s.newFrom > 0 && lastPositiveEnd >= 0 && lastPositiveEnd <= s.newFrom { return 0 }
            return 1
        }
        let b = s.bytes
        let nextIsRelative = i + 1 < m.count && isRelative(m[i + 1])
        switch m[i] {
        case .content(let c):
            var searchFrom = -1  // Suricata's prev_offset: retry after an earlier occurrence
            while true {
                var lo: Int, hi = b.count
                if c.isRelative {
                    lo = prevEnd
                    let distance = c.distance ?? 0
                    if c.distance != nil { lo = distance < 0 && -distance > lo ? 0 : lo + distance }
                    if let w = c.within { hi = min(hi, prevEnd + w + distance) }
                    if let d = c.depth { hi = min(hi, prevEnd + d) }
                    if let o = c.offset, o > lo { lo = o }
                } else {
                    lo = c.offset ?? 0
                    if let d = c.depth { hi = min(hi, lo + d) }
                    if c.startsWith { hi = min(hi, lo + c.bytes.count) }
                }
                if searchFrom >= 0 { lo = searchFrom }
                hi = min(hi, b.count)
                var found: Int? = nil
                if lo <= hi && hi > 0 && !(c.endsWith && hi < b.count) {
                    found = find(c, b, lo, hi)
                }
                guard let at = found else {
                    if c.negated { return step(m, i + 1, s, prevEnd: prevEnd, lastPositiveEnd: lastPositiveEnd, budget: &budget) }
                    return c.isRelative ? 0 : -1
                }
                let end = at + c.bytes.count
                if c.negated {
                    if c.endsWith && end != hi { return step(m, i + 1, s, prevEnd: prevEnd, lastPositiveEnd: lastPositiveEnd, budget: &budget) }
                    return c.isRelative || c.offset != nil || c.depth != nil ? 0 : -1
                }
                if !c.endsWith || end == b.count {
                    let r = step(m, i + 1, s, prevEnd: end, lastPositiveEnd: end, budget: &budget)
                    if r != 0 { return r }
                    // The rest failed: another occurrence only helps if the next keyword is
                    // relative to this one, or if this match ended in old stream data.
                    if !nextIsRelative && !(s.newFrom > 0 && end <= s.newFrom) { return -1 }
                }
                searchFrom = at + 1
            }
        case .pcre(let p):
            let start = p.relative ? prevEnd : 0
            guard start <= b.count else {
                return p.negated ? step(m, i + 1, s, prevEnd: prevEnd, lastPositiveEnd: lastPositiveEnd, budget: &budget) : 0
            }
            let sub = UnsafeRawBufferPointer(rebasing: b[start...])
            if p.negated {
                if p.regex.firstMatch(in: sub) != nil { return p.relative ? 0 : -1 }
                return step(m, i + 1, s, prevEnd: prevEnd, lastPositiveEnd: lastPositiveEnd, budget: &budget)
            }
            var from = 0
            while from <= sub.count, let r = p.regex.firstMatch(in: sub, from: from) {
                let end = start + r.upperBound
                let result = step(m, i + 1, s, prevEnd: end, lastPositiveEnd: end, budget: &budget)
                if result != 0 { return result }
                if !nextIsRelative && !(s.newFrom > 0 && end <= s.newFrom) { return -1 }
                from = r.lowerBound + 1
            }
            return p.relative ? 0 : -1
        }
    }

    static func isRelative(_ m: SuricataRule.Match) -> Bool {
        switch m {
        case .content(let c): c.isRelative
        case .pcre(let p): p.relative
        }
    }

    /// First occurrence of the content in `b[lo..<hi]` (the whole content inside the window).
    static func find(_ c: SuricataRule.Content, _ b: UnsafeRawBufferPointer, _ lo: Int, _ hi: Int) -> Int? {
        let n = c.bytes.count
        guard n > 0, hi - lo >= n, lo >= 0, hi <= b.count else { return nil }
        var i = lo
        let last = hi - n
        while i <= last {
            if Evaluator.equal(b, i, c.bytes, caseless: c.nocase) { return i }
            i += 1
        }
        return nil
    }
}
