"""A real HTTP server on loopback that stands in for the reference-data API in tests."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, HTTPServer

TOKEN = "test-token"


@contextmanager
def reference_api(answers: Mapping[str, object]) -> Iterator[str]:
    """Serve ``answers`` (JSON bodies by request path and query) to callers holding ``TOKEN``.

    Yields the API's base URL. A path it has no answer for gets 500, a wrong token 401.
    """

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                self._answer(401, None)
            elif self.path in answers:
                self._answer(200, answers[self.path])
            else:
                self._answer(500, None)

        def _answer(self, status: int, payload: object) -> None:
            body = b"" if payload is None else json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            """Keep the test output clean."""

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
