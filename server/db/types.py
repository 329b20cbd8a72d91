"""Portable column types shared by the models and the migrations.

Only types that behave the same on SQLite and PostgreSQL live here.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import JSON, BigInteger, DateTime, Dialect, Integer
from sqlalchemy.types import TypeDecorator

__all__ = ["UTCDateTime", "BigIntPK", "JSONDict", "JSONAny"]


class UTCDateTime(TypeDecorator[datetime]):
    """`DateTime(timezone=True)` that always hands back aware UTC datetimes.

    SQLite has no time zones: SQLAlchemy stores the wall-clock digits and drops the
    offset, and `CURRENT_TIMESTAMP` yields naive UTC. This type converts every bound
    value to UTC before storing it and attaches UTC to what it reads, so both
    databases round-trip the same instant. Naive datetimes are refused on the way in
    (they are almost always a bug: use `datetime.now(UTC)`).
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
            raise ValueError(f"naive datetime {value!r} given to a timezone-aware column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


#: 64-bit primary key on PostgreSQL; plain INTEGER on SQLite, where only
#: `INTEGER PRIMARY KEY` is the auto-incrementing rowid (and is already 64-bit).
BigIntPK = BigInteger().with_variant(Integer(), "sqlite")

#: JSON object column (NOT NULL, `{}` by default): Python `None` never reaches it.
JSONDict = JSON()

#: Nullable JSON column: Python `None` is stored as SQL NULL, not the JSON `null`.
JSONAny: JSON = JSON(none_as_null=True)

