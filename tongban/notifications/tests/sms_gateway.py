"""A stand-in for the city's SMS platform on a loopback port: it records what it is given and
answers with the status a test chooses."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class SmsGateway:
    def __init__(self):
        self.received: list[dict] = []
        self.status = 200
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                gateway.received.append(
                    {"auth": self.headers.get("Authorization", ""), **json.loads(self.rfile.read(length))}
                )
                self.send_response(gateway.status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/send"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()
