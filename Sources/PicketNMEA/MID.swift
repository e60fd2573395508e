/// Maritime Identification Digits (ITU-R M.585, Appendix 43 to the Radio Regulations) and the
/// structure of an MMSI.
public enum MID {
    /// The MIDs allocated to administrations, 201...775, as the ITU's MARS database lists them
    /// (Europe 2xx, North and Central America and the Caribbean 3xx, Asia 4xx, Oceania 5xx,
    /// Africa 6xx, South America 7xx).
    static let allocated: [UInt16] = [
        201, 202, 203, 204, 205, 206, 207, 208, 209, 210, 211, 212, 213, 214, 215, 216, 218, 219, 220, 224, 225, 226,
        227, 228, 229, 230, 231, 232, 233, 234, 235, 236, 237, 238, 239, 240, 241, 242, 243, 244, 245, 246, 247, 248,
        249, 250, 251, 252, 253, 254, 255, 256, 257, 258, 259, 261, 262, 263, 264, 265, 266, 267, 268, 269, 270, 271,
        272, 273, 274, 275, 276, 277, 278, 279,
        301, 303, 304, 305, 306, 307, 308, 309, 310, 311, 312, 314, 316, 319, 321, 323, 325, 327, 329, 330, 331, 332,
        334, 336, 338, 339, 341, 343, 345, 347, 348, 350, 351, 352, 353, 354, 355, 356, 357, 358, 359, 361, 362, 364,
        366, 367, 368, 369, 370, 371, 372, 373, 374, 375, 376, 377, 378, 379,
        401, 403, 405, 408, 410, 412, 413, 414, 416, 417, 419, 422, 423, 425, 428, 431, 432, 434, 436, 437, 438, 440,
        441, 443, 445, 447, 450, 451, 453, 455, 457, 459, 461, 463, 466, 468, 470, 471, 472, 473, 475, 477, 478,
        501, 503, 506, 508, 510, 511, 512, 514, 515, 516, 518, 520, 523, 525, 529, 531, 533, 536, 538, 540, 542, 544,
        546, 548, 550, 553, 555, 557, 559, 561, 563, 564, 565, 566, 567, 570, 572, 574, 576, 577, 578,
        601, 603, 605, 607, 608, 609, 610, 611, 612, 613, 615, 616, 617, 618, 619, 620, 621, 622, 624, 625, 626, 627,
        629, 630, 631, 632, 633, 634, 635, 636, 637, 638, 642, 644, 645, 647, 649, 650, 654, 655, 656, 657, 659, 660,
        661, 662, 663, 664, 665, 666, 667, 668, 669, 670, 671, 672, 674, 675, 676, 677, 678, 679,
        701, 710, 720, 725, 730, 735, 740, 745, 750, 755, 760, 765, 770, 775,
    ]

    /// One bit per number 0...1023.
    static let bitmap: [UInt64] = {
        var b = [UInt64](repeating: 0, count: 16)
        for m in allocated { b[Int(m) >> 6] |= 1 << UInt64(m & 63) }
        return b
    }()

    public static func isAllocated(_ mid: Int) -> Bool {
        guard mid >= 0 && mid < 1024 else { return false }
        return bitmap[mid >> 6] & (1 << UInt64(mid & 63)) != 0
    }

    /// The MID inside an MMSI and whether the MMSI is well formed (ITU-R M.585-9 Annex 1–4):
    /// `MIDxxxxxx` ship (first digit 2–7), `0MIDxxxxx` group, `00MIDxxxx` coast station,
    /// `111MIDxxx` SAR aircraft, `8MIDxxxxx` handheld VHF, `98MIDxxxx` craft associated with a
    /// parent ship, `99MIDxxxx` aid to navigation, and the MID-less `970xxyyyy` AIS-SART,
    /// `972xxyyyy` man overboard and `974xxyyyy` EPIRB-AIS. Valid means well formed with an
    /// allocated MID (or one of the MID-less kinds).
    public static func check(mmsi: Int64) -> (mid: Int?, valid: Bool) {
        guard mmsi > 0 && mmsi <= 999_999_999 else { return (nil, false) }
        let m = Int(mmsi)
        var mid: Int?
        switch m {
        case ..<10_000_000: mid = m / 10_000  // 00MIDxxxx
        case ..<100_000_000: mid = m / 100_000  // 0MIDxxxxx
        case 111_000_000..<112_000_000: mid = m / 1_000 % 1_000  // 111MIDxxx
        case 100_000_000..<200_000_000: return (nil, false)
        case 200_000_000..<800_000_000: mid = m / 1_000_000
        case 800_000_000..<900_000_000: mid = m / 100_000 % 1_000  // 8MIDxxxxx
        case 970_000_000..<971_000_000, 972_000_000..<973_000_000, 974_000_000..<975_000_000: return (nil, true)
        case 980_000_000..<1_000_000_000: mid = m / 10_000 % 1_000  // 98MIDxxxx, 99MIDxxxx
        default: return (nil, false)
        }
        guard let mid, mid >= 200 && mid <= 799 else { return (nil, false) }
        return (mid, isAllocated(mid))
    }
}
