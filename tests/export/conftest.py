"""Export fixtures: the API tests' seeded database (one per backend)."""

from __future__ import annotations

from tests.api.conftest import seeded

__all__ = ["seeded"]
