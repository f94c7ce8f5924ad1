"""Pagination of the registers and queues: page numbers over the APIs' limit/offset."""

from __future__ import annotations

from dataclasses import dataclass

PAGE_SIZE = 25


@dataclass(frozen=True)
class Paging:
    """Which page of a list is shown."""

    page: int = 1
    size: int = PAGE_SIZE

    @property
    def offset(self) -> int:
        """The API offset of the page's first row."""
        return (self.page - 1) * self.size

    def of(self, total: int) -> PageInfo:
        """This page against the list's total."""
        last = max(1, -(-total // self.size))
        return PageInfo(self.page, last, total, self.page > 1, self.page < last)


@dataclass(frozen=True)
class PageInfo:
    """What a page's navigation shows."""

    page: int
    last: int
    total: int
    has_previous: bool
    has_next: bool
