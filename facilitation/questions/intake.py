"""Deciding, message by message, what enters the panel's queue.

A participant's message is a candidate when the rule detector finds a question
in it (after a leading "njeri, …" address to a panellist is set aside). It is
left out when it is put to another participant (an @mention or a reply), and
otherwise weighed by :class:`~facilitation.questions.panel.PanelModel`. A
"my question is about X" message followed within two minutes by the question
itself, from the same person, makes one question of the two. A short follow-up
that only makes sense inside the exchange it belongs to ("how do I do that?",
"what do I do then?", "so would there be a difference?", "what you mean?"), from
someone who is replying, or who has just spoken to
someone or been spoken to by name,
stays out too: the person they are talking with answers it, and in the queue
nobody could tell what it asks. So does a short one that points back and names at
most one thing ("is that right?", "how do I get that? what command?"), even
addressed to a panellist.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import numpy.typing as npt

from bot.module import EmbedderProvider
from facilitation.questions.detect import is_question
from facilitation.questions.memory import Preamble, QuestionMemory
from facilitation.questions.pairs import content_words
from facilitation.questions.panel import PanelContext, PanelModel, build_context, strip_names

__all__ = ["Intake", "Verdict"]

log = logging.getLogger("roundtable.questions")
_PREAMBLE = re.compile(
    r"\b(?:(?:a|one|my|another|quick|small)\s+question|i\s+(?:want|wanted|would\s+like|'d\s+like)"
    r"\s+to\s+ask|question\s+(?:about|on|regarding|re))\b",
    re.I,
)
_WORD = re.compile(r"[\w']+")
# points back to what was just said: "that", "this", "then"..., or "it" at the end
_BACK = re.compile(r"\b(?:that|this|then|those|these)\b|\bit\W*$", re.I)
# opens by carrying on from what was said: "so would there be a difference?"
_CARRIES_ON = re.compile(r"\s*(?:so|and|but|or)\b", re.I)
# about the call, not the subject: "did I miss much?", "can anyone see me?", "is this
# recorded?", "anyone else here from Lagos?"; the room may answer, but it is no room question
_ABOUT_THE_CALL = re.compile(
    r"\b(?:did\s+i\s+miss|i\s+missed|(?:is|was|will)\s+(?:this|it|the\s+\w+)\s+(?:be(?:ing)?\s+)?"
    r"record|can\s+(?:any\s?one|some\s?one|you|u)\s+(?:see|hear)|any\s?one\s+else\s+(?:here|"
    r"from|having|getting)|(?:wifi|internet|connection|screen|audio|mic|discord|zoom)\s+"
    r"(?:keeps|dropped|froze|died|is\s+(?:down|bad))|(?:can'?t|cannot|can\s+not)\s+hear|"
    r"(?:meant|supposed)\s+to\s+be\s+(?:sound|audio|video))",
    re.I,
)
TERSE_WORDS = 4  # "what you mean?", "what should be the problem?": only the exchange says what
FOLLOW_UP_WORDS = 8  # a follow-up is short; a longer message says what it asks
EXCHANGE = timedelta(minutes=3)  # spoken to this recently: still in that exchange
SCAN_LIMIT = 4000  # characters read by the detector: a 1 MB message costs no more


@dataclass(frozen=True, slots=True)
class Verdict:
    """``panel``: queue it; ``text``: the question's text (a preamble joined on);
    ``room``: not for the panel, but put to the room (the room may answer it)."""

    panel: bool
    text: str
    joins: str | None = None  # the earlier message (a preamble) this one completes
    room: bool = False


def _vague(text: str) -> bool:
    """Short, pointing back, and about at most one thing ("is that right?", "how do i get
    that? what command?"): outside its exchange nobody could tell what it asks."""
    return (
        len(_WORD.findall(text)) <= FOLLOW_UP_WORDS
        and bool(_BACK.search(text))
        and len(content_words(text)) <= 1
    )


def _follow_up(text: str) -> bool:
    """A short question that leans on what was just said: "how do I do that?", "so would
    there be a difference?", or one of a few words ("what you mean?")."""
    words = len(_WORD.findall(text))
    return words <= FOLLOW_UP_WORDS and (
        bool(_BACK.search(text) or _CARRIES_ON.match(text)) or words <= TERSE_WORDS
    )


class Intake:
    """Decides what enters the queue; what it remembers (staff names, each person's last
    preamble, who is in an exchange) lives in the module's tables (:class:`QuestionMemory`),
    so a restart decides as an uninterrupted run would."""

    def __init__(
        self, model: PanelModel | None, vectors: EmbedderProvider | None, memory: QuestionMemory
    ) -> None:
        self._model = model
        self._vectors = vectors  # the token vectors every module shares (bot.module)
        self._memory = memory

    @property
    def staff_names(self) -> set[str]:
        return self._memory.staff_names

    async def observe(
        self,
        place: str,
        platform: str,
        author: str,
        message_id: str,
        mentions: tuple[str, ...],
        at: datetime,
    ) -> None:
        """Note who is in an exchange: whoever a message (anyone's) speaks to, and its author."""
        others = [p for p in mentions if p != author]
        if others:
            await self._memory.exchange(place, platform, [*others, author], at, message_id)

    async def _vector(self, text: str) -> npt.NDArray[np.float32] | None:
        if self._vectors is None or self._model is None:
            return None
        static = await self._vectors.tokens()
        if static is None:  # no model files: the plain weights still work
            return None
        return np.asarray(static.embed([text])[0], dtype=np.float32)

    async def seen_staff(self, platform: str, author: str, display_name: str) -> None:
        first = display_name.split()[0] if display_name.split() else ""
        if first:
            await self._memory.staff_name(platform, author, first)

    async def judge(
        self,
        *,
        place: str,
        platform: str,
        author: str,
        message_id: str,
        text: str,
        at: datetime,
        mentions: tuple[str, ...],
        lookup: Callable[[], Awaitable[tuple[str | None, set[str]]]],
    ) -> Verdict:
        """Is this participant's message a question for the panel?

        ``lookup`` gives the author replied to and which of the people involved are
        staff; it costs a query, so it is only called for a message that asks.
        """
        scan = text[:SCAN_LIMIT]
        last = self._memory.preamble(place, author)
        words = len(_WORD.findall(scan))
        preamble = words <= 14 and bool(_PREAMBLE.search(scan)) and "?" not in scan
        await self._memory.set_preamble(
            place, platform, author, Preamble(message_id, scan, at) if preamble else None
        )
        if not is_question(strip_names(scan, self.staff_names)[0]):
            return Verdict(False, text)
        reply_author, staff = await lookup()
        ctx = build_context(
            scan,
            mentions=mentions,
            reply_author=reply_author,
            author=author,
            staff=staff,
            staff_names=self.staff_names,
        )
        if ctx.to_participant and not ctx.to_staff:
            return Verdict(False, text)
        spoken_to = self._memory.spoken_to(place, author)
        in_exchange = (reply_author is not None and reply_author != author) or (
            spoken_to is not None  # by an earlier message: "@Pat is that safe?" asks Pat anew
            and spoken_to[1] != message_id
            and at - spoken_to[0] <= EXCHANGE
        )
        if (in_exchange and _follow_up(ctx.text)) or _vague(ctx.text):
            return Verdict(False, text)
        joins = None
        if last is not None and at - last.at <= timedelta(minutes=2) and is_question(ctx.text):
            joins = last.message_id
            ctx = PanelContext(f"{last.text} {ctx.text}", ctx.to_staff, False, ctx.reply_to_staff)
        if not is_question(ctx.text):
            return Verdict(False, text)
        if self._model is None:
            return Verdict(True, text, joins)
        vector = await self._vector(ctx.text)
        full = f"{last.text} {text}" if joins and last else text
        panel = self._model.for_panel(ctx, vector)
        room = not panel and not ctx.to_participant and not _ABOUT_THE_CALL.search(scan)
        return Verdict(panel, full, joins, room=room)
