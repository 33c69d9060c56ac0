"""The app served by uvicorn in a thread on 127.0.0.1, port 0; ready when bound (no sleeps)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn


class _Server(uvicorn.Server):
    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.ready = threading.Event()

    async def startup(self, sockets: Any = None) -> None:
        await super().startup(sockets=sockets)
        self.ready.set()


@contextmanager
def serve(app: Any) -> Iterator[str]:
    """Serve ``app``; yields its base URL, e.g. ``http://127.0.0.1:41234``."""
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off")
    server = _Server(config)
    thread = threading.Thread(target=server.run, name="review-test-server", daemon=True)
    thread.start()
    try:
        if not server.ready.wait(timeout=30) or not server.servers:
            raise RuntimeError("the test server did not start")
        port = server.servers[0].sockets[0].getsockname()[1]
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
