"""Registers the question queue (``[questions]``)."""

from __future__ import annotations

from bot.module import Module, Services
from bot.plugins import CliCommand, ModuleSpec
from facilitation.questions.board import QuestionBoard
from facilitation.questions.config import QuestionsConfig
from facilitation.questions.exports import QuestionExports
from facilitation.questions.module import QuestionsModule

__all__ = ["SPEC"]


def _build(services: Services, _section: QuestionsConfig) -> Module:
    return QuestionsModule(services)


SPEC = ModuleSpec(
    name="questions",
    config=QuestionsConfig,
    factory=_build,
    exports={"questions": QuestionExports},
    live_exports={"board": QuestionBoard.of},
    order=30,
    commands=(
        CliCommand(
            "questions",
            "the question queue on a labelled event",
            "facilitation.questions.evaluate:main",
            group="eval",
        ),
    ),
)
