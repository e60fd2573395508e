#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import PicketCore

/// All signatures of a run, loaded from files and folders, validated and cross-checked
/// (unique ids, correlation references resolved). Immutable once built.
public final class SignatureSet: @unchecked Sendable {
    public let signatures: [Signature]
    public let files: [String]

    init(signatures: [Signature], files: [String]) {
        self.signatures = signatures
        self.files = files
    }

    public struct LoadResult {
        public var set: SignatureSet?
        public var errors: [SignatureError]
        public var warnings: [String]
        /// Suricata keywords outside the supported subset → how many rules were skipped for each.
        public var unsupported: [String: Int] = [:]
    }

    /// A Suricata rule as a signature: `sid`, `rev`, `msg`, the classtype's description and
    /// priority, the area from `metadata: area …` (else cyber); the level follows the severity.
    static func signature(_ r: SuricataRule) -> Signature {
        let severity = r.severity(Classification.table)
        let level: Level = severity <= 1 ? .high : severity == 2 ? .medium : severity == 3 ? .low : .informational
        let category = r.classtype.flatMap { Classification.table[$0]?.0 } ?? ""
        return Signature(format: .suricata, id: "sid:\(r.sid)", name: nil, title: r.msg.isEmpty ? "sid \(r.sid)" : r.msg,
                         area: r.area, level: level, description: nil, references: r.references,
                         tags: r.metadata.filter { $0.0 != "area" }.map { "\($0.0):\($0.1)" }, category: nil, kinds: r.kinds,
                         selections: [], condition: nil, correlation: nil, location: r.location,
                         signatureID: r.sid, rev: r.rev, alertCategory: category, severity: severity, suricata: r)
    }

    /// Load signature files (`*.yml`, `*.yaml`) from files and folders (recursively, sorted; a
    /// `zones/` folder holds GeoJSON, not signatures). Any error means no set.
    /// `threads`: how many threads may load a large native file (runs of its documents).
    public static func load(paths: [String], variables: [String: String] = [:],
                            threads: Int = ProcessInfo.processInfo.activeProcessorCount) -> LoadResult {
        var errors: [SignatureError] = []
        var warnings: [String] = []
        var files: [String] = []
        for p in paths { collect(p, top: true, into: &files, errors: &errors) }
        var all: [Signature] = []
        var unsupported: [String: Int] = [:]
        for f in files {
            guard let data = FileManager.default.contents(atPath: f) else {
                errors.append(SignatureError(SourceLocation(file: f, line: 1, column: 1), "cannot read the file"))
                continue
            }
            guard let text = String(data: data, encoding: .utf8) else {
                errors.append(SignatureError(SourceLocation(file: f, line: 1, column: 1), "the file is not UTF-8 text"))
                continue
            }
            if f.hasSuffix(".rules") {
                let r = SuricataLoader(file: f, variables: variables).load(text)
                errors += r.errors
                warnings += r.warnings.map(\.description)
                for (k, n) in r.unsupported { unsupported[k, default: 0] += n }
                all += r.rules.map(Self.signature)
                continue
            }
            let (sigs, errs) = NativeLoader.load(file: f, text: text, threads: threads)
            all += sigs
            errors += errs
        }
        // Unique ids and names.
        var byID: [String: Signature] = [:]
        var byName: [String: Signature] = [:]
        for s in all {
            if let other = byID[s.id] {
                errors.append(SignatureError(s.location, "duplicate id '\(s.id)' (also at \(other.location))"))
            }
            byID[s.id] = s
            if let n = s.name {
                if let other = byName[n] { errors.append(SignatureError(s.location, "duplicate name '\(n)' (also at \(other.location))")) }
                byName[n] = s
            }
        }
        // Resolve correlation references.
        var index: [ObjectIdentifier: Int] = [:]
        for (i, s) in all.enumerated() { index[ObjectIdentifier(s)] = i }
        var generateWanted: [Int: Bool] = [:]
        var resolved: [Signature] = []
        for s in all {
            guard var c = s.correlation else { resolved.append(s); continue }
            var ok = true
            for (ref, loc) in c.ruleRefs {
                guard let target = byID[ref] ?? byName[ref] else {
                    errors.append(SignatureError(loc, "correlation refers to unknown rule '\(ref)'"))
                    ok = false
                    continue
                }
                if target.correlation != nil {
                    errors.append(SignatureError(loc, "correlation refers to another correlation '\(ref)'; only detection rules can be counted"))
                    ok = false
                    continue
                }
                let i = index[ObjectIdentifier(target)]!
                c.rules.append(i)
                generateWanted[i] = (generateWanted[i] ?? false) || c.generate
            }
            guard ok else { continue }
            resolved.append(Signature(format: s.format, id: s.id, name: s.name, title: s.title, area: s.area, level: s.level,
                                      description: s.description, references: s.references, tags: s.tags, category: nil,
                                      kinds: KindSet(), selections: [], condition: nil, correlation: c, location: s.location,
                                      signatureID: s.signatureID, rev: s.rev, alertCategory: s.alertCategory, severity: s.severity))
        }
        for (i, wanted) in generateWanted { all[i].generate = wanted }
        if !errors.isEmpty { return LoadResult(set: nil, errors: errors, warnings: warnings, unsupported: unsupported) }
        if resolved.isEmpty { warnings.append("no signatures loaded from \(paths.joined(separator: ", ")): decoding and counting only") }
        return LoadResult(set: SignatureSet(signatures: resolved, files: files), errors: [], warnings: warnings, unsupported: unsupported)
    }

    static func collect(_ path: String, top: Bool, into files: inout [String], errors: inout [SignatureError]) {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            errors.append(SignatureError(SourceLocation(file: path, line: 1, column: 1), "no such file or folder"))
            return
        }
        if isDir.boolValue {
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else {
                errors.append(SignatureError(SourceLocation(file: path, line: 1, column: 1), "cannot list the folder"))
                return
            }
            for n in names.sorted() where !n.hasPrefix(".") && n != "zones" {
                collect((path as NSString).appendingPathComponent(n), top: false, into: &files, errors: &errors)
            }
        } else if top || path.hasSuffix(".yml") || path.hasSuffix(".yaml") || path.hasSuffix(".rules") {
            files.append(path)
        }
    }

    /// Where the default set is: `$PICKET_SIGNATURES`; beside an installed binary
    /// (`<prefix>/bin/picket` → `<prefix>/share/picket/Signatures`); or, for a build in a clone,
    /// the `Signatures/` folder of the package the binary was built in.
    public static func defaultFolder() -> String? {
        if let env = ProcessInfo.processInfo.environment["PICKET_SIGNATURES"], !env.isEmpty { return env }
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        let exe = n > 0 ? String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self) : CommandLine.arguments[0]
        var dir = URL(fileURLWithPath: exe).resolvingSymlinksInPath().deletingLastPathComponent()
        let installed = dir.deletingLastPathComponent().appendingPathComponent("share/picket/Signatures").path
        if FileManager.default.fileExists(atPath: installed) { return installed }
        for _ in 0..<8 {
            let candidate = dir.appendingPathComponent("Signatures").path
            if FileManager.default.fileExists(atPath: dir.appendingPathComponent("Package.swift").path),
               FileManager.default.fileExists(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return nil
    }
}
