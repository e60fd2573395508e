import Foundation

/// Areas the vessel tracker names in `ais.zone`: cable and pipeline corridors, anchorages,
/// restricted areas, loaded from GeoJSON (RFC 7946) files.
///
/// - `Polygon` and `MultiPolygon`: inside the outer ring and outside its holes (or within
///   `buffer_m` of the boundary when the feature has one).
/// - `LineString` and `MultiLineString` (cable and pipeline routes): within `buffer_m` metres of
///   the line; a line without `buffer_m` gets `defaultLineBufferM`.
/// - `Point` with `buffer_m`: a circle.
///
/// The feature's `name` property names the zone (`cable:Estlink 2`); a feature without one is
/// named after its file and index. Coordinates are `[longitude, latitude]` as GeoJSON says.
/// Loading is configuration, not the hot path, so it uses Foundation's JSONSerialization.
public struct ZoneSet: Sendable {
    public struct Zone: Sendable {
        public enum Shape: Sendable { case polygon, line, point }
        public var name: String
        public var shape: Shape
        /// Polygons: each a list of rings (outer first, then holes). Lines: each a list of one
        /// ring (the vertices). Points: one ring with one vertex. Vertices are (lat, lon).
        var parts: [[[(Double, Double)]]]
        public var bufferM: Double
        /// Bounding box in degrees, grown by the buffer.
        var minLat, maxLat, minLon, maxLon: Double
        /// Where it was loaded from, for messages.
        public var origin: String
    }

    public static let defaultLineBufferM = 500.0
    /// Zones loaded at most (configuration, but a folder of generated files should not surprise).
    public static let maxZones = 100_000

    public private(set) var zones: [Zone] = []

    public init() {}

    public var isEmpty: Bool { zones.isEmpty }
    public var count: Int { zones.count }

    /// The first zone (in load order) containing the position.
    public func zone(containingLat lat: Double, lon: Double) -> Int? {
        for (k, z) in zones.enumerated() where lat >= z.minLat && lat <= z.maxLat {
            // A zone across the antimeridian has longitudes past ±180 (unwrapped at load): the
            // position is tried as it is and a turn either way.
            for turn in -1...1 {
                let l = lon + Double(turn) * 360
                if l >= z.minLon && l <= z.maxLon && Self.contains(z, lat, l) { return k }
            }
        }
        return nil
    }

    static func contains(_ z: Zone, _ lat: Double, _ lon: Double) -> Bool {
        switch z.shape {
        case .point:
            guard let p = z.parts.first?.first?.first else { return false }
            return Geo.distanceM(lat, lon, p.0, p.1) <= z.bufferM
        case .line:
            for part in z.parts {
                guard let line = part.first, line.count >= 1 else { continue }
                if line.count == 1 {
                    if Geo.distanceM(lat, lon, line[0].0, line[0].1) <= z.bufferM { return true }
                    continue
                }
                for k in 1..<line.count {
                    let a = line[k - 1], b = line[k]
                    if Geo.distanceToSegmentM(lat: lat, lon: lon, a.0, a.1, b.0, b.1) <= z.bufferM { return true }
                }
            }
            return false
        case .polygon:
            for rings in z.parts {
                guard let outer = rings.first else { continue }
                if inside(outer, lat, lon) && !rings.dropFirst().contains(where: { inside($0, lat, lon) }) { return true }
                if z.bufferM > 0 {
                    for ring in rings where ring.count >= 2 {
                        for k in 1..<ring.count {
                            let a = ring[k - 1], b = ring[k]
                            if Geo.distanceToSegmentM(lat: lat, lon: lon, a.0, a.1, b.0, b.1) <= z.bufferM { return true }
                        }
                    }
                }
            }
            return false
        }
    }

    /// Ray casting (even-odd) in longitude/latitude.
    static func inside(_ ring: [(Double, Double)], _ lat: Double, _ lon: Double) -> Bool {
        var c = false
        var j = ring.count - 1
        for i in 0..<ring.count {
            let (yi, xi) = ring[i], (yj, xj) = ring[j]
            if (yi > lat) != (yj > lat), lon < (xj - xi) * (lat - yi) / (yj - yi) + xi { c.toggle() }
            j = i
        }
        return c
    }

    // MARK: loading

    public struct LoadError: Error, Sendable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// Load every `*.geojson` and `*.json` file from the given files and folders (folders walked
    /// recursively in sorted order).
    public static func load(paths: [String]) throws(LoadError) -> ZoneSet {
        var set = ZoneSet()
        for p in paths { try set.add(path: p) }
        return set
    }

    public mutating func add(path: String) throws(LoadError) {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw LoadError(message: "\(path): no such file or folder (zones)")
        }
        if isDir.boolValue {
            guard let e = FileManager.default.enumerator(atPath: path) else {
                throw LoadError(message: "\(path): cannot list the folder (zones)")
            }
            var files: [String] = []
            while let rel = e.nextObject() as? String, files.count <= Self.maxZones {
                if rel.hasSuffix(".geojson") || rel.hasSuffix(".json") { files.append(rel) }
            }
            for rel in files.sorted() { try add(file: (path as NSString).appendingPathComponent(rel)) }
        } else {
            try add(file: path)
        }
    }

    public mutating func add(file: String) throws(LoadError) {
        let object: Any
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: file))
            object = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw LoadError(message: "\(file): not readable GeoJSON: \(error.localizedDescription)")
        }
        try add(geoJSON: object, origin: file)
    }

    /// Add the features of a parsed GeoJSON object (FeatureCollection, Feature or geometry).
    public mutating func add(geoJSON object: Any, origin: String) throws(LoadError) {
        guard let dict = object as? [String: Any], let type = dict["type"] as? String else {
            throw LoadError(message: "\(origin): not a GeoJSON object (no \"type\")")
        }
        switch type {
        case "FeatureCollection":
            guard let features = dict["features"] as? [Any] else {
                throw LoadError(message: "\(origin): FeatureCollection without \"features\"")
            }
            for (k, f) in features.enumerated() { try addFeature(f, origin: origin, index: k) }
        case "Feature":
            try addFeature(dict, origin: origin, index: 0)
        default:
            try addGeometry(dict, name: "\(Self.baseName(origin))#0", buffer: nil, origin: origin)
        }
    }

    static func baseName(_ path: String) -> String { (path as NSString).lastPathComponent }

    mutating func addFeature(_ f: Any, origin: String, index: Int) throws(LoadError) {
        guard let feature = f as? [String: Any], let geometry = feature["geometry"] as? [String: Any] else {
            throw LoadError(message: "\(origin): feature \(index) has no geometry")
        }
        let props = feature["properties"] as? [String: Any] ?? [:]
        let name = (props["name"] as? String) ?? "\(Self.baseName(origin))#\(index)"
        var buffer: Double?
        if let b = props["buffer_m"] {
            guard let v = (b as? NSNumber)?.doubleValue ?? (b as? String).flatMap(Double.init), v >= 0, v.isFinite else {
                throw LoadError(message: "\(origin): feature \(index) (\(name)): buffer_m must be a number of metres ≥ 0")
            }
            buffer = v
        }
        try addGeometry(geometry, name: name, buffer: buffer, origin: "\(origin): feature \(index) (\(name))")
    }

    mutating func addGeometry(_ g: [String: Any], name: String, buffer: Double?, origin: String) throws(LoadError) {
        guard zones.count < Self.maxZones else { throw LoadError(message: "\(origin): more than \(Self.maxZones) zones") }
        guard let type = g["type"] as? String else { throw LoadError(message: "\(origin): geometry without \"type\"") }
        func point(_ a: Any) throws(LoadError) -> (Double, Double) {
            guard let c = a as? [Any], c.count >= 2, let lon = (c[0] as? NSNumber)?.doubleValue,
                  let lat = (c[1] as? NSNumber)?.doubleValue, abs(lat) <= 90, abs(lon) <= 180 else {
                throw LoadError(message: "\(origin): a position must be [longitude, latitude] in degrees")
            }
            return (lat, lon)
        }
        func line(_ a: Any) throws(LoadError) -> [(Double, Double)] {
            guard let arr = a as? [Any] else { throw LoadError(message: "\(origin): expected an array of positions") }
            var out: [(Double, Double)] = []
            for p in arr { out.append(try point(p)) }
            return out
        }
        func rings(_ a: Any) throws(LoadError) -> [[(Double, Double)]] {
            guard let arr = a as? [Any], !arr.isEmpty else { throw LoadError(message: "\(origin): a polygon needs rings") }
            var out: [[(Double, Double)]] = []
            for r in arr {
                let ring = try line(r)
                guard ring.count >= 3 else { throw LoadError(message: "\(origin): a polygon ring needs at least 3 positions") }
                out.append(ring)
            }
            return out
        }
        let coords = g["coordinates"] as Any
        var parts: [[[(Double, Double)]]] = []
        let shape: Zone.Shape
        switch type {
        case "Polygon":
            shape = .polygon
            parts = [try rings(coords)]
        case "MultiPolygon":
            shape = .polygon
            guard let polys = coords as? [Any] else { throw LoadError(message: "\(origin): MultiPolygon without coordinates") }
            for p in polys { parts.append(try rings(p)) }
        case "LineString":
            shape = .line
            parts = [[try line(coords)]]
        case "MultiLineString":
            shape = .line
            guard let lines = coords as? [Any] else { throw LoadError(message: "\(origin): MultiLineString without coordinates") }
            for l in lines { parts.append([try line(l)]) }
        case "Point":
            shape = .point
            guard buffer != nil else { throw LoadError(message: "\(origin): a Point zone needs a buffer_m radius") }
            parts = [[[try point(coords)]]]
        case "GeometryCollection":
            guard let geoms = g["geometries"] as? [Any] else { throw LoadError(message: "\(origin): GeometryCollection without geometries") }
            for sub in geoms {
                guard let d = sub as? [String: Any] else { continue }
                try addGeometry(d, name: name, buffer: buffer, origin: origin)
            }
            return
        default:
            throw LoadError(message: "\(origin): unsupported geometry type \(type)")
        }
        let bufferM = buffer ?? (shape == .line ? Self.defaultLineBufferM : 0)
        // Each ring and line continuous in longitude: a step of more than 180 degrees crosses the
        // antimeridian (a cable from 179.8 to -179.8 is 0.4 degrees long, not 359.6), so the
        // coordinates run on past ±180 instead.
        // (Across a polygon's rings too: a hole is placed against its outer ring, not on its own.)
        for p in parts.indices {
            var previous = parts[p].first?.first?.1 ?? 0
            for r in parts[p].indices where !parts[p][r].isEmpty {
                for i in parts[p][r].indices {
                    var lo = parts[p][r][i].1
                    while lo - previous > 180 { lo -= 360 }
                    while lo - previous < -180 { lo += 360 }
                    parts[p][r][i].1 = lo
                    previous = lo
                }
            }
        }
        var minLat = 90.0, maxLat = -90.0, minLon = Double.infinity, maxLon = -Double.infinity
        for part in parts {
            for ring in part {
                for (la, lo) in ring {
                    minLat = min(minLat, la); maxLat = max(maxLat, la); minLon = min(minLon, lo); maxLon = max(maxLon, lo)
                }
            }
        }
        guard minLat <= maxLat else { throw LoadError(message: "\(origin): empty geometry") }
        // Grow the box by the buffer (in degrees, generously at high latitudes).
        let dLat = bufferM / 111_000
        let cosLat = max(0.01, cos(max(abs(minLat), abs(maxLat)) * Double.pi / 180))
        let dLon = bufferM / (111_000 * cosLat)
        zones.append(Zone(name: name, shape: shape, parts: parts, bufferM: bufferM,
                          minLat: minLat - dLat, maxLat: maxLat + dLat,
                          minLon: minLon - dLon, maxLon: maxLon + dLon, origin: origin))
    }
}
