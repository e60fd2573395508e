import PicketCore
import PicketMatch

/// A field that matched and the value it had, for a finding's `evidence`.
public struct Evidence: Sendable {
    public var field: String
    public var value: EvidenceValue
}

public enum EvidenceValue: Sendable {
    case text(String)
    case number(Double)
    case integer(Int64)
    case bool(Bool)
}

/// The per-event context evaluation needs beyond the event: what the stream has seen so far.
struct EvaluationContext {
    /// Stream pattern ids seen in this stream direction up to and including this chunk.
    var streamSeen: Set<Int>?
    var streamIndex: [Pattern: Int]
}

/// Full evaluation of a signature's condition on one event (the confirm step).
enum Evaluator {
    static func matches<E: Event>(_ sig: Signature, _ e: E, _ ctx: EvaluationContext, evidence: inout [Evidence]?) -> Bool {
        guard let c = sig.condition else { return false }
        return eval(c, sig, e, ctx, &evidence)
    }

    static func eval<E: Event>(_ c: Condition, _ sig: Signature, _ e: E, _ ctx: EvaluationContext, _ ev: inout [Evidence]?) -> Bool {
        switch c {
        case .selection(let i): return selection(sig.selections[i], e, ctx, &ev)
        case .and(let parts):
            for p in parts where !eval(p, sig, e, ctx, &ev) { return false }
            return true
        case .or(let parts):
            var any = false
            for p in parts where eval(p, sig, e, ctx, &ev) {
                any = true
                if ev == nil { return true }
            }
            return any
        case .not(let inner):
            var none: [Evidence]? = nil
            return !eval(inner, sig, e, ctx, &none)
        case .oneOf(let idx):
            var any = false
            for i in idx where selection(sig.selections[i], e, ctx, &ev) {
                any = true
                if ev == nil { return true }
            }
            return any
        case .allOf(let idx):
            for i in idx where !selection(sig.selections[i], e, ctx, &ev) { return false }
            return true
        }
    }

    static func selection<E: Event>(_ s: Selection, _ e: E, _ ctx: EvaluationContext, _ ev: inout [Evidence]?) -> Bool {
        for alt in s.alternatives {
            let mark = ev?.count ?? 0
            var ok = true
            for t in alt where !test(t, e, ctx, &ev) {
                ok = false
                break
            }
            if ok { return true }
            if ev != nil { ev!.removeSubrange(mark...) }
        }
        return false
    }

    /// A field value as bytes for string comparisons; nil when absent.
    static func withBytes<R>(_ v: FieldValue, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        switch v {
        case .text(let b): return body(b)
        case .string(let s):
            var s = s
            return s.withUTF8 { body(UnsafeRawBufferPointer($0)) }
        case .int(let i):
            var s = String(i)
            return s.withUTF8 { body(UnsafeRawBufferPointer($0)) }
        case .double(let d):
            var s = d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d)
            return s.withUTF8 { body(UnsafeRawBufferPointer($0)) }
        case .bool(let b):
            var s = b ? "true" : "false"
            return s.withUTF8 { body(UnsafeRawBufferPointer($0)) }
        case .ip(let ip):
            var bytes: [UInt8] = []
            ip.append(to: &bytes)
            return bytes.withUnsafeBytes(body)
        }
    }

    static func number(_ v: FieldValue) -> Double? {
        switch v {
        case .int(let i): return Double(i)
        case .double(let d): return d
        case .bool(let b): return b ? 1 : 0
        case .text, .string: return withBytes(v) { Double(String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespaces)) }
        case .ip: return nil
        }
    }

    static func evidenceValue(_ v: FieldValue) -> EvidenceValue {
        switch v {
        case .int(let i): return .integer(i)
        case .double(let d): return .number(d)
        case .bool(let b): return .bool(b)
        default: return .text(withBytes(v) { String(decoding: $0, as: UTF8.self) })
        }
    }

    static func test<E: Event>(_ t: FieldTest, _ e: E, _ ctx: EvaluationContext, _ ev: inout [Evidence]?) -> Bool {
        let value: FieldValue?
        if t.field == "payload" {
            let p = e.payload
            value = p.isEmpty && e.kind != .stream ? nil : .text(p)
        } else {
            value = e.field(t.field)
        }
        let ok = check(t, value, e, ctx)
        if ok, ev != nil, let value {
            if t.field == "payload" {
                // Evidence for payload: the matched values, not the whole payload.
                for v in t.values { if case .bytes(let b) = v { ev!.append(Evidence(field: "payload", value: .text(printable(b)))) } }
            } else {
                ev!.append(Evidence(field: t.field, value: evidenceValue(value)))
            }
        }
        return ok
    }

    static func printable(_ b: [UInt8]) -> String {
        if let s = String(validating: b, as: UTF8.self), s.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7f }) { return s }
        return "|" + b.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined(separator: " ") + "|"
    }

    static func check<E: Event>(_ t: FieldTest, _ value: FieldValue?, _ e: E, _ ctx: EvaluationContext) -> Bool {
        if t.op == .exists {
            guard case .bool(let want) = t.values.first else { return false }
            let present = value.map { v in withBytes(v) { !$0.isEmpty } } ?? false
            return present == want
        }
        guard let value else {
            // Only `field: null` holds for an absent field.
            return t.op == .equals && t.values.contains { if case .null = $0 { true } else { false } }
        }
        var anyTrue = false
        for (k, v) in t.values.enumerated() {
            let r = one(t, k, v, value, e, ctx)
            if t.all && !r { return false }
            if r { anyTrue = true; if !t.all { return true } }
        }
        return anyTrue
    }

    static func one<E: Event>(_ t: FieldTest, _ k: Int, _ v: TestValue, _ value: FieldValue, _ e: E, _ ctx: EvaluationContext) -> Bool {
        switch v {
        case .null:
            return withBytes(value) { $0.isEmpty }
        case .bool(let b):
            if case .bool(let x) = value { return x == b }
            return false
        case .number(let n):
            switch t.op {
            case .greater: return number(value).map { $0 > n } ?? false
            case .greaterOrEqual: return number(value).map { $0 >= n } ?? false
            case .less: return number(value).map { $0 < n } ?? false
            case .lessOrEqual: return number(value).map { $0 <= n } ?? false
            default: return number(value).map { $0 == n } ?? false
            }
        case .network(let net):
            switch value {
            case .ip(let ip): return net.contains(ip)
            default:
                return withBytes(value) { IPNetwork.parseAddress(String(decoding: $0, as: UTF8.self)).map { net.contains($0) } ?? false }
            }
        case .regex(let r, _):
            return withBytes(value) { r.matches($0) }
        case .bytes(let needle):
            // A literal split across segments was seen by the stream database.
            if t.field == "payload", let seen = ctx.streamSeen, t.op == .contains,
               let id = ctx.streamIndex[Pattern(literal: needle, caseless: !t.cased)], seen.contains(id) {
                return true
            }
            return withBytes(value) { hay in compare(t.op, hay, needle, caseless: !t.cased) }
        }
    }

    @inline(__always) static func fold(_ c: UInt8) -> UInt8 { c >= 65 && c <= 90 ? c | 0x20 : c }

    static func equal(_ a: UnsafeRawBufferPointer, _ at: Int, _ b: [UInt8], caseless: Bool) -> Bool {
        for i in 0..<b.count {
            let x = a[at + i], y = b[i]
            if caseless ? fold(x) != fold(y) : x != y { return false }
        }
        return true
    }

    static func compare(_ op: TestOperator, _ hay: UnsafeRawBufferPointer, _ needle: [UInt8], caseless: Bool) -> Bool {
        let n = needle.count, h = hay.count
        switch op {
        case .equals: return h == n && equal(hay, 0, needle, caseless: caseless)
        case .startsWith: return h >= n && equal(hay, 0, needle, caseless: caseless)
        case .endsWith: return h >= n && equal(hay, h - n, needle, caseless: caseless)
        case .contains:
            if n == 0 { return true }
            if h < n { return false }
            let first = needle[0], firstFolded = fold(first)
            var i = 0
            while i <= h - n {
                let c = hay[i]
                if (caseless ? fold(c) == firstFolded : c == first) && equal(hay, i, needle, caseless: caseless) { return true }
                i += 1
            }
            return false
        default: return false
        }
    }
}
