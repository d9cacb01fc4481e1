"""Pages of a list as screens ask for them and show them: no SQL here, so views may use it."""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil
from typing import Generic, TypeVar

from epic_events.errors import ValidationError

T = TypeVar("T")
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 500


# Counting stops here: "page 3/500+" costs the same at a thousand rows and at a million.
COUNT_CAP = 5_000


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of rows; `total` is exact unless `exact` is False (then it is COUNT_CAP:
    there are more, and the screen says "10000+")."""

    items: list[T]
    number: int
    size: int
    total: int
    exact: bool = True

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.size))

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def first_rows(rows: list, size: int) -> Page:
    """The first `size` of `rows` (fetched one more than shown): "10 of 10+" without counting."""
    return Page(items=rows[:size], number=1, size=size, total=len(rows), exact=len(rows) <= size)


def clamp_page(number: int, total: int, size: int) -> int:
    """A page number within 1..last, so a stale number never shows an empty page."""
    last = max(1, ceil(total / size))
    return min(max(1, number), last)


@dataclass(frozen=True)
class ListQuery:
    """What a list screen asks for: a page, a search, a sort column and its direction."""

    page: int = 1
    size: int = DEFAULT_PAGE_SIZE
    search: str | None = None
    sort: str | None = None
    descending: bool = False
    include_archived: bool = False
    # False: the first rows only, uncounted ("8 of 8+"), as a picker asks on each keystroke
    counted: bool = True
    # False: the page asked for, even past the last (empty then), as a script paging until
    # an empty page expects; True: the nearest page, as a screen with a stale number wants
    clamped: bool = True

    def __post_init__(self):
        if not 1 <= self.size <= MAX_PAGE_SIZE:
            raise ValidationError(f"A page holds 1 to {MAX_PAGE_SIZE} rows.")
        if self.page < 1:
            object.__setattr__(self, "page", 1)  # like a page past the end: the nearest one
        if self.search is not None and "\x00" in self.search:
            raise ValidationError("Search cannot contain a NUL character.")
