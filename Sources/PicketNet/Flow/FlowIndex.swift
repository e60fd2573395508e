/// Key → slot index of the flow table: open addressing with linear probing and backward-shift
/// deletion over a power-of-two array of slots, the keys living in the flow slab itself.
///
/// It replaces a `Dictionary<FlowKey, Int32>` whose SipHash over the nine-field key was the
/// largest single cost per packet. The hash is keyed by a per-process random seed and folds
/// 64×64→128-bit products (as wyhash does), so an attacker who does not know the seed cannot
/// aim many flows at one probe run; the table is at most half full, so runs stay short.
struct FlowIndex {
    /// Slot of the flow table + 1 (0 = empty).
    private var entries: [Int32]
    private var mask: Int
    private(set) var count = 0
    private let seed: (UInt64, UInt64, UInt64)

    init(capacity: Int = 1024) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        entries = Array(repeating: 0, count: size)
        mask = size - 1
        var g = SystemRandomNumberGenerator()
        seed = (g.next() | 1, g.next() | 1, g.next() | 1)
    }

    @inline(__always) private static func fold(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let (hi, lo) = a.multipliedFullWidth(by: b)
        return hi ^ lo
    }

    @inline(__always) func hash(_ k: FlowKey) -> Int {
        let small = UInt64(k.portA) | UInt64(k.portB) << 16 | UInt64(k.vlan0) << 32 | UInt64(k.vlan1) << 48
        let h1 = Self.fold(k.a.lo ^ seed.0, k.b.lo ^ seed.1)
        let h2 = Self.fold(k.a.hi ^ seed.2 ^ UInt64(k.proto), k.b.hi ^ seed.0 ^ (k.a.isV6 ? 1 : 0))
        let h = Self.fold(h1 ^ small ^ seed.1, h2 ^ seed.2)
        return Int(truncatingIfNeeded: h)
    }

    /// The slot holding `key`; `keyOf` reads a slot's key from the slab.
    @inline(__always) func find(_ key: FlowKey, keyOf: (Int) -> FlowKey) -> Int? {
        var i = hash(key) & mask
        while true {
            let e = entries[i]
            if e == 0 { return nil }
            if keyOf(Int(e) - 1) == key { return Int(e) - 1 }
            i = (i + 1) & mask
        }
    }

    /// Add `slot` under `key` (not present).
    mutating func insert(_ key: FlowKey, slot: Int, keyOf: (Int) -> FlowKey) {
        if (count + 1) * 2 > entries.count { grow(keyOf: keyOf) }
        var i = hash(key) & mask
        while entries[i] != 0 { i = (i + 1) & mask }
        entries[i] = Int32(slot + 1)
        count += 1
    }

    /// Remove `key` (present, stored at `slot`): the entries after it in its run move back.
    mutating func remove(_ key: FlowKey, slot: Int, keyOf: (Int) -> FlowKey) {
        var i = hash(key) & mask
        while entries[i] != Int32(slot + 1) {
            if entries[i] == 0 { return }
            i = (i + 1) & mask
        }
        entries[i] = 0
        count -= 1
        var j = i
        while true {
            j = (j + 1) & mask
            let e = entries[j]
            if e == 0 { return }
            let home = hash(keyOf(Int(e) - 1)) & mask
            // Move e back into the hole at i unless its home lies cyclically in (i, j].
            let inRange = i <= j ? (home > i && home <= j) : (home > i || home <= j)
            if !inRange {
                entries[i] = e
                entries[j] = 0
                i = j
            }
        }
    }

    private mutating func grow(keyOf: (Int) -> FlowKey) {
        let old = entries
        entries = Array(repeating: 0, count: old.count * 2)
        mask = entries.count - 1
        for e in old where e != 0 {
            var i = hash(keyOf(Int(e) - 1)) & mask
            while entries[i] != 0 { i = (i + 1) & mask }
            entries[i] = e
        }
    }
}
