"""Build one long PDF report from real research texts, to exercise pages and captions.

Each source document (Markdown, text, HTML) becomes a numbered chapter of a
"collected evidence" report: a title page, a contents page with dot leaders,
numbered section headings, body text, bullet lists, tables drawn as tables,
figure boxes with captions ("Figure 3: ..."), a footnote at the foot of each
chapter's first page, running headers and page numbers, and a reference list.
The text is the sources' own; only the layout is made here. Nothing is
committed: build it where the evaluation runs.

    python bench/make_report_pdf.py OUT.pdf SOURCE... (files or folders)
"""

from __future__ import annotations

import argparse
import gc
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from facilitation.snapshots.blocks import Block
from facilitation.snapshots.ingest import collect_files
from facilitation.snapshots.readers import ParsedDocument, read_document

__all__ = ["build_report_pdf"]

TITLE = "Collected evidence: research for the panel"
FOOTNOTE = "1 The original publication and its authors are listed under References."


def _font_dir() -> Path:
    import matplotlib  # noqa: PLC0415  # lazy: matplotlib only when the PDF is drawn

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf"


def _new_pdf() -> Any:
    from fpdf import FPDF  # noqa: PLC0415  # lazy: fpdf2 is a dev dependency, only to draw the test PDF

    class Report(FPDF):  # type: ignore[misc]
        def header(self) -> None:
            if self.page_no() > 1:
                self.set_font("dejavu", "", 8)
                self.cell(0, 6, TITLE, align="R")
                self.ln(10)

        def footer(self) -> None:
            if self.page_no() > 1:
                self.set_y(-12)
                self.set_font("dejavu", "", 8)
                self.cell(0, 6, f"Page {self.page_no()}", align="C")

    pdf = Report(format="A4")
    fonts = _font_dir()
    pdf.add_font("dejavu", "", str(fonts / "DejaVuSans.ttf"))
    pdf.add_font("dejavu", "B", str(fonts / "DejaVuSans-Bold.ttf"))
    pdf.set_auto_page_break(True, margin=22)
    pdf.set_title(TITLE)
    return pdf


def _sections(doc: ParsedDocument) -> list[tuple[str, list[Block]]]:
    out: list[tuple[str, list[Block]]] = []
    for block in doc.blocks:
        name = block.heading.split(" › ")[-1] if block.heading else "Overview"
        if not out or out[-1][0] != name:
            out.append((name, []))
        out[-1][1].append(block)
    return out


def _table(pdf: Any, rows: list[Block]) -> None:
    cells = [[kv.partition(": ")[2] or kv for kv in r.text.rstrip(".").split("; ")] for r in rows]
    header = [kv.partition(": ")[0] for kv in rows[0].text.rstrip(".").split("; ")]
    pdf.set_font("dejavu", "", 8)
    with pdf.table(first_row_as_headings=True, line_height=5) as table:
        for row in [header, *cells]:
            r = table.row()
            for cell in row:
                r.cell(cell)
    pdf.ln(3)


def _figure(pdf: Any, number: int, caption: str) -> None:
    pdf.set_draw_color(150, 150, 150)
    pdf.rect(pdf.l_margin, pdf.get_y(), 80, 28)
    pdf.ln(30)
    pdf.set_font("dejavu", "", 8)
    pdf.multi_cell(0, 4, f"Figure {number}: {caption}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)


def _body(pdf: Any, blocks: list[Block], chapter: int, figures: list[int]) -> None:
    i = 0
    while i < len(blocks):
        b = blocks[i]
        if b.item and "; " in b.text and ": " in b.text.split("; ")[0]:
            j = i
            while j < len(blocks) and blocks[j].item and "; " in blocks[j].text:
                j += 1
            if j - i >= 2:
                _table(pdf, blocks[i:j])
                i = j
                continue
        pdf.set_font("dejavu", "", 10)
        text = f"• {b.text}" if b.item else b.text
        pdf.multi_cell(0, 5, text, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1 if b.item else 2.5)
        if i == 1 and not figures[chapter - 1]:
            figures[chapter - 1] = 1
            _figure(pdf, chapter, f"{b.heading.split(' › ')[-1] or 'Overview'} at a glance")
        i += 1


def _render(docs: Sequence[ParsedDocument], pages: dict[int, int]) -> tuple[Any, dict[int, int]]:
    pdf = _new_pdf()
    pdf.add_page()
    pdf.set_font("dejavu", "B", 20)
    pdf.ln(60)
    pdf.multi_cell(0, 10, TITLE, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("dejavu", "", 11)
    pdf.multi_cell(
        0, 8, f"{len(docs)} pieces of research, brought together", align="C", new_x="LMARGIN"
    )
    pdf.add_page()
    pdf.set_font("dejavu", "B", 14)
    pdf.cell(0, 10, "Contents", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("dejavu", "", 10)
    for n, doc in enumerate(docs, start=1):
        label = f"{n} {doc.title}"[:80]
        dots = "." * max(3, 95 - len(label))
        pdf.cell(0, 6, f"{label} {dots} {pages.get(n, 0)}", new_x="LMARGIN", new_y="NEXT")
    found: dict[int, int] = {}
    figures = [0] * len(docs)
    for n, doc in enumerate(docs, start=1):
        pdf.add_page()
        found[n] = pdf.page_no()
        pdf.set_font("dejavu", "B", 15)
        pdf.multi_cell(0, 8, f"{n} {doc.title}", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)
        for s, (name, blocks) in enumerate(_sections(doc), start=1):
            pdf.set_font("dejavu", "B", 12)
            pdf.multi_cell(0, 7, f"{n}.{s} {name}", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1)
            _body(pdf, blocks, n, figures)
        # the chapter's footnote, at the foot of its first page
        last, y = pdf.page, pdf.get_y()
        pdf.page = found[n]
        pdf.set_auto_page_break(False)
        pdf.set_font("dejavu", "", 7)
        pdf.set_xy(pdf.l_margin, pdf.h - 20)
        pdf.cell(0, 4, FOOTNOTE)
        pdf.set_auto_page_break(True, margin=22)
        pdf.page = last
        pdf.set_xy(pdf.l_margin, y)
    pdf.add_page()
    pdf.set_font("dejavu", "B", 14)
    pdf.cell(0, 10, "References", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("dejavu", "", 9)
    for doc in docs:
        pdf.multi_cell(
            0, 5, f"{doc.title}. {doc.url or 'Published online.'}", new_x="LMARGIN", new_y="NEXT"
        )
        pdf.ln(2)
    return pdf, found


def build_report_pdf(sources: Sequence[Path], out: Path) -> int:
    """Write the report to ``out`` from the readable files under ``sources``; return its pages."""
    files, _ = collect_files(list(sources))
    docs = [read_document(f) for f in files if f.suffix.lower() != ".pdf"]
    pages: dict[int, int] = {}
    with warnings.catch_warnings():
        # fpdf2 leaves its font files for the garbage collector to close
        warnings.simplefilter("ignore", ResourceWarning)
        for _ in range(2):  # the second pass knows each chapter's page for the contents
            pdf, pages = _render(docs, pages)
        pdf.output(str(out))
        count = int(pdf.page_no())
        del pdf
        gc.collect()
    return count


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("out", type=Path)
    p.add_argument("sources", type=Path, nargs="+")
    args = p.parse_args(argv)
    pages = build_report_pdf(args.sources, args.out)
    print(f"wrote {args.out}: {pages} pages", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
