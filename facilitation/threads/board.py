"""The threads module's live export ``"conversations"``
(:class:`bot.exports.ConversationExport`): the open conversations, as plain rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot.exports import ConversationRow

if TYPE_CHECKING:
    from facilitation.threads.module import ThreadsModule

__all__ = ["OpenConversations"]


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


class OpenConversations:
    """The open conversations of the live thread maps, as plain rows."""

    def __init__(self, module: ThreadsModule) -> None:
        self._module = module

    def open_conversations(self, places: Sequence[str], limit: int) -> list[ConversationRow]:
        rows = []
        for place in places:
            tmap = self._module.map_at(place)
            if tmap is None:
                continue
            for conv in tmap.open_conversations(min_messages=2):
                rows.append(
                    ConversationRow(
                        topic=", ".join(tmap.keywords(conv)) or _short(conv.opening, 40),
                        opening=_short(conv.opening, 140),
                        people=len(conv.people),
                        names=tuple(n for n, _ in conv.people.most_common(4)),
                        messages=conv.count,
                        last_activity=conv.last_activity,
                    )
                )
        rows.sort(key=lambda r: r.last_activity, reverse=True)
        return rows[:limit]
