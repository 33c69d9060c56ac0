"""Errors raised by the review pages, turned into HTML responses by :class:`HtmlRoute`."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import urlencode

from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from webapp.review.rendering import render


class LoginRequired(Exception):
    """No valid login session: redirect to the login page."""

    def __init__(self, next_url: str) -> None:
        super().__init__("login required")
        self.next_url = next_url


class PageError(Exception):
    """An error shown to the user as an HTML page with ``status``."""

    def __init__(self, status: int, title: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.title = title
        self.message = message


def forbidden(message: str) -> PageError:
    return PageError(403, "Not allowed", message)


def not_found(message: str) -> PageError:
    return PageError(404, "Not found", message)


class HtmlRoute(APIRoute):
    """A route whose :class:`LoginRequired` and :class:`PageError` become HTML responses."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def html_errors(request: Request) -> Response:
            try:
                return await handler(request)
            except LoginRequired as exc:
                query = urlencode({"next": exc.next_url})
                return RedirectResponse(f"/review/login?{query}", status_code=303)
            except PageError as exc:
                return render(
                    request,
                    "review/error.html",
                    {"title": exc.title, "message": exc.message, "status": exc.status},
                    status_code=exc.status,
                )

        return html_errors
