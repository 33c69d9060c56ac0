"""Storage: SQLAlchemy 2 models, engine and session factory, repository functions, migrations.

- :mod:`storage.models`: the tables.
- :mod:`storage.db`: ``make_engine``, ``make_session_factory``, ``session_scope``.
- :mod:`storage.migrate`: Alembic ``upgrade``, ``current``, ``check`` (no alembic.ini).
- :mod:`storage.repository`: the repository functions (from :mod:`storage.repo`).

Repository functions take a :class:`sqlalchemy.orm.Session` and never create one.
"""

from __future__ import annotations

import logging

# Alembic (1.16+) logs every plugin it loads, at INFO, when it is imported: noise in every
# command that migrates. Quietened unless the application set this logger's level itself.
_alembic_plugins = logging.getLogger("alembic.runtime.plugins")
if _alembic_plugins.level == logging.NOTSET:
    _alembic_plugins.setLevel(logging.WARNING)
