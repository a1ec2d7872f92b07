"""Other bots are not participants; chat Markdown in quotes is rendered, never escaped."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from facilitation.bots import bot_names, is_bot_line, is_bot_name, is_meeting_command
from facilitation.ledger.data import EventData, Message
from facilitation.ledger.service import drop_bots
from facilitation.report.markup import inline_html


@pytest.mark.parametrize("name", ["MootBot", "Mootbot", "ubottu", "ChanServ", "dependabot[bot]"])
def test_bot_names(name: str) -> None:
    assert is_bot_name(name)


@pytest.mark.parametrize("name", ["Kofi", "Talbot", "Cambridge", "robertson", "bot"])
def test_people_are_not_bots(name: str) -> None:
    assert not is_bot_name(name)


def test_bot_lines_and_meeting_commands() -> None:
    assert is_bot_line("ACTION received: ajmitch to upload the package")
    assert is_bot_line("New Topic: feature freeze exceptions")
    assert not is_bot_line("I think the new topic is a good one")
    assert is_meeting_command("[TOPIC] Feature freeze") and is_meeting_command("#action bob")
    assert not is_meeting_command("the topic is freezing")


def test_an_author_who_writes_like_a_bot_is_one() -> None:
    lines = [
        ("meetbot9000", "Meeting started at 12:00"),
        ("helper", "ACTION received: x"),
        ("helper", "ACTION received: y"),
        ("helper", "ok"),
        ("pat", "New Topic: heat"),
        ("pat", "what a good meeting"),
        ("pat", "see you all"),
    ]
    assert bot_names(lines) == {"meetbot9000", "helper"}


def test_markdown_in_quotes_is_rendered_and_html_is_escaped() -> None:
    assert inline_html(r"\[topic\] Feature freeze") == "[topic] Feature freeze"
    assert inline_html("**bold** <script>x</script>") == (
        "<strong>bold</strong> &lt;script&gt;x&lt;/script&gt;"
    )
    assert "href" not in inline_html("[x](javascript:alert(1))")
    assert 'href="https://example.org"' in inline_html("[map](https://example.org)")


def test_the_ledger_counts_no_bot_as_a_person_member_or_tie() -> None:
    def said(n: int, who: str, text: str, reply_to: str | None = None) -> Message:
        return Message(
            n, "irc", f"L{n}", "main", None, None, datetime(2026, 1, 1, 9, n, tzinfo=UTC),
            ("irc", who), who, text, None, (), (),
            reply_to_author=("irc", reply_to) if reply_to else None,
        )  # fmt: skip

    session: Any = None
    event = EventData(session=session)
    event.messages = [
        said(1, "ajmitch", "[ACTION] ajmitch to upload the package"),
        said(2, "MootBot", "ACTION received: ajmitch to upload the package"),
        said(3, "ajmitch", "thanks MootBot", reply_to="MootBot"),
        said(4, "pat", "fixed it", reply_to="ajmitch"),
    ]
    event.members = {("irc", n) for n in ("ajmitch", "pat", "MootBot", "ChanServ", "lurker")}
    event.names = {("irc", n): n for n in ("ajmitch", "pat", "MootBot", "ChanServ", "lurker")}
    drop_bots(event, marked=set())
    assert event.people() == {("irc", "ajmitch"), ("irc", "pat")}
    assert event.members == {("irc", "ajmitch"), ("irc", "pat"), ("irc", "lurker")}
    assert [m.reply_to_author for m in event.messages] == [None, None, ("irc", "ajmitch")]
