import PicketCore
import PicketIngest

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One thing to read: a file, or standard input.
public enum InputSpec: Equatable, Sendable {
    case file(String)
    /// A file inside a folder whose name is not UTF-8 (an old Latin-1 share, say): opened by
    /// its bytes, shown with the bytes that are not UTF-8 as `\xNN`.
    case rawFile(display: String, path: [UInt8])
    case standardInput
    /// A path that could not be listed or does not exist, kept so it is reported in order.
    case unreadable(String, reason: String)

    public var displayName: String {
        switch self {
        case .file(let p), .unreadable(let p, _), .rawFile(let p, _): p
        case .standardInput: "-"
        }
    }

    /// The path's bytes, for a file.
    public var pathBytes: [UInt8]? {
        switch self {
        case .file(let p): Array(p.utf8)
        case .rawFile(_, let p): p
        case .standardInput, .unreadable: nil
        }
    }
}

/// Expands command-line paths: `-` is stdin, folders are walked recursively in sorted (byte)
/// order, symbolic links to folders are not followed (no cycles), and special files are skipped.
/// Paths inside folders are handled as bytes, so a name that is not UTF-8 is still read.
public enum InputWalker {
    /// Folder depth walked at most; deeper folders are reported, not followed.
    public static let maxDepth = 64

    public static func expand(_ paths: [String]) -> [InputSpec] {
        var out: [InputSpec] = []
        for p in paths {
            if p == "-" { out.append(.standardInput); continue }
            walk(Array(p.utf8), depth: 0, into: &out, top: true)
        }
        return out
    }

    /// `path` for messages: UTF-8 as it is, other bytes as `\xNN`.
    public static func display(_ path: [UInt8]) -> String {
        if let s = String(validating: path, as: UTF8.self) { return s }
        var out = ""
        var i = 0
        path.withUnsafeBytes { b in
            while i < b.count {
                let n = UTF8Check.sequenceLength(b, at: i)
                if n == 0 {
                    out += "\\x" + (b[i] < 16 ? "0" : "") + String(b[i], radix: 16)
                    i += 1
                } else {
                    out += String(decoding: UnsafeRawBufferPointer(rebasing: b[i..<(i + n)]), as: UTF8.self)
                    i += n
                }
            }
        }
        return out
    }

    static func walk(_ path: [UInt8], depth: Int, into out: inout [InputSpec], top: Bool) {
        let shown = display(path)
        var st = stat()
        // Command-line paths follow links; inside folders, links to folders are not followed.
        let rc = withCPath(path) { top ? stat($0, &st) : lstat($0, &st) }
        if rc != 0 {
            out.append(.unreadable(shown, reason: String(cString: strerror(errno))))
            return
        }
        var mode = st.st_mode & S_IFMT
        if !top && mode == S_IFLNK {
            var target = stat()
            guard withCPath(path, { stat($0, &target) }) == 0 else {
                out.append(.unreadable(shown, reason: "broken symbolic link"))
                return
            }
            if target.st_mode & S_IFMT == S_IFDIR { return }
            mode = target.st_mode & S_IFMT
        }
        if mode == S_IFDIR {
            guard depth < maxDepth else {
                out.append(.unreadable(shown, reason: "folder nested deeper than \(maxDepth) levels"))
                return
            }
            guard let dir = withCPath(path, { opendir($0) }) else {
                out.append(.unreadable(shown, reason: String(cString: strerror(errno))))
                return
            }
            var names: [[UInt8]] = []
            while let entry = readdir(dir) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    Array(raw.prefix(while: { $0 != 0 }))
                }
                if name == [46] || name == [46, 46] { continue }
                names.append(name)
            }
            closedir(dir)
            names.sort { $0.lexicographicallyPrecedes($1) }
            let prefix = path.last == 47 ? path : path + [47]
            for n in names {
                walk(prefix + n, depth: depth + 1, into: &out, top: false)
            }
        } else if mode == S_IFREG || (top && (mode == S_IFIFO || mode == S_IFCHR)) {
            if let s = String(validating: path, as: UTF8.self) {
                out.append(.file(s))
            } else {
                out.append(.rawFile(display: shown, path: path))
            }
        }
        // Sockets, devices and fifos inside folders are skipped: reading them could block.
    }

    /// `body` with `path` as a NUL-terminated C string.
    public static func withCPath<R>(_ path: [UInt8], _ body: (UnsafePointer<CChar>) -> R) -> R {
        (path + [0]).withUnsafeBytes { body($0.baseAddress!.assumingMemoryBound(to: CChar.self)) }
    }
}
