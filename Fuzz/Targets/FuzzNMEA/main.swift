// NMEA 0183 and AIS (!AIVDM/!AIVDO with multi-fragment assembly, tag blocks), line by line as
// the scanner feeds them, with small track caps so eviction runs. Checksums are rewritten to
// be right (so mutations reach the decoders) unless the input starts with '#'.
// Invariants: see FuzzSupport.fuzzNMEA.
import FuzzSupport

runFuzzer { input in
    fuzzNMEA(input, maxTracks: 8, maxReceivers: 4)
}
