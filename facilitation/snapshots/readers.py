"""Read research documents (Markdown, text, HTML, PDF) into headed blocks of text.

Each reader returns the document's title, its source link (a ``Source: URL``
line near the top, an HTML canonical link, or PDF metadata) and its blocks:
paragraphs, list items and table rows, each with the heading it sits under
and, for PDFs, its page number.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from facilitation.snapshots.blocks import Block, ParsedDocument, table_rows
from facilitation.snapshots.layout import read_lines

__all__ = [
    "PARSER_VERSION",
    "SUFFIXES",
    "Block",
    "ParsedDocument",
    "UnreadableFile",
    "pdf_text",
    "read_document",
]


# Raise when reading changes: documents read by an older version are read again.
PARSER_VERSION = 3


class UnreadableFile(Exception):
    """A file that could not be read as a research document; the message says why."""


SUFFIXES = {
    ".md": "markdown",
    ".markdown": "markdown",
    ".txt": "text",
    ".text": "text",
    ".html": "html",
    ".htm": "html",
    ".pdf": "pdf",
}

_SOURCE_RE = re.compile(r"^\s*(?:source|url|link)\s*:\s*<?(https?://\S+?)>?\s*$", re.I | re.M)
_URL_RE = re.compile(r"https?://\S+")
_MD_HEADING_RE = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_MD_ITEM_RE = re.compile(r"^\s*(?:[-*+•◦▪‣·●]|\d+[.)])\s+(.*)$")
_MD_LINK_RE = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_EMPHASIS_RE = re.compile(r"(\*\*|__|\*|_|`)(?=\S)(.+?)(?<=\S)\1")
_UNDERLINE_RE = re.compile(r"^\s*(?:-{3,}|={3,})\s*$")
_SPACE_RE = re.compile(r"\s+")


def read_document(path: Path) -> ParsedDocument:
    """Read ``path`` by its suffix; raise :class:`UnreadableFile` with the reason."""
    kind = SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise UnreadableFile(f"not a supported file type ({path.suffix or 'no suffix'})")
    try:
        if kind == "pdf":
            return _read_pdf(path)
        raw = path.read_bytes()
    except OSError as exc:
        raise UnreadableFile(exc.strerror or str(exc)) from exc
    if not raw.strip():
        raise UnreadableFile("the file is empty")
    text = _decode(raw)
    if _looks_binary(text):
        raise UnreadableFile(f"it doesn't look like {kind} text (is it another kind of file?)")
    if kind == "html":
        return _read_html(text, path)
    if kind == "markdown":
        return _read_markdown(text, path)
    return _read_text(text, path)


def _looks_binary(text: str) -> bool:
    sample = text[:20_000]
    odd = sum(1 for c in sample if (ord(c) < 32 and c not in "\n\r\t\f") or c == "\ufffd")
    return odd > 0.02 * len(sample)


def _decode(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")


def _clean(text: str) -> str:
    return _SPACE_RE.sub(" ", text).strip()


def _source(text: str) -> str | None:
    match = _SOURCE_RE.search(text[:3000])
    return match.group(1).rstrip(".,;") if match else None


def _is_source_line(line: str) -> bool:
    return bool(_SOURCE_RE.fullmatch(line.strip()))


def _paragraphs(lines: list[str]) -> Iterator[tuple[str, bool]]:
    """Group lines into (text, is_list_item), breaking on blank lines and list markers."""
    current: list[str] = []
    item = False
    for line in [*lines, ""]:
        marker = _MD_ITEM_RE.match(line)
        if not line.strip() or marker:
            if current:
                yield _clean(" ".join(current)), item
            current, item = ([marker.group(1)], True) if marker else ([], False)
        else:
            current.append(line.strip())


def _read_markdown(text: str, path: Path) -> ParsedDocument:
    title, headings = "", ["", "", "", "", "", ""]
    blocks: list[Block] = []
    pending: list[str] = []

    def flush() -> None:
        heading = " › ".join(h for h in headings[1:] if h)
        for group in _line_groups(pending):
            if all(line.strip().startswith("|") for line in group):
                cells = [[c.strip() for c in g.strip().strip("|").split("|")] for g in group]
                cells = [row for row in cells if not all(set(c) <= set("-: ") for c in row)]
                blocks.extend(Block(r, heading, None, True) for r in table_rows(cells))
                continue
            for para, item in _paragraphs(group):
                para = re.sub(r"^(?:>\s?)+", "", para)
                para = _MD_EMPHASIS_RE.sub(r"\2", _MD_LINK_RE.sub(r"\1", para))
                if para and not _is_source_line(para):
                    blocks.append(Block(para, heading, None, item))
        pending.clear()

    for line in text.splitlines():
        match = _MD_HEADING_RE.match(line)
        if match:
            flush()
            level, name = len(match.group(1)), _clean(match.group(2))
            if level == 1 and not title:
                title = name
                continue
            headings[level - 1] = name
            for deeper in range(level, 6):
                headings[deeper] = ""
        else:
            pending.append(line)
    flush()
    return ParsedDocument(title or _title_from(path), _source(text), "markdown", blocks)


def _line_groups(lines: list[str]) -> list[list[str]]:
    """Runs of non-blank lines."""
    groups: list[list[str]] = [[]]
    for line in lines:
        if line.strip():
            groups[-1].append(line)
        elif groups[-1]:
            groups.append([])
    return [g for g in groups if g]


_FRONT_MATTER_RE = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.S)
_MARKDOWN_HINT_RE = re.compile(r"^#{1,6}\s+\S|\]\((?:https?://|/)|^\*\*[^*]+\*\*\s*$", re.M)


def front_matter(text: str) -> tuple[dict[str, str], str]:
    """YAML-style front matter (``key: value`` lines between ``---``), and the rest."""
    match = _FRONT_MATTER_RE.match(text)
    if not match:
        return {}, text
    meta = {}
    for line in match.group(1).splitlines():
        key, sep, value = line.partition(":")
        if sep and not line.startswith((" ", "\t", "-")):
            meta[key.strip().lower()] = value.strip().strip("'\"")
    return meta, text[match.end() :]


def _read_text(text: str, path: Path) -> ParsedDocument:
    """Plain text: headings, captions, tables and lists told apart by :mod:`layout`.

    A file written in Markdown (front matter, ``#`` headings or ``[links](...)``)
    is read as Markdown. A form feed starts a new page (as ``pdftotext`` writes).
    """
    meta, body = front_matter(text)
    if meta or len(_MARKDOWN_HINT_RE.findall(body)) >= 2:
        doc = _read_markdown(body, path)
        title = meta.get("title") or doc.title
        return ParsedDocument(title, doc.url or meta.get("url"), "text", doc.blocks)
    pages = text.split("\f")
    title, blocks = read_lines(pages, paged=len(pages) > 1)
    blocks = [b for b in blocks if not _is_source_line(b.text)]
    return ParsedDocument(title or _title_from(path), _source(text), "text", blocks)


_BLOCK_TAGS = ("p", "li", "tr", "pre", "blockquote", "dt", "dd", "figcaption", "caption")
_HEADING_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6")


def _read_html(text: str, path: Path) -> ParsedDocument:
    from bs4 import BeautifulSoup, Tag  # noqa: PLC0415  # lazy: each reader loads its parser only for its kind of file

    soup = BeautifulSoup(text, "html.parser")
    for junk in soup(["script", "style", "nav", "footer", "noscript", "template"]):
        junk.decompose()
    canonical = soup.find("link", rel="canonical")
    url = canonical.get("href") if isinstance(canonical, Tag) else None
    title_tag = soup.find("title") or soup.find("h1")
    title = _clean(title_tag.get_text(" ")) if title_tag is not None else ""
    body_text = soup.get_text("\n")
    url = str(url) if url else _source(body_text)
    headings = ["", "", "", "", "", ""]
    blocks: list[Block] = []
    header_cells: list[str] = []
    for el in soup.find_all([*_HEADING_TAGS, *_BLOCK_TAGS]):
        if not isinstance(el, Tag):
            continue
        if el.name in _HEADING_TAGS:
            level = int(el.name[1])
            headings[level - 1] = _clean(el.get_text(" "))
            for deeper in range(level, 6):
                headings[deeper] = ""
            continue
        if any(p.name in _BLOCK_TAGS for p in el.parents):
            continue  # its text is already in the enclosing block
        heading = " › ".join(h for h in headings[1:] if h)
        if el.name == "tr":
            cells = [_clean(c.get_text(" ")) for c in el.find_all(["th", "td"])]
            if el.find("th") and not el.find("td"):
                header_cells = cells
                continue
            pairs = zip(header_cells, cells, strict=False) if header_cells else ()
            row = "; ".join(f"{h}: {c}" for h, c in pairs) or ", ".join(cells)
            blocks.append(Block(row + ".", heading, None, True))
            continue
        para = _clean(el.get_text(" "))
        if para and not _is_source_line(para):
            blocks.append(Block(para, heading, None, el.name in ("li", "dd")))
    return ParsedDocument(title or _title_from(path), url, "html", blocks)


# TeX fonts without a Unicode map give ligatures as control characters: T1 (Cork) puts
# ff fi fl ffi ffl at 0x1B-0x1F, OT1 at 0x0B-0x0F. Python counts most of them as spaces,
# so "coefficients" would become "coe cients". Unicode ligature characters are spelled out.
_LIGATURES = {
    **dict(zip("\x1b\x1c\x1d\x1e\x1f", ("ff", "fi", "fl", "ffi", "ffl"), strict=True)),
    **dict(zip("\x0b\x0c\x0d\x0e\x0f", ("ff", "fi", "fl", "ffi", "ffl"), strict=True)),
}
_LIGATURE_RE = re.compile(r"(?<=[A-Za-z])[\x0b-\x0f\x1b-\x1f]|[\x0b-\x0f\x1b-\x1f](?=[a-z])")
_UNICODE_LIGATURES = str.maketrans(
    {
        c: v
        for c, v in zip(
            "\ufb00\ufb01\ufb02\ufb03\ufb04", ("ff", "fi", "fl", "ffi", "ffl"), strict=True
        )
    }
)


def pdf_text(page: Any) -> str:
    """A pypdf page's text, with ligatures given as control or ligature characters as letters."""
    text: str = page.extract_text() or ""
    text = _LIGATURE_RE.sub(lambda m: _LIGATURES[m.group(0)], text)
    return text.translate(_UNICODE_LIGATURES)


_LOCKED = "the PDF is password-protected: save a copy without the password and ingest that"


def _read_pdf(path: Path) -> ParsedDocument:
    from pypdf import PdfReader  # noqa: PLC0415  # lazy: each reader loads its parser only for its kind of file
    from pypdf.errors import FileNotDecryptedError, PyPdfError  # noqa: PLC0415  # lazy: as above

    try:
        reader = PdfReader(path)
        # many PDFs are "encrypted" with an empty password only to restrict printing
        if reader.is_encrypted and not reader.decrypt(""):
            raise UnreadableFile(_LOCKED)
        meta_title = reader.metadata.title if reader.metadata else None
        pages = [pdf_text(page) for page in reader.pages]
    except (FileNotDecryptedError, NotImplementedError) as exc:
        raise UnreadableFile(_LOCKED) from exc
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise UnreadableFile(f"not a readable PDF ({exc})") from exc
    if not any(p.strip() for p in pages):
        raise UnreadableFile("the PDF has no text in it (a scan needs OCR first)")
    first_line, blocks = read_lines(pages, paged=True, pdf=True)
    title = _clean(str(meta_title)) if meta_title else ""
    if not title:
        title = first_line
    elif first_line and _clean(first_line) != title:
        # the first line was a heading or text, not the title the metadata gives
        blocks = [Block(first_line, "", 1), *blocks] if len(first_line.split()) >= 20 else blocks
    blocks = [b for b in blocks if not _is_source_line(b.text)]
    return ParsedDocument(title or _title_from(path), _source("\n".join(pages)), "pdf", blocks)


def _title_from(path: Path) -> str:
    return path.stem.replace("-", " ").replace("_", " ").strip().capitalize()
