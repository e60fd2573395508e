#!/usr/bin/env python3
"""Write the files in Samples/ deterministically (no randomness, fixed times).

The samples are small, synthetic and made here, so the repository holds no third-party data:
  gateway.pcap         Ethernet capture at a port's IT/OT gateway: DNS, HTTP, a TLS ClientHello,
                       NMEA sentences over UDP, and one 802.1Q-tagged packet
  bridge-nmea.log.gz   a ship's bridge feed: GNSS (GGA, RMC, GSV) and AIS, with leading times
  auth.log             syslog (RFC 3164 file format and RFC 5424)
  sensors.jsonl        JSON lines with nested fields
Run: python3 scripts/make-samples.py [OUTDIR]
"""
import gzip, os, struct, sys

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "Samples")
T0 = 1795766400  # 2026-11-27T08:00:00Z


def csum(data):
    s = 0
    for i in range(0, len(data) - 1, 2):
        s += data[i] << 8 | data[i + 1]
    if len(data) % 2:
        s += data[-1] << 8
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ip4(a):
    return bytes(int(x) for x in a.split("."))


def ipv4(src, dst, proto, payload, ident=1):
    h = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, 0x4000, 64, proto, 0, ip4(src), ip4(dst))
    h = h[:10] + struct.pack(">H", csum(h)) + h[12:]
    return h + payload


def udp(src, dst, sport, dport, data):
    u = struct.pack(">HHHH", sport, dport, 8 + len(data), 0) + data
    pseudo = ip4(src) + ip4(dst) + struct.pack(">BBH", 0, 17, len(u))
    c = csum(pseudo + u) or 0xFFFF
    return ipv4(src, dst, 17, u[:6] + struct.pack(">H", c) + u[8:])


def tcp(src, dst, sport, dport, seq, ack, flags, data=b""):
    t = struct.pack(">HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 64240, 0, 0) + data
    pseudo = ip4(src) + ip4(dst) + struct.pack(">BBH", 0, 6, len(t))
    c = csum(pseudo + t)
    return ipv4(src, dst, 6, t[:16] + struct.pack(">H", c) + t[18:])


def eth(payload, vlan=None):
    dst, src = bytes.fromhex("020000000001"), bytes.fromhex("020000000002")
    if vlan is not None:
        return dst + src + struct.pack(">HHH", 0x8100, vlan, 0x0800) + payload
    return dst + src + struct.pack(">H", 0x0800) + payload


def dns_query(ident, name):
    q = b"".join(bytes([len(l)]) + l.encode() for l in name.split(".")) + b"\x00"
    return struct.pack(">HHHHHH", ident, 0x0100, 1, 0, 0, 0) + q + struct.pack(">HH", 1, 1)


def client_hello(sni):
    name = sni.encode()
    ext_sni = struct.pack(">HHHBH", 0, len(name) + 5, len(name) + 3, 0, len(name)) + name
    ext_groups = struct.pack(">HHH", 10, 4, 2) + struct.pack(">H", 29)
    ext_formats = struct.pack(">HHB", 11, 2, 1) + b"\x00"
    exts = ext_sni + ext_groups + ext_formats
    ciphers = struct.pack(">HHHH", 6, 0x1301, 0x1302, 0xC02F)
    body = struct.pack(">H", 0x0303) + bytes(range(32)) + b"\x00" + ciphers + b"\x01\x00" + struct.pack(">H", len(exts)) + exts
    hs = b"\x01" + struct.pack(">I", len(body))[1:] + body
    return b"\x16\x03\x01" + struct.pack(">H", len(hs)) + hs


def nmea(body):
    c = 0
    for ch in body[1:].encode():
        c ^= ch
    return "%s*%02X" % (body, c)


def sixbit_encode(fields):
    """fields: list of (value, bits); returns (payload, fill bits)."""
    bits = "".join(format(v & ((1 << n) - 1), "0%db" % n) for v, n in fields)
    fill = (-len(bits)) % 6
    bits += "0" * fill
    out = ""
    for i in range(0, len(bits), 6):
        v = int(bits[i:i + 6], 2)
        out += chr(v + 48 if v < 40 else v + 56)
    return out, fill


def ais_position(mmsi, lat, lon, sog, cog, heading, status=0, second=0):
    payload, fill = sixbit_encode([
        (1, 6), (0, 2), (mmsi, 30), (status, 4), (0, 8), (int(sog * 10), 10), (1, 1),
        (int(round(lon * 600000)), 28), (int(round(lat * 600000)), 27), (int(cog * 10), 12),
        (heading, 9), (second, 6), (0, 2), (0, 3), (0, 1), (0, 19)])
    return nmea("!AIVDM,1,1,,A,%s,%d" % (payload, fill))


def gga(t, lat, lon, sats, hdop):
    hh, mm, ss = t // 3600 % 24, t // 60 % 60, t % 60
    la = "%02d%07.4f,%s" % (int(abs(lat)), (abs(lat) % 1) * 60, "N" if lat >= 0 else "S")
    lo = "%03d%07.4f,%s" % (int(abs(lon)), (abs(lon) % 1) * 60, "E" if lon >= 0 else "W")
    return nmea("$GPGGA,%02d%02d%02d.00,%s,%s,1,%02d,%.1f,12.0,M,18.0,M,," % (hh, mm, ss, la, lo, sats, hdop))


def rmc(t, lat, lon, sog, cog):
    hh, mm, ss = t // 3600 % 24, t // 60 % 60, t % 60
    la = "%02d%07.4f,%s" % (int(abs(lat)), (abs(lat) % 1) * 60, "N" if lat >= 0 else "S")
    lo = "%03d%07.4f,%s" % (int(abs(lon)), (abs(lon) % 1) * 60, "E" if lon >= 0 else "W")
    return nmea("$GPRMC,%02d%02d%02d.00,A,%s,%s,%.1f,%.1f,271126,,,A" % (hh, mm, ss, la, lo, sog, cog))


def gsv(cn0s):
    sats = [(3 + 4 * i, 20 + 5 * i, 30 * i, c) for i, c in enumerate(cn0s)]
    groups = [sats[i:i + 4] for i in range(0, len(sats), 4)]
    out = []
    for k, g in enumerate(groups):
        body = "$GPGSV,%d,%d,%02d" % (len(groups), k + 1, len(sats))
        for prn, el, az, c in g:
            body += ",%02d,%02d,%03d,%02d" % (prn, el, az, c)
        out.append(nmea(body))
    return out


def write_pcap(path, packets):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i, (t, frame) in enumerate(packets):
            f.write(struct.pack("<IIII", T0 + t, (i * 1237) % 1000000, len(frame), len(frame)) + frame)


def main():
    os.makedirs(OUT, exist_ok=True)
    ws, srv, ais_gw, ecdis = "10.20.0.15", "203.0.113.80", "10.30.0.5", "10.30.0.9"
    pkts = []
    pkts.append((1, eth(udp(ws, "10.20.0.1", 53001, 53, dns_query(0x1a2b, "updates.example.net")))))
    pkts.append((2, eth(tcp(ws, srv, 49152, 80, 1000, 0, 0x02))))
    pkts.append((2, eth(tcp(srv, ws, 80, 49152, 5000, 1001, 0x12))))
    pkts.append((2, eth(tcp(ws, srv, 49152, 80, 1001, 5001, 0x10))))
    req = b"GET /firmware/ais-transponder.bin HTTP/1.1\r\nHost: updates.example.net\r\nUser-Agent: curl/8.5.0\r\n\r\n"
    pkts.append((3, eth(tcp(ws, srv, 49152, 80, 1001, 5001, 0x18, req))))
    pkts.append((4, eth(tcp(ws, "198.51.100.7", 49153, 443, 7000, 0, 0x18, client_hello("vsat-portal.example.org")))))
    for k in range(3):
        lat, lon = 59.45 + k * 0.001, 24.75 + k * 0.002
        pkts.append((5 + k, eth(udp(ais_gw, "10.30.0.255", 10110, 10110,
                                    (ais_position(276123000, lat, lon, 8.5, 45.0, 44, second=k) + "\r\n").encode()))))
    pkts.append((9, eth(udp(ecdis, "10.30.0.255", 10111, 10110, (gga(8 * 3600 + 9, 59.46, 24.77, 9, 0.9) + "\r\n").encode()), vlan=30)))
    write_pcap(os.path.join(OUT, "gateway.pcap"), pkts)

    lines = []
    for k in range(60):
        t = 8 * 3600 + k * 10
        stamp = "2026-11-27T%02d:%02d:%02dZ " % (t // 3600, t // 60 % 60, t % 60)
        lat, lon = 59.40 + k * 0.0008, 24.70 + k * 0.0012
        lines.append(stamp + gga(t, lat, lon, 10, 0.8))
        lines.append(stamp + rmc(t, lat, lon, 11.2, 48.0))
        if k % 5 == 0:
            lines += [stamp + s for s in gsv([42, 44, 39, 47, 41, 38, 45, 40])]
        lines.append(stamp + ais_position(276123000, lat + 0.01, lon, 9.8, 50.0, 49, second=t % 60))
        if k % 3 == 0:
            lines.append(stamp + ais_position(230987000, 59.5, 24.9 - k * 0.001, 0.4, 270.0, 268, status=1, second=t % 60))
    with gzip.GzipFile(os.path.join(OUT, "bridge-nmea.log.gz"), "wb", mtime=0) as f:
        f.write(("\n".join(lines) + "\n").encode())

    with open(os.path.join(OUT, "auth.log"), "w") as f:
        f.write("Nov 27 08:00:01 port-gw sshd[2211]: Accepted publickey for ops from 10.20.0.15 port 50122 ssh2\n")
        for k in range(6):
            f.write("Nov 27 08:01:%02d port-gw sshd[2230]: Failed password for root from 192.0.2.44 port %d ssh2\n" % (10 + k, 40000 + k))
        f.write("<38>1 2026-11-27T08:02:00.120Z vsat-modem.ship.example webui 311 LOGIN [auth@32473 user=\"admin\" src=\"192.0.2.44\"] admin login from external address\n")
        f.write("<30>Nov 27 08:03:00 ecdis ntpd[99]: time reset +37.000112 s\n")

    with open(os.path.join(OUT, "sensors.jsonl"), "w") as f:
        for k in range(5):
            f.write('{"timestamp":"2026-11-27T08:%02d:00.000Z","sensor":{"id":"engine-room-%d","kind":"temperature"},"value":%.1f,"unit":"C"}\n'
                    % (k, k % 2, 71.5 + k))
        f.write('{"@timestamp":"2026-11-27T08:06:00Z","event":{"module":"ot","action":"modbus-write"},"source":{"ip":"10.20.0.15"},"destination":{"ip":"10.40.0.2","port":502}}\n')


if __name__ == "__main__":
    main()
