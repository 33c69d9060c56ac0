"""``newsdedup serve``: the review web app and the read API."""

from __future__ import annotations

import argparse
from typing import Any

from crawler.cli.common import database_url


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "serve",
        help="serve the review web app and the read API",
        description="Serve the editors' review pages and the JSON API (/api/v1) on the "
        "crawler's database.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    import uvicorn

    from storage.migrate import upgrade
    from webapp.app import create_app

    url = database_url(args)
    upgrade(url)
    uvicorn.run(create_app(url), host=args.host, port=args.port, log_level="info")
    return 0
