/// MD5 (RFC 1321) and SHA-256 (FIPS 180-4), small and allocation-free, for the TLS
/// fingerprints: JA3 is the MD5 of a text, JA4 uses truncated SHA-256 hex digests.
/// Not for security: these only name fingerprints.
public enum Digest {
    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Lower-case hex of `bytes`, appended to `out`.
    public static func appendHex(_ bytes: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        for b in bytes {
            out.append(hexDigits[Int(b >> 4)])
            out.append(hexDigits[Int(b & 15)])
        }
    }

    // MARK: MD5

    private static let md5S: [UInt32] = [
        7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
        5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
        4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
        6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
    ]
    /// K[i] = floor(abs(sin(i + 1)) * 2^32), RFC 1321 section 3.4.
    private static let md5K: [UInt32] = [
        0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
        0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
        0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
        0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
        0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
        0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
        0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
        0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391,
    ]

    /// The 16-byte MD5 digest of `data`, as 32 lower-case hex digits appended to `out`.
    public static func md5Hex(_ data: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        var h: (UInt32, UInt32, UInt32, UInt32) = (0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476)
        var block = (UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0))
        func compress(_ m: UnsafeRawBufferPointer) {
            var a = h.0, b = h.1, c = h.2, d = h.3
            for i in 0..<64 {
                var f: UInt32
                var g: Int
                switch i >> 4 {
                case 0: f = (b & c) | (~b & d); g = i
                case 1: f = (d & b) | (~d & c); g = (5 &* i &+ 1) & 15
                case 2: f = b ^ c ^ d; g = (3 &* i &+ 5) & 15
                default: f = c ^ (b | ~d); g = (7 &* i) & 15
                }
                let w = UInt32(littleEndian: m.loadUnaligned(fromByteOffset: g * 4, as: UInt32.self))
                f = f &+ a &+ md5K[i] &+ w
                a = d; d = c; c = b
                let s = md5S[i]
                b = b &+ ((f << s) | (f >> (32 - s)))
            }
            h.0 &+= a; h.1 &+= b; h.2 &+= c; h.3 &+= d
        }
        let n = data.count
        var i = 0
        while i + 64 <= n {
            compress(UnsafeRawBufferPointer(rebasing: data[i..<(i + 64)]))
            i += 64
        }
        // Padding: 0x80, zeros, then the bit length as 64-bit little endian.
        withUnsafeMutableBytes(of: &block) { blk in
            let rest = n - i
            for k in 0..<64 { blk[k] = 0 }
            for k in 0..<rest { blk[k] = data[i + k] }
            blk[rest] = 0x80
            if rest >= 56 {
                compress(UnsafeRawBufferPointer(blk))
                for k in 0..<64 { blk[k] = 0 }
            }
            blk.storeBytes(of: (UInt64(n) &* 8).littleEndian, toByteOffset: 56, as: UInt64.self)
            compress(UnsafeRawBufferPointer(blk))
        }
        var digest = (h.0.littleEndian, h.1.littleEndian, h.2.littleEndian, h.3.littleEndian)
        withUnsafeBytes(of: &digest) { appendHex($0, to: &out) }
    }

    // MARK: SHA-256

    private static let sha256K: [UInt32] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ]

    /// The SHA-256 digest of `data` as lower-case hex, appended to `out`; only the first
    /// `hexDigits` digits (JA4 keeps 12).
    public static func sha256Hex(_ data: UnsafeRawBufferPointer, hexDigits keep: Int = 64, to out: inout [UInt8]) {
        var h: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) =
            (0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19)
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { w in
            sha256(data, keep, &h, w, &out)
        }
    }

    private static func sha256(_ data: UnsafeRawBufferPointer, _ keep: Int,
                               _ h: inout (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32),
                               _ w: UnsafeMutableBufferPointer<UInt32>, _ out: inout [UInt8]) {
        func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x >> n) | (x << (32 - n)) }
        func compress(_ m: UnsafeRawBufferPointer) {
            for t in 0..<16 { w[t] = UInt32(bigEndian: m.loadUnaligned(fromByteOffset: t * 4, as: UInt32.self)) }
            for t in 16..<64 {
                let s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >> 3)
                let s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >> 10)
                w[t] = w[t - 16] &+ s0 &+ w[t - 7] &+ s1
            }
            var a = h.0, b = h.1, c = h.2, d = h.3, e = h.4, f = h.5, g = h.6, hh = h.7
            for t in 0..<64 {
                let s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)
                let ch = (e & f) ^ (~e & g)
                let t1 = hh &+ s1 &+ ch &+ sha256K[t] &+ w[t]
                let s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)
                let maj = (a & b) ^ (a & c) ^ (b & c)
                let t2 = s0 &+ maj
                hh = g; g = f; f = e; e = d &+ t1; d = c; c = b; b = a; a = t1 &+ t2
            }
            h.0 &+= a; h.1 &+= b; h.2 &+= c; h.3 &+= d; h.4 &+= e; h.5 &+= f; h.6 &+= g; h.7 &+= hh
        }
        let n = data.count
        var i = 0
        while i + 64 <= n {
            compress(UnsafeRawBufferPointer(rebasing: data[i..<(i + 64)]))
            i += 64
        }
        var block = (UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0))
        withUnsafeMutableBytes(of: &block) { blk in
            let rest = n - i
            for k in 0..<rest { blk[k] = data[i + k] }
            blk[rest] = 0x80
            if rest >= 56 {
                compress(UnsafeRawBufferPointer(blk))
                for k in 0..<64 { blk[k] = 0 }
            }
            blk.storeBytes(of: (UInt64(n) &* 8).bigEndian, toByteOffset: 56, as: UInt64.self)
            compress(UnsafeRawBufferPointer(blk))
        }
        var digest = (h.0.bigEndian, h.1.bigEndian, h.2.bigEndian, h.3.bigEndian,
                      h.4.bigEndian, h.5.bigEndian, h.6.bigEndian, h.7.bigEndian)
        withUnsafeBytes(of: &digest) { d in
            appendHex(UnsafeRawBufferPointer(rebasing: d[0..<(min(64, max(0, keep)) + 1) / 2]), to: &out)
        }
        if keep % 2 == 1 { out.removeLast() }
    }
}
