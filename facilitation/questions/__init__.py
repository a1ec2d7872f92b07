"""The question queue: /ask and detected questions, votes, duplicates, moderation, answers.

``bot.config`` imports :mod:`facilitation.questions.config` while it loads, so this
package imports nothing heavy at import time: ``QuestionsModule`` is loaded on
first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from facilitation.questions.config import QuestionsConfig
from facilitation.questions.detect import is_question

if TYPE_CHECKING:
    from facilitation.questions.module import QuestionsModule

__all__ = ["QuestionsConfig", "QuestionsModule", "is_question"]


def __getattr__(name: str) -> Any:
    if name == "QuestionsModule":
        from facilitation.questions.module import QuestionsModule

        return QuestionsModule
    raise AttributeError(name)
