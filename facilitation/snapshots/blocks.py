"""What readers make of a document: its title, link and headed blocks of text."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Block", "ParsedDocument", "table_rows"]


@dataclass(frozen=True, slots=True)
class Block:
    """A paragraph, list item or table row, with where it came from.

    ``kind`` is ``text`` (paragraphs, items, table rows), ``caption`` (a figure or
    table caption), ``note`` (a footnote, or under a Notes heading) or
    ``references`` (a reference list).
    """

    text: str
    heading: str = ""
    page: int | None = None
    item: bool = False
    kind: str = "text"


@dataclass(frozen=True, slots=True)
class ParsedDocument:
    title: str
    url: str | None
    kind: str
    blocks: list[Block] = field(default_factory=list)


def table_rows(rows: list[list[str]]) -> list[str]:
    """Table rows as sentences: "Header: cell; Header: cell." under the first row's headers."""
    if len(rows) < 2:
        return [", ".join(r) + "." for r in rows if any(r)]
    header = rows[0]
    return [
        "; ".join(f"{h}: {c}" for h, c in zip(header, row, strict=False)) + "." for row in rows[1:]
    ]
