#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One thing to read: a file, or standard input.
public enum InputSpec: Equatable, Sendable {
    case file(String)
    case standardInput
    /// A path that could not be listed or does not exist, kept so it is reported in order.
    case unreadable(String, reason: String)

    public var displayName: String {
        switch self {
        case .file(let p), .unreadable(let p, _): p
        case .standardInput: "-"
        }
    }
}

/// Expands command-line paths: `-` is stdin, folders are walked recursively in sorted (byte)
/// order, symbolic links to folders are not followed (no cycles), and special files are skipped.
public enum InputWalker {
    /// Folder depth walked at most; deeper folders are reported, not followed.
    public static let maxDepth = 64

    public static func expand(_ paths: [String]) -> [InputSpec] {
        var out: [InputSpec] = []
        for p in paths {
            if p == "-" { out.append(.standardInput); continue }
            walk(p, depth: 0, into: &out, top: true)
        }
        return out
    }

    static func walk(_ path: String, depth: Int, into out: inout [InputSpec], top: Bool) {
        var st = stat()
        // Command-line paths follow links; inside folders, links to folders are not followed.
        let rc = top ? stat(path, &st) : lstat(path, &st)
        if rc != 0 {
            out.append(.unreadable(path, reason: String(cString: strerror(errno))))
            return
        }
        var mode = st.st_mode & S_IFMT
        if !top && mode == S_IFLNK {
            var target = stat()
            guard stat(path, &target) == 0 else {
                out.append(.unreadable(path, reason: "broken symbolic link"))
                return
            }
            if target.st_mode & S_IFMT == S_IFDIR { return }
            mode = target.st_mode & S_IFMT
        }
        if mode == S_IFDIR {
            guard depth < maxDepth else {
                out.append(.unreadable(path, reason: "folder nested deeper than \(maxDepth) levels"))
                return
            }
            guard let dir = opendir(path) else {
                out.append(.unreadable(path, reason: String(cString: strerror(errno))))
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
            let prefix = path.hasSuffix("/") ? path : path + "/"
            for n in names {
                walk(prefix + String(decoding: n, as: UTF8.self), depth: depth + 1, into: &out, top: false)
            }
        } else if mode == S_IFREG || (top && (mode == S_IFIFO || mode == S_IFCHR)) {
            out.append(.file(path))
        }
        // Sockets, devices and fifos inside folders are skipped: reading them could block.
    }
}
