// Syslog lines (RFC 3164 with and without <PRI>, RFC 5424, rsyslog's ISO format) and plain
// text with leading times, through the line framer and the log decoder.
// Invariants: see FuzzSupport.fuzzLines.
import FuzzSupport

runFuzzer { input in
    fuzzLines(input)
}
