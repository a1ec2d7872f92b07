"""Reading long reports without markup: headings, captions, contents, notes, pages."""

from __future__ import annotations

import itertools
from pathlib import Path

from pypdf import PdfReader

from bench.make_report_pdf import build_report_pdf
from facilitation.snapshots.layout import read_lines
from facilitation.snapshots.passages import split_passages
from facilitation.snapshots.readers import pdf_text, read_document

REPORT = """Tweeting the panel: an evaluation of online Q&A events

Third Sector Research Centre

Contents

1 Introduction .................................... 3
2 Framework ....................................... 4
Figure 2: July 2011 word cloud .................... 5
Appendix A Survey questions ....................... 9

1 Introduction

This report looks at how charities used live online question and answer sessions
between 2010 and 2012. We followed eleven events and spoke to their organisers.
Most events reached people who had never attended a research seminar before.

2 Framework

2.1 Theory of change

We used a theory of change to describe how an event is meant to lead to new
relationships between researchers and practitioners.

[Figure 2: July 2011 word cloud produced using wordle.net]

The word cloud shows that funding and volunteers were the topics raised most often.

WHAT WE FOUND

Reach

The busiest event, the July 2011 tweetchat, drew 214 participants, of whom 61% were
new to the research centre.
Depth

Replies between participants made up a third of all messages.

Table 1: Participants by event
  Event              Participants    New to us
  March 2011 chat    88              40%
  July 2011 chat     214             61%

References

Smith J (2010) Online engagement in the third sector. London: TSRC.
Jones K and Lee P (2011) Tweetchats as public engagement. Journal of Things 4(2).

Appendix A Survey questions

We asked each participant three questions after the event, by email.
"""


def _passages(tmp_path: Path, name: str, text: str) -> list:  # type: ignore[type-arg]
    path = tmp_path / name
    path.write_text(text, "utf-8")
    return split_passages(read_document(path))


def test_plain_text_report_headings_captions_and_asides(tmp_path: Path) -> None:
    doc = read_document(_write(tmp_path, REPORT))
    assert doc.title == "Tweeting the panel: an evaluation of online Q&A events"
    headings = {b.heading for b in doc.blocks}
    assert "2 Framework › 2.1 Theory of change" in headings
    assert "What we found › Reach" in headings and "What we found › Depth" in headings
    # a caption is text of its section, never a heading; the contents page is gone
    assert not any("Figure" in h or "wordle" in h for h in headings)
    caption = next(b for b in doc.blocks if "wordle.net" in b.text)
    assert caption.heading == "2 Framework › 2.1 Theory of change"
    assert caption.text.startswith("Figure 2")
    assert not any("...." in b.text for b in doc.blocks)
    # the table keeps its rows; the reference list is marked, and the appendix is not
    rows = [b.text for b in doc.blocks if "214" in b.text and b.item]
    assert rows == ["Event: July 2011 chat; Participants: 214; New to us: 61%."]
    kinds = {b.text[:5]: b.kind for b in doc.blocks}
    assert kinds["Smith"] == "references" and kinds["Jones"] == "references"
    survey = next(b for b in doc.blocks if "three questions" in b.text)
    assert survey.heading == "Appendix A Survey questions" and survey.kind == "text"


def test_passages_from_a_plain_report_cite_their_own_section(tmp_path: Path) -> None:
    passages = split_passages(read_document(_write(tmp_path, REPORT)))
    reach = next(p for p in passages if "214 participants" in p.text)
    assert reach.heading == "What we found › Reach"
    assert "Replies between" not in reach.text  # the next section is its own passage
    refs = [p for p in passages if "Journal of Things" in p.text]
    assert refs and all(p.kind == "references" for p in refs)
    intro = next(p for p in passages if "eleven events" in p.text)
    assert intro.heading == "1 Introduction"
    # hard-wrapped lines are joined into sentences
    assert "answer sessions between 2010" in intro.text


def test_long_sections_become_overlapping_windows(tmp_path: Path) -> None:
    sentences = [
        f"Finding number {i} is that the heat made sleep worse for group {i}." for i in range(30)
    ]
    text = "Heat report\n\n1 Findings\n\n" + " ".join(sentences) + "\n"
    passages = split_passages(read_document(_write(tmp_path, text)), max_words=40)
    assert len(passages) >= 6
    assert all(p.heading == "1 Findings" for p in passages)
    # consecutive windows share a sentence, so nothing is cut off from its context
    for a, b in itertools.pairwise(passages):
        assert a.text.split(". ")[-1].rstrip(".") in b.text


def test_pdf_report_pages_chapters_captions_and_notes(tmp_path: Path) -> None:

    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "a-sleep.md").write_text(
        "# Too hot to sleep\n\n## Summary\n\n"
        + "Bedrooms on top floors were too warm on most summer nights in the study. " * 80
        + "\n\nThe hottest bedroom reached 33.6°C at 1am during the July heatwave.\n\n"
        "## Who came\n\n| Group | Share of visits |\n|---|---|\n| Parents | 34% |\n"
        "| Over 75 | 6% |\n\nOlder people rarely came to the cool spaces.\n",
        "utf-8",
    )
    (sources / "b-windows.txt").write_text(
        "Windows and security\n\nSUMMARY\n-------\n\nLockable restrictors let a window open"
        " about 10cm, so it is safe from falls and break-ins.\n",
        "utf-8",
    )
    pdf = tmp_path / "collected.pdf"
    pages = build_report_pdf([sources], pdf)
    assert pages >= 4
    doc = read_document(pdf)
    passages = split_passages(doc)

    texts = [" ".join((p.extract_text() or "").split()) for p in PdfReader(pdf).pages]
    hottest = next(p for p in passages if "33.6°C" in p.text)
    assert hottest.heading == "1 Too hot to sleep › 1.1 Summary"
    assert hottest.page is not None and "33.6°C" in texts[hottest.page - 1]
    assert hottest.page > 3  # the long summary ran onto a later page
    lock = next(p for p in passages if "restrictors" in p.text)
    assert lock.heading.startswith("2 Windows and security")
    assert "restrictors" in texts[lock.page - 1]
    headings = {p.heading for p in passages}
    assert not any("Figure" in h or "Page" in h or "Collected evidence" in h for h in headings)
    assert any(p.kind == "references" for p in passages)
    notes = [b for b in doc.blocks if b.text.startswith("1 The original publication")]
    assert notes and all(b.kind == "note" for b in notes)


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "report.txt"
    path.write_text(text, "utf-8")
    return path


STANDARD = """Filing Standard

   Table of Contents

   1. Introduction
   2. Where files go

        2.1. /var/lock : Lock files
        2.2. /usr/share/ppd : Printer definitions (for use by
                all printers)

Chapter 1. Introduction

   This standard says where programs keep their files, so that people who look
   after many machines find the same things in the same places.

Chapter 2. Where files go

   Table of Contents

   2.1. /var/lock : Lock files
   2.2. /usr/share/ppd : Printer definitions

2.1. /var/lock : Lock files

   Lock files for devices must be stored in /var/lock and named "LCK.." followed
   by the name of the device.

2.2. /usr/share/ppd : Printer definitions

   Printer definition files describe printer drivers for the print system.
"""


def test_contents_without_page_numbers_and_headings_naming_paths(tmp_path: Path) -> None:
    # a contents list from HTML or e-book text has no page numbers; headings may start
    # with a path ("2.1. /var/lock : Lock files"), and numbering may end in a full stop
    passages = _passages(tmp_path, "standard.txt", STANDARD)
    lock = next(p for p in passages if "LCK.." in p.text)
    assert lock.heading == "Chapter 2. Where files go › 2.1. /var/lock : Lock files"
    ppd = next(p for p in passages if "printer drivers" in p.text)
    assert ppd.heading.endswith("2.2. /usr/share/ppd : Printer definitions")
    intro = next(p for p in passages if "same places" in p.text)
    assert intro.heading == "Chapter 1. Introduction"
    # no contents entry (or a wrapped entry's tail) is left as a passage
    assert not any("all printers" in p.text or "Table of Contents" in p.text for p in passages)
    assert len(passages) == 3


class _TexPage:
    """A pypdf page as a TeX font without a Unicode map gives it: ligatures as control codes."""

    def __init__(self, text: str) -> None:
        self.text = text

    def extract_text(self) -> str:
        return self.text


def test_pdf_ligatures_become_letters() -> None:

    page = _TexPage("Time dependent coe\x1ecients\nThe \x1crst e\x0bect \x1dows; \ufb01ne.\f")
    assert pdf_text(page) == "Time dependent coefficients\nThe first effect flows; fine.\f"


def test_a_byline_before_the_first_heading_is_no_passage_but_an_introduction_is(
    tmp_path: Path,
) -> None:
    text = (
        "# Too hot to sleep\n\n"
        "Riverside Centre for Urban Health. Lead researcher: Jun Liu, with Dr Amara Okafor"
        " and Prof. Pat Walsh. Published February 2026.\n\n"
        "We placed small temperature sensors in two hundred homes across the borough and read"
        " them every hour, to learn how hot people's homes get at night and for how long.\n\n"
        "## Summary\n\nTop-floor flats were the hottest, above 28 degrees on most hot nights.\n"
    )
    path = tmp_path / "report.md"
    path.write_text(text, "utf-8")
    texts = [p.text for p in split_passages(read_document(path))]
    assert not any("Lead researcher" in t for t in texts)
    assert any(t.startswith("We placed small temperature sensors") for t in texts)
    assert any("Top-floor flats" in t for t in texts)


def test_a_table_whose_columns_were_lost_gives_no_headings() -> None:
    """A PDF table read as lines: its header row and a "count, sum" row stay in the section."""
    page = "\n".join(
        [
            "Keeping flats cool",
            "4 What we did",
            "Flats were chosen from the upper floors of two blocks, Weaver House and Alder Rise,"
            " and each of",
            "the 40 trial flats received one of four packages:",
            "Package Flats Approximate cost",
            "External shutters on south and west",
            "windows",
            "12 £1,900 per flat",
            "Reflective window film 12 £350 per flat",
            "Secure night ventilation (lockable",
            "restrictors)",
            "10 £140 per window",
            "Shutters and secure ventilation together 6 about £2,400 per flat",
            "Forty comparison flats on similar floors and with similar orientation had no"
            " changes at all.",
            "5 Shutters",
            "External shutters cut the peak bedroom temperature by 2.1°C on average over the"
            " summer.",
        ]
    )
    _, blocks = read_lines([page], paged=True, pdf=True)
    headings = {b.heading for b in blocks}
    assert headings == {"4 What we did", "5 Shutters"}
    assert any("£140 per window" in b.text for b in blocks if b.heading == "4 What we did")
