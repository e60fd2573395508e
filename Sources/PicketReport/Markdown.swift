import Foundation
import PicketCore

/// The summary for people: per-area totals, then incidents most severe first, in tables.
/// Every string from an input is escaped so it stays text: Markdown punctuation is
/// backslash-escaped, `<`, `>` and `&` become entities (no raw HTML reaches a renderer),
/// control characters become visible `\xNN`, and what GitHub's renderer would turn into a
/// link by itself (`https://…`, `www.…`, `name@host`) gets an escape that breaks the link and
/// renders as nothing: evidence URLs stay text, not one click away.
public enum MarkdownSummary {
    public static func escape(_ s: String) -> String {
        var out = ""
        let scalars = Array(s.unicodeScalars)
        for (k, scalar) in scalars.enumerated() {
            switch scalar {
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "&": out += "&amp;"
            case "|", "\\", "`", "*", "_", "[", "]", "(", ")", "#", "!", "~", "{", "}", "@":
                out += "\\" + String(scalar)
            case ":" where k + 2 < scalars.count && scalars[k + 1] == "/" && scalars[k + 2] == "/":
                out += "\\:"
            case "." where k >= 3 && String(String.UnicodeScalarView(scalars[(k - 3)..<k])).lowercased() == "www":
                out += "\\."
            default:
                if HiddenCharacters.isControl(scalar.value) {
                    out += "\\\\x" + String(format: "%02x", scalar.value)
                } else if HiddenCharacters.contains(scalar.value) {
                    out += "\\" + HiddenCharacters.shown(scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    public static func render(_ s: Summary, title: String = "Picket incident summary") -> String {
        var md = "# \(escape(title))\n\n"
        md += "| area | findings | incidents |\n|---|---:|---:|\n"
        for a in Summary.areas {
            let t = s.totals(a)
            md += "| \(a) | \(t.findings) | \(t.incidents) |\n"
        }
        md += "\nIncidents group findings of one area about one entity with gaps of at most \(s.gapSeconds / 60) minutes.\n\n"
        guard !s.incidents.isEmpty else { return md + "No findings.\n" }
        md += "## Incidents\n\n"
        md += "| level | area | incident | entity | first seen | last seen | findings |\n|---|---|---|---|---|---|---:|\n"
        for i in s.incidents {
            md += "| \(escape(i.level)) | \(escape(i.area)) | \(i.id) | \(escape(i.entityLabel)) | \(escape(i.firstSeen)) | \(escape(i.lastSeen)) | \(i.count) |\n"
        }
        for i in s.incidents {
            md += "\n### \(i.id): \(escape(i.title))\n\n"
            md += "- **Level:** \(escape(i.level)) · **Area:** \(escape(i.area)) · **Findings:** \(i.count)\n"
            md += "- **Seen:** \(escape(i.firstSeen)) to \(escape(i.lastSeen))\n"
            if !i.tags.isEmpty { md += "- **Tags:** " + i.tags.map(escape).joined(separator: ", ") + "\n" }
            if !i.entities.isEmpty {
                md += "- **Entities:** " + i.entities.map { e in e.map { "\(escape($0.0))=\(escape($0.1))" }.joined(separator: " ") }.joined(separator: "; ") + "\n"
            }
            md += "\n| signature | level | findings |\n|---|---|---:|\n"
            for sig in i.signatures { md += "| \(escape(sig.title)) | \(escape(sig.level)) | \(sig.count) |\n" }
            md += "\n| evidence at | signature | where | fields |\n|---|---|---|---|\n"
            for e in i.evidence {
                let fields = e.fields.map { "\(escape($0.0))=\(escape(String($0.1.prefix(200))))" }.joined(separator: "<br>")
                md += "| \(escape(e.timestamp)) | \(escape(e.signature)) | \(escape(e.input)) \(e.positionKind) \(e.position) | \(fields) |\n"
            }
        }
        return md
    }
}
