"""The read API for downstream tools, under ``/api/v1`` (token-protected, read-only)."""

from __future__ import annotations

from webapp.api.routes import router

__all__ = ["router"]
