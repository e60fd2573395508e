/// Characters that change how the text around them is shown, or hide text, without being
/// seen themselves: bidirectional controls (a U+202E in a file name or log line can make
/// `txt.exe` show as `exe.txt`), zero-width and invisible characters, the line and paragraph
/// separators, and the tag characters (text that no font shows, used to smuggle instructions).
/// Human-facing output (terminal, Markdown, HTML) shows them as `\u{…}`; JSON escapes them.
public enum HiddenCharacters {
    public static func contains(_ v: UInt32) -> Bool {
        switch v {
        case 0x00AD, 0x034F, 0x061C, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x180B...0x180F, 0x200B...0x200F,
             0x2028...0x202E, 0x2060...0x206F, 0x3164, 0xFEFF, 0xFFA0, 0xFFF9...0xFFFB, 0xE0000...0xE007F:
            return true
        default:
            return false
        }
    }

    /// C0 and C1 control characters and DEL: what a terminal may act on.
    @inline(__always)
    public static func isControl(_ v: UInt32) -> Bool { v < 0x20 || v == 0x7F || (v >= 0x80 && v < 0xA0) }

    /// `\u{202e}`: how human-facing output shows a hidden character.
    public static func shown(_ v: UInt32) -> String { "\\u{" + String(v, radix: 16) + "}" }
}
