#!/usr/bin/env python3
"""Stream large generated inputs to stdout for the memory-under-pressure checks (no files).

  make-pressure.py capture MB    a pcap of about MB megabytes: 40,000 long TCP connections
      carrying data round after round (every 16th pair of segments swapped, so data is held
      out of order; every 97th segment lost, so gaps are declared), IPv4 fragments of which
      every 2nd datagram never completes, and 5,000 new one-packet flows a round, so the flow
      table fills up and evicts. Prints nothing else; the packet count goes to stderr at the end.
  make-pressure.py flows N       a pcap of N concurrent TCP flows: a SYN each, none ever closed.
  make-pressure.py mmsi N        N AIS position reports (!AIVDM type 1), each from a new MMSI.

The same arguments always give the same bytes.
"""
import struct
import sys

out = sys.stdout.buffer


def pcap_header():
    out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))


def frame_template(src, dst, sport, dport, payload_len, proto=6):
    """Ethernet + IPv4 + TCP (or UDP) with zero checksums, as offloading NICs capture them."""
    l4 = 20 if proto == 6 else 8
    total = 20 + l4 + payload_len
    eth = b"\x00\x01\x02\x03\x04\x05\x00\x06\x07\x08\x09\x0a\x08\x00"
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, total, 1, 0x4000, 64, proto, 0, src, dst)
    if proto == 6:
        t = struct.pack("!HHIIBBHHH", sport, dport, 0, 0, 0x50, 0x18, 65535, 0, 0)
    else:
        t = struct.pack("!HHHH", sport, dport, 8 + payload_len, 0)
    return bytearray(eth + ip + t + bytes((i * 7 + sport) & 255 for i in range(payload_len)))


REC = struct.Struct("<IIII")
SEQ = struct.Struct("!I")


def capture(megabytes):
    pcap_header()
    budget = megabytes * 1_000_000
    written = 24
    packets = 0
    hot = 40_000
    size = 1000
    server = bytes([10, 200, 0, 1])
    templates = []
    for i in range(hot):
        client = bytes([10, 1 + i // 65536 % 200, i // 256 % 256, i % 256])
        templates.append(frame_template(client, server, 1024 + i % 60000, 80, size))
    seqs = [(i * 2654435761) & 0xFFFFFFFF for i in range(hot)]
    rnd = 0
    sec = 1_800_000_000
    while written < budget:
        rnd += 1
        sec += 1
        usec = 0
        # Long connections: one segment each; every 16th flow swaps this round's pair order
        # (sends the second segment first), every 97th segment is lost.
        for i in range(hot):
            f = templates[i]
            second = i % 16 == rnd % 16
            for k in ((1, 0) if second else (0,)):
                seq = (seqs[i] + k * size) & 0xFFFFFFFF
                if (i + rnd * 31 + k) % 97 == 0:
                    continue  # lost
                SEQ.pack_into(f, 38, seq)
                usec += 1
                out.write(REC.pack(sec, usec, len(f), len(f)))
                out.write(f)
                written += 16 + len(f)
                packets += 1
            seqs[i] = (seqs[i] + size * (2 if second else 1)) & 0xFFFFFFFF
        # One-packet flows (a SYN each) that fill the flow table.
        for j in range(5000):
            n = rnd * 5000 + j
            client = bytes([10, 250, n // 256 % 256, n % 256])
            f = frame_template(client, server, 1024 + n % 60000, 443, 0)
            f[47] = 0x02  # SYN
            usec += 1
            out.write(REC.pack(sec, usec, len(f), len(f)))
            out.write(f)
            written += 16 + len(f)
            packets += 1
        # IPv4 fragments: 500 datagrams of two fragments; every 5th loses its second.
        for j in range(500):
            ident = (rnd * 500 + j) & 0xFFFF
            base = frame_template(bytes([10, 9, 0, j % 256]), server, 5000, 53, 1200, proto=17)
            for off, more, data in ((0, True, base[34:34 + 800]), (100, False, base[34 + 800:])):
                if not more and j % 2 == 0:
                    continue
                ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(data), ident, (0x2000 if more else 0) | off, 64, 17, 0,
                                 bytes([10, 9, 0, j % 256]), server)
                f = base[:14] + ip + data
                usec += 1
                out.write(REC.pack(sec, usec, len(f), len(f)))
                out.write(f)
                written += 16 + len(f)
                packets += 1
    out.flush()
    print(f"packets={packets} bytes={written}", file=sys.stderr)


def flows(n):
    pcap_header()
    server = bytes([10, 200, 0, 1])
    f = frame_template(b"\0\0\0\0", server, 0, 80, 0)
    f[47] = 0x02
    for i in range(n):
        f[26:30] = bytes([10, 1 + i // 65536 % 250, i // 256 % 256, i % 256])
        struct.pack_into("!H", f, 34, 1024 + i % 60000)
        out.write(REC.pack(1_800_000_000 + i // 100_000, i % 100_000, len(f), len(f)))
        out.write(f)
    out.flush()


def armour(v):
    return v + 48 if v < 40 else v + 56


def mmsi(n):
    # Type 1, repeat 0, status 0, rot -128, sog 10.0 kn, accuracy 0, lon 24.9, lat 60.1,
    # cog 90.0, heading 90, second 30, maneuver 0, spare, raim 0, radio 0.
    rest = 0
    for value, bits in ((0, 4), (0x80, 8), (100, 10), (0, 1), (int(24.9 * 600000) & (2**28 - 1), 28),
                        (int(60.1 * 600000) & (2**27 - 1), 27), (900, 12), (90, 9), (30, 6), (0, 2), (0, 3), (0, 1), (0, 19)):
        rest = rest << bits | value
    lines = []
    for i in range(n):
        m = 230_000_000 + i
        v = ((1 << 2 | 0) << 30 | m) << 130 | rest
        payload = bytes(armour(v >> (162 - 6 * k) & 63) for k in range(28))
        body = b"AIVDM,1,1,,A," + payload + b",0"
        c = 0
        for b in body:
            c ^= b
        lines.append(b"!%s*%02X\n" % (body, c))
        if len(lines) == 10000:
            out.write(b"".join(lines))
            lines.clear()
    out.write(b"".join(lines))
    out.flush()


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("capture", "flows", "mmsi"):
        sys.exit(__doc__)
    {"capture": capture, "flows": flows, "mmsi": mmsi}[sys.argv[1]](int(sys.argv[2]))


if __name__ == "__main__":
    main()
