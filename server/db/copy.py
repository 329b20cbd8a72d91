"""PostgreSQL COPY for the batches written on hot paths (events, presence)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

__all__ = ["ROWS_PER_SLICE", "copy_rows"]

#: Rows formatted between two returns to the event loop: a batch of thousands would
#: otherwise hold the loop for tens of milliseconds (the check-update tail latency).
ROWS_PER_SLICE = 250


async def copy_rows(
    session: AsyncSession, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]], *, types: Sequence[str] = (),
) -> None:
    """COPY ``rows`` into ``table`` in the session's transaction; ``types`` (PostgreSQL type
    names, one per column) spare psycopg inspecting every value."""
    connection = await session.connection()
    raw = (await connection.get_raw_connection()).driver_connection
    async with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        if types:
            copy.set_types(types)
        for n, row in enumerate(rows, 1):
            await copy.write_row(row)
            if n % ROWS_PER_SLICE == 0:
                await asyncio.sleep(0)
