"""Counts written right: the plural helper, and every bundled prompt that takes a count."""

from __future__ import annotations

import re
import string

import pytest

from bot.plural import PluralError, fill, plural, plural_fields
from bot.prompts import PromptError, Prompts

# Fields that hold a number of things wherever they appear (a number followed by a
# noun must then carry plural forms). ``n``/``number`` are a question's number.
COUNT_FIELDS = {
    "count",
    "people",
    "messages",
    "questions",
    "answered",
    "votes",
    "also",
    "events",
    "reactions",
    "commands",
    "minutes",
    "posted",
}
# Words that read the same after any number ("3 more", "5 min ago").
SAME_FOR_ANY_COUNT = {"more", "new", "min", "shared", "answered"}
# Prompts where one of those names holds text, not a number.
TEXT_VALUED = {
    ("ledger.optout_done", "questions"),
    ("report.digest.answered", "questions"),
    ("report.digest.open", "questions"),
    ("questions.voted", "votes"),
}


def test_english_forms_and_exact_numbers() -> None:
    spec = "0=no votes yet|one=# vote|other=# votes"
    assert [plural(n, spec) for n in (0, 1, 2, 1234)] == [
        "no votes yet",
        "1 vote",
        "2 votes",
        "1,234 votes",
    ]


def test_language_rules_come_from_babel() -> None:
    # Polish has a "few" form (2-4) apart from "many" (5+): English rules would get it wrong.
    spec = "one=# pytanie|few=# pytania|many=# pytań|other=# pytania"
    assert plural(3, spec, "pl") == "3 pytania"
    assert plural(5, spec, "pl") == "5 pytań"
    assert plural(5, spec, "en") == "5 pytania"  # English: 5 is "other"


def test_fill_formats_plain_fields_and_counts_together() -> None:
    text = fill("{who} saw {n:one=# reply|other=# replies} at {t:>5}", who="Ann", n=1, t="9:05")
    assert text == "Ann saw 1 reply at  9:05"


@pytest.mark.parametrize("spec", ["one=# vote", "one # vote|other=# votes", "few-=x|other=y"])
def test_malformed_forms_are_refused(spec: str) -> None:
    with pytest.raises(PluralError):
        plural(2, spec)


def test_a_count_must_be_a_number() -> None:
    with pytest.raises(PluralError):
        fill("{n:one=# vote|other=# votes}", n="2")


def test_a_bad_prompt_file_is_named(tmp_path) -> None:
    (tmp_path / "questions.toml").write_text('votes = "{count:one=# vote}"\n')
    with pytest.raises(PromptError, match=r"questions\.votes.*other"):
        Prompts.load(tmp_path)


def _count_prompts(prompts: Prompts) -> dict[str, set[str]]:
    out = {}
    for key in list(prompts.keys()):
        counts = set(plural_fields(prompts.raw(key)))
        if counts:
            out[key] = counts
    return out


def test_every_number_followed_by_a_word_has_plural_forms() -> None:
    prompts = Prompts.load()
    missing = []
    for key in list(prompts.keys()):
        for literal, name, spec, _ in string.Formatter().parse(prompts.raw(key)):
            del literal
            if name in COUNT_FIELDS and (key, name) not in TEXT_VALUED and not spec:
                after = prompts.raw(key).split("{" + name + "}", 1)[1]
                word = re.match(r"\s+([A-Za-z]+)", after)
                if word and word.group(1) not in SAME_FOR_ANY_COUNT:
                    missing.append(f"{key}: {{{name}}}{after[:12]}")
    assert not missing, missing


def test_every_prompt_with_a_count_reads_right_for_0_1_and_2() -> None:
    prompts = Prompts.load()
    counted = _count_prompts(prompts)
    assert len(counted) >= 10, "the scan found too few counted prompts: did the syntax change?"
    for key, counts in counted.items():
        others = {f: f"<{f}>" for f in prompts.fields(key) - counts}
        by_n = {n: prompts(key, **others, **dict.fromkeys(counts, n)) for n in (0, 1, 2)}
        literal = "".join(lit for lit, *_ in string.Formatter().parse(prompts.raw(key)))
        for n, text in by_n.items():
            assert text.count("#") == literal.count("#"), (key, text)  # every # was filled
            assert "|" not in text and "=" not in text, (key, text)
            # "1 votes", "2 question": a bare count next to the wrong form of a noun.
            if n == 1:
                assert not re.search(r"\b1 (?!of\b)\w+s\b", text), (key, text)
            if n == 2:
                assert not re.search(r"\b2 (message|vote|question|person|event)\b", text), (
                    key,
                    text,
                )
        specs = plural_fields(prompts.raw(key)).values()
        if any(plural(1, spec) != plural(2, spec).replace("2", "1") for spec in specs):
            assert by_n[1] != by_n[2].replace("2", "1"), f"{key}: 1 and 2 read the same"


@pytest.mark.parametrize(
    ("key", "values", "expected"),
    [
        ("questions.votes", {"count": 1}, "1 vote"),
        ("questions.votes", {"count": 0}, "no votes yet"),
        ("threads.map.others", {"names": "Ann, Bo", "count": 1}, "Ann, Bo and one other"),
        ("threads.map.others", {"names": "Ann, Bo", "count": 3}, "Ann, Bo and 3 others"),
    ],
)
def test_examples_from_the_issue(key: str, values: dict[str, object], expected: str) -> None:
    assert Prompts.load()(key, **values) == expected


def test_end_post_figures_for_a_single_person() -> None:
    p = Prompts.load()
    answered = p("report.end.answered", answered=1)
    text = p("report.end.figures", people=1, messages=1, questions=1, answered=" " + answered)
    assert (
        "1 person took part" in text and "1 message," in text and "1 question (1 answered)" in text
    )
    none = p("report.end.figures", people=2, messages=3, questions=0, answered="")
    assert none.endswith("3 messages, no questions.")
