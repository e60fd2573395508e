// The native signature loader (NativeLoader: YAML through libyaml, Sigma detection, modifiers,
// conditions, correlations). The input is a signature file's text. Invariants:
// - loading is a function of the text (twice gives the same signatures and errors);
// - every error and signature has a location inside the file (line 1…lines+1, column ≥ 1);
// - a loaded signature has an id, a title, an area and level from their lists, and a stable
//   signature id in the native range.
import FuzzSupport
import PicketSignatures

runFuzzer { input in
    let text = String(decoding: input, as: UTF8.self)
    // Lines as YAML counts them: LF, CR LF, a lone CR, NEL, LS and PS all break lines.
    var lines = 1
    let scalars = Array(text.unicodeScalars)
    for (i, u) in scalars.enumerated() {
        switch u {
        case "\n", "\u{85}", "\u{2028}", "\u{2029}": lines += 1
        case "\r" where i + 1 == scalars.count || scalars[i + 1] != "\n": lines += 1
        default: break
        }
    }
    let (sigs, errors) = NativeLoader.load(file: "fuzz.yml", text: text)
    func inside(_ l: SourceLocation) -> Bool { l.file == "fuzz.yml" && l.line >= 1 && l.line <= lines + 1 && l.column >= 1 }
    for e in errors {
        require(inside(e.location), "error at \(e.location) outside the \(lines)-line file: \(e.message)")
        require(!e.message.isEmpty, "empty error message")
    }
    for s in sigs {
        require(inside(s.location), "signature at \(s.location) outside the file")
        require(!s.id.isEmpty, "a signature without an id")
        require(s.signatureID >= 2_000_000_000 && s.signatureID <= 2_147_483_647, "signature id \(s.signatureID) outside the native range")
        for sel in s.selections {
            for alt in sel.alternatives { for t in alt { require(inside(t.location), "field test at \(t.location) outside the file") } }
        }
    }
    let (again, errorsAgain) = NativeLoader.load(file: "fuzz.yml", text: text)
    require(again.count == sigs.count && errorsAgain.map(\.description) == errors.map(\.description),
            "loading the same text twice differs: \(sigs.count) vs \(again.count) signatures; errors \(errors.map(\.description)) vs \(errorsAgain.map(\.description))")
}
