"""Alembic environment: online migrations only, using Stride's engine set-up (SQLite pragmas)."""

from __future__ import annotations

from alembic import context

from stride.store.db import make_engine
from stride.store.models import Base

config = context.config


def run_migrations_online() -> None:
    engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
    try:
        with engine.connect() as connection:
            context.configure(
                connection=connection,
                target_metadata=Base.metadata,
                render_as_batch=connection.dialect.name == "sqlite",
                compare_type=True,
            )
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


run_migrations_online()
