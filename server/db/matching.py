"""WHERE clauses matching a column against many values."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ARRAY, ColumnElement, any_, cast
from sqlalchemy.ext.asyncio import AsyncSession

__all__ = ["IN_LIST_SIZE", "among"]

#: Bound parameters per IN list where arrays are not available (SQLite's limit is higher).
IN_LIST_SIZE = 1000


def among(session: AsyncSession, column: Any, values: Sequence[Any]) -> list[ColumnElement[bool]]:
    """``column`` among ``values``, one clause per statement to run: a single array parameter
    on PostgreSQL, IN lists of ``IN_LIST_SIZE`` elsewhere; none for no values."""
    if not values:
        return []
    if session.bind.dialect.name == "postgresql":
        return [column == any_(cast(list(values), ARRAY(column.type)))]
    return [column.in_(values[start:start + IN_LIST_SIZE]) for start in range(0, len(values), IN_LIST_SIZE)]
