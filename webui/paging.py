"""Server-side paged tables: the browser holds one page, the service counts the rest."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from nicegui import ui

from webui.i18n import _

__all__ = ["PagedTable"]

#: (page starting at 1, page size) -> (rows of this page, total row count)
Fetch = Callable[[int, int], Awaitable[tuple[Sequence[dict[str, Any]], int]]]

PAGE_SIZES = [10, 20, 50, 100]


class PagedTable:
    """A q-table whose pages come from ``fetch``; ``refresh()`` re-reads the current page."""

    def __init__(
        self, columns: list[dict[str, Any]], fetch: Fetch, *, row_key: str = "id", size: int = 20, testid: str
    ) -> None:
        self._fetch = fetch
        empty = _("Nothing to show.")
        self.table = ui.table(
            columns=columns,
            rows=[],
            row_key=row_key,
            pagination={"page": 1, "rowsPerPage": size, "rowsNumber": 0},
        ).classes("w-full").props(
            f'flat bordered dense :rows-per-page-options="{PAGE_SIZES}" '
            f'no-data-label="{empty}" data-testid="{testid}"'
        )
        self.table.on("request", self._on_request)

    async def _on_request(self, event: Any) -> None:
        pagination = event.args["pagination"]
        self.table.pagination.update(page=pagination["page"], rowsPerPage=pagination["rowsPerPage"])
        await self.refresh()

    async def first_page(self) -> None:
        self.table.pagination["page"] = 1
        await self.refresh()

    async def refresh(self) -> None:
        page = int(self.table.pagination.get("page") or 1)
        size = int(self.table.pagination.get("rowsPerPage") or PAGE_SIZES[1])
        rows, total = await self._fetch(page, size)
        self.table.rows = list(rows)
        self.table.pagination = {**self.table.pagination, "rowsNumber": total}
        self.table.update()
