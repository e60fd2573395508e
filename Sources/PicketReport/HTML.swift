import Foundation
import PicketCore

/// One self-contained HTML page: inline CSS and SVG only, nothing loaded from elsewhere.
/// A timeline per area, a track plot per maritime incident with positions, and the incident
/// tables. All input strings are HTML-escaped (and control characters made visible).
public enum HTMLSummary {
    public static func escape(_ s: String) -> String {
        var out = ""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "&": out += "&amp;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default:
                if HiddenCharacters.isControl(scalar.value) {
                    out += "\\x" + String(format: "%02x", scalar.value)
                } else if HiddenCharacters.contains(scalar.value) {
                    out += HiddenCharacters.shown(scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    static let colours = ["informational": "#8a9bb0", "low": "#4a90d9", "medium": "#e0a020", "high": "#e05a2a", "critical": "#b0102a"]

    static func f(_ v: Double) -> String { String(format: "%.1f", v) }

    public static func render(_ s: Summary, title: String = "Picket incident summary") -> String {
        var h = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
            <title>\(escape(title))</title>
            <style>
            body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;margin:2em;color:#1d2430;max-width:1100px}
            h1{font-size:1.6em}h2{margin-top:1.6em;border-bottom:2px solid #d5dbe3;padding-bottom:.2em}h3{margin-bottom:.3em}
            table{border-collapse:collapse;margin:.6em 0;font-size:.9em}td,th{border:1px solid #cfd6df;padding:.25em .5em;text-align:left;vertical-align:top}
            th{background:#eef2f6}.num{text-align:right}.lvl{font-weight:600;color:#fff;border-radius:3px;padding:0 .4em}
            .totals td{min-width:6em}.incident{page-break-inside:avoid;margin-bottom:1.2em}
            svg{background:#fbfcfd;border:1px solid #d5dbe3}.mono{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.85em;word-break:break-all}
            @media print{body{margin:0}svg{border:none}h2{page-break-after:avoid}}
            </style></head><body>
            <h1>\(escape(title))</h1>
            <table class="totals"><tr><th>area</th><th>findings</th><th>incidents</th></tr>

            """
        for a in Summary.areas {
            let t = s.totals(a)
            h += "<tr><td>\(a)</td><td class=\"num\">\(t.findings)</td><td class=\"num\">\(t.incidents)</td></tr>\n"
        }
        h += "</table>\n<p>Incidents group findings of one area about one entity with gaps of at most \(s.gapSeconds / 60) minutes.</p>\n"
        for a in Summary.areas {
            let mine = s.incidents.filter { $0.area == a }
            guard !mine.isEmpty else { continue }
            h += "<h2>\(a.capitalized)</h2>\n" + timeline(mine, area: a)
            for i in mine { h += incident(i) }
        }
        if s.incidents.isEmpty { h += "<p>No findings.</p>\n" }
        h += "</body></html>\n"
        return h
    }

    static func badge(_ level: String) -> String {
        "<span class=\"lvl\" style=\"background:\(colours[level] ?? "#888")\">\(escape(level))</span>"
    }

    /// Bars from first to last seen, one row per incident, on the area's time axis.
    static func timeline(_ incidents: [Incident], area: String) -> String {
        let rows = Array(incidents.sorted { $0.firstNanos < $1.firstNanos }.prefix(40))
        let t0 = rows.map(\.firstNanos).min() ?? 0, t1 = max(rows.map(\.lastNanos).max() ?? 1, t0 + 1_000_000_000)
        let width = 960.0, left = 150.0, right = 20.0, rowH = 18.0, top = 26.0
        let height = top + Double(rows.count) * rowH + 24
        func x(_ t: Int64) -> Double { left + (width - left - right) * Double(t - t0) / Double(t1 - t0) }
        var svg = "<svg role=\"img\" aria-label=\"\(escape(area)) timeline\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" xmlns=\"http://www.w3.org/2000/svg\">\n"
        svg += "<text x=\"8\" y=\"16\" font-size=\"12\" fill=\"#444\">\(escape(rows.first?.firstSeen ?? ""))</text>"
        svg += "<text x=\"\(f(width - 8))\" y=\"16\" font-size=\"12\" fill=\"#444\" text-anchor=\"end\">\(escape(rows.map(\.lastSeen).max() ?? ""))</text>\n"
        for (k, i) in rows.enumerated() {
            let y = top + Double(k) * rowH
            let x0 = x(i.firstNanos), x1 = max(x(i.lastNanos), x0 + 4)
            svg += "<text x=\"4\" y=\"\(f(y + 12))\" font-size=\"11\" fill=\"#333\">\(escape(String(i.entityLabel.prefix(24))))</text>"
            svg += "<rect x=\"\(f(x0))\" y=\"\(f(y + 3))\" width=\"\(f(x1 - x0))\" height=\"12\" rx=\"2\" fill=\"\(colours[i.level] ?? "#888")\"><title>\(escape(i.id)): \(escape(i.title))</title></rect>\n"
        }
        svg += "<line x1=\"\(f(left))\" y1=\"\(f(height - 18))\" x2=\"\(f(width - right))\" y2=\"\(f(height - 18))\" stroke=\"#999\"/>"
        svg += "</svg>\n"
        if incidents.count > rows.count { svg += "<p>Timeline shows the first \(rows.count) of \(incidents.count) incidents.</p>\n" }
        return svg
    }

    /// The vessel's reported positions during the incident, longitude across, latitude up.
    static func track(_ i: Incident) -> String {
        guard !i.track.isEmpty else { return "" }
        let lats = i.track.map(\.lat), lons = i.track.map(\.lon)
        var minLat = lats.min()!, maxLat = lats.max()!, minLon = lons.min()!, maxLon = lons.max()!
        let padLat = max((maxLat - minLat) * 0.1, 0.002), padLon = max((maxLon - minLon) * 0.1, 0.002)
        minLat -= padLat; maxLat += padLat; minLon -= padLon; maxLon += padLon
        let w = 420.0, hgt = 300.0
        // Equirectangular with the latitude's cosine, so shapes are not stretched.
        let k = cos((minLat + maxLat) / 2 * .pi / 180)
        let spanX = (maxLon - minLon) * k, spanY = maxLat - minLat
        let scale = min((w - 40) / max(spanX, 1e-9), (hgt - 40) / max(spanY, 1e-9))
        func px(_ lon: Double) -> Double { 20 + (lon - minLon) * k * scale }
        func py(_ lat: Double) -> Double { hgt - 20 - (lat - minLat) * scale }
        var svg = "<svg role=\"img\" aria-label=\"track of \(escape(i.entityLabel))\" width=\"\(Int(w))\" height=\"\(Int(hgt))\" viewBox=\"0 0 \(Int(w)) \(Int(hgt))\" xmlns=\"http://www.w3.org/2000/svg\">\n"
        let points = i.track.map { "\(f(px($0.lon))),\(f(py($0.lat)))" }.joined(separator: " ")
        svg += "<polyline points=\"\(points)\" fill=\"none\" stroke=\"#1f5fa8\" stroke-width=\"2\"/>\n"
        for (n, p) in i.track.enumerated() {
            let colour = n == 0 ? "#2a9d4a" : (n == i.track.count - 1 ? "#b0102a" : "#1f5fa8")
            svg += "<circle cx=\"\(f(px(p.lon)))\" cy=\"\(f(py(p.lat)))\" r=\"\(n == 0 || n == i.track.count - 1 ? 4 : 2)\" fill=\"\(colour)\"/>"
        }
        svg += "\n<text x=\"6\" y=\"14\" font-size=\"11\" fill=\"#444\">\(String(format: "%.4f", maxLat))° N</text>"
        svg += "<text x=\"6\" y=\"\(f(hgt - 6))\" font-size=\"11\" fill=\"#444\">\(String(format: "%.4f", minLat))° N, \(String(format: "%.4f", minLon))° E</text>"
        svg += "<text x=\"\(f(w - 6))\" y=\"\(f(hgt - 6))\" font-size=\"11\" fill=\"#444\" text-anchor=\"end\">\(String(format: "%.4f", maxLon))° E</text>\n"
        svg += "</svg>\n<p>Green: first position, red: last (\(i.track.count) positions).</p>\n"
        return svg
    }

    static func incident(_ i: Incident) -> String {
        var h = "<div class=\"incident\"><h3>\(badge(i.level)) \(escape(i.id)): \(escape(i.title))</h3>\n"
        h += "<p>\(i.count) finding(s), \(escape(i.firstSeen)) to \(escape(i.lastSeen)).</p>\n"
        if !i.entities.isEmpty {
            h += "<p>Entities: " + i.entities.map { e in "<span class=\"mono\">" + e.map { "\(escape($0.0))=\(escape($0.1))" }.joined(separator: " ") + "</span>" }.joined(separator: "; ") + "</p>\n"
        }
        if !i.tags.isEmpty { h += "<p>Tags: " + i.tags.map(escape).joined(separator: ", ") + "</p>\n" }
        if i.area == "maritime" { h += track(i) }
        h += "<table><tr><th>signature</th><th>level</th><th>findings</th></tr>\n"
        for s in i.signatures { h += "<tr><td>\(escape(s.title))</td><td>\(badge(s.level))</td><td class=\"num\">\(s.count)</td></tr>\n" }
        h += "</table>\n<table><tr><th>evidence at</th><th>where</th><th>fields</th></tr>\n"
        for e in i.evidence {
            let fields = e.fields.map { "\(escape($0.0))=\(escape(String($0.1.prefix(300))))" }.joined(separator: "<br>")
            h += "<tr><td>\(escape(e.timestamp))</td><td class=\"mono\">\(escape(e.input)) \(e.positionKind) \(e.position)</td><td class=\"mono\">\(fields)</td></tr>\n"
        }
        h += "</table></div>\n"
        return h
    }
}
