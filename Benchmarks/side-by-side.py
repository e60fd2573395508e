#!/usr/bin/env python3
"""Picket side by side with the tools people would use instead, on the same files, in one run.

Generates deterministic data of a given size (default 1 GiB each):
  capture.pcap    Ethernet pcap: TCP and UDP over IPv4 (some 802.1Q) and IPv6, text payloads
  log.txt         syslog (RFC 3164 and 5424), JSON lines and plain text
  log.txt.gz      the log, gzip -6
  ngrep.pcap      the first --ngrep-size bytes of the capture (ngrep is too slow for all of it)
  indicators-1k.txt, indicators-10k.txt   literal indicators (domains, md5, sha1); the 1k list is
                  the first 1,000 of the 10k list
  signatures/     Picket signatures, one per indicator (payload|contains|cased), as packet and as
                  text signatures; yara rules (one rule per string, compiled with yarac)
  plan.json       how many records of each file carry each indicator
Indicators are planted at most once per packet or line, half of them from the first 1,000.

Then runs every tool on the same files, interleaved (each repetition runs every command once, in
turn), and reports the median time, throughput (input bytes / s; for gzip input the uncompressed
bytes), Picket's throughput divided by the tool's, and peak resident memory (/usr/bin/time -v).
Every Picket run must find exactly the planted indicators (findings per signature from its EVE
output, against the plan) and count every packet and line as decoded; otherwise the script
stops with an error.

Usage (from anywhere):
  nice -n 10 Benchmarks/side-by-side.py                 # 1 GiB, 5 repetitions
  nice -n 10 Benchmarks/side-by-side.py --size 256M --reps 3
"""

import argparse
import datetime
import json
import os
import platform
import random
import re
import shutil
import statistics
import struct
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
GENERATOR_VERSION = 3

PEERS = {  # command → Debian package
    "ugrep": "ugrep", "rg": "ripgrep", "yara": "yara", "yarac": "yara", "ngrep": "ngrep",
    "tcpdump": "tcpdump", "hyperfine": "hyperfine", "gzip": "gzip",
}


def fail(message):
    print(f"side-by-side: FAILED: {message}", file=sys.stderr)
    sys.exit(1)


def parse_size(text):
    m = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([kKmMgG]?)(i?[bB])?", text.strip())
    if not m:
        raise argparse.ArgumentTypeError(f"bad size '{text}' (e.g. 1G, 256M, 1048576)")
    scale = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}[m.group(2).lower()]
    return int(float(m.group(1)) * scale)


def human(n):
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= scale:
            v = n / scale
            return f"{v:.0f} {unit}" if v == int(v) else f"{v:.1f} {unit}"
    return f"{n} B"


# ---------------------------------------------------------------------------------------------
# Setup: peers and Picket

def install_peers(allow):
    if shutil.which("/usr/bin/time") is None and not os.path.exists("/usr/bin/time"):
        missing_pkgs = {"time"}
    else:
        missing_pkgs = set()
    missing_pkgs |= {pkg for cmd, pkg in PEERS.items() if shutil.which(cmd) is None}
    if not missing_pkgs:
        return
    if not allow:
        fail(f"missing tools: {', '.join(sorted(missing_pkgs))} (run without --no-install to install them)")
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    print(f"side-by-side: installing {' '.join(sorted(missing_pkgs))}", file=sys.stderr)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(sudo + ["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(sudo + ["apt-get", "install", "-y", "-qq", "--no-install-recommends"] + sorted(missing_pkgs),
                   check=True, env=env, stdout=subprocess.DEVNULL)


def build_picket():
    print("side-by-side: building picket (release)", file=sys.stderr)
    subprocess.run(["swift", "build", "-c", "release", "--product", "picket"], cwd=REPO, check=True,
                   stdout=subprocess.DEVNULL)
    out = subprocess.run(["swift", "build", "-c", "release", "--show-bin-path"], cwd=REPO, check=True,
                         capture_output=True, text=True).stdout.strip()
    return os.path.join(out, "picket")


def tool_versions(picket):
    def first_line(cmd):
        try:
            r = subprocess.run(cmd, capture_output=True, text=True, timeout=10)
            return (r.stdout or r.stderr).strip().splitlines()[0]
        except Exception as e:  # noqa: BLE001 - only for a report line
            return f"? ({e})"
    commit = subprocess.run(["git", "-C", REPO, "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip()
    return {
        "picket": f"{picket} (commit {commit})",
        "tcpdump": first_line(["tcpdump", "--version"]),
        "ugrep": first_line(["ugrep", "--version"]),
        "rg": first_line(["rg", "--version"]),
        "yara": first_line(["yara", "--version"]),
        "ngrep": first_line(["ngrep", "-V"]),
        "gzip": first_line(["gzip", "--version"]),
    }


# ---------------------------------------------------------------------------------------------
# Data

WORDS = ("the request server client session connection accepted closed timeout user admin login "
         "password failed success download upload update config service Content Type Length Accept "
         "Encoding gzip deflate keep alive Cache Control Mozilla Windows Linux AppleWebKit like Gecko "
         "Chrome Safari text html json application image png www example cdn static assets index api "
         "items query status error warning info debug kernel eth link up down port from to via for "
         "with and or not vessel position track report sensor GET POST HTTP Host Agent Cookie Referer "
         "Server Date Connection Transfer chunked Location Set").split()
PUNCT = [" ", " ", " ", " ", ", ", "/", ": ", "; ", " - ", "=", "&", "?", ". "]
TLDS = ["com", "net", "org", "info", "biz", "ru", "cn", "xyz", "top", "io"]
HEX = "0123456789abcdef"
HIGH = "ghijklmnopqrstuvwxyz"


def make_indicators(count, rng):
    """Domains whose 10-character label mixes digits and g–z letters (no filler token can hold
    one: filler has pure-letter words, pure numbers and hex runs), md5 and sha1 digests. Within a
    family all have one length, so no indicator contains another."""
    out, seen = [], set()
    while len(out) < count:
        kind = len(out) % 3
        if kind == 0:
            label = []
            for k in range(10):
                if k in (0, 4, 8):
                    label.append(rng.choice(HIGH))
                elif k in (3, 7):
                    label.append(rng.choice("0123456789"))
                else:
                    label.append(rng.choice(HIGH) if rng.random() < 0.5 else rng.choice(HEX))
            s = "".join(label) + "." + rng.choice(TLDS)
        elif kind == 1:
            s = "".join(rng.choice(HEX) for _ in range(32))
        else:
            s = "".join(rng.choice(HEX) for _ in range(40))
        if s not in seen:
            seen.add(s)
            out.append(s)
    return out


def filler(rng, n, newlines):
    """About n bytes of text; packets get CRLF now and then (text protocols), log lines never."""
    parts, size = [], 0
    while size < n:
        r = rng.random()
        if r < 0.1:
            t = str(rng.randrange(100000))
        elif r < 0.2:
            t = "%x" % rng.getrandbits(rng.randrange(32, 64))
        else:
            t = rng.choice(WORDS)
        p = "\r\n" if newlines and rng.random() < 0.06 else rng.choice(PUNCT)
        parts.append(t)
        parts.append(p)
        size += len(t) + len(p)
    return "".join(parts)[:n]


def frame(rng, i, payload):
    """An Ethernet frame around a TCP or UDP payload: IPv4 (a seventh of them 802.1Q-tagged) or
    IPv6 (a tenth)."""
    is_tcp = i % 3 != 2
    is_v6 = i % 10 == 9
    tagged = not is_v6 and i % 7 == 3
    if is_tcp:
        l4 = struct.pack("!HHIIBBHHH", rng.randrange(1024, 61000), 443 if i % 2 == 0 else 80,
                         rng.getrandbits(32), rng.getrandbits(32), 0x50, 0x18, 64240, 0, 0)
    else:
        l4 = struct.pack("!HHHH", rng.randrange(1024, 61000), 53, 8 + len(payload), 0)
    l4 += payload
    eth = bytes.fromhex("001122334455") + bytes.fromhex("66778899aabb")
    if tagged:
        eth += struct.pack("!HH", 0x8100, 100 + i % 50)
    if is_v6:
        eth += struct.pack("!H", 0x86DD)
        ip = struct.pack("!IHBB", 0x60000000, len(l4), 6 if is_tcp else 17, 64)
        ip += bytes.fromhex("20010db8") + bytes(11) + bytes([1 + i % 200])
        ip += bytes.fromhex("20010db8") + bytes(11) + b"\x01"
    else:
        eth += struct.pack("!H", 0x0800)
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), i & 0xFFFF, 0x4000, 64, 6 if is_tcp else 17, 0,
                         struct.pack("!I", 0x0A000000 | (1 + i % 250)), bytes([192, 168, 0, 1]))
    return eth + ip + l4


def pick_indicator(rng):
    """Half the plants from the first 1,000 (both lists find them), half from the rest."""
    return rng.randrange(1000) if rng.random() < 0.5 else rng.randrange(1000, 10000)


def generate_capture(path, size, rng, indicators, plant_every, small_path, small_size):
    pool = []
    for k in range(8192):
        n = rng.randrange(900, 1400) if rng.random() < 0.25 else rng.randrange(40, 440)
        pool.append(frame(rng, k, filler(rng, n, True).encode()))
    counts = {}
    written = 0
    packets = 0
    base = 1_795_000_000
    next_plant = plant_every // 2
    small_done = False
    with open(path, "wb") as f, open(small_path, "wb") as small:
        header = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)
        f.write(header)
        small.write(header)
        written = len(header)
        chunk = []
        while written < size:
            if written >= next_plant:
                k = pick_indicator(rng)
                n = rng.randrange(40, 900)
                before = rng.randrange(n)
                text = filler(rng, before, True) + " " + indicators[k] + " " + filler(rng, n - before, True)
                fr = frame(rng, packets, text.encode())
                counts[k] = counts.get(k, 0) + 1
                next_plant += plant_every
            else:
                fr = pool[rng.randrange(8192)]
            rec = struct.pack("<IIII", base + packets // 1000, (packets % 1000) * 1000, len(fr), len(fr)) + fr
            chunk.append(rec)
            written += len(rec)
            packets += 1
            if not small_done and written >= small_size:
                small_done = True
                small.write(b"".join(chunk))
                small_packets = packets
            if len(chunk) >= 4096:
                data = b"".join(chunk)
                f.write(data)
                if not small_done:
                    small.write(data)
                chunk = []
        data = b"".join(chunk)
        f.write(data)
        if not small_done:
            small.write(data)
            small_packets = packets
    return {"packets": packets, "bytes": written, "plants": {str(k): v for k, v in sorted(counts.items())},
            "small_packets": small_packets}


def generate_log(path, size, rng, indicators, plant_every):
    hosts = ["gw-01", "web-3", "db-2", "bridge", "ais-rx"]
    apps = ["sshd", "nginx", "kernel", "cron", "aisd"]
    # Bodies without time; the time prefix is added per line by format.
    pool = []
    for _ in range(16384):
        fmt = rng.randrange(4)
        msg = filler(rng, rng.randrange(40, 200), False)
        host, app, pid = rng.choice(hosts), rng.choice(apps), rng.randrange(100, 30000)
        pool.append((fmt, host, app, pid, msg))

    def line(fmt, host, app, pid, msg, t):
        mm, ss = t // 60 % 60, t % 60
        if fmt == 0:
            return f"Nov 27 06:{mm:02d}:{ss:02d} {host} {app}[{pid}]: {msg}\n"
        if fmt == 1:
            return f"<34>1 2026-11-27T06:{mm:02d}:{ss:02d}.123Z {host} {app} {pid} ID47 - {msg}\n"
        if fmt == 2:
            return (f'{{"timestamp":"2026-11-27T06:{mm:02d}:{ss:02d}Z","host":"{host}","level":"info",'
                    f'"msg":"{msg}","bytes":{pid}}}\n')
        return f"INFO [{app}] {msg}\n"

    counts = {}
    written = 0
    lines = 0
    next_plant = plant_every // 2
    with open(path, "wb") as f:
        chunk = []
        while written < size:
            t = lines // 2000
            if written >= next_plant:
                k = pick_indicator(rng)
                msg = filler(rng, rng.randrange(10, 80), False) + " " + indicators[k] + " " + filler(rng, rng.randrange(0, 80), False)
                fmt, host, app, pid, _ = pool[rng.randrange(len(pool))]
                text = line(fmt, host, app, pid, msg, t)
                counts[k] = counts.get(k, 0) + 1
                next_plant += plant_every
            else:
                text = line(*pool[rng.randrange(len(pool))], t)
            b = text.encode()
            chunk.append(b)
            written += len(b)
            lines += 1
            if len(chunk) >= 8192:
                f.write(b"".join(chunk))
                chunk = []
        f.write(b"".join(chunk))
    return {"lines": lines, "bytes": written, "plants": {str(k): v for k, v in sorted(counts.items())}}


def write_signatures(folder, indicators, count):
    for category in ("packet", "text"):
        with open(os.path.join(folder, f"{category}-{count // 1000}k.yml"), "w") as f:
            for i in range(count):
                f.write(f"title: indicator {i}\nid: ioc-{category}-{i}\narea: cyber\nlevel: medium\n"
                        f"logsource: {{category: {category}}}\ndetection:\n  sel:\n"
                        f"    payload|contains|cased: '{indicators[i]}'\n  condition: sel\n---\n")
    yar = os.path.join(folder, f"rules-{count // 1000}k.yar")
    with open(yar, "w") as f:
        for i in range(count):
            f.write(f'rule ioc_{i} {{ strings: $s = "{indicators[i]}" condition: $s }}\n')
    subprocess.run(["yarac", yar, yar + "c"], check=True)


def generate(work, size, seed, ngrep_size):
    params = {"version": GENERATOR_VERSION, "size": size, "seed": seed, "ngrep_size": ngrep_size}
    plan_path = os.path.join(work, "plan.json")
    if os.path.exists(plan_path):
        with open(plan_path) as f:
            plan = json.load(f)
        if plan.get("params") == params:
            print(f"side-by-side: reusing the data in {work}", file=sys.stderr)
            return plan
    os.makedirs(os.path.join(work, "signatures"), exist_ok=True)
    os.makedirs(os.path.join(work, "empty-signatures"), exist_ok=True)
    rng = random.Random(seed)
    started = time.time()
    indicators = make_indicators(10000, rng)
    for n in (1000, 10000):
        with open(os.path.join(work, f"indicators-{n // 1000}k.txt"), "w") as f:
            f.write("\n".join(indicators[:n]) + "\n")
        write_signatures(os.path.join(work, "signatures"), indicators, n)
    # ngrep takes one regular expression: an alternation of the 1,000 indicators.
    with open(os.path.join(work, "ngrep-1k.txt"), "w") as f:
        f.write("|".join(re.escape(s) for s in indicators[:1000]))
    plant_every = 256 << 10
    print(f"side-by-side: generating a {human(size)} capture and log in {work}", file=sys.stderr)
    capture = generate_capture(os.path.join(work, "capture.pcap"), size, rng, indicators, plant_every,
                               os.path.join(work, "ngrep.pcap"), ngrep_size)
    log = generate_log(os.path.join(work, "log.txt"), size, rng, indicators, plant_every)
    print("side-by-side: compressing the log (gzip -6)", file=sys.stderr)
    with open(os.path.join(work, "log.txt.gz"), "wb") as out:
        subprocess.run(["gzip", "-6", "-c", os.path.join(work, "log.txt")], stdout=out, check=True)
    plan = {"params": params, "capture": capture, "log": log,
            "generated_seconds": round(time.time() - started, 1)}
    with open(plan_path, "w") as f:
        json.dump(plan, f, indent=1)
    return plan


# ---------------------------------------------------------------------------------------------
# Runs

def expected_findings(plan_part, category, limit):
    return {f"ioc-{category}-{k}": v for k, v in plan_part["plants"].items() if int(k) < limit}


def check_picket(job, plan, out_path, stats_path):
    """Findings per signature must equal the plan; every record must be decoded."""
    got = {}
    with open(out_path) as f:
        for line in f:
            if line.strip():
                rule = json.loads(line)["picket"]["rule"]
                got[rule] = got.get(rule, 0) + 1
    want = job["expect"]
    if got != want:
        missing = {k: v for k, v in want.items() if got.get(k) != v}
        extra = {k: v for k, v in got.items() if k not in want}
        fail(f"{job['name']}: findings differ from the plan: {sum(got.values())} findings for {len(got)} "
             f"signatures, expected {sum(want.values())} for {len(want)}; wrong or missing {list(missing.items())[:5]}, "
             f"unexpected {list(extra.items())[:5]}")
    with open(stats_path) as f:
        stats = json.load(f)
    kind, count = job["records"]
    c = stats[kind]
    if c["total"] != count or c["decoded"] != count:
        fail(f"{job['name']}: {kind} total {c['total']}, decoded {c['decoded']}, expected {count} of each")
    return sum(got.values())


def job_env(work):
    """Picket's compiled-database cache lives in the work folder, so a run neither depends on nor
    changes the user's cache (a database compiled elsewhere, e.g. under valgrind, which lacks
    AVX-512, could be slower or fail to load)."""
    return dict(os.environ, XDG_CACHE_HOME=os.path.join(work, "cache"))


def run_once(job, work):
    tag = re.sub(r"[^a-z0-9]+", "-", job["name"].lower()).strip("-")
    time_path = os.path.join(work, "runs", tag + ".time")
    out_path = os.path.join(work, "runs", tag + ".out")
    cmd = ["/usr/bin/time", "-v", "-o", time_path] + job["cmd"]
    with open(out_path, "wb") as out:
        started = time.perf_counter()
        r = subprocess.run(cmd, stdout=out, stderr=subprocess.PIPE, cwd=work, env=job_env(work))
        seconds = time.perf_counter() - started
    if r.returncode not in job.get("ok", (0,)):
        fail(f"{job['name']}: exit status {r.returncode}: {r.stderr.decode(errors='replace')[-500:]}")
    rss = 0
    with open(time_path) as f:
        for line in f:
            if "Maximum resident set size" in line:
                rss = int(line.split(":")[1]) * 1024
    return seconds, rss


def jobs_for(args, work, plan, picket):
    cap, log = plan["capture"], plan["log"]
    cap_b, log_b, small_b = cap["bytes"], log["bytes"], os.path.getsize(os.path.join(work, "ngrep.pcap"))
    sig = lambda name: os.path.join("signatures", name)  # noqa: E731
    jobs = []

    def picket_job(name, group, sigs, input_, nbytes, category, limit, records, extra=()):
        out = os.path.join("runs", re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") + ".eve.json")
        stats = out.replace(".eve.json", ".stats.json")
        expect = expected_findings(cap if category == "packet" else log, category, limit) if limit else {}
        jobs.append({"name": name, "group": group, "tool": "picket", "bytes": nbytes, "picket": True,
                     "cmd": [picket, "scan", "-s", sigs, input_, "--format", "eve", "-o", out, "--stats-json", stats, *extra],
                     "eve": out, "stats": stats, "expect": expect, "records": records})

    def peer(name, group, tool, cmd, nbytes, ok=(0,)):
        jobs.append({"name": name, "group": group, "tool": tool, "bytes": nbytes, "cmd": cmd, "ok": ok})

    packets = ("packets", cap["packets"])
    lines = ("lines", log["lines"])
    # Reading a capture: no signatures at all.
    picket_job("picket, no signatures", "capture-read", "empty-signatures", "capture.pcap", cap_b, "packet", 0, packets)
    peer("tcpdump -r -w /dev/null", "capture-read", "tcpdump", ["tcpdump", "-r", "capture.pcap", "-w", "/dev/null"], cap_b)
    for n in (1, 10):
        g = f"capture-{n}k"
        picket_job(f"picket, {n}k packet signatures", g, sig(f"packet-{n}k.yml"), "capture.pcap", cap_b, "packet", n * 1000, packets)
        picket_job(f"picket --threads 1, {n}k packet signatures", g, sig(f"packet-{n}k.yml"), "capture.pcap", cap_b, "packet",
                   n * 1000, packets, ("--threads", "1"))
        peer(f"ugrep -F -f ({n}k), capture", g, "ugrep", ["ugrep", "-a", "-c", "-F", "-f", f"indicators-{n}k.txt", "capture.pcap"], cap_b, (0, 1))
        peer(f"rg -F -f ({n}k), capture", g, "rg", ["rg", "-a", "-c", "-F", "-f", f"indicators-{n}k.txt", "capture.pcap"], cap_b, (0, 1))
        peer(f"yara ({n}k rules), capture", g, "yara", ["yara", "-C", sig(f"rules-{n}k.yarc"), "capture.pcap"], cap_b)
        if n == 1 and not args.no_ngrep:
            with open(os.path.join(work, "ngrep-1k.txt")) as f:
                alternation = f.read()
            peer(f"ngrep alternation (1k), first {human(small_b)}", g, "ngrep",
                 ["ngrep", "-q", "-I", "ngrep.pcap", alternation], small_b, (0, 1))
    for n in (1, 10):
        g = f"log-{n}k"
        picket_job(f"picket, {n}k text signatures", g, sig(f"text-{n}k.yml"), "log.txt", log_b, "text", n * 1000, lines)
        picket_job(f"picket --threads 1, {n}k text signatures", g, sig(f"text-{n}k.yml"), "log.txt", log_b, "text",
                   n * 1000, lines, ("--threads", "1"))
        peer(f"ugrep -F -f ({n}k), log", g, "ugrep", ["ugrep", "-c", "-F", "-f", f"indicators-{n}k.txt", "log.txt"], log_b, (0, 1))
        peer(f"rg -F -f ({n}k), log", g, "rg", ["rg", "-c", "-F", "-f", f"indicators-{n}k.txt", "log.txt"], log_b, (0, 1))
    g = "log-gzip"
    picket_job("picket, 1k text signatures, log.txt.gz", g, sig("text-1k.yml"), "log.txt.gz", log_b, "text", 1000, lines)
    picket_job("picket --threads 1, 1k text signatures, log.txt.gz", g, sig("text-1k.yml"), "log.txt.gz", log_b, "text", 1000,
               lines, ("--threads", "1"))
    peer("gzip -dc > /dev/null", g, "gzip", ["sh", "-c", "gzip -dc log.txt.gz > /dev/null"], log_b)
    # Start-up: the signature set loaded (compiled database cached) and an empty input.
    for n in (1, 10):
        jobs.append({"name": f"picket start-up, {n}k signatures, empty input", "group": "startup", "tool": "picket",
                     "bytes": 0, "cmd": [picket, "scan", "-s", sig(f"packet-{n}k.yml"), "empty.log", "-o", "/dev/null"]})
    return jobs


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--size", type=parse_size, default=1 << 30, help="size of the capture and of the log (default 1G)")
    ap.add_argument("--reps", type=int, default=5, help="repetitions of every command (default 5)")
    ap.add_argument("--ngrep-size", type=parse_size, default=16 << 20, help="input cap for ngrep (default 16M)")
    ap.add_argument("--no-ngrep", action="store_true", help="leave ngrep out")
    ap.add_argument("--seed", type=int, default=9, help="random seed of the data (default 9)")
    ap.add_argument("--work", help="folder for data and runs (default /tmp/picket-side-by-side-SIZE)")
    ap.add_argument("--picket", help="picket binary to use (default: swift build -c release in the repository)")
    ap.add_argument("--no-install", action="store_true", help="do not apt-get install missing peers")
    ap.add_argument("--markdown", help="also write the table to this file")
    ap.add_argument("--generate-only", action="store_true", help="make the data and stop")
    args = ap.parse_args()

    install_peers(not args.no_install)
    work = args.work or f"/tmp/picket-side-by-side-{args.size >> 20}M"
    os.makedirs(os.path.join(work, "runs"), exist_ok=True)
    open(os.path.join(work, "empty.log"), "w").close()
    plan = generate(work, args.size, args.seed, min(args.ngrep_size, args.size))
    if args.generate_only:
        return
    picket = os.path.abspath(args.picket) if args.picket else build_picket()
    jobs = jobs_for(args, work, plan, picket)

    # Warm-up, untimed: files into the page cache, Picket's compiled databases into its cache.
    for name in ("capture.pcap", "log.txt", "log.txt.gz", "ngrep.pcap"):
        with open(os.path.join(work, name), "rb") as f:
            while f.read(1 << 24):
                pass
    for job in jobs:
        if job.get("picket"):
            run_once(job, work)
            check_picket(job, plan, os.path.join(work, job["eve"]), os.path.join(work, job["stats"]))

    times = {j["name"]: [] for j in jobs}
    rss = {j["name"]: 0 for j in jobs}
    findings = {}
    started = datetime.datetime.now(datetime.timezone.utc)
    for rep in range(args.reps):
        print(f"side-by-side: repetition {rep + 1} of {args.reps}", file=sys.stderr)
        for job in jobs:
            s, r = run_once(job, work)
            times[job["name"]].append(s)
            rss[job["name"]] = max(rss[job["name"]], r)
            if job.get("picket"):
                findings[job["name"]] = check_picket(job, plan, os.path.join(work, job["eve"]),
                                                     os.path.join(work, job["stats"]))

    # Table: every row of a group is compared with the group's Picket row.
    rows = []
    ref = {}
    for job in jobs:
        med = statistics.median(times[job["name"]])
        gbps = job["bytes"] / 1e9 / med if job["bytes"] else None
        if job["tool"] == "picket" and job["group"] not in ref:
            ref[job["group"]] = gbps
        rows.append((job, med, gbps))
    lines = []
    lines.append(f"Run {started:%Y-%m-%d %H:%M} UTC on {platform.node()} ({os.cpu_count()} cores), "
                 f"capture {human(plan['capture']['bytes'])} ({plan['capture']['packets']:,} packets), "
                 f"log {human(plan['log']['bytes'])} ({plan['log']['lines']:,} lines), "
                 f"{args.reps} repetitions interleaved, medians.")
    lines.append("")
    lines.append("| input | tool | median s | GB/s | Picket ÷ tool | peak RSS MiB |")
    lines.append("| --- | --- | ---: | ---: | ---: | ---: |")
    titles = {"capture-read": "capture, read only", "capture-1k": "capture, 1,000 literals",
              "capture-10k": "capture, 10,000 literals", "log-1k": "log, 1,000 literals",
              "log-10k": "log, 10,000 literals", "log-gzip": "log.gz, 1,000 literals (GB/s of uncompressed bytes)",
              "startup": "start-up (compiled database cached), empty input"}
    for job, med, gbps in rows:
        r = ref.get(job["group"])
        ratio = "" if job["tool"] == "picket" or not gbps or not r else f"{r / gbps:.2f}×"
        tput = f"{gbps:.3f}" if gbps else ""
        name = job["name"]
        if job.get("picket") and job["expect"]:
            name += f" ({findings[job['name']]:,} findings, exact)"
        lines.append(f"| {titles[job['group']]} | {name} | {med:.3f} | {tput} | {ratio} | {rss[job['name']] / 2**20:.0f} |")
    lines.append("")
    versions = tool_versions(picket)
    lines.append("Versions: " + "; ".join(f"{k} {v}" for k, v in versions.items() if k != "picket")
                 + f"; picket {versions['picket'].split('(')[-1].rstrip(')')}.")
    table = "\n".join(lines)
    print(table)
    with open(os.path.join(work, "results.md"), "w") as f:
        f.write(table + "\n")
    with open(os.path.join(work, "results.json"), "w") as f:
        json.dump({"started": started.isoformat(), "plan": {k: v for k, v in plan.items() if k != "capture" and k != "log"},
                   "capture_packets": plan["capture"]["packets"], "log_lines": plan["log"]["lines"],
                   "runs": {j["name"]: {"seconds": times[j["name"]], "bytes": j["bytes"], "peak_rss": rss[j["name"]],
                                        "cmd": j["cmd"][:6]} for j in jobs}}, f, indent=1)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(table + "\n")


if __name__ == "__main__":
    main()
