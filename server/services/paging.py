"""Bounded offset paging shared by every list service (seed 1 `page`/`limit`)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Generic, TypeVar

from common.errors import InvalidInput
from common.i18n import N_

__all__ = ["DEFAULT_PAGE_SIZE", "Page", "PageSpec", "page_spec"]

T = TypeVar("T")

DEFAULT_PAGE_SIZE = 20
PAGE_TOO_LARGE = N_("The page size {size} is over the maximum of {maximum}.")
PAGE_INVALID = N_("The page number and page size must not be negative.")


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class PageSpec:
    """A validated request for one page (1-based)."""

    page: int
    size: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Page(Generic[T]):
    """One page of items and the total matching the filters."""

    items: Sequence[T]
    page: int
    size: int
    total: int


def page_spec(page: int | None, size: int | None, *, maximum: int) -> PageSpec:
    """0/None mean page 1 and the default size; a size over ``maximum`` is refused, not capped."""
    page, size = page or 0, size or 0
    if page < 0 or size < 0:
        raise InvalidInput(PAGE_INVALID, error_code="INVALID_PAGE")
    if size > maximum:
        raise InvalidInput(PAGE_TOO_LARGE, error_code="PAGE_TOO_LARGE", size=size, maximum=maximum)
    return PageSpec(page=page or 1, size=size or min(DEFAULT_PAGE_SIZE, maximum))
