"""Search documents (migration 0006): per client, its name, email and company; per event,
its name and location and its client's name and company; lower-cased, fields joined by
U+001F. `search_pairs` writes every two letters of the document as a word of its own, for
searches of one or two letters. Database triggers keep them current; the program only
reads them. An event's document also carries the keys its lists filter on (migration
0009), so that a filtered search is answered by one index."""

from sqlalchemy import Computed, ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column

from epic_events.models.base import Base

PAIRS = "search_pairs(search_doc)"


class ClientSearch(Base):
    __tablename__ = "client_search"

    client_id: Mapped[int] = mapped_column(
        ForeignKey("clients.id", ondelete="CASCADE"), primary_key=True
    )
    search_doc: Mapped[str] = mapped_column(Text)
    search_pairs: Mapped[str | None] = mapped_column(Text, Computed(PAIRS, persisted=True))


class EventSearch(Base):
    __tablename__ = "event_search"

    event_id: Mapped[int] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), primary_key=True
    )
    search_doc: Mapped[str] = mapped_column(Text)
    search_pairs: Mapped[str | None] = mapped_column(Text, Computed(PAIRS, persisted=True))
    # the lists' filter keys (migration 0009): the support contact's id, 0 for none
    support_key: Mapped[int]
    archived: Mapped[bool]
