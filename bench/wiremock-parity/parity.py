#!/usr/bin/env python3
"""WireMock parity: the same requests against WireMock and `seam mock` on the same mapping roots.

For every root under roots/ (a WireMock root: mappings/ + __files/) and its request list
requests/<root>.json, start WireMock (`java -jar JAR --root-dir ROOT`) and `seam mock --stubs ROOT`
on free loopback ports, send every request to both in order (scenarios advance the same way),
and compare what a client sees. Prints the identical percentage and writes every difference to
the report (JSON and Markdown).

Compared, per request:
  - status and reason phrase; the duration too when the request sets `time_tolerance_ms`;
  - headers: Content-Type, plus every header name any mapping of the root sets in
    `response.headers` (values normalised as bodies are);
  - body: as JSON when both parse as JSON (key order and whitespace ignored), else as text,
    after normalising dates, UUIDs, ports and the request's own `normalize` rules.
  Unmatched requests: when WireMock answers 404 with its "Request was not matched" diff, only the
  status is compared (each tool words its near-miss report its own way); likewise for Jetty's own
  error pages ("HTTP ERROR 403", "HTTP ERROR 500 ...", "Bad Message 400": a directory under __files, a
  missing body file, an exception, a malformed request), where the status is what a client can rely on.

Start-up: a root that WireMock loads and seam refuses makes every request of that root a
difference (seam's answer is its start-up error); each refusal is listed once in the report. A root
WireMock itself refuses has nothing to compare against: its requests are sent to seam, reported,
and left out of the percentage.

Request file format (requests/<root>.json):
  [ {"stub": "mappings/x.json (what it exercises)", "method": "GET", "url": "/path?q=1",
     "headers": {"Accept": "text/plain"}, "body": "text" | {json} ,
     "normalize": [["regex", "replacement"]], "time_tolerance_ms": 300, "note": "why"} ... ]
  `headers` may also be a list of [name, value] pairs (repeated headers).
  `"callbacks": N` (webhooks): after each tool's answer, wait until the echo upstream received N calls
  (at most 3 s + `callback_wait_ms`) and compare what it received.
  `"compare": "shape"` (admin API answers): the JSON bodies are compared by the set of their field
  paths, not values (ids, timestamps and uptimes differ by nature); the report lists what seam lacks.
A connection failure (reset, garbage, timeout) is an answer too: its Python exception name.
Proxy stubs point at `http://127.0.0.1:UPSTREAM_PORT`: the runner serves an echo upstream on a free
loopback port and substitutes its port into a temporary copy of the root (and into the requests).
Only 127.0.0.1 is ever contacted.
"""
import argparse
import glob
import http.client
import http.server
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))

UUID_RE = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
ISO_RE = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?")
RFC1123_RE = re.compile(r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT")
PORT_RE = re.compile(r"(127\.0\.0\.1|localhost):\d+")
# What each tool's proxy client calls itself (Apache HttpClient and its Java version, seam's version).
PROXY_UA_RE = re.compile(r"Apache-HttpClient/[^\"]*|seam-mock/[0-9][^\"]*")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_port(port, proc, timeout):
    end = time.time() + timeout
    while time.time() < end:
        if proc.poll() is not None:
            return False
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return True
        except OSError:
            time.sleep(0.1)
    return False


class Server:
    def __init__(self, name, cmd, port, log_path, ready_path=None):
        self.name = name
        self.port = port
        self.log_path = log_path
        self.log = open(log_path, "w")
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT, cwd=HERE)
        self.ready_path = ready_path

    def wait(self, timeout):
        ok = wait_port(self.port, self.proc, timeout)
        if ok and self.ready_path:
            # WireMock opens its port before every mapping is loaded only in odd cases; ask.
            end = time.time() + timeout
            while time.time() < end:
                try:
                    c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                    c.request("GET", self.ready_path)
                    r = c.getresponse()
                    r.read()
                    c.close()
                    if r.status == 200:
                        break
                except OSError:
                    pass
                time.sleep(0.2)
        return ok

    def output(self):
        self.log.flush()
        with open(self.log_path, errors="replace") as f:
            return f.read()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


UPSTREAM = "UPSTREAM_PORT"


RECEIVED = []  # what the echo upstream received (webhooks are compared through it)
RECEIVED_LOCK = threading.Lock()


def take_received(expected, wait):
    """The calls the upstream received, once `expected` have arrived or `wait` seconds passed."""
    end = time.time() + wait
    while time.time() < end:
        with RECEIVED_LOCK:
            if len(RECEIVED) >= expected:
                break
        time.sleep(0.05)
    with RECEIVED_LOCK:
        got = list(RECEIVED)
        RECEIVED.clear()
    return got


class Echo(http.server.BaseHTTPRequestHandler):
    """The proxy target: answers what it received (method, path and query, headers but the
    connection-level ones), so a proxied answer shows what each tool forwarded."""

    protocol_version = "HTTP/1.1"

    def _answer(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n).decode("utf-8", errors="replace") if n else ""
        skip = {"host", "content-length", "connection", "accept-encoding", "keep-alive",
                "transfer-encoding", "via", "x-forwarded-for", "x-forwarded-host",
                "x-forwarded-proto", "x-forwarded-port"}
        hdrs = sorted([k.lower(), v] for k, v in self.headers.items() if k.lower() not in skip)
        record = {"method": self.command, "path": self.path, "headers": hdrs, "body": body}
        with RECEIVED_LOCK:
            RECEIVED.append(record)
        out = json.dumps(record).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("X-Upstream", "echo")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(out)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _answer

    def log_message(self, *args):
        pass


class Upstream(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # a proxy closing its pooled connection at shutdown is not news


def start_upstream():
    srv = Upstream(("127.0.0.1", 0), Echo)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


def with_upstream(root, port, tmp):
    """A copy of the root with UPSTREAM_PORT replaced in its mappings, or the root itself."""
    texts = {}
    for path in glob.glob(os.path.join(root, "mappings", "**", "*.json"), recursive=True):
        with open(path, encoding="utf-8", errors="replace") as f:
            texts[path] = f.read()
    if not any(UPSTREAM in t for t in texts.values()):
        return root
    copy = os.path.join(tmp, os.path.basename(root))
    shutil.copytree(root, copy)
    for path, text in texts.items():
        with open(os.path.join(copy, os.path.relpath(path, root)), "w") as f:
            f.write(text.replace(UPSTREAM, str(port)))
    return copy


def send(port, req, timeout):
    body = req.get("body")
    if body is not None and not isinstance(body, str):
        body = json.dumps(body)
    data = body.encode() if body is not None else None
    headers = req.get("headers", {})
    pairs = list(headers.items()) if isinstance(headers, dict) else [tuple(h) for h in headers]
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        own_host = any(k.lower() == "host" for k, _ in pairs)
        c.putrequest(req.get("method", "GET"), req["url"], skip_host=own_host,
                     skip_accept_encoding=True)
        for k, v in pairs:
            c.putheader(k, v)
        if data is not None:
            c.putheader("Content-Length", str(len(data)))
        start = time.monotonic()
        c.endheaders(data)
        r = c.getresponse()
        raw = r.read()
        elapsed = time.monotonic() - start
        hdrs = {}
        for k, v in r.getheaders():
            hdrs.setdefault(k.lower(), []).append(v)
        c.close()
        return {"status": r.status, "reason": r.reason, "ms": round(elapsed * 1000),
                "headers": {k: ", ".join(v) for k, v in hdrs.items()},
                "body": raw.decode("utf-8", errors="replace")}
    except Exception as e:  # a reset, a timeout, garbage: the answer is the failure's kind
        return {"status": None, "headers": {}, "body": "", "error": type(e).__name__}


def normalise(text, rules):
    for pat, rep in rules:
        text = re.sub(pat, rep, text)
    text = UUID_RE.sub("<uuid>", text)
    text = RFC1123_RE.sub("<date>", text)
    text = ISO_RE.sub("<datetime>", text)
    text = PORT_RE.sub(r"\1:<port>", text)
    text = PROXY_UA_RE.sub("<the proxy's own User-Agent>", text)
    return text


def body_view(text, rules):
    t = normalise(text, rules)
    try:
        return ("json", json.loads(t))
    except ValueError:
        return ("text", t)


def shape(value, path="$"):
    """The set of JSON paths in a document, array items merged: what fields an answer has."""
    out = {path}
    if isinstance(value, dict):
        for k, v in value.items():
            out |= shape(v, "%s.%s" % (path, k))
    elif isinstance(value, list):
        for v in value:
            out |= shape(v, path + "[]")
    return out


def shape_diff(wm_body, sm_body):
    try:
        a, b = shape(json.loads(wm_body)), shape(json.loads(sm_body))
    except ValueError:
        return None if wm_body == sm_body else "body is not JSON on one side"
    missing, extra = sorted(a - b), sorted(b - a)
    if not missing and not extra:
        return None
    return "seam lacks %s; seam adds %s" % (missing or "nothing", extra or "nothing")


def mapping_header_names(root):
    names = {"content-type"}
    for path in glob.glob(os.path.join(root, "mappings", "**", "*.json"), recursive=True):
        try:
            with open(path, encoding="utf-8-sig") as f:
                doc = json.load(f)
        except (ValueError, OSError):
            continue
        maps = doc.get("mappings", [doc]) if isinstance(doc, dict) else []
        for m in maps:
            if isinstance(m, dict):
                h = (m.get("response") or {}).get("headers") or {}
                if isinstance(h, dict):
                    names.update(k.lower() for k in h)
    return sorted(names)


def compare(wm, sm, req, header_names):
    """The list of differing aspects, empty when identical."""
    rules = req.get("normalize", [])
    diffs = []
    if wm.get("error") or sm.get("error"):
        if wm.get("error") != sm.get("error"):
            diffs.append("connection")
        return diffs
    if wm["status"] != sm["status"]:
        diffs.append("status")
    tol = req.get("time_tolerance_ms")
    if tol is not None and abs(wm.get("ms", 0) - sm.get("ms", 0)) > tol:
        diffs.append("duration")
    unmatched = wm["status"] == 404 and "Request was not matched" in wm["body"]
    jetty_error = ("<h2>HTTP ERROR " in wm["body"] or wm["body"].startswith("HTTP ERROR ")
                   or wm["body"].startswith("<h1>Bad Message "))
    if unmatched or jetty_error:
        return diffs
    if wm["status"] == sm["status"] and wm.get("reason") != sm.get("reason"):
        diffs.append("reason phrase")
    for h in header_names:
        a, b = wm["headers"].get(h), sm["headers"].get(h)
        if a is not None:
            a = normalise(a, rules)
        if b is not None:
            b = normalise(b, rules)
        if h == "content-type" and a and b:
            a, b = a.replace(" ", "").lower(), b.replace(" ", "").lower()
        if a != b:
            diffs.append("header " + h)
    if "callbacks" in req:
        norm = lambda calls: normalise(json.dumps(calls, sort_keys=True), rules)
        if norm(wm.get("callbacks", [])) != norm(sm.get("callbacks", [])):
            diffs.append("webhook calls")
    if req.get("compare") == "shape":
        d = shape_diff(wm["body"], sm["body"])
        if d:
            diffs.append("body shape: " + d)
    elif body_view(wm["body"], rules) != body_view(sm["body"], rules):
        diffs.append("body")
    return diffs


def short(ans, limit=400):
    out = {"status": ans.get("status"), "reason": ans.get("reason"), "ms": ans.get("ms")}
    if ans.get("error"):
        out["error"] = ans["error"]
    out["headers"] = {k: v for k, v in ans.get("headers", {}).items()
                      if k not in ("date", "server", "transfer-encoding", "content-length",
                                   "vary", "connection")}
    if "callbacks" in ans:
        out["callbacks"] = ans["callbacks"]
    b = ans.get("body", "")
    out["body"] = b if len(b) <= limit else b[:limit] + "...(%d bytes)" % len(b)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--jar", required=True)
    ap.add_argument("--seam", required=True)
    ap.add_argument("--roots", nargs="*", help="only these roots (names under roots/)")
    ap.add_argument("--report", default="/tmp/wiremock-parity/report")
    ap.add_argument("--timeout", type=float, default=10.0)
    ap.add_argument("--fail-under", type=float, default=None,
                    help="exit 1 when the identical share is below this percentage")
    args = ap.parse_args()

    os.makedirs(args.report, exist_ok=True)
    names = args.roots or sorted(os.path.basename(p) for p in glob.glob(os.path.join(HERE, "requests", "*.json")))
    names = [n[:-5] if n.endswith(".json") else n for n in names]
    total = same = 0
    results = []
    startup = []
    stub_count = 0
    refused = 0
    upstream = start_upstream()
    uport = upstream.server_address[1]
    tmp = tempfile.mkdtemp(prefix="wiremock-parity-")
    for name in names:
        root = with_upstream(os.path.join(HERE, "roots", name), uport, tmp)
        with open(os.path.join(HERE, "requests", name + ".json")) as f:
            reqs = json.loads(f.read().replace(UPSTREAM, str(uport)))
        headers = mapping_header_names(root)
        # WireMock creates `__files` (and `mappings`) in its root when it starts;
        # git keeps no empty folder, so on a fresh clone they are made here, before
        # either server starts, or seam would see a root without them
        for folder in ("__files", "mappings"):
            os.makedirs(os.path.join(root, folder), exist_ok=True)
        wport, sport = free_port(), free_port()
        wm = Server("wiremock", ["java", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto", "-jar", args.jar, "--port", str(wport),
                                 "--bind-address", "127.0.0.1", "--root-dir", root,
                                 "--disable-banner"],
                    wport, os.path.join(args.report, name + ".wiremock.log"), "/__admin/health")
        sm = Server("seam", [args.seam, "mock", "--stubs", root, "--port", str(sport)],
                    sport, os.path.join(args.report, name + ".seam.log"))
        try:
            wm_up = wm.wait(60)
            sm_up = sm.wait(30)
            wm_stubs = None
            if wm_up:
                try:
                    c = http.client.HTTPConnection("127.0.0.1", wport, timeout=5)
                    c.request("GET", "/__admin/mappings")
                    wm_stubs = json.loads(c.getresponse().read()).get("meta", {}).get("total")
                    c.close()
                except Exception:
                    pass
            m = re.search(r"\((\d+) stub", sm.output())
            sm_stubs = int(m.group(1)) if m else None
            stub_count += wm_stubs or 0
            startup.append({"root": name, "wiremock_loaded": wm_up, "wiremock_stubs": wm_stubs,
                            "seam_loaded": sm_up, "seam_stubs": sm_stubs,
                            "wiremock_output": "" if wm_up else wm.output()[-1500:],
                            "seam_output": sm.output()[-1500:]})
            for i, req in enumerate(reqs):
                calls = req.get("callbacks")
                take_received(0, 0)
                wa = send(wport, req, args.timeout) if wm_up else {"status": None, "headers": {}, "body": "", "error": "not started"}
                if calls is not None:
                    wa["callbacks"] = take_received(calls, 3.0 + req.get("callback_wait_ms", 0) / 1000)
                if sm_up:
                    sa = send(sport, req, args.timeout)
                else:
                    sa = {"status": None, "headers": {}, "body": "", "error": "not started: " + sm.output().strip()[-300:]}
                if calls is not None:
                    sa["callbacks"] = take_received(calls, 3.0 + req.get("callback_wait_ms", 0) / 1000)
                if not wm_up:
                    diffs = None  # WireMock refuses the root: nothing to compare against
                elif not sm_up:
                    diffs = ["startup"]
                else:
                    diffs = compare(wa, sa, req, headers)
                if diffs is not None:
                    total += 1
                    same += not diffs
                else:
                    refused += 1
                results.append({"root": name, "n": i, "stub": req.get("stub"), "request": {
                    k: req[k] for k in ("method", "url", "headers", "body") if k in req},
                    "note": req.get("note"), "diffs": diffs,
                    "wiremock": short(wa), "seam": short(sa)})
        finally:
            wm.stop()
            sm.stop()

    upstream.shutdown()
    shutil.rmtree(tmp, ignore_errors=True)
    pct = 100.0 * same / total if total else 0.0
    diffs = [r for r in results if r["diffs"]]
    by_root = {}
    for r in results:
        t = by_root.setdefault(r["root"], [0, 0])
        if r["diffs"] is not None:
            t[0] += 1
            t[1] += not r["diffs"]
    with open(os.path.join(args.report, "report.json"), "w") as f:
        json.dump({"total": total, "identical": same, "percent": round(pct, 1), "not_compared": refused,
                   "stubs_wiremock_loaded": stub_count, "startup": startup,
                   "differences": diffs, "all": results}, f, indent=1)
    with open(os.path.join(args.report, "report.md"), "w") as f:
        f.write("# WireMock parity: %d/%d identical (%.1f%%)\n\n" % (same, total, pct))
        f.write("%d requests on roots WireMock refuses are not counted.\n\n" % refused)
        f.write("## Start-up\n\n| root | WireMock | stubs | seam | stubs |\n|---|---|---|---|---|\n")
        for s in startup:
            f.write("| %s | %s | %s | %s | %s |\n" % (s["root"], "loads" if s["wiremock_loaded"] else "REFUSES",
                    s["wiremock_stubs"], "loads" if s["seam_loaded"] else "REFUSES", s["seam_stubs"]))
        for s in startup:
            if not s["seam_loaded"] or not s["wiremock_loaded"]:
                f.write("\n%s: seam: `%s`\nWireMock: `%s`\n" % (s["root"], s["seam_output"].strip()[-500:],
                        s["wiremock_output"].strip()[-500:]))
        f.write("\n## Differences\n")
        for r in diffs:
            f.write("\n### %s #%d %s: %s\n" % (r["root"], r["n"], r["stub"], ", ".join(r["diffs"])))
            f.write("request: `%s`\n\n" % json.dumps(r["request"]))
            f.write("- WireMock: `%s`\n- seam: `%s`\n" % (json.dumps(r["wiremock"]), json.dumps(r["seam"])))
    for s in startup:
        if s["wiremock_loaded"] != s["seam_loaded"]:
            print("start-up differs: %s (WireMock %s, seam %s)" % (s["root"],
                  "loads" if s["wiremock_loaded"] else "refuses", "loads" if s["seam_loaded"] else "refuses"))
    with_id = [r for r in results if r["diffs"] is not None and "matched-stub-id" in r["wiremock"]["headers"]]
    seam_id = sum("matched-stub-id" in r["seam"]["headers"] for r in with_id)
    print("Matched-Stub-Id (not compared): WireMock sent it on %d answers, seam on %d of those"
          % (len(with_id), seam_id))
    for k, (t, s) in by_root.items():
        print("%-44s %3d/%3d identical" % (k, s, t))
    print("identical: %d/%d requests (%.1f%%), %d stubs loaded by WireMock, %d roots; "
          "%d requests on roots WireMock refuses not counted; report: %s/report.md"
          % (same, total, pct, stub_count, len(names), refused, args.report))
    if args.fail_under is not None and pct < args.fail_under:
        print("below --fail-under %.1f%%" % args.fail_under)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
