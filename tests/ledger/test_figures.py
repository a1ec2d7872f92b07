"""Every figure of one small event, with the right answers worked out by hand."""

from __future__ import annotations

import json
from pathlib import Path

from facilitation.ledger.tone import ToneScorer, is_appreciation
from tests.factories import Script
from tests.ledger.conftest import ledger_config, run


def _event() -> tuple[Script, dict[str, str]]:
    s = Script()
    s.say("u_ann", "/iam academic")
    s.say("u_bob", "/iam policy")
    s.say("u_cat", "/iam policy")
    s.say("u_mod", '/event start "Talks"')
    ids = {}
    ids["m1"] = s.say("u_ann", "Hello everyone, glad to be here")
    ids["m2"] = s.say("u_bob", "@Ann hi! Thanks for organising")
    ids["m3"] = s.say("u_ann", "/ask Why are flats so hot at night?")
    ids["m4"] = s.say("u_pan", "Heat builds up in the walls during the day.", reply_to=ids["m3"])
    ids["m5"] = s.say("u_cat", "That matches what we see in our block", reply_to=ids["m4"])
    ids["m6"] = s.say("u_bob", "Same in ours, great point", reply_to=ids["m5"])
    s.react("u_cat", ids["m6"], "👍")
    s.react("u_dan", ids["m4"], "❤️")
    s.react("u_bob", ids["m3"], "👍")
    s.react("u_eve", ids["m1"], "🎉")
    s.react("u_eve", ids["m1"], "🎉", remove=True)  # taken back: Eve did not take part
    s.say("u_mod", "/event end")
    return s, ids


async def test_every_figure_of_a_small_event(tmp_path: Path) -> None:
    s, _ = _event()
    cfg = ledger_config(tmp_path)
    await run(s.lines, cfg, tmp_path / "rt.db")
    m = json.loads((tmp_path / "out" / "talks" / "export" / "metrics.json").read_text())

    # People who posted, reacted or asked: Ann, Bob, Pan(ellist), Cat, Dan. The moderator only
    # used commands and Eve's reaction was removed. The audience leaves out the panellist.
    assert m["audience"] == {
        "people": 5,
        "participants": 4,  # Ann, Bob, Cat, Dan
        "panel_and_hosts": 1,
        "posted": 3,  # Ann, Bob, Cat
        "reacted": 3,  # Cat, Dan, Bob
        "asked": 1,  # Ann
        "only_reacted": 1,  # Dan
        "members_present": None,  # no joins were ever seen in this channel
        "silent_members": None,
    }
    d = m["depth"]
    # m1..m6 (the typed /ask counts as a message); participants wrote all but m4
    assert (d["messages"], d["messages_by_participants"]) == (6, 5)
    assert d["messages_per_participant"] == 1.67  # 5 messages / 3 participants who posted
    # replies m4 (panel -> Ann), m5 (Cat -> panel), m6 (Bob -> Cat)
    assert (d["replies"], d["replies_between_participants"]) == (3, 1)
    assert (d["replies_to_panel"], d["replies_from_panel"]) == (1, 1)
    assert d["reciprocity"] == 0.333
    assert (d["mentions"], d["reactions"]) == (1, 3)
    # reply chain m3-m4-m5-m6 is one conversation; m1 and m2 stand alone
    assert d["conversations"] == 3
    assert d["conversation_sizes"] == {"1": 2, "4": 1}
    assert d["largest_conversation"] == 4
    assert d["conversations_with_2plus_people"] == 1
    # Bob: mention + reply + reaction = 3; Cat: reply + reaction = 2; Dan: reaction = 1; Ann 0
    assert d["interactions_per_participant"] == 1.5  # 6 / 4

    # the /ask (m3) was answered by the panellist's reply 5 s later
    assert m["questions"] == {
        "asked": 1,
        "answered": 1,
        "answer_rate": 1.0,
        "median_answer_seconds": 5.0,
        "answered_by_room": 0,  # only the panel replied to it
        "mean_answer_seconds": 5.0,
    }
    assert m["reach"] == {
        "earlier_events": [],
        "new": 4,
        "returning": 0,
        "new_share": 1.0,
        "returning_from": {},
    }
    r = m["relationships"]
    # ties: Bob-Ann (mention), Pan-Ann, Cat-Pan, Bob-Cat (replies)
    assert (r["ties"], r["reply_ties"], r["mention_ties"]) == (4, 3, 1)
    assert r["participant_ties"] == 2  # Bob-Ann, Bob-Cat
    assert (r["new_ties"], r["new_ties_share"]) == (4, 1.0)
    # labelled on both ends: Bob(policy)-Ann(academic) crosses, Bob-Cat (both policy) doesn't
    assert (r["labelled_ties"], r["cross_community_ties"]) == (2, 1)
    assert r["communities"] == {"academic": 1, "policy": 2}

    t = m["tone"]
    # "Thanks for organising" (m2) and "great point" (m6); Cat's 👍 on m6 and Dan's ❤️ count,
    # Bob's 👍 on the question is a vote, not appreciation
    assert (t["appreciation_messages"], t["appreciation_reactions"]) == (2, 2)
    # lexicon valences, normalised as s / sqrt(s^2 + 15):
    # m1 "glad" 2.0 -> 0.4588; m2 "thanks" 1.9 + one "!" 0.292 = 2.192 -> 0.4926;
    # m3, m4 no sentiment words -> 0; m5 "block" -1.9 -> -0.4404; m6 "great" 3.1 -> 0.6249
    assert t["scored_messages"] == 6
    assert t["sentiment_mean"] == 0.189  # (0.4588 + 0.4926 - 0.4404 + 0.6249) / 6
    assert (t["positive"], t["neutral"], t["negative"]) == (3, 2, 1)

    assert m["per_platform"]["replay"]["participants"] == 4
    assert m["per_platform"]["replay"]["messages"] == 6
    # audience 4 >= 3 (large); depth 1.5 < 2.0 (shallow), thresholds from the config
    assert m["matrix"] == {
        "audience": 4,
        "depth": 1.5,
        "audience_threshold": 3,
        "depth_threshold": 2.0,
        "quadrant": "large and shallow",
    }


async def test_figures_are_stored_when_the_event_ends(tmp_path: Path) -> None:
    s, _ = _event()
    stored: list[dict[str, object]] = []

    async def inspect(bot) -> None:  # type: ignore[no-untyped-def]
        row = await bot.db.fetchone("SELECT json FROM metrics WHERE session_id = 1")
        stored.append(json.loads(row["json"]))

    await run(s.lines, ledger_config(tmp_path), tmp_path / "rt.db", inspect)
    assert stored[0]["audience"]["participants"] == 4  # type: ignore[index]


async def test_members_present_come_from_joins_and_leaves(tmp_path: Path) -> None:
    s = Script()
    s.lines.append(
        json.dumps(
            {"type": "join", "ts": "2026-03-12T17:59:00+00:00", "author": "u_zed", "name": "Zed"}
        )
    )  # in before the start
    s.lines.append(
        json.dumps(
            {"type": "join", "ts": "2026-03-12T17:59:10+00:00", "author": "u_gone", "name": "Gone"}
        )
    )
    s.lines.append(
        json.dumps(
            {"type": "leave", "ts": "2026-03-12T17:59:20+00:00", "author": "u_gone", "name": "Gone"}
        )
    )  # left before the start
    s.say("u_mod", '/event start "Talks"')
    s.lines.append(
        json.dumps(
            {"type": "join", "ts": "2026-03-12T18:00:30+00:00", "author": "u_new", "name": "New"}
        )
    )
    s.say("u_ann", "hello", after=60)
    s.say("u_mod", "/event end")
    await run(s.lines, ledger_config(tmp_path), tmp_path / "rt.db")
    m = json.loads((tmp_path / "out" / "talks" / "export" / "metrics.json").read_text())
    # present: Zed (in at the start), New (joined during), Ann (posted) -- not Gone
    assert m["audience"]["members_present"] == 3
    assert m["audience"]["silent_members"] == 2  # Zed and New never took part


def test_the_tone_scorer_follows_vader_rules() -> None:

    t = ToneScorer()
    assert t.compound("This is great") == 0.6249  # 3.1 / sqrt(3.1^2 + 15)
    assert t.compound("This is not great") == -0.5096  # 3.1 x -0.74 after a negation
    assert t.compound("This is GREAT!") == 0.729  # caps among lower case, and "!"
    assert t.compound("good but awful") == -0.4678  # halved before "but", x1.5 after
    assert t.compound("The meeting is at 5") == 0.0
    assert is_appreciation("Thank you so much") and not is_appreciation("thinking aloud")
