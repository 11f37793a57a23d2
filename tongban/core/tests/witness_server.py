"""A stand-in for an external audit witness (such as the supervision system) on a loopback port:
it keeps the checkpoints it is given per source, answers the latest, and can be switched down or
made to answer a forged checkpoint."""

import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class AuditWitness:
    def __init__(self, token: str = "witness-token"):
        self.token = token
        self.held: dict[str, list[dict]] = {}
        self.down = False
        witness = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                if not self._allowed():
                    return
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
                witness.held.setdefault(body["source"], []).append(body)
                self._answer(201, {"accepted": body["seq"]})

            def do_GET(self):
                if not self._allowed():
                    return
                url = urllib.parse.urlparse(self.path)
                source = urllib.parse.parse_qs(url.query).get("source", [""])[0]
                held = witness.held.get(source)
                if url.path != "/checkpoints/latest" or not held:
                    self._answer(404, {"detail": "none"})
                else:
                    self._answer(200, held[-1])

            def _allowed(self) -> bool:
                if witness.down:
                    self._answer(503, {"detail": "down"})
                    return False
                if self.headers.get("Authorization") != f"Bearer {witness.token}":
                    self._answer(401, {"detail": "token"})
                    return False
                return True

            def _answer(self, status: int, body: dict):
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()
