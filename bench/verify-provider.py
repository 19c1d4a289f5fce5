"""An ordinary provider for bench/verify-1000.sh: Python's http.server with a
BaseHTTPRequestHandler, HTTP/1.1 keep-alive, Nagle left on, the headers and
the body written in two small writes (what the standard library does).

Usage: verify-provider.py PORT [--threads]
  --threads  ThreadingHTTPServer (what `python3 -m http.server` runs);
             without it, HTTPServer: one connection served at a time.
Answers GET /api/items/{i} with the body the benchmark pact expects."""
import json
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        parts = self.path.split("/")
        if len(parts) == 4 and parts[1:3] == ["api", "items"] and parts[3].isdigit():
            i = int(parts[3])
            body = json.dumps({"id": i, "name": f"item {i}", "price": 9.5, "tags": ["a", "b"]}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()  # first write: status line and headers
            self.wfile.write(body)  # second write: the body
        else:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()


server_class = ThreadingHTTPServer if "--threads" in sys.argv[2:] else HTTPServer
server = server_class(("127.0.0.1", int(sys.argv[1])), Handler)
print(f"http://127.0.0.1:{server.server_address[1]}", flush=True)
server.serve_forever()
