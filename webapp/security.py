"""Security headers on every response (HTML, JSON, static files, errors), and error
responses that never leak a bare "Internal Server Error": HTML pages for the review
pages, JSON in FastAPI's shape for the API.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from webapp.review.rendering import SECURITY_HEADERS, render

log = logging.getLogger(__name__)


class SecurityHeaders:
    """ASGI middleware: adds :data:`SECURITY_HEADERS` to every HTTP response that does not
    set them itself (static files are cacheable: they get no ``Cache-Control``)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._headers = [(k.lower().encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = str(scope.get("path", "")).startswith(("/static/", "/api/v1/docs/assets/"))

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                for name, value in self._headers:
                    if name in present or (static and name == b"cache-control"):
                        continue
                    headers.append((name, value))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _page(request: Request, status: int, title: str, message: str) -> Response:
    return render(
        request,
        "review/error.html",
        {"title": title, "message": message, "status": status, "login": None},
        status_code=status,
    )


async def http_error(request: Request, exc: Exception) -> Response:
    """404, 405... as JSON under ``/api``, as an HTML page elsewhere."""
    assert isinstance(exc, StarletteHTTPException)
    if _is_api(request):
        return JSONResponse(
            {"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers
        )
    titles = {404: "Not found", 405: "Method not allowed"}
    message = "There is no such page." if exc.status_code == 404 else str(exc.detail)
    response = _page(request, exc.status_code, titles.get(exc.status_code, "Error"), message)
    for name, value in (exc.headers or {}).items():
        response.headers[name] = value
    return response


async def validation_error(request: Request, exc: Exception) -> Response:
    """FastAPI's 422 JSON under ``/api``; a 400 HTML page naming the bad fields elsewhere."""
    assert isinstance(exc, RequestValidationError)
    if _is_api(request):
        from fastapi.exception_handlers import request_validation_exception_handler

        return await request_validation_exception_handler(request, exc)
    fields = []
    for error in exc.errors():
        loc = [str(part) for part in error.get("loc", ()) if part not in ("query", "path", "body")]
        fields.append(f"{'.'.join(loc) or 'request'}: {error.get('msg', 'invalid')}")
    return _page(request, 400, "Bad request", "; ".join(fields) or "The request is not valid.")


async def server_error(request: Request, exc: Exception) -> Response:
    """An unexpected error: logged with its traceback, shown without details."""
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    if _is_api(request):
        return JSONResponse({"detail": "internal error"}, status_code=500, headers=SECURITY_HEADERS)
    return _page(
        request, 500, "Something went wrong", "The error was logged. Try again, or go back."
    )


def install(app: FastAPI) -> None:
    """Add the headers middleware and the error handlers to ``app``."""
    app.add_middleware(SecurityHeaders)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(Exception, server_error)
