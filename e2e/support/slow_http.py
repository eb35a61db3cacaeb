"""A real HTTP server that answers slowly on purpose: headers at once, then a body one byte a second.
GET requests can be passed through to another server (so the key set still loads) while POSTs drip."""
import http.server
import threading
import time

import requests


class DripServer:
    def __init__(self, passthrough_get: str | None = None, drip_get: bool = True):
        self.requests = 0
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def drip(self):
                outer.requests += 1
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", "10000")
                self.end_headers()
                try:
                    for _ in range(60):
                        self.wfile.write(b" ")
                        self.wfile.flush()
                        time.sleep(1)
                except OSError:
                    pass

            def do_GET(self):
                if drip_get or passthrough_get is None:
                    return self.drip()
                upstream = requests.get(passthrough_get + self.path, timeout=5)
                self.send_response(upstream.status_code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(upstream.content)))
                self.end_headers()
                self.wfile.write(upstream.content)

            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length", "0")))
                self.drip()

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
