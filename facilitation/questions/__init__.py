"""The question queue: /ask and detected questions, votes, duplicates, moderation, answers."""

from facilitation.questions.config import QuestionsConfig
from facilitation.questions.detect import is_question
from facilitation.questions.module import QuestionsModule

__all__ = ["QuestionsConfig", "QuestionsModule", "is_question"]
