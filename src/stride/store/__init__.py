"""Persistence: SQLAlchemy 2.0 tables, repositories mapping rows to domain objects, migrations."""
