"""Pages of a list: the rows of one page and what the screen needs to say "page x/y"."""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil
from typing import Generic, TypeVar

T = TypeVar("T")
DEFAULT_PAGE_SIZE = 20


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    number: int
    size: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.size))

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def clamp_page(number: int, total: int, size: int) -> int:
    """A page number within 1..last, so a stale number never shows an empty page."""
    last = max(1, ceil(total / size))
    return min(max(1, number), last)


def like_pattern(text: str) -> str:
    """A case-insensitive substring pattern with LIKE wildcards in `text` escaped."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
