#!/usr/bin/env python3
"""Write Samples/: a night in the Baltic (2026-11-26 22:00 to 2026-11-27 06:00 UTC), synthetic
and deterministic (fixed seeds and times), so the repository holds no third-party data.

  baltic-ais.log.gz   AIS from a shore receiver (NMEA 4 tag blocks): benign traffic, an anchor
                      drag across the Estlink 2 corridor, an identity spoof of a tanker
  bridge-gnss.log     a ferry's GNSS receiver: a jamming episode, then a spoofing episode
  port-network.pcap   a port office network: benign DNS/HTTP/TLS, a DNS tunnel, a C2 beacon
  port-gateway.log    syslog: an SSH brute force, the ECDIS clock stepped by spoofed GNSS time
  sensors.jsonl       JSON lines from engine-room sensors (benign)
Each hidden event is described in the docstring of the function that writes it.
Run: python3 scripts/make-samples.py [OUTDIR]
"""
import gzip, os, random, struct, sys

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "Samples")
T0 = 1795730400  # 2026-11-26T22:00:00Z, the start of the night


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
    """packets: (seconds since T0 as float, frame); written in time order."""
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for t, frame in sorted(packets, key=lambda p: p[0]):
            sec = int(t)
            f.write(struct.pack("<IIII", T0 + sec, int(round((t - sec) * 1e6)) % 1000000, len(frame), len(frame)) + frame)


def sixbit_text(text, chars):
    out = []
    for ch in text.upper().ljust(chars, "@")[:chars]:
        v = ord(ch)
        out.append((v - 64 if v >= 64 else v, 6))
    return out


def ais_static(mmsi, imo, callsign, name, ship_type, destination):
    """Type 5 static and voyage data, as the two fragments a transponder sends."""
    payload, fill = sixbit_encode(
        [(5, 6), (0, 2), (mmsi, 30), (0, 2), (imo, 30)] + sixbit_text(callsign, 7) + sixbit_text(name, 20)
        + [(ship_type, 8), (120, 9), (25, 9), (10, 6), (10, 6), (1, 4), (11, 4), (27, 5), (6, 5), (0, 6), (72, 8)]
        + sixbit_text(destination, 20) + [(0, 1), (0, 1)])
    first, second = payload[:60], payload[60:]
    return [nmea("!AIVDM,2,1,7,B,%s,0" % first), nmea("!AIVDM,2,2,7,B,%s,%d" % (second, fill))]


def tag_block(t, station="rBALTIC01"):
    body = "s:%s,c:%d" % (station, T0 + int(t))
    c = 0
    for ch in body.encode():
        c ^= ch
    return "\\%s*%02X\\" % (body, c)


def move(lat, lon, cog_deg, sog_kn, seconds):
    import math
    d_nm = sog_kn * seconds / 3600.0
    dlat = d_nm * math.cos(math.radians(cog_deg)) / 60.0
    dlon = d_nm * math.sin(math.radians(cog_deg)) / 60.0 / math.cos(math.radians(lat))
    return lat + dlat, lon + dlon


def course_to(lat, lon, lat2, lon2, seconds):
    """Bearing (degrees) and speed (knots) to reach a point in the given time."""
    import math
    dn = (lat2 - lat) * 60.0
    de = (lon2 - lon) * 60.0 * math.cos(math.radians((lat + lat2) / 2))
    return (math.degrees(math.atan2(de, dn)) + 360) % 360, math.hypot(dn, de) / (seconds / 3600.0)


def ais_night():
    """A night (22:00 to 06:00 UTC) of AIS from a shore receiver on the Gulf of Finland.
    Benign traffic follows the shipping lanes at ordinary speeds. Hidden in it:
      - MMSI 518998877 (cargo, flag of convenience) drags its anchor across the Estlink 2
        corridor: 1 to 2.5 kn along the cable for about 70 minutes around 01:00, reporting
        navigation status 0 (under way using engine) while its speed says otherwise;
      - MMSI 230123456 (a Finnish tanker) is spoofed: from 01:10 to 01:40 a second transmitter uses its
        identity near Paldiski while the real ship is off Porvoo (identity conflict, impossible
        implied speed).
    """
    rng = random.Random(20261127)
    lines = []
    ships = [
        # mmsi, name, callsign, imo, type, lat, lon, cog, sog, destination
        (230111222, "BALTIC TRADER", "OJAB", 9300001, 70, 59.95, 23.20, 80, 13.0, "ST PETERSBURG"),
        (276555444, "TALLINK STAR", "ESAB", 9300002, 60, 59.48, 24.76, 5, 21.5, "HELSINKI"),
        (230666777, "VIKING ROSE", "OJCD", 9300003, 60, 60.14, 24.95, 190, 20.0, "TALLINN"),
        (273444555, "NEVA PROGRESS", "UBAB", 9300004, 80, 59.90, 26.80, 265, 12.0, "PRIMORSK"),
        (244820000, "DUTCH MARINER", "PDAB", 9300005, 70, 59.70, 22.90, 75, 11.5, "KOTKA"),
        (212345000, "AEGEAN BREEZE", "5BAB", 9300006, 80, 59.85, 25.40, 255, 12.5, "ROTTERDAM"),
        (265111000, "STOCKHOLM EXPRESS", "SAAB", 9300007, 70, 59.80, 23.60, 90, 14.0, "HAMINA"),
        (636092345, "LIBERTY GRACE", "D5AB", 9300008, 80, 59.98, 26.30, 250, 10.5, "GDANSK"),
        (230123456, "KRISTIINA A", "OJKA", 9300009, 80, 60.22, 25.25, 180, 0.2, "PORVOO"),
        (518998877, "SEA HORIZON", "E5XY", 9300010, 70, 60.10, 25.35, 120, 11.0, "UST-LUGA"),
    ]
    state = {s[0]: [s[5], s[6], s[7], s[8]] for s in ships}
    info = {s[0]: s for s in ships}
    step = 60  # seconds between position reports
    for t in range(0, 8 * 3600, step):
        for mmsi in state:
            lat, lon, cog, sog = state[mmsi]
            status = 0
            if mmsi == 230123456:
                status, sog = 1, 0.1  # at anchor in the Porvoo approaches all night, clear of the cables
            if mmsi == 518998877:
                # Under way until 00:00, then steers for the Estlink 2 route and from 00:40 to
                # 01:50 creeps along it at 1 to 2.5 kn (the cable runs on a bearing of about 140).
                if t == 7200:
                    cog, sog = course_to(lat, lon, 59.820, 26.050, 2400)
                elif 9600 <= t < 13800:
                    cog, sog = 140, 1.0 + 1.5 * ((t // 60) % 7) / 6.0
                elif t >= 13800:
                    cog, sog = 110, 11.0
            jitter = rng.uniform(-0.3, 0.3)
            lat, lon = move(lat, lon, cog, max(0.0, sog + (jitter if sog > 1 else 0)), step)
            state[mmsi] = [lat, lon, cog, sog]
            sentence = ais_position(mmsi, lat, lon, max(0.0, sog), cog, int(cog) % 360, status=status, second=t % 60)
            lines.append(tag_block(t) + sentence)
        if t % 1800 == 0:
            for mmsi, s in info.items():
                for frag in ais_static(mmsi, s[3], s[2], s[1], s[4], s[9]):
                    lines.append(tag_block(t + 1) + frag)
        # The spoofed twin of 230123456 near Paldiski, 01:10 to 01:40.
        if 11400 <= t < 13200:
            lat, lon = 59.40 + (t - 11400) / 1800 * 0.05, 24.02
            lines.append(tag_block(t + 20) + ais_position(230123456, lat, lon, 9.5, 10.0, 10, status=0, second=(t + 20) % 60))
    return lines


def gsv_group(talker, sats):
    groups = [sats[i:i + 4] for i in range(0, len(sats), 4)]
    out = []
    for k, g in enumerate(groups):
        body = "$%sGSV,%d,%d,%02d" % (talker, len(groups), k + 1, len(sats))
        for prn, el, az, c in g:
            body += ",%02d,%02d,%03d,%s" % (prn, el, az, ("%02d" % c) if c is not None else "")
        out.append(nmea(body))
    return out


def gnss_night():
    """The bridge GNSS receiver of a ferry crossing the Gulf of Finland, one epoch every 10 s.
      - 00:20 to 00:35: jamming: C/N0 collapses from about 42 to under 20 dB-Hz, fewer than three
        satellites stay above 25 dB-Hz, and the fix is lost for ten minutes;
      - 02:00 to 02:30: spoofing: every satellite at 50 to 51 dB-Hz (spread under 1 dB-Hz), the
        position jumps about 9 km north-east, and the receiver's clock runs 37 s ahead.
    """
    rng = random.Random(7)
    lines = []
    lat, lon = 59.50, 24.78
    heading = 8  # Tallinn to Helsinki, then back: the ferry shuttles and never teleports
    prns = [2, 5, 7, 9, 13, 15, 18, 20, 24, 29]
    for t in range(0, 8 * 3600, 10):
        stamp = utc(t).strftime("%Y-%m-%dT%H:%M:%SZ ")
        lat, lon = move(lat, lon, heading, 18.0, 10)
        if lat > 60.12 and heading == 8:
            heading = 188
        elif lat < 59.50 and heading == 188:
            heading = 8
        jam = 8400 <= t < 9300
        fix_lost = 8700 <= t < 9300
        spoof = 14400 <= t < 16200
        if jam:
            depth = min(1.0, (t - 8400) / 300.0)
            cn0 = [max(0, int(42 - 26 * depth + rng.uniform(-3, 3))) for _ in prns]
        elif spoof:
            cn0 = [50 + (k % 2) for k, _ in enumerate(prns)]
        else:
            cn0 = [int(rng.uniform(36, 47)) for _ in prns]
        plat, plon = (lat + 0.06, lon + 0.09) if spoof else (lat, lon)
        # The receiver's own clock: 37 s ahead while spoofed.
        own = utc(t + (37 if spoof else 0))
        hh, mm, ss = own.hour, own.minute, own.second
        day = own.strftime("%d%m%y")
        la = "%02d%07.4f,N" % (int(plat), (plat % 1) * 60)
        lo = "%03d%07.4f,E" % (int(plon), (plon % 1) * 60)
        used = sum(1 for c in cn0 if c >= 25)
        if fix_lost:
            lines.append(stamp + nmea("$GPGGA,%02d%02d%02d.00,,,,,0,%02d,99.9,,M,,M,," % (hh, mm, ss, used)))
            lines.append(stamp + nmea("$GPRMC,%02d%02d%02d.00,V,,,,,,,%s,,,N" % (hh, mm, ss, day)))
        else:
            lines.append(stamp + nmea("$GPGGA,%02d%02d%02d.00,%s,%s,1,%02d,0.9,15.0,M,18.0,M,," % (hh, mm, ss, la, lo, max(used, 4))))
            lines.append(stamp + nmea("$GPRMC,%02d%02d%02d.00,A,%s,%s,18.0,%.1f,%s,,,A" % (hh, mm, ss, la, lo, float(heading), day)))
        if t % 30 == 0:
            sats = [(p, 20 + 6 * k % 60, (37 * k) % 360, c if c > 0 else None) for k, (p, c) in enumerate(zip(prns, cn0))]
            lines += [stamp + l for l in gsv_group("GP", sats)]
    return lines


def port_network():
    """Port operator's office network, 22:00 to 06:00: benign DNS, web and TLS, and hidden in it
      - 10.20.0.23 tunnels data out through DNS: 240 queries for long random labels under
        t.exfil-cdn.example between 23:30 and 23:50;
      - the same host beacons to 203.0.113.66 (SNI telemetry-sync.example) every 60 s, 00:00 to 01:00.
    """
    rng = random.Random(99)
    pkts = []
    resolver = "10.20.0.1"
    hosts = ["10.20.0.11", "10.20.0.12", "10.20.0.15", "10.20.0.23"]
    benign_names = ["updates.example.net", "www.example.org", "mail.example.com", "ntp.example.org", "portal.portauthority.example"]
    benign_sni = ["portal.portauthority.example", "www.example.org", "api.weather.example"]
    dns_id = 1
    def dns(t, src, name):
        nonlocal dns_id
        dns_id = (dns_id + 1) % 65536
        pkts.append((t, eth(udp(src, resolver, 50000 + dns_id % 10000, 53, dns_query(dns_id, name)))))
    def tls(t, src, dst, sni, sport):
        pkts.append((t, eth(tcp(src, dst, sport, 443, 1000, 0, 0x02))))
        pkts.append((t + 0.01, eth(tcp(dst, src, 443, sport, 9000, 1001, 0x12))))
        pkts.append((t + 0.02, eth(tcp(src, dst, sport, 443, 1001, 9001, 0x10))))
        pkts.append((t + 0.03, eth(tcp(src, dst, sport, 443, 1001, 9001, 0x18, client_hello(sni)))))
    sport = 40000
    for t in range(0, 8 * 3600, 97):
        src = hosts[t % len(hosts)]
        dns(t + 0.5, src, benign_names[t % len(benign_names)])
        if t % 3 == 0:
            sport += 1
            tls(t + 1.0, src, "198.51.100.%d" % (10 + t % 5), benign_sni[t % len(benign_sni)], sport)
        if t % 5 == 0:
            sport += 1
            req = ("GET /schedule/berths?day=%d HTTP/1.1\r\nHost: portal.portauthority.example\r\nUser-Agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64)\r\n\r\n" % (t // 86400)).encode()
            pkts.append((t + 2.0, eth(tcp(src, "198.51.100.20", sport, 80, 5000, 7000, 0x18, req))))
    alphabet = "abcdefghijklmnopqrstuvwxyz234567"
    for k in range(240):
        label = "".join(rng.choice(alphabet) for _ in range(52))
        dns(5400 + k * 5 + rng.uniform(0, 1), "10.20.0.23", "%s.%d.t.exfil-cdn.example" % (label, k))
    for k in range(60):
        sport += 1
        tls(7200 + k * 60 + rng.uniform(-0.5, 0.5), "10.20.0.23", "203.0.113.66", "telemetry-sync.example", sport)
    return pkts


def port_syslog():
    """The port gateway and the ferry's ECDIS: benign lines, an SSH brute force at 23:15, and the
    ECDIS clock stepped by 37 s when the spoofed GNSS time reaches it at 02:01."""
    out = []
    for k in range(0, 8 * 60, 20):
        out.append((k * 60, "%s port-gw CRON[%d]: (root) CMD (/usr/lib/port/rotate-logs)" % (bsd(k * 60), 3000 + k)))
    out.append((1800, "%s port-gw sshd[2211]: Accepted publickey for ops from 10.20.0.15 port 50122 ssh2" % bsd(1800)))
    for k in range(8):
        t = 4500 + k * 4
        out.append((t, "%s port-gw sshd[2230]: Failed password for root from 192.0.2.44 port %d ssh2" % (bsd(t), 40000 + k)))
    out.append((14460, "<30>1 %s ecdis ntpd 99 - - time reset +37.000112 s" % utc(14460).strftime("%Y-%m-%dT%H:%M:%SZ")))
    return [line for _, line in sorted(out, key=lambda p: p[0])]


def utc(t):
    """Seconds since T0 (22:00 UTC) as a datetime."""
    import datetime
    return datetime.datetime(2026, 11, 26, 22, 0, 0) + datetime.timedelta(seconds=t)


def bsd(t):
    """rsyslog's precise file time (BSD syslog times have no year, which would drift)."""
    return utc(t).strftime("%Y-%m-%dT%H:%M:%S.000000+00:00")


def main():
    os.makedirs(OUT, exist_ok=True)
    for old in ["gateway.pcap", "bridge-nmea.log.gz", "auth.log"]:
        if os.path.exists(os.path.join(OUT, old)):
            os.remove(os.path.join(OUT, old))
    write_pcap(os.path.join(OUT, "port-network.pcap"), port_network())
    with gzip.GzipFile(os.path.join(OUT, "baltic-ais.log.gz"), "wb", mtime=0) as f:
        f.write(("\n".join(ais_night()) + "\n").encode())
    with open(os.path.join(OUT, "bridge-gnss.log"), "w") as f:
        f.write("\n".join(gnss_night()) + "\n")
    with open(os.path.join(OUT, "port-gateway.log"), "w") as f:
        f.write("\n".join(port_syslog()) + "\n")
    with open(os.path.join(OUT, "sensors.jsonl"), "w") as f:
        for k in range(5):
            f.write('{"timestamp":"2026-11-27T00:%02d:00.000Z","sensor":{"id":"engine-room-%d","kind":"temperature"},"value":%.1f,"unit":"C"}\n'
                    % (k, k % 2, 71.5 + k))


if __name__ == "__main__":
    main()
