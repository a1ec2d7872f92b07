from __future__ import annotations

import io
import json
import time
from datetime import UTC, datetime

import pytest

from adapters.replay import ReplayAdapter, TranscriptError, detect_format, parse_transcript
from bot.actions import Say, Target
from bot.events import MemberJoined, MessagePosted, ReactionAdded, ReactionRemoved
from facilitation.core import CoreModule
from tests.factories import Script, run_script


def test_irc_lines_with_time_only() -> None:
    lines = [
        "[03:42] <alice> anyone know how to mount a usb drive?",
        "=== bob [~bob@host] has joined #ubuntu",
        "[03:43] <bob> alice: try sudo mount /dev/sdb1 /mnt",
        "[03:43] * alice tries it",
        "",
        "[00:01] <carol> after midnight see https://help.ubuntu.com/mount.",
    ]
    assert detect_format(lines) == "irc"
    events = list(parse_transcript(lines, start=datetime(2004, 11, 15, tzinfo=UTC)))
    kinds = [type(e).__name__ for e in events]
    assert kinds == [
        "MessagePosted",
        "MemberJoined",
        "MessagePosted",
        "MessagePosted",
        "MessagePosted",
    ]
    first, joined, answer, action, late = events
    assert isinstance(first, MessagePosted) and first.message_id == "L0"
    assert isinstance(joined, MemberJoined) and joined.author == "bob"
    assert isinstance(answer, MessagePosted) and answer.mentions == ("alice",)
    assert answer.message_id == "L2" and answer.ts.hour == 3 and answer.ts.minute == 43
    assert isinstance(action, MessagePosted) and action.text == "tries it"
    assert isinstance(late, MessagePosted) and late.ts.day == 16  # crossed midnight
    assert late.links == ("https://help.ubuntu.com/mount",)


def test_irc_lines_with_channel_and_date() -> None:
    lines = [
        "#linux 2016-12-19 [20:01:05] <dan> is systemd running?",
        "#linux 2016-12-19 [20:01:09] <eve> dan, yes it is",
    ]
    assert detect_format(lines) == "irc-dated"
    first, second = parse_transcript(lines)
    assert isinstance(first, MessagePosted) and isinstance(second, MessagePosted)
    assert first.channel == "#linux" and first.ts == datetime(2016, 12, 19, 20, 1, 5, tzinfo=UTC)
    assert second.mentions == ("dan",)


def test_a_bare_nick_line_addresses_that_nick_and_the_next_lines_for_two_minutes() -> None:
    lines = [
        "[10:35] <TUCKER1979> Hi, can anyone help me with a graphics problem on my nvidia card?",
        "[10:37] <Silicium> TUCKER1979:",
        "[10:37] <Silicium> actually i mean thats a bug",
        "[10:38] <Silicium> i had the same problem with a GF7",
        "[10:41] <Silicium> anyway, lunch",
        "[10:42] <Silicium> sorry,",
        "[10:42] <Silicium> TUCKER1979: try a DVI to VGA adapter",
        "[10:43] <Silicium> Ethosser, hi",
        "[10:43] <Silicium> and you?",
    ]
    events = list(parse_transcript(lines, start=datetime(2009, 2, 23, tzinfo=UTC)))
    got = [e.mentions for e in events if isinstance(e, MessagePosted)]
    assert got == [
        (),
        ("TUCKER1979",),
        ("TUCKER1979",),
        ("TUCKER1979",),
        (),  # more than two minutes after the call
        (),  # "sorry" is nobody's nick
        ("TUCKER1979",),
        (),  # Ethosser never spoke: not a known nick
        (),  # a call with words after it does not carry over
    ]


def test_a_nick_is_known_before_its_first_line_as_in_an_irc_channel() -> None:
    lines = [
        "[07:35] <eepberries> int256: was this using gparted or gpart?",
        "=== futsuriai [~f@host] has joined #ubuntu",
        "[07:35] <Nytrix> futsuriai, what program are you trying to install?",
        "[07:35] <Nytrix> ok: fine",
        "[07:36] <int256> eepberries: gparted",
        "[07:37] <subodh> int256 - can you give me the command for this",
        "[07:38] <cfhowlett> how much RAM does the laptop have subodh ?",
        "[07:38] <subodh> 2GB, thanks cfhowlett",
        "[07:38] <subodh> is that enough?",
    ]
    events = [e for e in parse_transcript(lines) if isinstance(e, MessagePosted)]
    assert [e.mentions for e in events] == [
        ("int256",),
        ("futsuriai",),
        (),
        ("eepberries",),
        ("int256",),
        ("subodh",),
        ("cfhowlett",),
        (),
    ]


def test_json_lines_with_every_kind() -> None:
    s = Script()
    s.say("u_ben", "evening all")
    q = s.say("u_maya", "What about @Ben and the heat?")
    s.say("u_ben", "good question", reply_to=q)
    s.react("u_ben", q)
    s.react("u_ben", q, remove=True)
    s.say("u_jo", "/ask secretly", private=True)
    s.lines.append(
        json.dumps({"type": "join", "ts": "2026-03-12T19:00:00+00:00", "author": "u_new"})
    )
    events = list(parse_transcript(s.lines))
    _, maya, ben, added, removed, secret, joined = events
    assert isinstance(maya, MessagePosted) and maya.mentions == ("u_ben",)
    assert isinstance(ben, MessagePosted) and ben.reply_to == q
    assert isinstance(added, ReactionAdded) and isinstance(removed, ReactionRemoved)
    assert isinstance(secret, MessagePosted) and secret.private and secret.channel == "dm-u_jo"
    assert isinstance(joined, MemberJoined)


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("{not json", "line 1: not valid JSON"),
        ('{"ts": "2026-01-01T00:00:00", "text": "x", "id": "1"}', "line 1: 'author' is missing"),
        ('{"author": "a", "ts": "yesterday", "id": "1"}', "not an ISO date-time"),
        ('{"type": "dance", "author": "a", "ts": "2026-01-01T00:00:00"}', "unknown type"),
        ('{"author": "a", "ts": "9999-12-31T23:59:59Z", "id": "1"}', "between 1970 and 2100"),
        ('{"author": "a", "ts": "0001-01-01T00:00:00Z", "id": "1"}', "between 1970 and 2100"),
        ('{"type": "edit", "author": "a", "ts": "2026-01-01T00:00:00"}', "needs a 'message_id'"),
        ('{"type": "delete", "author": "a", "ts": "2026-01-01T00:00:00"}', "needs a 'message_id'"),
        ('{"author": "a", "ts": "2026-01-01T00:00:00", "id": "1", "private": "maybe"}', "private"),
        ('{"author": ["a"], "ts": "2026-01-01T00:00:00", "id": "1"}', "'author'"),
        ('{"author": "a", "ts": "2026-01-01T00:00:00", "id": "1", "text": {"x": 1}}', "'text'"),
        ('{"author": "a", "ts": "2026-01-01T00:00:00", "id": "1", "x": ' + "[" * 100_000, "JSON"),
        ('{"a": ' * 5000 + "1" + "}" * 5000, "nested too deeply|'author'"),
    ],
)
def test_bad_transcript_lines_name_the_line(line: str, problem: str) -> None:
    with pytest.raises(TranscriptError, match=problem):
        list(parse_transcript([line]))


def test_private_false_as_text_is_false_and_numeric_ids_are_text() -> None:
    line = '{"author": 7, "ts": "2026-01-01T00:00:00", "id": 12, "text": "hi", "private": "false"}'
    (event,) = parse_transcript([line])
    assert isinstance(event, MessagePosted)
    assert event.private is False and event.channel == "main"
    assert event.author == "7" and event.message_id == "12"
    (dm,) = parse_transcript([line.replace('"false"', '"true"')])
    assert dm.private is True


async def test_replay_runs_through_the_real_loop_and_prints_and_stores_actions() -> None:
    s = Script()
    s.say("u_mod", '/event start "Replay test"')
    s.say("u_a", "hello")
    s.say("u_a", "/nonsense")
    out = io.StringIO()

    async def check(bot, adapter):  # type: ignore[no-untyped-def]
        rows = await bot.db.fetchall("SELECT kind, status FROM actions ORDER BY seq")
        check.rows = [(r["kind"], r["status"]) for r in rows]  # type: ignore[attr-defined]

    events = list(parse_transcript(s.lines))
    adapter_out = ReplayAdapter(events, out=out)
    assert adapter_out.fed == 0
    actions, _ = await run_script(s.lines, modules=lambda sv: [CoreModule(sv)], keep_open=check)
    assert check.rows == [("Say", "sent"), ("Reply", "sent")]  # type: ignore[attr-defined]
    assert len(actions) == 2


async def test_replay_at_original_pace_waits_between_messages() -> None:
    s = Script(gap=0.2)
    s.say("u_a", "one")
    s.say("u_a", "two")
    s.say("u_a", "three")
    events = list(parse_transcript(s.lines))
    got: list[str] = []

    async def sink(event):  # type: ignore[no-untyped-def]
        got.append(event.text)

    adapter = ReplayAdapter(events, speed=2.0, out=None)
    started = time.perf_counter()
    await adapter.start(sink)
    await adapter.wait()
    elapsed = time.perf_counter() - started
    assert got == ["one", "two", "three"]
    assert elapsed >= 0.18  # two gaps of 0.2 s at double speed


async def test_replay_printing() -> None:
    s = Script()
    s.say("u_a", "hello there")
    out = io.StringIO()
    events = list(parse_transcript(s.lines))
    adapter = ReplayAdapter(events, out=out)

    async def sink(event):  # type: ignore[no-untyped-def]
        return None

    await adapter.start(sink)
    await adapter.wait()

    await adapter.send(Say(target=Target("replay", "demo", "main"), text="Hi from the bot"))
    assert "A: hello there" in out.getvalue()
    assert "🤖 Hi from the bot" in out.getvalue()
