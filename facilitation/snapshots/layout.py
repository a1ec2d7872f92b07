"""Lines of a plain-text or PDF document into headed blocks, without any markup to go by.

Each line is told apart as a heading, a figure or table caption, a table row,
a list item, a footnote, a contents line, a running header or footer, or body
text, from its own shape and its neighbours':

- Numbered headings ("2.3 Methods", "Chapter 4", "Appendix B") nest by their
  numbering; CAPITALISED or underlined lines are top-level sections; a short
  line standing on its own (the line before ends a sentence, the line after
  starts one) is a subsection of the section it is in.
- "Figure 2: ...", "Table 3 ...", "[Figure 2: ...]", "Source: ..." are captions:
  kept as text of their section, never a heading.
- Lines repeated on many pages (running headers, page numbers) are dropped, and
  so is a contents page (dot leaders or page numbers at line ends).
- Under "References", "Bibliography" or "Notes" everything is marked as a
  reference list or notes, which retrieval ranks down.
- Paragraphs end at blank lines, or where a line ends a sentence well short of
  the usual line width (hard-wrapped text without blank lines, as PDFs give).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from facilitation.snapshots.blocks import Block, table_rows

__all__ = ["read_lines"]

_SPACE_RE = re.compile(r"\s+")
_NUMBERED_RE = re.compile(r"^((?:\d{1,2}\.)*\d{1,2})\.?\s+(\S.*)$")
_NAMED_RE = re.compile(
    r"^(chapter|section|part|appendix|annex|annexe)\s+([0-9]{1,2}|[A-Z]|[IVX]{1,5})\b[.:]?\s*(.*)$",
    re.I,
)
_CAPTION_RE = re.compile(
    r"^\[?\s*(?:(?:figure|fig\.|table|chart|graph|box|exhibit|map|diagram|image|photo|plate"
    r"|illustration|graphic)\s*[0-9IVX]+[a-z]?\b|(?:source|sources|note|notes|key)\s*:)",
    re.I,
)
_ITEM_RE = re.compile(
    r"^\s*(?:[-*+•◦▪‣·●○■□–—]|\(?[0-9]{1,2}[.)]|\(?[a-z][.)]|\([ivx]{1,4}\))\s+(.*)$"
)
_FOOTNOTE_RE = re.compile(r"^\s*(?:[0-9]{1,3}|[¹²³⁴⁵⁶⁷⁸⁹⁰]+|\*|†)\s+[A-Z\"“'‘(].{30,}$")
_LEADER_RE = re.compile(r"(?:\.\s?){3,}\s*\d+\s*$|\s{2,}\d{1,3}\s*$|\t\s*\d{1,3}\s*$")
_CONTENTS_RE = re.compile(r"^(?:table of )?contents$", re.I)
_COLUMNS_RE = re.compile(r"\S(?:\s{2,}|\t)\S")
_PAGE_NO_RE = re.compile(r"^(?:page\s+)?[-–]?\s*\d{1,4}\s*[-–]?(?:\s+of\s+\d+)?$", re.I)
_SOURCE_LINE_RE = re.compile(r"^\s*(?:source|url|link)\s*:\s*<?https?://\S+?>?\s*$", re.I)
_UNDERLINE_RE = re.compile(r"^\s*(?:-{3,}|={3,})\s*$")
_URL_RE = re.compile(r"https?://|www\.")
_REFERENCES = ("references", "bibliography", "works cited", "sources", "further reading")
_NOTES = ("notes", "endnotes", "footnotes")
# a heading does not end in a word that needs another after it (a wrapped list item does)
_DANGLING = frozenset({"and", "or", "of", "the", "a", "an", "to", "for", "with", "by", "that"})
# a count then a sum of money ("10 £140 per window"), or a sum then a figure: table cells
_TWO_FIGURES_RE = re.compile(r"\d[\d,]*%?\s+[£$€]\d|[£$€]\d[\d,.]*\s+\d")
_ENDS_SENTENCE = (".", "!", "?", ":", '"', "”", ")", "’")


def _clean(text: str) -> str:
    return _SPACE_RE.sub(" ", text).strip()


def _letters(text: str) -> str:
    return "".join(c for c in text if c.isalpha())


def _is_caps(line: str) -> bool:
    letters = _letters(line)
    return len(letters) >= 3 and letters.isupper()


def _headingish(line: str) -> bool:
    """Short, with letters, not a sentence or a link: could be a heading."""
    words = line.split()
    return (
        0 < len(words) <= 16
        and len(line) <= 120
        and not line.endswith((".", ",", ";", ":"))
        and (line[:1].isupper() or line[:1].isdigit())
        and len(_letters(line)) >= 3
        and words[-1].lower() not in _DANGLING
        and not _URL_RE.search(line)
        and not _CAPTION_RE.match(line)
    )


def _display(heading: str) -> str:
    """A heading as shown in a citation: CAPITALS in sentence case."""
    heading = _clean(heading)
    return heading.capitalize() if _is_caps(heading) else heading


def _section_kind(name: str) -> str | None:
    bare = _NUMBERED_RE.sub(r"\2", name).strip().lower().rstrip(":")
    if bare in _REFERENCES:
        return "references"
    if bare in _NOTES:
        return "note"
    return None


@dataclass
class _Outline:
    """The open headings: (level, name, explicit), and the kind of text under them."""

    stack: list[tuple[int, str, bool]] = field(default_factory=list)
    kind: str | None = None
    double_underlines: bool = False

    def open(self, level: int | None, name: str) -> None:
        explicit = level is not None
        if level is None:
            level = 1 + max((lv for lv, _, ex in self.stack if ex), default=0)
        self.stack = [s for s in self.stack if s[0] < level]
        self.stack.append((level, name, explicit))
        self.kind = None
        for _, n, _ in self.stack:
            self.kind = _section_kind(n) or self.kind

    def follows(self, line: str) -> bool:
        """Whether a numbered line continues the numbering of the open headings."""
        match = _NUMBERED_RE.match(line)
        numbers = [name.split()[0] for _, name, explicit in self.stack if explicit]
        if not match or not numbers:
            return False
        top = numbers[0].split(".")[0]
        first = match.group(1).split(".")[0]
        return top.isdigit() and first.isdigit() and int(first) in (int(top), int(top) + 1)

    @property
    def path(self) -> str:
        return " › ".join(name for _, name, _ in self.stack)


def _running_lines(pages: Sequence[list[str]]) -> set[str]:
    """Lines at the top or foot of at least a third of several pages: headers, footers.

    Digits are ignored ("Page 3" and "Page 4" are one line).
    """
    if len(pages) < 3:
        return set()
    seen: Counter[str] = Counter()
    for lines in pages:
        filled = [x for x in lines if x.strip()]
        edges = filled[:2] + filled[-2:]
        seen.update({re.sub(r"\d+", "#", _clean(x)) for x in edges})
    return {
        line for line, n in seen.items() if n >= max(3, len(pages) // 3) and len(line.split()) <= 12
    }


def _contents_lines(lines: list[str]) -> set[int]:
    """Line numbers of a contents list after "Contents".

    Its lines end in page numbers, or (HTML or e-book text) are numbered headings and
    their wrapped tails; the body starts where an entry's number comes round again.
    """
    out: set[int] = set()
    for i, line in enumerate(lines):
        if not _CONTENTS_RE.match(_clean(line)):
            continue
        out.add(i)
        misses = 0
        seen: set[str] = set()
        listed = False  # the last line with text was an entry
        leaders = False  # entries end in page numbers: a bare numbered line is the body
        for j in range(i + 1, min(len(lines), i + 400)):
            text = lines[j].strip()
            numbered = _NUMBERED_RE.match(text)
            if numbered and numbered.group(1) in seen and not _LEADER_RE.search(text):
                break
            entry = bool(
                _LEADER_RE.search(text)
                or (_headingish(text) and j + 1 < len(lines) and _LEADER_RE.search(lines[j + 1]))
            )
            leaders |= entry
            if numbered and not leaders and _heading_level(text)[0]:
                entry = True
            if numbered and entry:
                seen.add(numbered.group(1))
            # a wrapped entry's tail: "all users)" under "3.4. /bin : ... (for use by"
            tail = (
                listed
                and 0 < len(text.split()) <= 8
                and (text[:1].islower() or text[:1] == "(" or text.endswith(")"))
                and not text.endswith(".")
            )
            if not text or entry or tail:
                out.add(j)
                if text:
                    misses, listed = 0, entry or tail
                continue
            misses += 1
            listed = False
            if misses >= 2:
                break
    # dot leaders anywhere are contents lines too
    out.update(i for i, line in enumerate(lines) if re.search(r"(?:\.\s?){4,}\s*\d+\s*$", line))
    return out


@dataclass(frozen=True, slots=True)
class _Line:
    text: str
    page: int | None


def _lines(pages: Sequence[str], paged: bool, pdf: bool) -> list[_Line | None]:
    """Every line with its page, ``None`` for a blank; running headers and contents dropped.

    PDF text has its spaces collapsed: justified lines come out with double spaces.
    """
    split = [p.splitlines() for p in pages]
    if pdf:
        split = [[_clean(x) for x in lines] for lines in split]
    running = _running_lines(split)
    out: list[_Line | None] = []
    for page_no, lines in enumerate(split, start=1):
        contents = _contents_lines(lines)
        for i, raw in enumerate(lines):
            text = raw.rstrip()
            key = re.sub(r"\d+", "#", _clean(text))
            if not text.strip() or i in contents:
                out.append(None)
            elif (
                (key in running and _at_edge(lines, i))
                or _PAGE_NO_RE.match(text.strip())
                or _SOURCE_LINE_RE.match(text)
            ):
                continue
            else:
                out.append(_Line(text, page_no if paged else None))
        out.append(None)
    return out


def _at_edge(lines: list[str], i: int) -> bool:
    filled = [j for j, x in enumerate(lines) if x.strip()]
    return i in filled[:2] or i in filled[-2:]


def _width(lines: Sequence[_Line | None]) -> int:
    lengths = sorted(len(x.text.strip()) for x in lines if x is not None)
    return lengths[int(len(lengths) * 0.9)] if lengths else 80


def _heading_level(line: str) -> tuple[bool, int | None]:
    """(is a heading by its own shape, its level or ``None`` for "a subsection")."""
    if not _headingish(line):
        return False, None
    named = _NAMED_RE.match(line)
    if named:
        return True, 1
    numbered = _NUMBERED_RE.match(line)
    if (
        numbered
        and len(numbered.group(2).split()) <= 16
        # "5.9. /var/lock : Lock files" and "2.1 “Reach” in practice" are headings too
        and (numbered.group(2)[:1].isupper() or numbered.group(2)[:1] in "/\"“'‘<")
        and not re.search(r"[.!;]\s+\S", numbered.group(2))
    ):
        return True, numbered.group(1).count(".") + 1
    if _is_caps(line):
        return True, 1
    return False, None


def read_lines(pages: Sequence[str], *, paged: bool, pdf: bool = False) -> tuple[str, list[Block]]:
    """The title (the first line) and the blocks of a document given as pages of lines."""
    lines = _lines(pages, paged, pdf)
    width = _width(lines)
    title = ""
    outline = _Outline()
    blocks: list[Block] = []
    para: list[str] = []
    para_kind = "text"
    para_page: int | None = None

    def flush() -> None:
        nonlocal para, para_kind
        if para:
            text = re.sub(r"(\w)- (?=[a-z])", r"\1", " ".join(para))
            kind = outline.kind or para_kind
            blocks.append(Block(_clean(text), outline.path, para_page, para_kind == "item", kind))
        para, para_kind = [], "text"

    i = 0
    while i < len(lines):
        cur = lines[i]
        if cur is None:
            flush()
            i += 1
            continue
        text = cur.text.strip()
        prev = lines[i - 1] if i > 0 else None
        nxt = lines[i + 1] if i + 1 < len(lines) else None
        if not title:
            title = _clean(text)
            i += 2 if nxt is not None and _UNDERLINE_RE.match(nxt.text) else 1
            continue
        if nxt is not None and _UNDERLINE_RE.match(nxt.text) and _headingish(text):
            flush()
            outline.double_underlines |= "=" in nxt.text
            depth = 2 if outline.double_underlines and "=" not in nxt.text else 1
            outline.open(depth, _display(text))
            i += 2
            continue
        # a table: this and the next line both have columns
        if _COLUMNS_RE.search(text) and (
            (nxt is not None and _COLUMNS_RE.search(nxt.text.strip()))
            or (prev is not None and _COLUMNS_RE.search(prev.text.strip()))
        ):
            flush()
            rows: list[list[str]] = []
            while i < len(lines) and lines[i] is not None:
                row_line = lines[i]
                assert row_line is not None
                if not _COLUMNS_RE.search(row_line.text.strip()):
                    break
                rows.append(re.split(r"\s{2,}|\t", row_line.text.strip()))
                i += 1
            kind = outline.kind or "text"
            blocks.extend(Block(r, outline.path, cur.page, True, kind) for r in table_rows(rows))
            continue
        # a table whose columns were lost (PDF text): short lines ending in figures
        ahead = [x for x in lines[i + 1 : i + 3] if x is not None]
        if (_rowlike(text, width) and sum(_rowlike(x.text, width) for x in ahead) >= 1) or (
            _headingish(text)
            and len(ahead) == 2
            and all(_rowlike(x.text.strip(), width) for x in ahead)
        ):
            flush()
            kind = outline.kind or "text"
            blocks.append(Block(_clean(text), outline.path, cur.page, True, kind))
            i += 1
            while i < len(lines) and (row := lines[i]) is not None and _rowlike(row.text, width):
                blocks.append(Block(_clean(row.text), outline.path, row.page, True, kind))
                i += 1
            continue
        starts_alone = prev is None or prev.text.rstrip().endswith(_ENDS_SENTENCE) or not para
        after = next((x for x in lines[i + 1 : i + 4] if x is not None), None)
        lead = after.text.strip()[:1] if after is not None else ""
        next_starts = lead.isupper() or lead.isdigit() or lead in "•-*(\"“‘'[–"
        continues = nxt is not None and nxt.text.strip()[:1].islower()
        by_shape, level = _heading_level(text)
        # a numbered heading wrapped onto a second, short line
        wrapped = (
            nxt is not None
            and _NUMBERED_RE.match(text) is not None
            and (continues or text.endswith(","))
            and len(nxt.text.strip()) < 0.5 * width
            and not nxt.text.rstrip().endswith((".", ",", ";", ":"))
            and _heading_level(f"{text} {nxt.text.strip()}")[0]
        )
        if wrapped:
            by_shape, level = _heading_level(f"{text} {nxt.text.strip() if nxt else ''}")
        # after a caption or list, a heading numbered next in sequence needs no full stop before it
        in_sequence = para_kind != "text" and outline.follows(text)
        if by_shape and (starts_alone or in_sequence) and (wrapped or not continues):
            flush()
            name = f"{text} {nxt.text.strip()}" if wrapped and nxt is not None else text
            outline.open(level, _display(name))
            i += 2 if wrapped else 1
            continue
        if (
            _headingish(text)
            and starts_alone
            # a line ending in a colon introduces what follows (a list, a table's header row)
            and not (prev is not None and prev.text.rstrip().endswith(":"))
            # a count and a sum first ("10 £140 per window"): a table row whose columns were lost
            and not _TWO_FIGURES_RE.match(text)
            and next_starts
            and len(text) < 0.6 * width
            and not _ITEM_RE.match(cur.text)
            and not _FOOTNOTE_RE.match(text)
        ):
            flush()
            outline.open(None, _clean(text))
            i += 1
            continue
        if _CAPTION_RE.match(text):
            flush()
            para, para_kind, para_page = [text.strip("[]")], "caption", cur.page
            i += 1
            continue
        if _FOOTNOTE_RE.match(text) and paged and _near_page_end(lines, i):
            flush()
            para, para_kind, para_page = [text], "note", cur.page
            i += 1
            continue
        item = _ITEM_RE.match(cur.text)
        if item:
            flush()
            para, para_kind, para_page = [item.group(1)], "item", cur.page
            i += 1
            continue
        ended = _ends_paragraph(lines[i - 1], width) or (
            outline.kind == "references" and bool(para) and para[-1].endswith(".")
        )  # a reference list has one entry a line
        if para and para_kind != "item" and ended:
            flush()
        if not para:
            para_page = cur.page
        para.append(text)
        i += 1
    flush()
    return title, blocks


_FIGURE_END_RE = re.compile(r"(?:[£$€]?\d[\d,.]*\s?(?:%|km|m|cm|°C|pp)?|n/a|–|-)$")


def _rowlike(line: str, width: int) -> bool:
    """A table row whose columns were lost: short, no sentence, ending in a figure."""
    line = line.strip()
    return (
        bool(_FIGURE_END_RE.search(line))
        and len(line) < 0.75 * width
        and 2 <= len(line.split()) <= 16
        and not re.search(r"[.!?;]\s", line)
        and not _PAGE_NO_RE.match(line)
        and not _NUMBERED_RE.match(line)
    )


def _ends_paragraph(prev: _Line | None, width: int) -> bool:
    """A line that ends a sentence well short of the usual width ended its paragraph."""
    if prev is None:
        return True
    text = prev.text.strip()
    return text.endswith(_ENDS_SENTENCE) and len(text) < 0.75 * width


def _near_page_end(lines: Sequence[_Line | None], i: int) -> bool:
    """Within the last few lines of its page (footnotes sit at the bottom)."""
    here = lines[i]
    page = here.page if here is not None else None
    rest: Iterator[_Line | None] = iter(lines[i + 1 :])
    count = 0
    for x in rest:
        if x is None:
            continue
        if x.page != page:
            return True
        count += 1
        if count > 4:
            return False
    return True
