"""Linking signals on small built conversations, and the online property."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from bot.embeddings import MiniLMEmbedder
from facilitation.threads.disentangle import Disentangler
from facilitation.threads.message import ThreadMessage
from facilitation.threads.scorer import Scorer
from tests.threads.conftest import chat


def _run(d: Disentangler, msgs: list[ThreadMessage]) -> dict[str, tuple[str, ...]]:
    return {link.message_id: link.antecedents for link in d.link_many(msgs)}


def test_first_message_starts_a_conversation(scorer: Scorer) -> None:
    link = Disentangler(scorer).link(chat(("ann", "hello all"))[0])
    assert link.starts_conversation
    assert link.conversation == "m0"


def test_platform_reply_link_is_trusted_over_everything(scorer: Scorer) -> None:
    msgs = chat(
        ("ann", "how do I mount a usb stick?"),
        ("bob", "anyone tried the new kernel?"),
        ("cat", "bob: yes, works fine here"),
    )
    # cat addresses bob by name, but the platform says she replied to ann
    msgs[2] = replace(msgs[2], reply_to="m0")
    links = Disentangler(scorer).link_many(msgs)
    assert links[2].antecedents == ("m0",)
    assert links[2].reason == "reply"
    assert links[2].conversation == links[0].conversation


def test_native_thread_is_trusted_and_kept_apart(scorer: Scorer) -> None:
    msgs = chat(
        ("ann", "what's the plan for the panel?"),
        ("bob", "I think we start with questions"),
        ("cat", "sounds good"),
        ("dan", "ann: we start at six"),
    )
    msgs[1] = replace(msgs[1], thread="m0")
    msgs[2] = replace(msgs[2], thread="m0")
    links = Disentangler(scorer).link_many(msgs)
    assert links[1].antecedents == ("m0",)
    assert links[2].antecedents == ("m1",)
    assert {link.reason for link in links[1:3]} == {"thread"}
    # a main-channel message never links into a native thread
    assert links[3].antecedents[0] not in {"m1", "m2"}


def test_addressing_by_nick_links_to_that_persons_message(scorer: Scorer) -> None:
    msgs = chat(
        ("ann", "my wifi drops every few minutes"),
        ("bob", "is there a way to change the login screen?"),
        ("cat", "good morning everyone"),
        ("dan", "what's everyone's favourite editor?"),
        ("eve", "ann: which wifi chip do you have?"),
    )
    assert _run(Disentangler(scorer), msgs)["m4"] == ("m0",)


def test_platform_mentions_count_as_addressing(scorer: Scorer) -> None:
    msgs = chat(
        ("u1", "my wifi drops every few minutes"),
        ("u2", "is there a way to change the login screen?"),
        ("u3", "good morning everyone"),
        ("u4", "which chip do you have?"),
    )
    msgs[3] = replace(msgs[3], mentions=("u1",))
    assert _run(Disentangler(scorer), msgs)["m3"] == ("m0",)


def test_same_speaker_continues_their_own_conversation(scorer: Scorer) -> None:
    msgs = chat(
        ("ann", "bob: did the update fix your sound?"),
        ("bob", "ann: no, still silent"),
        ("ann", "bob: try alsamixer and unmute the master channel"),
        ("bob", "ann: that did it, thanks!"),
    )
    links = Disentangler(scorer).link_many(msgs)
    assert [link.antecedents for link in links[1:]] == [("m0",), ("m1",), ("m2",)]
    assert {link.conversation for link in links} == {"m0"}


def test_interleaved_topics_are_separated_by_meaning(
    scorer: Scorer, minilm: MiniLMEmbedder
) -> None:
    msgs = chat(
        ("ann", "my printer prints blank pages since the upgrade"),
        ("bob", "what's a good recipe for pasta sauce with fresh tomatoes?"),
        ("cat", "the printer driver often breaks after an upgrade, reinstall it"),
        ("dan", "simmer the tomatoes with garlic and olive oil for an hour"),
        ("ann", "reinstalling the driver fixed the blank pages"),
        ("bob", "adding basil to the sauce at the end works well"),
    )
    links = Disentangler(scorer, minilm).link_many(msgs)
    conv = {link.message_id: link.conversation for link in links}
    assert conv["m2"] == conv["m4"] == conv["m0"]
    assert conv["m3"] == conv["m5"] == conv["m1"]
    assert conv["m0"] != conv["m1"]


def test_decisions_never_depend_on_later_messages(scorer: Scorer, minilm: MiniLMEmbedder) -> None:
    msgs = chat(
        ("ann", "how do I resize a partition?"),
        ("bob", "ann: gparted from a live usb"),
        ("cat", "is the conference stream up yet?"),
        ("ann", "bob: can I do it while mounted?"),
        ("dan", "cat: yes, link in the topic"),
        ("bob", "ann: no, unmount it first"),
        ("eve", "hi all"),
        ("cat", "dan: thanks!"),
    )
    full = Disentangler(scorer, minilm).link_many(msgs)
    for k in range(1, len(msgs) + 1):
        prefix = Disentangler(scorer, minilm).link_many(msgs[:k])
        assert prefix == full[:k]
    # one at a time, as messages arrive live, gives the same decisions as a batch
    live = Disentangler(scorer, minilm)
    assert [live.link(m) for m in msgs] == full


def test_window_is_bounded(scorer: Scorer) -> None:
    d = Disentangler(scorer, window=5)
    msgs = chat(*[("ann" if i % 2 else "bob", f"message number {i}") for i in range(12)])
    d.link_many(msgs)
    assert d.history.capacity == 5
    assert min(int(p) for p in d.history.pos) == 7


def test_embeddings_off_gives_zero_vectors(scorer: Scorer) -> None:
    d = Disentangler(scorer)
    vecs = d.embed(chat(("ann", "hello")))
    assert vecs.shape == (1, 384)
    assert not np.any(vecs)
