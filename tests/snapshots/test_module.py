"""The module in a running bot: surfacing policy, approval, requests, starters, effects."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bot.actions import DirectMessage, Reply, Say
from bot.app import Roundtable
from bot.config import Config
from bot.events import MessagePosted, ReactionAdded
from facilitation.core import CoreModule
from facilitation.snapshots.effects import snapshot_effects
from facilitation.snapshots.module import SnapshotsModule
from facilitation.snapshots.sentences import ceiling, combined
from tests.factories import Script, config, run_script
from tests.snapshots.conftest import FakeProvider, write_corpus

COOL_1 = "Did older residents visit the cool spaces in the libraries?"
COOL_2 = "Most older residents never heard of the cool spaces at the libraries"
MEDS_1 = "Where should insulin and eye drops be stored in a heatwave, not on windowsills?"
MEDS_2 = "Insulin on sunny windowsills is a real worry, and blood pressure tablets too"


def _cfg(tmp_path: Path, **snapshots: Any) -> Config:
    folder = write_corpus(tmp_path / "corpus")
    settings = {
        "corpus": [str(folder)],
        "threshold": 0.15,
        # the hashing embedder's cosines run lower than MiniLM's, which the floor is set for
        "request_min_score": 0.004,
        "window": 2,
        "min_messages": 2,
        "min_gap_minutes": 10,
        **snapshots,
    }
    return config({"snapshots": settings})


def _modules(rephraser: Any = None) -> Any:
    def build(services: Any) -> list[Any]:
        module = SnapshotsModule(
            services, rephraser=rephraser, progress=lambda _p: None, poll_seconds=None
        )
        return [CoreModule(services), module]

    return build


async def _run(tmp_path: Path, script: Script, rephraser: Any = None, **snap: Any) -> Any:
    return await run_script(
        script.lines,
        cfg=_cfg(tmp_path, **snap),
        modules=_modules(rephraser),
        embedder=FakeProvider(),
    )


def _snapshots(actions: Sequence[Any], mark: str = "📚 From the research") -> list[str]:
    return [a.text for a in actions if isinstance(a, Say | Reply) and mark in a.text]


async def test_a_strong_match_is_offered_with_its_source(tmp_path: Path) -> None:
    s = Script()
    s.say("u_mod", '/event start "Heat"')
    s.say("u1", COOL_1)
    s.say("u2", COOL_2)
    actions, _ = await _run(tmp_path, s)
    [text] = _snapshots(actions)
    assert "6% of visits" in text
    assert (
        "— Cool spaces evaluation, section “Summary” (https://example.org/reports/cool-spaces)"
        in text
    )


async def test_threshold_rate_limit_and_no_repeats(tmp_path: Path) -> None:
    s = Script()
    s.say("u_mod", '/event start "Heat"')
    s.say("u1", COOL_1)
    s.say("u2", COOL_2)  # offered: cool spaces
    s.say("u1", MEDS_1, after=60)
    s.say("u2", MEDS_2)  # a strong match, but within 10 minutes
    s.say("u3", "lovely weather for ducks today, honestly quite wet")
    s.say("u1", MEDS_1, after=600)
    s.say("u2", MEDS_2)  # 10 minutes on: offered
    s.say("u1", COOL_1, after=700)
    s.say("u2", COOL_2)  # the same passage is never offered twice
    posts: list[dict[str, Any]] = []

    async def read_posts(bot: Roundtable, _adapter: Any) -> None:
        posts.extend(await snapshot_effects(bot.db, bot.sessions.all()[0].id))

    actions, _ = await run_script(
        s.lines,
        cfg=_cfg(tmp_path),
        modules=_modules(),
        embedder=FakeProvider(),
        keep_open=read_posts,
    )
    offered = _snapshots(actions)
    assert len(offered) == 2
    assert "6% of visits" in offered[0]
    assert "Insulin" in offered[1]
    first, second = (datetime.fromisoformat(p["posted_at"]) for p in posts)
    assert second - first >= timedelta(minutes=10)


async def test_nothing_below_threshold_or_outside_a_live_event(tmp_path: Path) -> None:
    s = Script()
    s.say("u1", COOL_1)
    s.say("u2", COOL_2)  # no event yet
    s.say("u_mod", '/event start "Heat"')
    s.say("u1", "Did anyone watch the football last night, what a match")
    s.say("u2", "The football was great, brilliant second half goals")
    actions, _ = await _run(tmp_path, s, threshold=0.15)
    assert _snapshots(actions) == []


async def test_moderators_approve_or_skip_before_posting(tmp_path: Path) -> None:
    s = Script()
    s.say("u_mod", '/event start "Heat"')
    s.say("u1", COOL_1)
    s.say("u2", COOL_2)  # held as #1
    s.say("u_mod", "/snapshots")
    s.say("u1", "/snapapprove 1")  # not a moderator
    s.say("u_mod", "/snapapprove 1")
    s.say("u_mod", "/snapapprove 1")  # already shared
    s.say("u1", MEDS_1, after=700)
    s.say("u2", MEDS_2)  # held as #2
    s.say("u_mod", "/snapskip 2")
    actions, _ = await _run(tmp_path, s, require_approval=True)
    notes = [a for a in actions if isinstance(a, DirectMessage) and "/snapapprove" in a.text]
    assert [n.user for n in notes] == ["u_mod", "u_mod", "u_mod"]  # two notes, one list
    assert "Snapshot #1 is ready" in notes[0].text
    assert "#1:" in notes[1].text  # the /snapshots list
    texts = [a.text for a in actions if isinstance(a, Say | Reply | DirectMessage)]
    assert any("only for moderators" in t or "is for moderators" in t for t in texts)
    shared = _snapshots(actions)
    assert len(shared) == 1
    assert "6% of visits" in shared[0]
    assert "Shared snapshot #1." in texts
    assert "Snapshot #1 isn't waiting for approval." in texts
    assert any(t.startswith("Dropped snapshot #2") for t in texts)


async def test_snapshot_command_replies_with_the_best_passage(tmp_path: Path) -> None:
    s = Script()
    s.say("u1", "/snapshot insulin storage")  # works outside an event too
    s.say("u_mod", '/event start "Heat"')
    s.say("u2", "/snapshot shutters and bedroom temperatures", mid="ask-1")
    s.say("u2", "/snapshot quantum chromodynamics")
    actions, _ = await _run(tmp_path, s)
    found = _snapshots(actions, "Here's the closest")
    assert len(found) == 2
    assert "Insulin" in found[0]
    assert "(https://example.org/reports/medicines)" in found[0]
    assert "External shutters" in found[1]
    replies = [a for a in actions if isinstance(a, Reply) and "External shutters" in a.text]
    assert replies[0].message_id == "ask-1"
    texts = [a.text for a in actions if isinstance(a, Say | Reply | DirectMessage)]
    assert any("couldn't find anything on “quantum chromodynamics”" in t for t in texts)


async def test_planned_starter_is_posted_at_its_minute(tmp_path: Path) -> None:
    s = Script()
    s.say("u_mod", '/event start "Heat"')
    s.say("u1", "hello all", after=30)
    s.say("u2", "evening everyone", after=60)
    starters = [{"at_minute": 1.2, "topic": "shutters bedroom temperature"}]
    actions, _ = await _run(tmp_path, s, starters=starters)
    said = [a.text for a in actions if isinstance(a, Say)]
    posted = [t for t in said if t.startswith("💬 Something from the research")]
    assert len(posted) == 1
    assert "External shutters" in posted[0]
    assert said.index(posted[0]) == len(said) - 1  # only after its minute


async def test_rephrased_snapshot_keeps_the_original_and_source(tmp_path: Path) -> None:
    class Plain:
        async def rephrase(self, text: str) -> str | None:
            return "Few older people came to the cool spaces."

    s = Script()
    s.say("u_mod", '/event start "Heat"')
    s.say("u1", COOL_1)
    s.say("u2", COOL_2)
    actions, _ = await _run(tmp_path, s, rephraser=Plain())
    [text] = _snapshots(actions)
    assert "in short: Few older people came to the cool spaces." in text
    assert "6% of visits" in text
    assert "https://example.org/reports/cool-spaces" in text


async def test_effects_record_replies_reactions_and_questions(tmp_path: Path) -> None:
    s = Script()
    s.say("u_mod", '/event start "Heat"')
    s.say("u1", COOL_1)
    s.say("u2", COOL_2)
    seen: list[dict[str, Any]] = []

    async def follow_up(bot: Roundtable, adapter: Any) -> None:
        session = bot.sessions.all()[0]
        [post] = await snapshot_effects(bot.db, session.id)
        [mid] = post["message_ids"]
        at = bot.clock.now()
        events = [
            MessagePosted(
                platform="replay",
                community="demo",
                channel="main",
                ts=at + timedelta(seconds=10),
                author="u3",
                message_id="r1",
                text="wow, only 6%?",
                reply_to=mid,
            ),
            ReactionAdded(
                platform="replay",
                community="demo",
                channel="main",
                ts=at + timedelta(seconds=20),
                author="u4",
                message_id=mid,
                emoji="👍",
            ),
            MessagePosted(
                platform="replay",
                community="demo",
                channel="main",
                ts=at + timedelta(seconds=30),
                author="u5",
                message_id="q1",
                text="Why did so few older residents use the cool spaces?",
            ),
            MessagePosted(
                platform="replay",
                community="demo",
                channel="main",
                ts=at + timedelta(minutes=30),
                author="u6",
                message_id="q2",
                text="Why did older residents avoid the cool spaces?",
            ),
        ]
        for event in events:
            await bot.bus.publish(event)
        await bot.drain()
        seen.extend(await snapshot_effects(bot.db, session.id))

    await run_script(
        s.lines,
        cfg=_cfg(tmp_path),
        modules=_modules(),
        embedder=FakeProvider(),
        keep_open=follow_up,
    )
    [post] = seen
    assert post["trigger"] == "auto"
    assert post["state"] == "posted"
    assert (post["replies"], post["reactions"], post["questions"]) == (1, 1, 1)
    kinds = {(e["kind"], e["message_id"]) for e in post["effects"]}
    assert ("question", "q1") in kinds
    assert ("question", "q2") not in kinds  # too long after


async def test_a_restart_keeps_the_conversation_window(tmp_path: Path) -> None:
    """The window is rebuilt from the log: the offer comes when an uninterrupted run makes it."""
    s = Script()
    s.say("u_mod", '/event start "Heat"')
    s.say("u1", COOL_1)
    s.say("u2", COOL_2)  # the window's second message: offered
    lines = list(s.lines)

    async def once(part: list[str], db: Path) -> list[str]:
        actions, _ = await run_script(
            part,
            cfg=_cfg(tmp_path),
            modules=_modules(),
            embedder=FakeProvider(),
            db_path=str(db),
        )
        return _snapshots(actions)

    clean = await once(lines, tmp_path / "clean.db")
    assert len(clean) == 1
    split = await once(lines[:2], tmp_path / "split.db")
    split += await once(lines[2:], tmp_path / "split.db")
    assert split == clean


async def test_a_reaction_after_a_restart_still_counts_as_an_effect(tmp_path: Path) -> None:
    """The posts a restart must watch are loaded for a reaction too, not only for a message."""
    s = Script()
    s.say("u_mod", '/event start "Heat"')
    s.say("u1", COOL_1)
    s.say("u2", COOL_2)
    db = tmp_path / "rt.db"
    posted: list[dict[str, Any]] = []

    async def read_posts(bot: Roundtable, _adapter: Any) -> None:
        posted.extend(await snapshot_effects(bot.db, bot.sessions.all()[0].id))

    common: dict[str, Any] = {
        "cfg": _cfg(tmp_path),
        "modules": _modules(),
        "embedder": FakeProvider(),
        "db_path": str(db),
    }
    await run_script(s.lines, keep_open=read_posts, **common)
    [mid] = posted[0]["message_ids"]
    s.lines.clear()
    s.react("u4", mid)
    posted.clear()
    await run_script(s.lines, keep_open=read_posts, **common)
    assert [e["kind"] for e in posted[0]["effects"]] == ["reaction"]


async def test_answer_sentences_are_embedded_when_the_corpus_loads_not_per_message(
    tmp_path: Path,
) -> None:
    quiet_script, chat_script = Script(), Script()
    for script in (quiet_script, chat_script):
        script.say("u_mod", '/event start "Heat"')
    chat_script.say("u1", COOL_1)
    chat_script.say("u2", COOL_2)
    calls = []
    for i, script in enumerate((quiet_script, chat_script)):
        provider = FakeProvider()
        actions, _ = await run_script(
            script.lines, cfg=_cfg(tmp_path / str(i)), modules=_modules(), embedder=provider
        )
        calls.append((provider.fake.calls, len(_snapshots(actions))))
    (quiet, none), (chat, offered) = calls
    assert none == 0 and offered == 1  # the lookups ran, and found the passage
    assert chat - quiet == 2  # the two messages' vectors; every sentence's was ready


def test_a_hit_never_scores_above_its_ceiling() -> None:
    for p in (1e-6, 0.001, 0.01, 0.07, 0.3, 0.9, 0.999):
        for cosine in (-1.0, 0.0, 0.4, 0.8, 1.0):
            assert combined(p, cosine) <= ceiling(p)
    assert ceiling(0.0005) < 0.07 <= ceiling(0.01)
