"""Storage: SQLAlchemy 2 models, engine and session factory, repository functions, migrations.

Repository functions take a :class:`sqlalchemy.orm.Session` and never create one.
"""
