"""Each file type becomes headed blocks with a title and source link; bad files say why."""

from __future__ import annotations

from pathlib import Path

import pytest

from facilitation.snapshots.passages import split_passages
from facilitation.snapshots.readers import UnreadableFile, read_document
from tests.snapshots.conftest import CORPUS, minimal_pdf, write_corpus


def test_markdown_keeps_title_source_and_headings(tmp_path: Path) -> None:
    write_corpus(tmp_path)
    doc = read_document(tmp_path / "cool-spaces.md")
    assert doc.kind == "markdown"
    assert doc.title == "Cool spaces evaluation"
    assert doc.url == "https://example.org/reports/cool-spaces"
    assert [b.heading for b in doc.blocks] == ["Summary", "Opening hours"]
    assert doc.blocks[1].text.startswith("Cool spaces closed at 6pm")
    assert not any("Source:" in b.text for b in doc.blocks)


def test_markdown_lists_tables_and_nested_headings(tmp_path: Path) -> None:
    path = tmp_path / "r.md"
    path.write_text(
        "# Report\n\n## Findings\n\n### Who came\n\nThe main findings:\n\n"
        "- first **bold** item\n- second [linked](https://x.org) item\n\n"
        "| Group | Share |\n|---|---|\n| Parents | 34% |\n",
        encoding="utf-8",
    )
    doc = read_document(path)
    assert {b.heading for b in doc.blocks} == {"Findings › Who came"}
    texts = [b.text for b in doc.blocks]
    assert texts[1:3] == ["first bold item", "second linked item"]
    assert "Group: Parents; Share: 34%." in texts


def test_plain_text_headings_subheadings_and_tables(tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    path.write_text(
        "Hot nights study\nSource: https://example.org/hot\n\nWHAT WE FOUND\n-------------\n\n"
        "Timing\n\nMost admissions came the day after a hot night.\n\n"
        "  Cause         Rise\n  Falls (75+)   2.0%\n",
        encoding="utf-8",
    )
    doc = read_document(path)
    assert doc.title == "Hot nights study"
    assert doc.url == "https://example.org/hot"
    assert [(b.heading, b.text) for b in doc.blocks] == [
        ("What we found › Timing", "Most admissions came the day after a hot night."),
        ("What we found › Timing", "Cause: Falls (75+); Rise: 2.0%."),
    ]


def test_text_form_feeds_are_pages(tmp_path: Path) -> None:
    path = tmp_path / "paged.txt"
    path.write_text("Title\n\nFirst page words here.\f\nSecond page words here.\n", "utf-8")
    assert [b.page for b in read_document(path).blocks] == [1, 2]


def test_html_headings_rows_and_canonical_link(tmp_path: Path) -> None:
    path = tmp_path / "t.html"
    path.write_text(
        "<html><head><title>Trial</title><link rel='canonical' href='https://e.org/t'>"
        "<script>var x = 1;</script></head><body><h1>Trial</h1><h2>Costs</h2>"
        "<table><tr><th>Package</th><th>Cost</th></tr><tr><td>Shutters</td><td>£1,900</td></tr>"
        "</table><ul><li><p>Nested paragraph in a list item.</p></li></ul></body></html>",
        encoding="utf-8",
    )
    doc = read_document(path)
    assert doc.title == "Trial"
    assert doc.url == "https://e.org/t"
    assert [(b.heading, b.text) for b in doc.blocks] == [
        ("Costs", "Package: Shutters; Cost: £1,900."),
        ("Costs", "Nested paragraph in a list item."),
    ]


def test_pdf_pages_title_and_source(tmp_path: Path) -> None:
    path = tmp_path / "report.pdf"
    path.write_bytes(
        minimal_pdf(
            [
                [
                    "Heat and sleep",
                    "Source: https://example.org/sleep",
                    "Findings",
                    "Bedrooms were too warm on most summer nights.",
                ],
                ["Advice", "Open windows late in the evening when it is cooler outside."],
            ],
            title="Heat and sleep report",
        )
    )
    doc = read_document(path)
    assert doc.kind == "pdf"
    assert doc.title == "Heat and sleep report"
    assert doc.url == "https://example.org/sleep"
    pages = {(b.heading, b.page) for b in doc.blocks}
    assert ("Findings", 1) in pages
    assert ("Advice", 2) in pages
    passages = split_passages(doc)
    assert any("too warm" in p.text and p.page == 1 for p in passages)


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("broken.pdf", b"%PDF-1.4 this is not really a pdf", "PDF"),
        ("empty.pdf", minimal_pdf([[]]), "no text"),
        ("notes.docx", b"PK", "not a supported file type"),
    ],
)
def test_unreadable_files_say_why(tmp_path: Path, name: str, data: bytes, reason: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(UnreadableFile, match=reason):
        read_document(path)


def test_every_sample_file_type_is_covered() -> None:
    assert {Path(n).suffix for n in CORPUS} == {".md", ".txt", ".html"}
