from __future__ import annotations

import pytest

from bot.actions import DirectMessage
from bot.commands import Arg, CommandSpec, Invocation, UsageError, as_command, parse_args, tokenize
from bot.events import CommandIssued, MessagePosted
from bot.roles import Role, RoleBook
from facilitation.core import CoreModule
from tests.factories import Script, message, run_script, texts


async def _noop(inv: Invocation) -> None:
    return None


def spec(*args: Arg) -> CommandSpec:
    return CommandSpec("demo", "a demo", _noop, args=args)


def test_tokenize_honours_quotes() -> None:
    assert [t for t, _ in tokenize('start "Heat and health" now')] == [
        "start",
        "Heat and health",
        "now",
    ]
    assert [t for t, _ in tokenize("“curly quotes” ok")] == ["curly quotes", "ok"]
    with pytest.raises(UsageError, match="not closed"):
        tokenize('"never closed')


def test_parse_numbers_text_choices_and_users() -> None:
    s = spec(
        Arg("n", "int"),
        Arg("who", "user"),
        Arg("role", "choice", choices=("a", "b")),
        Arg("reason", "text", optional=True),
    )
    assert parse_args(s, "#3 @maya B too long-winded", ()) == {
        "n": 3,
        "who": "maya",
        "role": "b",
        "reason": "too long-winded",
    }
    assert parse_args(s, "3 @maya a", ("U123",)) == {
        "n": 3,
        "who": "U123",
        "role": "a",
        "reason": None,
    }


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("banana", "should be a number"),
        ("", "Please add the n"),
        ("3 4", "didn't expect"),
    ],
)
def test_malformed_arguments_say_what_is_wrong(raw: str, problem: str) -> None:
    with pytest.raises(UsageError, match=problem):
        parse_args(spec(Arg("n", "int")), raw, ())


def test_typed_commands_become_command_events_with_the_same_id() -> None:
    transform = as_command(["/", "!"], known=lambda name: name == "ask")
    out = transform(message("/ask@RoundtableBot What about heat?", message_id="m7"))
    assert isinstance(out, CommandIssued)
    assert (out.name, out.args, out.message_id, out.dedup_key) == (
        "ask",
        "What about heat?",
        "m7",
        "msg:m7",
    )
    assert isinstance(transform(message("!important stuff")), MessagePosted)  # unknown with !
    assert isinstance(transform(message("!ask fine")), CommandIssued)
    assert isinstance(transform(message("/r/science is great")), MessagePosted)
    assert isinstance(transform(message("/unknown thing")), CommandIssued)
    # an IRC channel bot's factoid pointed at someone is not our command
    assert isinstance(transform(message("!ask | rogerio")), MessagePosted)
    assert isinstance(transform(message("!ask > rogerio")), MessagePosted)
    assert isinstance(transform(message("/ask | what is a pipe?")), CommandIssued)


async def test_unknown_and_malformed_commands_get_helpful_replies() -> None:
    s = Script()
    s.say("u_a", "/hlep")
    s.say("u_a", "/vote 3")
    s.say("u_mod", "/event")
    s.say("u_mod", "/event launch")
    actions, _ = await run_script(s.lines, modules=lambda sv: [CoreModule(sv)])
    said = texts(actions)
    assert "Did you mean /help?" in said[0]
    assert "I don't know /vote" in said[1]
    assert "/event start [title]" in said[2] and "Please say which one" in said[2]
    assert "I don't know “launch”" in said[3]


async def test_roles_are_checked_before_a_command_runs() -> None:
    s = Script()
    s.say("u_someone", '/event start "Not mine"')
    s.say("u_someone", "/role add @u_x panellist")
    s.say("u_org", "/role add u_x panellist")
    s.say("u_x", '/event start "Still not"')
    actions, bot = await run_script(s.lines, modules=lambda sv: [CoreModule(sv)])
    said = texts(actions)
    assert said[0].startswith("Sorry, /event start is for moderators")
    assert said[1].startswith("Sorry, /role add is for organisers")
    assert said[2] == "u_x is now a panellist."
    assert said[3].startswith("Sorry, /event start is for moderators")
    assert bot.sessions.all() == []


async def test_help_lists_only_what_the_caller_may_do() -> None:
    s = Script()
    s.say("u_someone", "/help")
    s.say("u_org", "/help")
    actions, _ = await run_script(s.lines, modules=lambda sv: [CoreModule(sv)])
    participant, organiser = texts(actions)
    assert "/help" in participant and "/event start" not in participant
    assert "/event start [title]" in organiser and "/role add <person>" in organiser


async def test_help_is_sent_privately() -> None:
    s = Script()
    s.say("u_someone", "/help")
    actions, _ = await run_script(s.lines, modules=lambda sv: [CoreModule(sv)])

    assert isinstance(actions[0], DirectMessage) and actions[0].user == "u_someone"


def test_roles_from_config_hints_and_organiser_powers() -> None:

    book = RoleBook(None, organisers=["replay:boss"], panellists=["pat"])  # type: ignore[arg-type]
    assert book.roles_of("replay", "boss") >= {Role.ORGANISER, Role.MODERATOR}
    assert Role.PANELLIST in book.roles_of("slack", "pat")
    assert Role.ORGANISER in book.roles_of("discord", "x", {"admin"})
    assert book.roles_of("discord", "y") == {Role.PARTICIPANT}
