"""A local webhook receiver for the alert tests: records every POSTed JSON body."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Receiver:
    url: str
    bodies: list[dict[str, Any]] = field(default_factory=list)
    attempts: int = 0
    #: statuses to answer, in order, before answering 204 (e.g. [503] to test a retry)
    script: list[int] = field(default_factory=list)
    received: threading.Event = field(default_factory=threading.Event)


@contextmanager
def webhook_receiver(script: list[int] | None = None) -> Iterator[Receiver]:
    """Serve a webhook on 127.0.0.1 (a free port); yields what it received."""
    state: dict[str, Receiver] = {}
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            receiver = state["r"]
            with lock:
                receiver.attempts += 1
                status = receiver.script.pop(0) if receiver.script else 204
                if status < 300:
                    receiver.bodies.append(json.loads(body))
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()
            if status < 300:
                receiver.received.set()

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state["r"] = Receiver(f"http://127.0.0.1:{server.server_port}/hook", script=list(script or []))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state["r"]
    finally:
        server.shutdown()
        server.server_close()
