"""Modules meet through bot events and declared exports, never through each other's tables.

``ConversationAssigned`` is how the threads module tells the log which conversation
a message belongs to; ``bot.exports`` is how the ledger, the report and threads read
the question queue, the snapshots and the list of bots. (The static side, that no
module's SQL names another's table, is in test_layers.py.)
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.app import Roundtable
from bot.bus import Bus
from bot.clock import FakeClock
from bot.events import ConversationAssigned, MessagePosted
from bot.exports import Exports, Question
from bot.forget import Person, PersonalData
from bot.plugins import ModuleSpec, PluginError, default_registry
from bot.store import Database, LoggedEvent, SQLiteEventLog
from tests.factories import Script, message, run_script


@pytest.fixture
async def db() -> AsyncIterator[Database]:
    database = await Database.open(":memory:")
    yield database
    await database.close()


def _assigned(event: MessagePosted, conversation: str) -> ConversationAssigned:
    return ConversationAssigned(
        platform=event.platform,
        community=event.community,
        channel=event.channel,
        ts=event.ts,
        author=event.author,
        message_id=event.message_id,
        conversation=conversation,
    )


async def test_an_annotation_lands_on_its_message_and_reaches_subscribers(db: Database) -> None:
    log = SQLiteEventLog(db)
    await log.setup()
    bus = Bus(log, FakeClock())
    heard: list[tuple[str, str]] = []

    async def link(event: MessagePosted) -> None:
        await bus.publish(_assigned(event, f"main:{event.text}"))

    async def listen(note: ConversationAssigned) -> None:
        heard.append((note.message_id, note.conversation))

    bus.subscribe(MessagePosted, link, name="linker")
    bus.subscribe(ConversationAssigned, listen, name="listener")
    await bus.start()
    first, second = message("a", message_id="m1"), message("b", message_id="m2")
    await bus.publish_many([first, second])
    await bus.drain()
    await bus.aclose()
    rows = await log.events()
    assert [(r.message_id, r.conversation) for r in rows] == [("m1", "main:a"), ("m2", "main:b")]
    assert heard == [("m1", "main:a"), ("m2", "main:b")]
    assert bus.errors == 0


async def test_the_threads_module_assigns_conversations_through_the_bus() -> None:
    s = Script()
    s.say("u_mod", '/event start "Heat"')
    first = s.say("u_a", "Does anyone know how hot bedrooms got last summer?")
    s.say("u_b", "Around 31 degrees in ours, the sensors said", reply_to=first)
    s.say("u_c", "Totally different thing: where is the recording posted?")
    await run_script(s.lines, keep_open=_keep_rows)
    rows = ROWS.pop()
    kinds = {r.kind for r in rows}
    assert "ConversationAssigned" not in kinds  # written onto the message, not a row
    said = [r for r in rows if r.kind == "MessagePosted"]
    assert len(said) == 3 and all(r.conversation for r in said)
    assert said[0].conversation == said[1].conversation  # the reply joins its parent


ROWS: list[list[LoggedEvent]] = []


async def _keep_rows(bot: Roundtable, _adapter: object) -> None:
    ROWS.append(list(await bot.log.events()))


def test_every_shipped_export_is_declared_once() -> None:
    assert set(default_registry().exports()) == {
        "questions",
        "snapshots",
        "bots",
        "ideas",
        "charts",
    }
    twice = default_registry().extended(
        ModuleSpec(name="other", factory=lambda s, c: None, exports={"bots": lambda db: None})
    )
    with pytest.raises(PluginError, match="bots"):
        twice.exports()


def test_every_shipped_live_export_is_declared() -> None:
    live = {n: s.name for s in default_registry().modules() for n in s.live_exports}
    assert live == {
        "board": "questions",
        "conversations": "threads",
        "pending_snapshots": "snapshots",
        "figures": "ledger",
        "report_files": "report",
    }


class _Built:
    def __init__(self, name: str) -> None:
        self.name = name


async def test_live_exports_are_offered_only_by_built_modules(db: Database) -> None:
    registry = default_registry().extended(
        ModuleSpec(name="alpha", factory=lambda s, c: None, live_exports={"x": lambda m: ("x", m)}),
        ModuleSpec(name="beta", factory=lambda s, c: None, live_exports={"y": lambda m: ("y", m)}),
    )
    exports = Exports(db, registry.exports())
    alpha = _Built("alpha")
    registry.offer_live_exports([alpha], exports)
    assert exports._get("x") == ("x", alpha)
    assert exports._get("y") is None  # beta is not installed: nothing offered
    assert exports.board() is None  # nor the queue's, without the queue
    assert "x" in exports.names
    with pytest.raises(ValueError, match="x"):
        exports.offer("x", object())
    with pytest.raises(ValueError, match="bots"):
        exports.offer("bots", object())  # a declared export's name is taken too


async def test_the_question_export_reads_the_queue() -> None:
    s = Script()
    s.say("u_mod", '/event start "Heat"')
    s.say("u_a", "/ask How hot did bedrooms get in July?")
    await run_script(s.lines, keep_open=_keep_questions)
    exported, mine, nothing = QUESTIONS.pop()
    assert [q.text for q in exported] == ["How hot did bedrooms get in July?"]
    assert exported[0].asker == ("replay", "u_a")
    assert [q["text"] for q in mine] == ["How hot did bedrooms get in July?"]
    assert nothing is None  # a store that never held a queue says so


QUESTIONS: list[tuple[list[Question], list[dict[str, Any]], object]] = []


async def _keep_questions(bot: Roundtable, _adapter: object) -> None:
    exports = Exports(bot.db, bot.registry.exports())
    source = exports.questions()
    assert source is not None
    [session] = bot.sessions.all()
    found = await source.for_session(session.id)
    mine = await source.asked_by("replay", "u_a")
    empty = await Database.open(":memory:")
    try:
        other = Exports(empty, bot.registry.exports()).questions()
        assert other is not None
        nothing = await other.for_session(1)
    finally:
        await empty.close()
    QUESTIONS.append((found or [], mine, nothing))


class _Writer:
    """A Republisher that notes when it ran."""

    def __init__(self, name: str, copies_others: bool, ran: list[str]) -> None:
        self.name = name
        self.copies_others = copies_others
        self._ran = ran

    async def republish(self, person: Person) -> list[Path]:
        self._ran.append(self.name)
        return []


async def test_files_are_rewritten_reports_first_whatever_the_order_of_registration(
    db: Database,
) -> None:
    """An export bundle copies the report in: it must be rewritten after the report.

    The order is declared (``Republisher.copies_others``), not the order modules
    were built or subscribed in.
    """
    ran: list[str] = []
    registry = PersonalData(db)
    registry.register_files(_Writer("bundle", True, ran))
    registry.register_files(_Writer("report", False, ran))
    registry.register_files(_Writer("zip", True, ran))
    await registry.republish(Person("replay", "u_a"))
    assert ran == ["report", "bundle", "zip"]
