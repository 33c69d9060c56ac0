"""Alembic migrations of the newsdedup schema (run through :mod:`storage.migrate`)."""
