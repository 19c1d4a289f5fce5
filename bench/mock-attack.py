#!/usr/bin/env python3
"""seam mock under attack (docs/benchmarks.md, "seam mock under attack").

Usage: bench/mock-attack.py SEAM [import|patterns|slowloris]...

Makes the attack inputs in a temporary directory and measures the release
binary SEAM: a 50 MB urlPattern posted to the admin API; a pact with 100,000
regex matchers on one path and a mapping with 100,000 regex bodyPatterns
(time to listen, or to refuse, and peak RSS); an import of 100,000 stubs, then
listing and reset (RSS after each, from /proc/PID/status); 1,100 slowloris
connections against `ulimit -n 1024` (pass `--header-read-timeout off
--idle-timeout off` after `slowloris` for the old behaviour).
"""
import json, os, resource, socket, subprocess, sys, tempfile, threading, time, urllib.request, uuid

SEAM = sys.argv[1]
WHAT = sys.argv[2:] or ["import", "patterns", "slowloris"]
WORK = tempfile.mkdtemp()


def mem(pid):
    d = dict(l.split(":", 1) for l in open(f"/proc/{pid}/status"))
    return f"RSS {int(d['VmRSS'].split()[0]) // 1024} MB (peak {int(d['VmHWM'].split()[0]) // 1024} MB)"


def start(args, prefix=""):
    p = subprocess.Popen(["bash", "-c", f"{prefix}exec {SEAM} mock --port 0 " + " ".join(args)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = p.stdout.readline()
    if not line:
        return p, None
    return p, next(w for w in line.split() if w.startswith("http"))


def call(method, url, data=None):
    r = urllib.request.Request(url, data=data, method=method)
    r.add_header("Content-Type", "application/json")
    t0 = time.perf_counter()
    try:
        with urllib.request.urlopen(r, timeout=600) as resp:
            status, body = resp.status, resp.read()
    except urllib.error.HTTPError as e:
        status, body = e.code, e.read()
    return status, body, time.perf_counter() - t0


def write(name, doc):
    path = os.path.join(WORK, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    json.dump(doc, open(path, "w"))
    return path


if "patterns" in WHAT:
    p, base = start([])
    big = json.dumps({"request": {"urlPattern": "/" + "a" * (50 << 20)}, "response": {}}).encode()
    status, body, t = call("POST", base + "/__admin/mappings", big)
    print(f"50 MB urlPattern: {status} in {t:.2f} s, {len(body)}-byte answer; {mem(p.pid)}")
    p.kill()
    rules = {"$.id": {"combine": "AND", "matchers": [{"match": "regex", "regex": "\\d+"}] * 100_000}}
    pact = write("pact.json", {"consumer": {"name": "c"}, "provider": {"name": "p"},
        "interactions": [{"description": "d", "request": {"method": "POST", "path": "/x", "body": {"id": "1"},
            "matchingRules": {"body": rules}}, "response": {"status": 200, "body": {"id": "1"}, "matchingRules": {"body": rules}}}],
        "metadata": {"pactSpecification": {"version": "3.0.0"}}})
    write("bp/mappings/m.json", {"request": {"urlPath": "/b", "bodyPatterns": [{"matches": f".*x{i}.*"} for i in range(100_000)]}, "response": {}})
    write("bp1k/mappings/m.json", {"request": {"urlPath": "/b", "bodyPatterns": [{"matches": f".*x{i}.*"} for i in range(1_000)]}, "response": {}})
    for name, args in [("pact, 100,000 regex matchers", ["--pact", pact]),
                       ("mapping, 100,000 regex bodyPatterns", ["--stubs", os.path.join(WORK, "bp")]),
                       ("mapping, 1,000 regex bodyPatterns", ["--stubs", os.path.join(WORK, "bp1k")])]:
        t0 = time.perf_counter()
        p = subprocess.Popen(["/usr/bin/time", "-f", "peak %M", SEAM, "mock", "--port", "0"] + args,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = p.stdout.readline()
        t = time.perf_counter() - t0
        if line:
            seam = int(open(f"/proc/{p.pid}/task/{p.pid}/children").read().split()[0])
            print(f"{name}: listening after {t:.2f} s, {mem(seam)}")
            os.kill(seam, 9)
        err = p.communicate()[1].strip().splitlines()
        if not line:
            peak = int(err[-1].split()[-1]) // 1024
            print(f"{name}: refused after {t:.2f} s, peak RSS {peak} MB: {err[0][:200]}")

if "import" in WHAT:
    p, base = start([])
    doc = {"mappings": [{"id": str(uuid.uuid4()), "request": {"method": "GET", "url": f"/item/{i}"},
        "response": {"status": 200, "jsonBody": {"id": i, "name": f"item {i}"}, "headers": {"Content-Type": "application/json"}}}
        for i in range(100_000)]}
    data = json.dumps(doc).encode()
    print(f"empty: {mem(p.pid)}")
    status, _, t = call("POST", base + "/__admin/mappings/import", data)
    print(f"import of 100,000 stubs ({len(data) >> 20} MB): {status} in {t:.2f} s; {mem(p.pid)}")
    status, body, t = call("GET", base + "/__admin/mappings")
    print(f"list: {status}, {len(body) >> 20} MB in {t:.2f} s; {mem(p.pid)}")
    status, _, t = call("POST", base + "/__admin/reset", b"")
    print(f"reset: {status} in {t:.2f} s; {mem(p.pid)}")
    time.sleep(2)
    print(f"2 s later: {mem(p.pid)}")
    p.kill()

if "slowloris" in WHAT:
    flags = WHAT[WHAT.index("slowloris") + 1:]
    resource.setrlimit(resource.RLIMIT_NOFILE, (4096, 4096))
    stubs = os.path.join(WORK, "stubs.yaml")
    open(stubs, "w").write("stubs:\n  - request: { path: /hello }\n    response: { text: hi }\n")
    p, base = start(["--stubs", stubs] + flags, prefix="ulimit -n 1024; ")
    port = int(base.rsplit(":", 1)[1])
    socks = []
    for _ in range(1100):
        s = socket.socket()
        s.settimeout(2)
        try:
            s.connect(("127.0.0.1", port))
            s.send(b"GET /hello HTTP/1.1\r\nHost: x\r\n")
            socks.append(s)
        except OSError:
            break
    stop = []

    def trickle():
        while not stop:
            for s in socks:
                try:
                    s.send(b"X-a: b\r\n")
                except OSError:
                    pass
            time.sleep(1)

    threading.Thread(target=trickle, daemon=True).start()
    t0, served = time.time(), None
    while time.time() - t0 < 30 and served is None:
        try:
            c = socket.create_connection(("127.0.0.1", port), timeout=1)
            c.settimeout(1)
            c.send(b"GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            if c.recv(100).startswith(b"HTTP/1.1 200"):
                served = time.time() - t0
            c.close()
        except OSError:
            pass
        time.sleep(0.2)
    stop.append(True)
    shown = " ".join(flags) or "default timeouts"
    print(f"{len(socks)} slowloris connections ({shown}): a real client "
          + (f"served after {served:.1f} s" if served is not None else "not served within 30 s"))
    p.kill()
