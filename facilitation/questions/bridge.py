"""One queue across an event's channels: questions, panel answers and queue posts everywhere.

An event may run in a Discord channel, a Slack channel and a Telegram group at
once. The queue is already one per event (a question has one number wherever it
was asked); this makes the event *look* like one:

* a new question is announced in the event's other channels with its number and
  where it came from, and each copy stands for the question: a 👍 on it is a
  vote, a panellist's reply to it answers it;
* whatever a panellist says in one channel is relayed to the others, attributed
  ("Jun (panel, on Discord)"), with the question it answers when it answers one;
* the bot's queue posts (now answering, answers, the public queue, the end list)
  go to every channel.

Everything relayed is mention-safe and split to each platform's limit
(:mod:`bot.mirror`). With one channel nothing here posts anything.
"""

from __future__ import annotations

from bot.actions import Target
from bot.events import MessagePosted
from bot.mirror import platform_name, post_everywhere, targets_of
from bot.module import Services
from bot.sessions import Session
from facilitation.questions.render import short
from facilitation.questions.store import Question, QuestionStore

__all__ = ["QuestionBridge"]


class QuestionBridge:
    """Posts into an event's other channels and maps the copies to their questions."""

    def __init__(self, services: Services, store: QuestionStore, upvote: str) -> None:
        self._s = services
        self._store = store
        self._upvote = upvote

    def spans(self, session: Session) -> bool:
        """Whether the event has more than one channel (else nothing is relayed)."""
        return len(targets_of(session)) > 1

    async def everywhere(
        self, session: Session, text: str, *, skip: Target | None = None, safe: bool = True
    ) -> None:
        """The bot's own post, in every channel of the event (but ``skip``)."""
        await post_everywhere(
            self._s.outbox, session, text, skip=(skip,) if skip else (), safe=safe
        )

    async def announce(self, session: Session, q: Question, origin: Target | None) -> None:
        """Question ``q`` in the other channels; each copy counts votes and takes answers."""
        if not self.spans(session):
            return
        p = self._s.prompts
        who = p("questions.anonymous") if q.anonymous or not q.asker_name else q.asker_name
        text = p(
            "questions.mirror_question",
            n=q.number,
            who=who,
            platform=platform_name(q.platform),
            text=short(q.text, 600),
            emoji=self._upvote,
        )
        skip = (origin,) if origin is not None else ()
        for target, refs in await post_everywhere(self._s.outbox, session, text, skip=skip):
            for ref in refs:
                await self._store.map_message(target.platform, ref.message_id, q.id, "mirror")

    async def relay_panel(
        self, session: Session, event: MessagePosted, answered: Question | None
    ) -> None:
        """A panellist's message, attributed, in the event's other channels."""
        if not self.spans(session) or not event.text.strip():
            return
        p = self._s.prompts
        values = {
            "who": event.display_name,
            "platform": platform_name(event.platform),
            "text": event.text.strip(),
        }
        if answered is not None:
            text = p("questions.mirror_answer", n=answered.number, **values)
        else:
            text = p("questions.mirror_panel", **values)
        origin = Target(event.platform, event.community, event.channel)
        await post_everywhere(self._s.outbox, session, text, skip=(origin,))
