import Foundation
import PicketCore
import PicketReport
import PicketScan
import Testing

/// Text from captures, logs, file names and signature files reaches terminals and reports as
/// text: control sequences and characters that hide or reorder text are shown, not acted on.
@Suite struct EscapingTests {
    @Test(arguments: [
        ("plain", "plain"),
        ("esc\u{1b}[2J bel\u{7}", "esc\\x1b[2J bel\\x07"),
        ("csi\u{9b}31m del\u{7f}", "csi\\x9b31m del\\x7f"),
        ("invoice\u{202E}fdp.exe", "invoice\\u{202e}fdp.exe"),
        ("iso\u{2066}late\u{2069} lrm\u{200E}", "iso\\u{2066}late\\u{2069} lrm\\u{200e}"),
        ("zero\u{200B}width\u{FEFF}soft\u{AD}", "zero\\u{200b}width\\u{feff}soft\\u{ad}"),
        ("tag\u{E0041}", "tag\\u{e0041}"),
        ("line\nbreak\ttab", "line\\x0abreak\\x09tab"),
        ("é ü 中文 🚢", "é ü 中文 🚢"),
    ])
    func terminalText(_ input: String, _ expected: String) {
        #expect(TextEscape.clean(input) == expected)
    }

    @Test func messagesKeepTheirLineBreaks() {
        #expect(TextEscape.clean("a\u{1b}\nb\tc\r", keepingLineBreaks: true) == "a\\x1b\nb\tc\\x0d")
    }

    @Test(arguments: ["\u{202E}", "\u{200B}", "\u{2067}", "\u{61C}", "\u{FEFF}", "\u{E0020}"])
    func reportsShowHiddenCharacters(_ c: String) {
        for text in [MarkdownSummary.escape("a" + c + "b"), HTMLSummary.escape("a" + c + "b")] {
            #expect(!text.contains(c), "\(text)")
            #expect(text.contains("u{"), "\(text)")
        }
    }

    /// Evidence URLs and addresses stay text in Markdown: the escapes break GitHub's automatic
    /// links and render as nothing.
    @Test func markdownBreaksAutomaticLinks() {
        #expect(MarkdownSummary.escape("get https://evil.example/x or WWW.evil.example, mail a@b.example; 08:00:00")
                == "get https\\://evil.example/x or WWW\\.evil.example, mail a\\@b.example; 08:00:00")
    }

    /// A file in a scanned folder may be named to drive the analyst's terminal.
    @Test func fileNamesInMessagesAreEscaped() throws {
        let dir = Paths.temporary("hostile-names")
        try? FileManager.default.removeItem(atPath: dir)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let name = "x\u{1b}]0;PWNED\u{7}\u{1b}[2J\u{202E}y"
        try Data([0, 1, 2, 3, 0xFF, 0xFE]).write(to: URL(fileURLWithPath: dir + "/" + name))
        let r = try picket(["scan", dir])
        #expect(r.status == 3, "\(r.stderr)")
        #expect(!r.stderr.contains("\u{1b}") && !r.stderr.contains("\u{7}") && !r.stderr.contains("\u{202E}"), "\(r.stderr)")
        #expect(r.stderr.contains("x\\x1b]0;PWNED\\x07\\x1b[2J\\u{202e}y"), "\(r.stderr)")
    }

    /// A folder from an old share may hold names that are not UTF-8: read by their bytes, and
    /// named in messages with those bytes shown as `\xNN`.
    @Test func fileNamesThatAreNotUTF8AreRead() throws {
        let dir = Paths.temporary("latin1-names")
        try? FileManager.default.removeItem(atPath: dir)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        func create(_ name: [UInt8], _ content: [UInt8]) {
            let fd = InputWalker.withCPath(Array(dir.utf8) + [47] + name) { open($0, O_CREAT | O_WRONLY | O_TRUNC, 0o644) }
            #expect(fd >= 0)
            _ = content.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            close(fd)
        }
        create(Array("caf".utf8) + [0xE9] + Array(".log".utf8), Array("Nov 27 10:00:00 host app: hello\n{\"a\":1}\n".utf8))
        create([0x78, 0xFF, 0x2E, 0x62, 0x69, 0x6E], [0, 1, 2, 3, 0xFF, 0xFE, 0, 0])
        let statsPath = Paths.temporary("latin1-stats.json")
        let r = try picket(["scan", dir, "--stats-json", statsPath])
        #expect(r.status == 3, "\(r.stderr)")
        #expect(r.stderr.contains("latin1-names/x\\xff.bin: offset 0: unrecognised content"), "\(r.stderr)")
        #expect(!r.stderr.contains("caf"), "\(r.stderr)")
        let stats = try statsJSON(statsPath)
        #expect(counts(stats, "lines").total == 2, "\(stats)")
    }

    /// Rule text quoted in lint messages and the summary of skipped keywords.
    @Test func ruleTextInLintOutputIsEscaped() throws {
        let rules = Paths.temporary("hostile.rules")
        try "alert tcp any any -> any any (msg:\"x\"; \u{1b}[2J\u{1b}[31mevil:1; sid:1;)\nalert t\u{1b}[5mcp any any -> any any (msg:\"y\"; sid:2;)\n"
            .write(toFile: rules, atomically: true, encoding: .utf8)
        let r = try picket(["signatures", "lint", rules])
        #expect(!r.stdout.contains("\u{1b}") && !r.stderr.contains("\u{1b}"), "\(r.stdout)\n\(r.stderr)")
        #expect((r.stdout + r.stderr).contains("\\x1b[2J\\x1b[31mevil"), "\(r.stdout)\n\(r.stderr)")
    }
}
