// GNSS sentences (GGA, RMC, GSV, GSA, VTG, ZDA, GLL, GNS for all talkers) and the receiver
// tracker (C/N0 statistics, fix loss, jumps, time jumps), with a small receiver cap so
// eviction runs. Checksums are rewritten to be right unless the input starts with '#'.
// Invariants: see FuzzSupport.fuzzNMEA.
import FuzzSupport

runFuzzer { input in
    fuzzNMEA(input, maxTracks: 64, maxReceivers: 2)
}
