"""Dialogues in any speaker format, invented names, the fixed dev / held-out split."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from facilitation.summaries.dialogues import (
    Dialogue,
    detect_format,
    in_split,
    parse_dialogue,
    read_dialogues,
    with_names,
)
from facilitation.summaries.evaluate import main

NAMED = "Sam: did you book the hall?\nJo: no worries, done\nSam: what do the others mean?"


@pytest.mark.parametrize(
    ("text", "fmt"),
    [
        (NAMED, "name"),
        ("#Person1#: did you book the hall?\n#Person2#: yes, done", "tag"),
        ("<sam> did you book the hall?\n<jo> yes: done", "irc"),
        ("[09:01] <sam> did you book the hall?\n[09:02] * jo nods", "irc"),
    ],
)
def test_every_speaker_format_is_detected(text: str, fmt: str) -> None:
    assert detect_format(text.splitlines()) == fmt


def test_names_are_speakers_not_part_of_what_they_said() -> None:
    turns, lines = parse_dialogue(NAMED)
    assert [t.speaker for t in turns] == ["Sam", "Jo", "Sam"]
    assert turns[1].text == "no worries, done"
    assert lines[2] == "Sam: what do the others mean?"


def test_irc_lines_keep_colons_inside_the_text() -> None:
    turns, lines = parse_dialogue("<sam> note: the hall is booked\n<jo> great, thanks sam")
    assert [(t.speaker, t.text) for t in turns] == [
        ("sam", "note: the hall is booked"),
        ("jo", "great, thanks sam"),
    ]
    assert lines[0] == "sam: note: the hall is booked"


def test_prose_with_colons_is_not_mistaken_for_a_cast() -> None:
    prose = [f"Note {i}: something else was said here" for i in range(30)]
    assert detect_format(prose) == "tag"


def test_invented_names_replace_person_tags_in_dialogue_and_reference() -> None:
    [d] = [
        Dialogue(
            "dev_7",
            *parse_dialogue("#Person1#: Hi Jimmy.\n#Person2#: Hello #Person1#."),
            ("#Person1# greets #Person2#.",),
        )
    ]
    named = with_names(d)
    first, second = named.turns[0].speaker, named.turns[1].speaker
    assert first != second and "#" not in first + second
    assert named.turns[1].text == f"Hello {first}."
    assert named.references == (f"{first} greets {second}.",)
    assert with_names(d) == named  # fixed per fname


def test_split_is_fixed_and_disjoint() -> None:
    names = [f"dev_{i}" for i in range(500)]
    dev = {n for n in names if in_split(n, "dev")}
    test = {n for n in names if in_split(n, "test")}
    assert dev.isdisjoint(test) and dev | test == set(names)
    assert 100 < len(test) < 200


def test_a_replay_transcript_and_message_lists_are_read_too(tmp_path: Path) -> None:
    transcript = tmp_path / "event.jsonl"
    rows = [
        {"id": "1", "ts": "2026-01-01T18:00:00Z", "author": "u1", "name": "Ana", "text": "hi"},
        {"type": "reaction", "author": "u2", "message_id": "1"},
        {"id": "2", "ts": "2026-01-01T18:01:00Z", "author": "u2", "name": "Ben", "text": "yo"},
    ]
    transcript.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    [d] = list(read_dialogues(transcript))
    assert [t.speaker for t in d.turns] == ["Ana", "Ben"] and d.references == ()
    records = tmp_path / "records.jsonl"
    record = {"fname": "x", "dialogue": rows, "summary": "Ana and Ben say hello."}
    records.write_text(json.dumps(record) + "\n", encoding="utf-8")
    [d] = list(read_dialogues(records))
    assert [t.text for t in d.turns] == ["hi", "yo"] and d.references


def test_eval_reads_name_lines_and_scores_a_split(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "chat.jsonl"
    records = [
        {
            "fname": f"c{i}",
            "dialogue": "Ana: the hall is booked for Friday evening\nBen: great, I will "
            "bring the projector\nAna: perfect, the talk starts at seven",
            "summary": "Ana booked the hall for Friday and Ben will bring the projector.",
        }
        for i in range(12)
    ]
    data.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    assert main([str(data), "--baseline", "first3", "--split", "test"]) == 0
    out = capsys.readouterr().out
    held_out = sum(in_split(f"c{i}", "test") for i in range(12))
    assert f"over {held_out} dialogues" in out


def test_the_committed_chat_dialogues_parse_with_names() -> None:
    path = Path(__file__).resolve().parents[2] / "bench" / "data" / "chat_dialogues.jsonl"
    found = list(read_dialogues(path))
    assert len(found) >= 8
    for d in found:
        assert d.references and len({t.speaker for t in d.turns}) >= 2
        assert all(":" not in t.speaker for t in d.turns)
