#!/usr/bin/env python3
"""Seed corpora for the fuzz targets, made from ../shared/corpus and Samples/.

    Fuzz/seeds.py OUT_FOLDER

writes OUT_FOLDER/<Target>/<name> files (nothing of it is committed: the run script keeps it
under Fuzz/.work/, which is ignored). Inputs are cut small (libFuzzer mutates small inputs
fastest): captures to their first records, logs to runs of lines, and for the app-layer
targets the payloads found in the captures. Deterministic: the same corpus gives the same seeds.
"""
import glob
import gzip
import hashlib
import os
import random
import struct
import sys
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
CORPUS = os.path.join(os.path.dirname(REPO), "shared", "corpus")
SAMPLES = os.path.join(REPO, "Samples")

# FuzzPacket's first byte picks the link type from this table (keep in step with its main.swift).
LINK_TABLE = [1, 0, 108, 101, 12, 14, 228, 229, 113, 276, 9, 50]


def write(out, target, data, name=None):
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    name = name or hashlib.sha1(data).hexdigest()[:16]
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def files(pattern):
    return sorted(glob.glob(os.path.join(CORPUS, pattern), recursive=True))


def read(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    return data


def line_chunks(data, lines=40, limit=4000, count=8):
    """Runs of whole lines, spread over the file."""
    all_lines = data.split(b"\n")
    if not all_lines:
        return []
    step = max(1, len(all_lines) // count)
    out = []
    for start in range(0, len(all_lines), step):
        chunk = b"\n".join(all_lines[start:start + lines])[:limit]
        if chunk.strip():
            out.append(chunk + b"\n")
        if len(out) >= count:
            break
    return out


# --- captures ------------------------------------------------------------------------------

def pcap_records(data):
    """(header, link type, endian, [(record header, data)]) of a classic pcap."""
    if len(data) < 24:
        return None
    magic = struct.unpack("<I", data[:4])[0]
    if magic in (0xA1B2C3D4, 0xA1B23C4D):
        e = "<"
    elif magic in (0xD4C3B2A1, 0x4D3CB2A1):
        e = ">"
    else:
        return None
    link = struct.unpack(e + "I", data[20:24])[0] & 0x03FFFFFF
    pos, recs = 24, []
    while pos + 16 <= len(data):
        incl = struct.unpack(e + "I", data[pos + 8:pos + 12])[0]
        if pos + 16 + incl > len(data):
            break
        recs.append((data[pos:pos + 16], data[pos + 16:pos + 16 + incl]))
        pos += 16 + incl
    return data[:24], link, e, recs


def pcapng_blocks(data):
    if len(data) < 12 or data[:4] != b"\x0a\x0d\x0d\x0a":
        return None
    e = "<" if data[8:12] == b"\x4d\x3c\x2b\x1a" else ">"
    pos, blocks = 0, []
    while pos + 12 <= len(data):
        length = struct.unpack(e + "I", data[pos + 4:pos + 8])[0]
        if length < 12 or pos + length > len(data):
            break
        blocks.append(data[pos:pos + length])
        pos += length
    return e, blocks


def captures():
    return files("suricata-verify/*/*.pcap") + files("nmea/pcap/*.pcap") + [os.path.join(SAMPLES, "port-network.pcap")]


def frames():
    """(link type, frame) of every record of every classic capture."""
    for path in captures():
        parsed = pcap_records(read(path))
        if not parsed:
            continue
        _, link, _, recs = parsed
        for _, frame in recs:
            yield link, frame


def l4(link, frame):
    """(proto, sport, dport, payload) of an IPv4/IPv6 TCP or UDP frame, or None."""
    off = {1: 14, 113: 16, 276: 20, 0: 4, 108: 4, 101: 0, 12: 0, 14: 0, 228: 0, 229: 0}.get(link)
    if off is None or len(frame) < off + 20:
        return None
    if link == 1:
        et = struct.unpack(">H", frame[12:14])[0]
        while et in (0x8100, 0x88A8) and len(frame) >= off + 4:
            et = struct.unpack(">H", frame[off + 2:off + 4])[0]
            off += 4
        if et not in (0x0800, 0x86DD):
            return None
    v = frame[off] >> 4
    if v == 4:
        hl = (frame[off] & 15) * 4
        proto = frame[off + 9]
        if struct.unpack(">H", frame[off + 6:off + 8])[0] & 0x3FFF:
            return None  # fragment
        end = min(len(frame), off + struct.unpack(">H", frame[off + 2:off + 4])[0])
        t = off + hl
    elif v == 6 and len(frame) >= off + 40:
        proto = frame[off + 6]
        end = len(frame)
        t = off + 40
    else:
        return None
    if proto == 6 and end >= t + 20:
        sp, dp = struct.unpack(">HH", frame[t:t + 4])
        return 6, sp, dp, frame[t + (frame[t + 12] >> 4) * 4:end]
    if proto == 17 and end >= t + 8:
        sp, dp = struct.unpack(">HH", frame[t:t + 4])
        return 17, sp, dp, frame[t + 8:end]
    return None


def pcap_seeds(out):
    for path in captures():
        parsed = pcap_records(read(path))
        if not parsed:
            continue
        header, _, _, recs = parsed
        for start, count in ((0, 6), (6, 6), (len(recs) // 2, 4)):
            body = b"".join(h + d for h, d in recs[start:start + count])
            if body or start == 0:
                write(out, "FuzzPcap", (header + body)[:65536])
                write(out, "FuzzScan", (header + body)[:16384])


def pcapng_synthetic():
    """pcapng files with what the corpus lacks: several interfaces and link types, SPB, PB,
    timestamp resolution and offset options, name resolution and statistics blocks, both
    byte orders."""
    out = []
    for e in "<>":
        def block(t, body):
            body += b"\0" * (-len(body) % 4)
            n = 12 + len(body)
            return struct.pack(e + "II", t, n) + body + struct.pack(e + "I", n)

        def opt(code, value):
            return struct.pack(e + "HH", code, len(value)) + value + b"\0" * (-len(value) % 4)

        frame = bytes.fromhex("000102030405000607080910080045000020000100004011000"
                              "00a0000010a000002a0281f90000c0000616263")
        raw = frame[14:]
        shb = block(0x0A0D0D0A, struct.pack(e + "IHHq", 0x1A2B3C4D, 1, 0, -1) + opt(0, b""))
        idb0 = block(1, struct.pack(e + "HHI", 1, 0, 65535) + opt(9, b"\x09") + opt(14, struct.pack(e + "q", 3600)) + opt(0, b""))
        idb1 = block(1, struct.pack(e + "HHI", 101, 0, 96) + opt(9, b"\x86") + opt(0, b""))
        ts = 1_800_000_000_123_456_789
        epb0 = block(6, struct.pack(e + "IIIII", 0, ts >> 32, ts & 0xFFFFFFFF, len(frame), len(frame)) + frame + opt(1, b"hi") + opt(0, b""))
        epb1 = block(6, struct.pack(e + "IIIII", 1, 0, 7 << 6, len(raw), len(raw) + 10) + raw)
        spb = block(3, struct.pack(e + "I", len(frame)) + frame)
        pb = block(2, struct.pack(e + "HHIIII", 0, 0, 0, 1, len(frame), len(frame)) + frame)
        nrb = block(4, struct.pack(e + "HH", 1, 8) + bytes([10, 0, 0, 1]) + b"h.x\0" + struct.pack(e + "HH", 0, 0))
        isb = block(5, struct.pack(e + "III", 0, 0, 0) + opt(4, struct.pack(e + "Q", 1)) + opt(0, b""))
        custom = block(0x00000BAD, struct.pack(e + "I", 32473) + b"data")
        unknown_iface = block(6, struct.pack(e + "IIIII", 7, 0, 0, 4, 4) + b"abcd")
        out.append(shb + idb0 + idb1 + epb0 + epb1 + spb + pb + nrb + isb + custom)
        out.append(shb + idb0 + epb0 + shb + idb1 + epb1 + unknown_iface)
        out.append(shb + spb)
    return out


def pcapng_seeds(out):
    paths = files("**/*.pcapng")
    for path in paths:
        parsed = pcapng_blocks(read(path))
        if not parsed:
            continue
        _, blocks = parsed
        data = b"".join(blocks[:12])
        write(out, "FuzzPcapng", data[:65536])
        write(out, "FuzzScan", data[:16384])
    for data in pcapng_synthetic():
        write(out, "FuzzPcapng", data)
        write(out, "FuzzScan", data)
    # Classic captures rewritten as pcapng, when editcap (tshark) is there.
    if os.system("command -v editcap >/dev/null 2>&1") == 0:
        tmp = os.path.join(out, ".tmp.pcapng")
        for path in captures()[::4]:
            if os.system(f"editcap -F pcapng -r '{path}' '{tmp}' 1-8 >/dev/null 2>&1") == 0:
                with open(tmp, "rb") as f:
                    write(out, "FuzzPcapng", f.read()[:65536])
        if os.path.exists(tmp):
            os.remove(tmp)


def packet_seeds(out):
    seen = set()
    for link, frame in frames():
        if link not in LINK_TABLE:
            continue
        key = (link, frame[:38], len(frame) // 256)
        if key in seen or len(seen) >= 1500:
            continue
        seen.add(key)
        write(out, "FuzzPacket", bytes([LINK_TABLE.index(link), 0]) + frame[:2048])
        # The same frame cut by the snap length.
        if len(frame) > 40 and len(seen) % 7 == 0:
            write(out, "FuzzPacket", bytes([LINK_TABLE.index(link), 0x80 | 20]) + frame[:len(frame) - 20])


def app_seeds(out):
    dns, http, tls = set(), set(), set()
    for link, frame in frames():
        r = l4(link, frame)
        if not r:
            continue
        proto, sp, dp, payload = r
        if not payload:
            continue
        if 53 in (sp, dp) or 5353 in (sp, dp) or 5355 in (sp, dp):
            msg = payload[2:] if proto == 6 else payload
            if len(msg) >= 12:
                dns.add(bytes(msg))
        if proto == 6 and payload.split(b" ", 1)[0] in (b"GET", b"POST", b"HEAD", b"PUT", b"CONNECT", b"OPTIONS", b"M-SEARCH"):
            http.add(bytes(payload[:4096]))
        if proto == 17 and dp == 1900:
            http.add(bytes(payload[:4096]))
        if proto == 6 and payload[:2] == b"\x16\x03" and len(payload) > 9 and payload[5] == 1:
            tls.add(bytes(payload[:8192]))
    for m in sorted(dns)[:300]:
        write(out, "FuzzDNS", m)
    for m in sorted(http)[:300]:
        write(out, "FuzzHTTP", m)
    # Pipelined requests, a chunked body, CONNECT, a Host with a port and an IPv6 literal.
    for m in (b"GET /a HTTP/1.1\r\nHost: a.example:8080\r\nUser-Agent: x\r\n\r\nGET /b HTTP/1.1\r\nHost: [::1]:80\r\n\r\n",
              b"POST /u HTTP/1.1\r\nHost: b\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n0\r\nT: v\r\n\r\nGET /n HTTP/1.0\r\n\r\n",
              b"POST /c HTTP/1.1\r\nContent-Length: 5\r\n\r\nhelloHEAD / HTTP/1.1\r\nHost: c\r\n\r\n",
              b"CONNECT h:443 HTTP/1.1\r\nHost: h:443\r\n\r\n\x16\x03\x01\x00\x05\x01\x00\x00\x01\x00",
              b"GET /x y z HTTP/1.1\nHost: d\n\n"):
        write(out, "FuzzHTTP", m)
    for m in sorted(tls)[:200]:
        write(out, "FuzzTLS", m)
    write(out, "FuzzTLS", tls_hello())
    hello = tls_hello()
    # The same hello spread over two records.
    body = hello[5:]
    write(out, "FuzzTLS", b"\x16\x03\x01" + struct.pack(">H", 20) + body[:20] + b"\x16\x03\x01" + struct.pack(">H", len(body) - 20) + body[20:])
    # ChangeCipherSpec then a hello (TLS 1.3 middlebox compatibility).
    write(out, "FuzzTLS", b"\x14\x03\x03\x00\x01\x01" + hello)


def tls_hello():
    def ext(t, data):
        return struct.pack(">HH", t, len(data)) + data
    sni = b"fuzz.example"
    exts = ext(0, struct.pack(">HBH", len(sni) + 3, 0, len(sni)) + sni)
    exts += ext(10, struct.pack(">H", 6) + bytes.fromhex("0a0a001d0017"))
    exts += ext(11, b"\x01\x00")
    exts += ext(13, struct.pack(">H", 4) + bytes.fromhex("04030804"))
    exts += ext(16, struct.pack(">H", 3) + b"\x02h2")
    exts += ext(43, b"\x04\x0a\x0a\x03\x04")
    body = b"\x03\x03" + bytes(32) + b"\x00" + struct.pack(">H", 6) + bytes.fromhex("1a1a13011302") + b"\x01\x00"
    body += struct.pack(">H", len(exts)) + exts
    hs = b"\x01" + struct.pack(">I", len(body))[1:] + body
    return b"\x16\x03\x01" + struct.pack(">H", len(hs)) + hs


# --- synthetic sequences for the structured targets -----------------------------------------

def defrag_seeds(out):
    rng = random.Random(6887)
    def frag(v6=False, more=False, key=0, poison=False, extra=False, step=0, offset=0, length=8, mult=True, proto=0):
        control = int(v6) | int(more) << 1 | key << 2 | int(poison) << 4 | int(extra) << 5 | step << 6
        l = (0x80 | length // 8) if mult else length
        return bytes([control]) + struct.pack(">H", offset) + bytes([l, proto])
    for v6 in (False, True):
        write(out, "FuzzDefrag", frag(v6, True, 0, offset=0, length=16) + frag(v6, False, 0, offset=2, length=8))
        write(out, "FuzzDefrag", frag(v6, False, 1, offset=3, length=5, mult=False) + frag(v6, True, 1, offset=0, length=24))
        write(out, "FuzzDefrag", frag(v6, True, 2, offset=0, length=24) + frag(v6, True, 2, poison=True, offset=1, length=24)
              + frag(v6, False, 2, offset=3, length=8))
        write(out, "FuzzDefrag", frag(v6, True, 0, extra=True, offset=0, length=16) + frag(v6, False, 0, offset=2, length=8, proto=1))
        write(out, "FuzzDefrag", frag(v6, True, 3, offset=0, length=16) + frag(v6, False, 3, step=3, offset=2, length=8))
    for _ in range(24):
        write(out, "FuzzDefrag", bytes(rng.getrandbits(8) for _ in range(5 * rng.randint(2, 12))))


def tcp_seeds(out):
    rng = random.Random(5758)
    def seg(direction=0, mode=0, step=0, ackmode=0, syn=False, fin=False, rst=False, ack=True, psh=False, alt=False,
            delta=0, length=0, adjust=0):
        control = direction | mode << 1 | step << 3 | ackmode << 5
        flags = int(syn) | int(fin) << 1 | (12 if rst else 0) | int(ack) << 4 | int(psh) << 5 | int(alt) << 6
        return bytes([control, flags]) + struct.pack(">HBB", delta, length, adjust & 255)
    hs = seg(0, syn=True, ack=False) + seg(1, syn=True) + seg(0)
    write(out, "FuzzTCP", hs + seg(0, length=100, psh=True) + seg(1, length=50) + seg(0, fin=True) + seg(1, fin=True) + seg(0))
    write(out, "FuzzTCP", hs + seg(0, mode=1, delta=100, length=100) + seg(0, length=100) + seg(1, ackmode=0))
    write(out, "FuzzTCP", hs + seg(0, length=100) + seg(0, mode=2, delta=50, length=100) + seg(0, mode=2, delta=200, length=255))
    write(out, "FuzzTCP", hs + seg(0, mode=1, delta=300, length=10) + seg(1, ackmode=2, delta=400) + seg(0, length=20))
    write(out, "FuzzTCP", seg(0, length=30) + seg(1, length=30) + seg(0, rst=True) + seg(0, syn=True, ack=False, alt=True))
    write(out, "FuzzTCP", hs + seg(0, syn=True, length=40) + seg(0, step=3, length=10) + seg(1, step=2, fin=True))
    for _ in range(24):
        write(out, "FuzzTCP", bytes(rng.getrandbits(8) for _ in range(6 * rng.randint(3, 16))))


# --- logs -----------------------------------------------------------------------------------

def log_seeds(out):
    ais = files("nmea/ais/**/*") + files("nmea/anomalies/**/*") + files("nmea/mixed/**/*")
    ais = [p for p in ais if os.path.isfile(p) and not p.endswith((".chk", ".json", ".md"))]
    for path in ais:
        for chunk in line_chunks(read(path), lines=30, count=6):
            write(out, "FuzzNMEA", chunk)
    for chunk in line_chunks(read(os.path.join(SAMPLES, "baltic-ais.log.gz")), lines=30, count=10):
        write(out, "FuzzNMEA", chunk)
        write(out, "FuzzScan", chunk)
    # Fragment groups that never complete, out of order, and from several channels.
    write(out, "FuzzNMEA", b"!AIVDM,2,1,3,B,55P5TL01VIaAL@7WKO@mBplU@<PDhh000000001S;AJ::4A80?4i@E53,0*3E\n"
                           b"!AIVDM,2,1,4,A,55P5TL01VIaAL@7WKO@mBplU@<PDhh000000001S;AJ::4A80?4i@E53,0*3E\n"
                           b"!AIVDM,2,2,5,B,1@0000000000000,2*55\n")
    gnss = [p for p in files("nmea/gnss/**/*.log")] + [os.path.join(SAMPLES, "bridge-gnss.log")]
    for path in gnss:
        for chunk in line_chunks(read(path), lines=40, count=6):
            write(out, "FuzzGNSS", chunk)
    for chunk in line_chunks(read(os.path.join(SAMPLES, "bridge-gnss.log")), lines=20, count=3):
        write(out, "FuzzScan", chunk)
    syslog = read(os.path.join(SAMPLES, "port-gateway.log"))
    for chunk in line_chunks(syslog, lines=10, count=8):
        write(out, "FuzzSyslog", chunk)
        write(out, "FuzzScan", chunk)
    for line in (b"<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - 'su root' failed for lonvick on /dev/pts/8",
                 b"<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - [exampleSDID@32473 iut=\"3\" eventSource=\"Application\"] An application event",
                 b"<13>Feb  5 17:32:18 10.0.0.99 Use the BFG!",
                 b"Nov 27 06:32:01 gw sshd[4242]: Failed password for root from 203.0.113.7 port 4242 ssh2",
                 b"2026-11-27T06:32:01.123456+00:00 gw kernel: [UFW BLOCK] IN=eth0 SRC=198.51.100.1",
                 b"1795766400.25 plain text with an epoch time",
                 b"[2026-11-27 06:32:01] bracketed time",
                 b"<0>1 - - - - - -",
                 b"<191>Dec 31 23:59:59 host app: message\r"):
        write(out, "FuzzSyslog", line + b"\n")
    jsonl = read(os.path.join(SAMPLES, "sensors.jsonl"))
    for chunk in line_chunks(jsonl, lines=3, count=6):
        write(out, "FuzzJSONLines", chunk)
        write(out, "FuzzScan", chunk)
    for path in files("suricata-verify/*/*.json")[:30]:
        for chunk in line_chunks(read(path), lines=2, limit=3000, count=2):
            write(out, "FuzzJSONLines", chunk)
    for line in (b'{"timestamp":"2026-11-27T06:32:01Z","a":{"b":{"c":[1,2.5e3,-0,true,false,null]}},"s":"\\u00e9\\ud83d\\ude00\\n"}',
                 b'{"@timestamp":1795766400.5,"x":"y"}', b'{"ts":"1795766400","deep":[[[[[[[[{"k":"v"}]]]]]]]]}',
                 b'  {"time":"2026-11-27 06:32:01.5+01:00"}  ', b'{"a":1,}', b'{"a":"\\x"}', b'[1,2]'):
        write(out, "FuzzJSONLines", line + b"\n")


# --- compressed -----------------------------------------------------------------------------

def gzip_seeds(out):
    texts = [read(os.path.join(SAMPLES, "port-gateway.log"))[:2000], read(os.path.join(SAMPLES, "sensors.jsonl")),
             read(os.path.join(SAMPLES, "bridge-gnss.log"))[:3000], b"", b"x"]
    pcap = read(os.path.join(SAMPLES, "port-network.pcap"))[:3000]
    texts.append(pcap)
    for t in texts:
        write(out, "FuzzGzip", gzip.compress(t, mtime=0))
        write(out, "FuzzGzip", zlib.compress(t))
    write(out, "FuzzGzip", gzip.compress(texts[0], mtime=0) + gzip.compress(texts[1], mtime=0))
    write(out, "FuzzGzip", gzip.compress(texts[1], mtime=0) + b"\0" * 16)
    write(out, "FuzzGzip", gzip.compress(texts[1], mtime=0) + b"garbage")
    write(out, "FuzzGzip", gzip.compress(texts[0], mtime=0)[:200])
    # A member with FEXTRA, FNAME, FCOMMENT and FHCRC.
    body = zlib.compressobj(9, zlib.DEFLATED, -15)
    deflated = body.compress(texts[1]) + body.flush()
    head = b"\x1f\x8b\x08\x1e" + bytes(4) + b"\x00\x03" + struct.pack("<H", 4) + b"ab\x01\x00" + b"name\0" + b"comment\0"
    head += struct.pack("<H", zlib.crc32(head) & 0xFFFF)
    write(out, "FuzzGzip", head + deflated + struct.pack("<II", zlib.crc32(texts[1]), len(texts[1])))
    # A stored block and a fixed-Huffman block.
    for level, strategy in ((0, zlib.Z_DEFAULT_STRATEGY), (6, zlib.Z_FIXED)):
        c = zlib.compressobj(level, zlib.DEFLATED, 31, 8, strategy)
        write(out, "FuzzGzip", c.compress(texts[0][:500]) + c.flush())
    write(out, "FuzzScan", gzip.compress(texts[0][:1500], mtime=0))
    write(out, "FuzzScan", gzip.compress(pcap[:1500], mtime=0))
    write(out, "FuzzScan", gzip.compress(gzip.compress(texts[1], mtime=0), mtime=0))


# --- signatures -----------------------------------------------------------------------------

def signature_seeds(out):
    for path in sorted(glob.glob(os.path.join(REPO, "Signatures", "**", "*.yml"), recursive=True)):
        data = read(path)
        write(out, "FuzzNative", data[:16384])
        for doc in data.split(b"\n---"):
            if doc.strip():
                write(out, "FuzzNative", doc.strip() + b"\n")
    for doc in (b"title: t\nid: x\narea: cyber\nlevel: low\nlogsource: {category: dns}\ndetection:\n  s:\n    dns.query|endswith:\n      - '.evil'\n      - '.bad'\n  f:\n    dns.query|re|i: '^a.*b$'\n  condition: s and not f\n",
                b"title: c\nid: y\narea: cyber\nlevel: high\ncorrelation:\n  type: value_count\n  rules: [x]\n  group-by: [src_ip]\n  timespan: 5m\n  condition: {field: dest_port, gte: 10}\n",
                b"title: p\nid: z\narea: space\nlevel: medium\nlogsource: {category: packet}\ndetection:\n  a:\n    payload|hex: 'de ad be ef'\n  b:\n    payload|base64offset|contains: secret\n  c:\n    src_ip|cidr: [10.0.0.0/8, 'fe80::/10']\n  condition: 1 of a* or (b and all of them)\n",
                b"a: &a [x, x, x, x]\nb: &b [*a, *a, *a, *a]\nc: [*b, *b, *b, *b]\n"):
        write(out, "FuzzNative", doc)
    for path in files("suricata-verify/*/*.rules"):
        data = read(path)
        write(out, "FuzzSuricata", data[:16384])
        for line in data.split(b"\n"):
            if line.strip() and not line.startswith(b"#"):
                write(out, "FuzzSuricata", line + b"\n")


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    pcap_seeds(out)
    pcapng_seeds(out)
    packet_seeds(out)
    app_seeds(out)
    defrag_seeds(out)
    tcp_seeds(out)
    log_seeds(out)
    gzip_seeds(out)
    signature_seeds(out)
    for t in sorted(os.listdir(out)):
        if not t.startswith("."):
            print(f"{t}: {len(os.listdir(os.path.join(out, t)))} seeds")


if __name__ == "__main__":
    main()
