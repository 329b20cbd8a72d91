"""WHERE clauses matching a column against many values."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ARRAY, ColumnElement, Text, any_, bindparam, cast, func
from sqlalchemy.ext.asyncio import AsyncSession

__all__ = ["IN_LIST_SIZE", "among"]

#: Bound parameters per IN list where arrays are not available (SQLite's limit is higher).
IN_LIST_SIZE = 1000

_SEPARATOR = ","


def among(session: AsyncSession, column: Any, values: Sequence[Any]) -> list[ColumnElement[bool]]:
    """``column`` among ``values``, one clause per statement to run: a single array parameter
    on PostgreSQL, IN lists of ``IN_LIST_SIZE`` elsewhere; none for no values."""
    if not values:
        return []
    if session.bind.dialect.name == "postgresql":
        return [column == any_(_pg_array(column, values))]
    return [column.in_(values[start:start + IN_LIST_SIZE]) for start in range(0, len(values), IN_LIST_SIZE)]


def _pg_array(column: Any, values: Sequence[Any]) -> ColumnElement[Any]:
    """The values as one PostgreSQL array: joined into a single text that the server splits,
    where they allow it (psycopg dumps a list element by element in Python: 50 ms for 20,000
    uuids, against 5 ms for the text)."""
    texts = [str(value) for value in values]
    joined = _SEPARATOR.join(texts)
    if joined.count(_SEPARATOR) != len(texts) - 1 or joined == "":
        return cast(list(values), ARRAY(column.type))  # a separator inside a value, or one empty value
    split = func.string_to_array(bindparam(None, joined, type_=Text), _SEPARATOR)
    return cast(split, ARRAY(column.type))
