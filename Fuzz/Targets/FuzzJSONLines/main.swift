// JSON lines (JSONScanner validation and dotted-path lookup, LogDecoder's time fields), through
// the line framer and the log decoder. Besides the fixed field names, every event is asked
// for dotted paths made of the keys that appear in its own line, so lookups go deep.
// Invariants: see FuzzSupport.fuzzLines.
import FuzzSupport

/// Up to eight dotted paths from the quoted strings of a line: "a", "a.b", "a.b.c", …
func paths(_ line: UnsafeRawBufferPointer) -> [String] {
    var keys: [String] = []
    var i = 0
    while i < line.count && keys.count < 4 {
        if line[i] == 34 {
            var j = i + 1
            while j < line.count && line[j] != 34 && j - i < 32 { j += 1 }
            if j < line.count && line[j] == 34 {
                keys.append(String(decoding: UnsafeRawBufferPointer(rebasing: line[(i + 1)..<j]), as: UTF8.self))
            }
            i = j + 1
        } else {
            i += 1
        }
    }
    var out: [String] = []
    for k in 0..<keys.count {
        out.append(keys[0...k].joined(separator: "."))
        out.append("json." + keys[k])
    }
    return out
}

runFuzzer { input in
    fuzzLines(input, extraFields: paths)
}
