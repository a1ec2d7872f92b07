"""Other bots are not participants; chat Markdown in quotes is rendered, never escaped."""

from __future__ import annotations

import pytest

from facilitation.bots import bot_names, is_bot_line, is_bot_name, is_meeting_command
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
