#!/usr/bin/env python3
"""Write deterministic test captures for Picket's network stages (no dependencies).

  make-flows.py mixed OUT.pcap [FLOWS]   many small flows of every kind Picket decodes:
      HTTP (pipelined, split header blocks, chunked bodies), TLS ClientHellos (varied
      ciphers and extensions, GREASE, split across segments and records), DNS over UDP
      and TCP, IPv4 and IPv6, VLAN tags, IPv4 fragments. Used by the tests to compare
      Picket's decoding with tshark's (default 400 flows).
  make-flows.py tls OUT.pcap [FLOWS]      TLS flows only, each ClientHello in one record
      (split across TCP segments), for comparing JA4 with the ja4plus package, which
      does not join a ClientHello that spans TLS records (default 200 flows).
  make-flows.py million OUT.pcap [FLOWS]  a million short TCP flows (SYN, SYN-ACK, a
      request with FIN, RST), for the memory measurement.
  make-flows.py bigstream OUT.pcap [MB]   one TCP connection carrying MB megabytes
      (default 100) in 1448-byte segments, for the memory measurement.
  make-flows.py bigstream-ooo OUT.pcap [MB]  the same, but the first data segment is lost
      and every other pair of segments is swapped, and the receiver never acknowledges:
      the reassembler has to hold data and fall back on its limits.

The same arguments always give the same bytes.
"""
import random
import struct
import sys


class PcapWriter:
    def __init__(self, path, linktype=1):
        self.f = open(path, "wb", buffering=1 << 20)
        self.f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, linktype))
        self.t = 1_700_000_000_000_000  # microseconds

    def packet(self, frame, advance_us=10):
        self.t += advance_us
        self.f.write(struct.pack("<IIII", self.t // 1_000_000, self.t % 1_000_000, len(frame), len(frame)))
        self.f.write(frame)

    def close(self):
        self.f.close()


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ipv4(src, dst, proto, payload, ident=1, frag=0):
    total = 20 + len(payload)
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, total, ident, frag, 64, proto, 0, src, dst)
    h = h[:10] + struct.pack("!H", checksum(h)) + h[12:]
    return h + payload


def ipv6(src, dst, proto, payload):
    return struct.pack("!IHBB16s16s", 0x60000000, len(payload), proto, 64, src, dst) + payload


def l4_checksum(src, dst, proto, seg):
    if len(src) == 4:
        pseudo = struct.pack("!4s4sBBH", src, dst, 0, proto, len(seg))
    else:
        pseudo = struct.pack("!16s16sIxxxB", src, dst, len(seg), proto)
    return checksum(pseudo + seg)


def tcp(src, dst, sport, dport, seq, ack, flags, data=b""):
    h = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, 5 << 4, flags, 65535, 0, 0)
    c = l4_checksum(src, dst, 6, h + data)
    return h[:16] + struct.pack("!H", c) + h[18:] + data


def udp(src, dst, sport, dport, data):
    h = struct.pack("!HHHH", sport, dport, 8 + len(data), 0)
    c = l4_checksum(src, dst, 17, h + data)
    return h[:6] + struct.pack("!H", c or 0xFFFF) + data


def ether(ip_packet, v6=False, vlan=None):
    etype = 0x86DD if v6 else 0x0800
    head = b"\x00\x11\x22\x33\x44\x55\x00\x66\x77\x88\x99\xaa"
    if vlan is not None:
        return head + struct.pack("!HHH", 0x8100, vlan, etype) + ip_packet
    return head + struct.pack("!H", etype) + ip_packet


class Conn:
    """One TCP connection, written packet by packet."""

    def __init__(self, w, src, dst, sport, dport, v6=False, vlan=None, isn=(1000, 5000)):
        self.w, self.src, self.dst, self.sport, self.dport = w, src, dst, sport, dport
        self.v6, self.vlan = v6, vlan
        self.cseq, self.sseq = isn[0], isn[1]

    def _send(self, from_client, flags, data=b""):
        if from_client:
            seg = tcp(self.src, self.dst, self.sport, self.dport, self.cseq, self.sseq, flags, data)
            ip = ipv6(self.src, self.dst, 6, seg) if self.v6 else ipv4(self.src, self.dst, 6, seg)
        else:
            seg = tcp(self.dst, self.src, self.dport, self.sport, self.sseq, self.cseq, flags, data)
            ip = ipv6(self.dst, self.src, 6, seg) if self.v6 else ipv4(self.dst, self.src, 6, seg)
        self.w.packet(ether(ip, self.v6, self.vlan))

    def handshake(self):
        self._send(True, 0x02)
        self.cseq += 1
        self._send(False, 0x12)
        self.sseq += 1
        self._send(True, 0x10)

    def client(self, data, split=()):
        """Send data from the client, cut at the given offsets into segments."""
        cuts = [0] + [c for c in split if 0 < c < len(data)] + [len(data)]
        for a, b in zip(cuts, cuts[1:]):
            self._send(True, 0x18, data[a:b])
            self.cseq += b - a
        self._send(False, 0x10)

    def server(self, data):
        for a in range(0, len(data), 1400):
            piece = data[a:a + 1400]
            self._send(False, 0x18, piece)
            self.sseq += len(piece)
        self._send(True, 0x10)

    def close(self):
        self._send(True, 0x11)
        self.cseq += 1
        self._send(False, 0x11)
        self.sseq += 1
        self._send(True, 0x10)


def dns_name(name):
    out = b""
    for label in name.split("."):
        out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def dns_query(ident, name, qtype=1):
    return struct.pack("!HHHHHH", ident, 0x0100, 1, 0, 0, 0) + dns_name(name) + struct.pack("!HH", qtype, 1)


def dns_answer(ident, name, qtype, rcode=0):
    flags = 0x8180 | rcode
    ancount = 0 if rcode else 1
    msg = struct.pack("!HHHHHH", ident, flags, 1, ancount, 0, 0) + dns_name(name) + struct.pack("!HH", qtype, 1)
    if ancount:
        if qtype == 28:
            rdata = bytes(range(16))
        else:
            rdata = bytes([192, 0, 2, ident % 250 + 1])
        msg += b"\xc0\x0c" + struct.pack("!HHIH", qtype, 1, 300, len(rdata)) + rdata
    return msg


GREASE = [0x0A0A, 0x1A1A, 0x2A2A, 0x3A3A, 0x4A4A, 0x5A5A, 0x6A6A, 0x7A7A]
CIPHERS = [0x1301, 0x1302, 0x1303, 0xC02B, 0xC02F, 0xC02C, 0xC030, 0xCCA9, 0xCCA8, 0xC013, 0xC014, 0x009C, 0x009D,
           0x002F, 0x0035, 0x000A]


def ext(t, body):
    return struct.pack("!HH", t, len(body)) + body


def client_hello(rng, sni, i):
    ciphers = rng.sample(CIPHERS, rng.randint(3, len(CIPHERS)))
    grease = rng.random() < 0.5
    if grease:
        ciphers = [rng.choice(GREASE)] + ciphers
    exts = []
    if grease:
        exts.append(ext(rng.choice(GREASE), b""))
    if sni is not None:
        name = sni.encode()
        exts.append(ext(0, struct.pack("!HBH", len(name) + 3, 0, len(name)) + name))
    groups = rng.sample([0x001D, 0x0017, 0x0018, 0x0019], rng.randint(1, 4))
    exts.append(ext(10, struct.pack("!H", 2 * len(groups)) + b"".join(struct.pack("!H", g) for g in groups)))
    exts.append(ext(11, b"\x01\x00"))
    sigs = rng.sample([0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601], rng.randint(2, 8))
    exts.append(ext(13, struct.pack("!H", 2 * len(sigs)) + b"".join(struct.pack("!H", s) for s in sigs)))
    if rng.random() < 0.7:
        protos = [b"h2", b"http/1.1"] if rng.random() < 0.5 else [b"http/1.1"]
        body = b"".join(bytes([len(p)]) + p for p in protos)
        exts.append(ext(16, struct.pack("!H", len(body)) + body))
    if rng.random() < 0.6:
        exts.append(ext(43, b"\x04\x03\x04\x03\x03"))
    exts.append(ext(23, b""))
    if rng.random() < 0.3:
        exts.append(ext(21, b"\0" * rng.randint(1, 40)))  # padding
    extensions = b"".join(exts)
    body = struct.pack("!H", 0x0303) + bytes(rng.getrandbits(8) for _ in range(32)) + b"\x20" + bytes(32)
    body += struct.pack("!H", 2 * len(ciphers)) + b"".join(struct.pack("!H", c) for c in ciphers)
    body += b"\x01\x00" + struct.pack("!H", len(extensions)) + extensions
    return b"\x01" + struct.pack("!I", len(body))[1:] + body


def tls_records(hs, record_size=None):
    size = record_size or len(hs)
    out = b""
    for a in range(0, len(hs), size):
        piece = hs[a:a + size]
        out += b"\x16\x03\x01" + struct.pack("!H", len(piece)) + piece
    return out


def addr(i, v6, server=False):
    if v6:
        return bytes([0x20, 0x01, 0x0D, 0xB8] + [0] * 8 + [1 if server else 2, 0, i >> 8 & 255, i & 255])
    return bytes([10, 1 if server else 2, i >> 8 & 255, i & 255])


def mixed(path, flows, tls_only=False):
    rng = random.Random(20260101)
    w = PcapWriter(path)
    hosts = ["example.org", "www.example.com", "cdn.example.net", "api.test", "Mixed.Case.Example"]
    for i in range(flows):
        v6 = i % 5 == 4
        vlan = 100 + i % 3 if i % 7 == 3 else None
        c, s = addr(i, v6), addr(i, v6, server=True)
        sport = 20000 + i
        kind = 2 + i % 2 if tls_only else i % 6
        if kind in (0, 1):  # HTTP, sometimes pipelined, sometimes split
            conn = Conn(w, c, s, sport, 80 if kind == 0 else 8080, v6, vlan, isn=(rng.getrandbits(32), rng.getrandbits(32)))
            conn.handshake()
            reqs = b""
            for r in range(1 + i % 3):
                host = rng.choice(hosts) + (":8080" if kind == 1 else "")
                uri = "/p%d/r%d?q=%d" % (i, r, rng.randint(0, 999))
                method = "POST" if r == 1 else "GET"
                req = "%s %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: gen/%d\r\n" % (method, uri, host, i)
                if method == "POST":
                    if i % 2:
                        req += "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"
                    else:
                        req += "Content-Length: 11\r\n\r\nhello world"
                else:
                    req += "\r\n"
                reqs += req.encode()
            split = (17, 40) if i % 4 == 1 else ()
            conn.client(reqs, split)
            conn.server(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            conn.close()
        elif kind in (2, 3):  # TLS ClientHello, sometimes over several records or segments
            conn = Conn(w, c, s, sport, 443, v6, vlan, isn=(rng.getrandbits(32), rng.getrandbits(32)))
            conn.handshake()
            sni = None if i % 11 == 2 else "tls%d.%s" % (i, rng.choice(hosts).lower())
            hs = client_hello(rng, sni, i)
            data = tls_records(hs, 100 if i % 4 == 3 and not tls_only else None)
            split = (60, 150) if i % 3 == 0 else ()
            conn.client(data, split)
            conn.server(b"\x15\x03\x03\x00\x02\x02\x28")
            conn.close()
        elif kind == 4:  # DNS over UDP
            name = "q%d.%s" % (i, rng.choice(hosts).lower())
            qtype = 28 if v6 else 1
            q = dns_query(i & 0xFFFF, name, qtype)
            a = dns_answer(i & 0xFFFF, name, qtype, rcode=3 if i % 10 == 4 else 0)
            for frm, to, sp, dp, msg in ((c, s, sport, 53, q), (s, c, 53, sport, a)):
                seg = udp(frm, to, sp, dp, msg)
                ip = ipv6(frm, to, 17, seg) if v6 else ipv4(frm, to, 17, seg)
                w.packet(ether(ip, v6, vlan))
        else:  # DNS over TCP, or a fragmented UDP DNS response
            name = "t%d.%s" % (i, rng.choice(hosts).lower())
            if i % 2:
                conn = Conn(w, c, s, sport, 53, v6, vlan, isn=(rng.getrandbits(32), rng.getrandbits(32)))
                conn.handshake()
                q = dns_query(i & 0xFFFF, name)
                conn.client(struct.pack("!H", len(q)) + q, (1,))
                a = dns_answer(i & 0xFFFF, name, 1)
                conn.server(struct.pack("!H", len(a)) + a)
                conn.close()
            else:
                c4, s4 = addr(i, False), addr(i, False, server=True)
                q = dns_query(i & 0xFFFF, name)
                w.packet(ether(ipv4(c4, s4, 17, udp(c4, s4, sport, 53, q))))
                a = dns_answer(i & 0xFFFF, name, 1)
                seg = udp(s4, c4, 53, sport, a)
                cut = 16  # two IPv4 fragments: the UDP header and 8 bytes, then the rest
                w.packet(ether(ipv4(s4, c4, 17, seg[:cut], ident=i, frag=0x2000)))
                w.packet(ether(ipv4(s4, c4, 17, seg[cut:], ident=i, frag=cut // 8)))
    w.close()


def million(path, flows):
    w = PcapWriter(path)
    for i in range(flows):
        c = bytes([10, 64 + (i >> 16 & 63), i >> 8 & 255, i & 255])
        s = bytes([192, 0, 2, 1 + i % 200])
        sport = 1024 + i % 60000
        conn = Conn(w, c, s, sport, 80, isn=(i * 7919, i * 104729))
        conn._send(True, 0x02)
        conn.cseq += 1
        conn._send(False, 0x12)
        conn.sseq += 1
        conn._send(True, 0x19, b"GET /%d HTTP/1.1\r\nHost: h%d.example\r\n\r\n" % (i, i % 1000))
        conn._send(False, 0x04)
    w.close()


def bigstream(path, megabytes, disorder=False):
    w = PcapWriter(path)
    conn = Conn(w, bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2]), 40000, 8000, isn=(0xFFFF0000, 77))
    conn.handshake()
    rng = random.Random(7)
    block = bytes(rng.getrandbits(8) for _ in range(1 << 16))
    total = megabytes * 1_000_000
    sent = 0
    held = None
    index = 0
    while sent < total:
        n = min(1448, total - sent)
        off = sent % (len(block) - 1448)
        if not disorder:
            conn._send(True, 0x18, block[off:off + n])
            if (sent + n) % (1448 * 16) == 0:
                conn._send(False, 0x10)
        elif index == 0:
            pass  # lost
        elif index % 4 == 1:
            held = (conn.cseq, block[off:off + n])
        else:
            conn._send(True, 0x18, block[off:off + n])
            if held is not None:
                seq = conn.cseq
                conn.cseq = held[0]
                conn._send(True, 0x18, held[1])
                conn.cseq = seq
                held = None
        conn.cseq += n
        sent += n
        index += 1
    conn.close()
    w.close()


if __name__ == "__main__":
    if len(sys.argv) < 3 or sys.argv[1] not in ("mixed", "tls", "million", "bigstream", "bigstream-ooo"):
        sys.exit(__doc__)
    mode, out = sys.argv[1], sys.argv[2]
    arg = int(sys.argv[3]) if len(sys.argv) > 3 else None
    if mode == "mixed":
        mixed(out, arg or 400)
    elif mode == "tls":
        mixed(out, arg or 200, tls_only=True)
    elif mode == "million":
        million(out, arg or 1_000_000)
    else:
        bigstream(out, arg or 100, disorder=mode == "bigstream-ooo")
