"""Alembic environment for the Upkeep server schema.

The database URL comes from `config.attributes["url"]` (set by
`server.db.engine.alembic_config`) or from `alembic -x url=...`; an open connection may
be passed in `config.attributes["connection"]`. Nothing here reads the environment.
Migrations run on the sync drivers (`sqlite`, `postgresql+psycopg`).
"""

from __future__ import annotations

from logging.config import fileConfig
from typing import Any

from alembic import context
from sqlalchemy import Connection, create_engine, pool

from server.db.engine import sync_url
from server.db.models import Base
from server.db.types import UTCDateTime

config = context.config
target_metadata = Base.metadata

if config.config_file_name is not None and config.attributes.get("configure_logging", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def _url() -> Any:
    url = config.attributes.get("url") or context.get_x_argument(as_dictionary=True).get("url")
    if not url:
        raise SystemExit(
            "No database URL: use `upkeep-server migrate` or `alembic -x url=<database url> ...`"
        )
    return sync_url(url)


def _render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    # Autogenerate writes portable core types, never our Python-side decorators.
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _configure(**kwargs: Any) -> None:
    context.configure(
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite ALTER TABLE goes through table copies
        compare_type=True,
        render_item=_render_item,
        **kwargs,
    )


def run_migrations_offline() -> None:
    _configure(url=_url(), literal_binds=True, dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


def _run(connection: Connection) -> None:
    _configure(connection=connection)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = create_engine(_url(), poolclass=pool.NullPool)
    try:
        with engine.connect() as conn:
            _run(conn)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
