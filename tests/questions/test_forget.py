"""The question queue forgets a person in its own tables (bot.forget.Forgettable)."""

from __future__ import annotations

from pathlib import Path

from bot.forget import REMOVED, REMOVED_NAME, Person
from bot.store import Database
from facilitation.questions.store import QuestionStore
from tests.factories import T0


def _row(n: int, asker: str, name: str, text: str) -> dict[str, object]:
    return {
        "session_id": 1,
        "platform": "replay",
        "community": "c",
        "channel": "main",
        "asker": asker,
        "asker_name": name,
        "text": text,
        "original_text": text,
        "message_id": f"m{n}",
        "source": "ask",
        "state": "open",
        "asked_at": T0.isoformat(),
    }


async def test_their_questions_votes_and_suggestions_go_and_others_are_scrubbed(
    tmp_path: Path,
) -> None:
    db = await Database.open(tmp_path / "q.db")
    try:
        store = QuestionStore(db)
        await store.setup()
        ann = await store.add(
            _row(1, "u_ann", "Ann", "Cat, what did the council say about shutters?")
        )
        cat = await store.add(
            _row(2, "u_cat", "Cat", "Would the council pay for shutters on flats?")
        )
        await store.suggest(cat.id, ann.id, 0.7, T0)
        await store.add_vote(ann.id, "replay", "u_cat", "reaction", T0)
        person = Person(
            "replay", "u_cat", frozenset({"Cat"}), frozenset({cat.text}), keep_questions=False
        )
        recalled = await store.recall("replay", "u_cat")
        assert recalled.names == {"Cat"} and cat.text in recalled.phrases
        removed = await store.forget(person)
        assert removed["questions"] == 1 and removed["votes"] == 1
        assert await store.by_id(cat.id) is None
        assert await store.suggestions(1) == []
        left = await store.by_id(ann.id)
        assert left is not None and left.text.startswith(REMOVED_NAME)
        assert "u_cat" not in str(await db.fetchall("SELECT * FROM question_votes"))
        assert REMOVED not in left.text  # Ann's own words stay
    finally:
        await db.close()


async def test_add_vote_says_whether_it_added_a_vote(tmp_path: Path) -> None:
    """A second vote by the same person adds nothing, and says so (not a stale row id)."""
    db = await Database.open(tmp_path / "q.db")
    try:
        store = QuestionStore(db)
        await store.setup()
        q = await store.add(_row(1, "u_ann", "Ann", "What did the council say?"))
        assert await store.add_vote(q.id, "replay", "u_bo", "reaction", T0) is True
        assert await store.add_vote(q.id, "replay", "u_bo", "upvote", T0) is False
        assert await store.add_vote(q.id, "replay", "u_cy", "upvote", T0) is True
        assert await store.voters([q.id]) == {("replay", "u_bo"), ("replay", "u_cy")}
    finally:
        await db.close()
