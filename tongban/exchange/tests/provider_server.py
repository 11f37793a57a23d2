"""A department's data endpoint on loopback, for the tests: a real HTTP server in a thread whose
behaviour is switched between answers — ok, not_found, slow (sleeps past the caller's timeout),
error (HTTP 500), garbage (200 with a body that is not JSON) — and that can be stopped, after which
connections are refused, as with a provider whose machine is down.

Use the `provider` fixture (import it into the test module); the `fresh_cache` fixture empties
Django's cache, where breakers and quota counters live, so no test sees another's state."""

import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.cache import cache


class ProviderServer:
    def __init__(self, records: dict[str, dict] | None = None):
        self.records = dict(records or {})
        self.behaviour = "ok"
        self.delay = 1.0  # seconds a "slow" answer takes
        self.requests: list[dict] = []  # what was asked: key, fields, resource header
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._server.block_on_close = False
        self._server.provider = self
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/records"
        self.running = True

    def stop(self) -> None:
        """Close the listening socket: later connections are refused."""
        if self.running:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)
            self.running = False


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        provider: ProviderServer = self.server.provider
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
        key = query.get("key", [""])[0]
        fields = [f for f in query.get("fields", [""])[0].split(",") if f]
        provider.requests.append({"key": key, "fields": fields, "resource": self.headers.get("X-Tongban-Resource")})
        match provider.behaviour:
            case "slow":
                time.sleep(provider.delay)
                self._send(200, {"found": False})
            case "error":
                self._send(500, {"error": "internal"})
            case "garbage":
                self._send(200, b"<html>Service temporarily moved</html>")
            case "not_found":
                self._send(200, {"found": False})
            case _:
                record = provider.records.get(key)
                if record is None:
                    self._send(200, {"found": False})
                else:
                    self._send(200, {"found": True, "record": {f: record.get(f) for f in fields}})

    def _send(self, status: int, body) -> None:
        data = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):  # the caller timed out and hung up
            pass

    def log_message(self, format, *args):
        pass


@pytest.fixture
def provider():
    server = ProviderServer()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()
