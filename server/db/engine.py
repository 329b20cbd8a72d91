"""Engines, sessions and schema migrations.

Runtime code is async (`sqlite+aiosqlite` / `postgresql+psycopg`); Alembic runs on the
matching sync driver (`sqlite` / `postgresql+psycopg`). URLs in either form are
accepted everywhere and converted with `async_url()` / `sync_url()`.

    engine = make_async_engine(settings.database_url)
    session_factory = make_session_factory(engine)
    async with session_factory() as s, s.begin():
        ...

The migration helpers (`migrate`, `downgrade`, `schema_status`, `is_migrated`) are
synchronous and open their own short-lived sync engine; call them before the event loop
starts or through `asyncio.to_thread`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import URL, create_engine, event, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import StaticPool

__all__ = [
    "SQLITE_BUSY_TIMEOUT_MS",
    "async_url",
    "sync_url",
    "make_async_engine",
    "make_session_factory",
    "alembic_config",
    "migrate",
    "downgrade",
    "schema_status",
    "is_migrated",
]

#: How long a SQLite writer waits for the lock before failing with "database is locked".
SQLITE_BUSY_TIMEOUT_MS = 5_000

_REPO_ROOT = Path(__file__).resolve().parents[2]
_ALEMBIC_INI = _REPO_ROOT / "alembic.ini"
# A wheel carries the migrations inside the package (setup.py); a checkout (or an
# editable install) has them in migrations/ at the top.
_MIGRATIONS = next(
    (p for p in (Path(__file__).resolve().parents[1] / "_migrations", _REPO_ROOT / "migrations") if p.is_dir()),
    _REPO_ROOT / "migrations",
)

_ASYNC_DRIVERS = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+psycopg"}
_SYNC_DRIVERS = {"sqlite": "sqlite", "postgresql": "postgresql+psycopg"}


def _with_driver(url: str | URL, drivers: dict[str, str]) -> URL:
    u = make_url(url)
    backend = u.get_backend_name()
    if backend not in drivers:
        raise ValueError(f"unsupported database {backend!r}: use sqlite or postgresql")
    return u.set(drivername=drivers[backend])


def async_url(url: str | URL) -> URL:
    """The URL with the async driver: `sqlite+aiosqlite` or `postgresql+psycopg`."""
    return _with_driver(url, _ASYNC_DRIVERS)


def sync_url(url: str | URL) -> URL:
    """The URL with the sync driver Alembic uses: `sqlite` or `postgresql+psycopg`."""
    return _with_driver(url, _SYNC_DRIVERS)


def _is_memory_sqlite(u: URL) -> bool:
    return u.get_backend_name() == "sqlite" and u.database in (None, "", ":memory:")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Own the transaction boundaries (see _sqlite_begin) instead of the driver's
    # implicit BEGIN, so SAVEPOINT and transactional DDL behave.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode=WAL")  # readers never block the writer
        cursor.execute("PRAGMA synchronous=NORMAL")  # durable enough under WAL
    finally:
        cursor.close()


def _sqlite_begin(conn: Any) -> None:
    # IMMEDIATE takes the write lock up front: a deferred transaction that later
    # writes can fail with SQLITE_BUSY at once, which busy_timeout does not cover.
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def make_async_engine(url: str | URL, **kwargs: Any) -> AsyncEngine:
    """An `AsyncEngine` for `url` (sync or async spelling).

    SQLite gets foreign keys, WAL, a busy timeout and `BEGIN IMMEDIATE` transactions;
    an in-memory SQLite URL shares one connection (StaticPool) so every session sees
    the same database. Extra keyword arguments go to `create_async_engine`.
    """
    u = async_url(url)
    if u.get_backend_name() == "sqlite":
        if _is_memory_sqlite(u):
            kwargs.setdefault("poolclass", StaticPool)
        engine = create_async_engine(u, **kwargs)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "begin", _sqlite_begin)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_async_engine(u, **kwargs)


def make_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded attributes after commit (no implicit async refresh)."""
    return async_sessionmaker(engine, expire_on_commit=False)


# ------------------------------------------------------------------------ Alembic


def alembic_config(url: str | URL) -> Config:
    """Alembic `Config` for this repository's migrations, targeting `url`.

    The URL travels in `config.attributes["url"]`; env.py never reads the environment.
    """
    cfg = Config(str(_ALEMBIC_INI)) if _ALEMBIC_INI.exists() else Config()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    cfg.attributes["url"] = sync_url(url)
    cfg.attributes["configure_logging"] = False  # leave the host process's logging alone
    return cfg


def migrate(url: str | URL, revision: str = "head") -> None:
    """Upgrade the database at `url` to `revision` (default: head)."""
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str | URL, revision: str) -> None:
    """Downgrade the database at `url` to `revision` (`"base"` drops everything)."""
    command.downgrade(alembic_config(url), revision)


def schema_status(url: str | URL) -> tuple[str | None, str | None]:
    """(current revision of the database, head revision of the code); None = none."""
    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    engine = create_engine(sync_url(url))
    try:
        with engine.connect() as conn:
            current = MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()
    return current, head


def is_migrated(url: str | URL) -> bool:
    """True when the database is at the head revision (what `serve` requires)."""
    current, head = schema_status(url)
    return current is not None and current == head
