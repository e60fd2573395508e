/// Parses Sigma conditions: `and`, `or`, `not`, parentheses, `1 of sel*`, `all of sel*`,
/// `1 of them`, `all of them`.
///
/// ```
/// expr    := and ('or' and)*
/// and     := unary ('and' unary)*
/// unary   := 'not' unary | primary
/// primary := '(' expr ')' | ('1' | 'any' | 'all') 'of' (pattern | 'them') | name
/// ```
struct ConditionParser {
    struct Token {
        var text: Substring
        /// 0-based column in the condition text.
        var column: Int
    }

    let names: [String]
    var tokens: [Token] = []
    var position = 0
    let text: String

    init(_ text: String, selections: [String]) {
        self.text = text
        names = selections
        var i = text.startIndex
        var column = 0
        while i < text.endIndex {
            let c = text[i]
            if c == " " || c == "\t" || c == "\n" {
                i = text.index(after: i); column += 1
                continue
            }
            if c == "(" || c == ")" {
                tokens.append(Token(text: text[i...i], column: column))
                i = text.index(after: i); column += 1
                continue
            }
            let start = i
            let startColumn = column
            while i < text.endIndex, !" \t\n()".contains(text[i]) { i = text.index(after: i); column += 1 }
            tokens.append(Token(text: text[start..<i], column: startColumn))
        }
    }

    /// Parse the whole condition; errors carry the 0-based column.
    mutating func parse() throws(ConditionError) -> Condition {
        guard !tokens.isEmpty else { throw ConditionError(column: 0, message: "empty condition") }
        let c = try parseOr()
        if position < tokens.count {
            throw ConditionError(column: tokens[position].column, message: "unexpected '\(tokens[position].text)' in condition")
        }
        return c
    }

    func peek() -> Substring? { position < tokens.count ? tokens[position].text : nil }
    var column: Int { position < tokens.count ? tokens[position].column : text.count }

    mutating func parseOr() throws(ConditionError) -> Condition {
        var parts = [try parseAnd()]
        while peek()?.lowercased() == "or" {
            position += 1
            parts.append(try parseAnd())
        }
        return parts.count == 1 ? parts[0] : .or(parts)
    }

    mutating func parseAnd() throws(ConditionError) -> Condition {
        var parts = [try parseUnary()]
        while peek()?.lowercased() == "and" {
            position += 1
            parts.append(try parseUnary())
        }
        return parts.count == 1 ? parts[0] : .and(parts)
    }

    mutating func parseUnary() throws(ConditionError) -> Condition {
        if peek()?.lowercased() == "not" {
            position += 1
            return .not(try parseUnary())
        }
        return try parsePrimary()
    }

    mutating func parsePrimary() throws(ConditionError) -> Condition {
        guard let t = peek() else { throw ConditionError(column: column, message: "condition ends too early") }
        let startColumn = column
        if t == "(" {
            position += 1
            let inner = try parseOr()
            guard peek() == ")" else { throw ConditionError(column: column, message: "missing ')' for the '(' at column \(startColumn + 1)") }
            position += 1
            return inner
        }
        if t == ")" { throw ConditionError(column: startColumn, message: "unexpected ')'") }
        let lower = t.lowercased()
        if ["and", "or"].contains(lower) { throw ConditionError(column: startColumn, message: "'\(t)' needs something before it") }
        if (lower == "1" || lower == "all" || lower == "any") && position + 1 < tokens.count && tokens[position + 1].text.lowercased() == "of" {
            position += 2
            guard let target = peek() else { throw ConditionError(column: column, message: "'\(t) of' needs a selection pattern or 'them'") }
            let targetColumn = column
            position += 1
            let matched: [Int]
            if target.lowercased() == "them" {
                matched = Array(names.indices)
            } else {
                matched = names.indices.filter { Self.glob(String(target), names[$0]) }
                if matched.isEmpty { throw ConditionError(column: targetColumn, message: "no selection matches '\(target)'") }
            }
            return lower == "all" ? .allOf(matched) : .oneOf(matched)
        }
        guard let index = names.firstIndex(of: String(t)) else {
            throw ConditionError(column: startColumn, message: "unknown selection '\(t)' (defined: \(names.joined(separator: ", ")))")
        }
        position += 1
        return .selection(index)
    }

    /// `*` matches any run of characters, `?` one character.
    static func glob(_ pattern: String, _ name: String) -> Bool {
        let p = Array(pattern), n = Array(name)
        var pi = 0, ni = 0, star = -1, mark = 0
        while ni < n.count {
            if pi < p.count && (p[pi] == "?" || p[pi] == n[ni]) { pi += 1; ni += 1 }
            else if pi < p.count && p[pi] == "*" { star = pi; mark = ni; pi += 1 }
            else if star >= 0 { pi = star + 1; mark += 1; ni = mark }
            else { return false }
        }
        while pi < p.count && p[pi] == "*" { pi += 1 }
        return pi == p.count
    }
}

struct ConditionError: Error {
    var column: Int
    var message: String
}
