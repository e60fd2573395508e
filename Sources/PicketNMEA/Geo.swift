#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Distances on the Earth for tracks and zones.
public enum Geo {
    /// Mean Earth radius (IUGG), metres.
    public static let earthRadiusM = 6_371_008.8
    public static let metresPerNauticalMile = 1852.0

    /// Great-circle distance (haversine), metres.
    public static func distanceM(_ lat1: Double, _ lon1: Double, _ lat2: Double, _ lon2: Double) -> Double {
        let rad = Double.pi / 180
        let dLat = (lat2 - lat1) * rad
        let dLon = (lon2 - lon1) * rad
        let a = sin(dLat / 2) * sin(dLat / 2) + cos(lat1 * rad) * cos(lat2 * rad) * sin(dLon / 2) * sin(dLon / 2)
        return 2 * earthRadiusM * asin(min(1, sqrt(a)))
    }

    public static func distanceNM(_ lat1: Double, _ lon1: Double, _ lat2: Double, _ lon2: Double) -> Double {
        distanceM(lat1, lon1, lat2, lon2) / metresPerNauticalMile
    }

    /// Distance from a point to a segment, metres, in a local equirectangular projection around
    /// the point (good to well under 1% for segments up to a few hundred kilometres).
    public static func distanceToSegmentM(lat: Double, lon: Double, _ aLat: Double, _ aLon: Double,
                                          _ bLat: Double, _ bLon: Double) -> Double {
        let rad = Double.pi / 180
        let kx = cos(lat * rad) * rad * earthRadiusM
        let ky = rad * earthRadiusM
        // The segment the short way from a to b, placed relative to the position through a (b
        // wrapped relative to the position on its own put a segment across the antimeridian
        // round the rest of the globe).
        let aRel = wrap(aLon - lon)
        let ax = aRel * kx, ay = (aLat - lat) * ky
        let bx = (aRel + wrap(bLon - aLon)) * kx, by = (bLat - lat) * ky
        let dx = bx - ax, dy = by - ay
        let len2 = dx * dx + dy * dy
        var t = len2 > 0 ? -(ax * dx + ay * dy) / len2 : 0
        t = max(0, min(1, t))
        let px = ax + t * dx, py = ay + t * dy
        return sqrt(px * px + py * py)
    }

    /// A longitude difference brought into -180...180.
    @inline(__always) static func wrap(_ d: Double) -> Double {
        var d = d
        if d > 180 { d -= 360 } else if d < -180 { d += 360 }
        return d
    }
}
