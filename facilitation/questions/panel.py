"""Is this question for the panel? A small logistic model over context and meaning.

The rule detector (:mod:`facilitation.questions.detect`) says whether a message
asks something at all. Whether a moderator would put it to the panel depends on
more: whom it addresses (a panellist's name, another participant), whether it is
about the call rather than the subject ("can anyone see me?", "did I miss
much?"), how long and how specific it is. :class:`PanelModel` weighs these
features, plus the message's MiniLM token-table vector (its meaning, at chat
speed), with weights fitted by ``python -m facilitation.questions.train`` and
shipped in ``panel_weights.json``. Without models, the same features minus the
vector are weighed by a second set of weights fitted the same way.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from facilitation.questions.detect import question_sentences

__all__ = [
    "FEATURES",
    "WEIGHTS",
    "PanelContext",
    "PanelModel",
    "build_context",
    "features",
    "strip_names",
]

WEIGHTS = Path(__file__).with_name("panel_weights.json")
FEATURES = (
    "question_mark",
    "asking_sentences",
    "log_words",
    "to_staff",
    "to_participant",
    "reply_to_staff",
    "anyone",
    "you",
    "marker",
    "wh_start",
    "first_person",
    "short",
)

_WORD = re.compile(r"[\w']+")
_ANYONE = re.compile(
    r"\b(?:any\s?one|any\s?body|some\s?one|some\s?body|every\s?one|every\s?body|who\s+else|"
    r"y'?all|you\s+all|all\s+of\s+you|folks|guys)\b",
    re.I,
)
_YOU = re.compile(r"\b(?:you|your|you'?re|u|ur)\b", re.I)
_MARKER = re.compile(r"\b(?:question|q|panel|panellists?|ask)\b", re.I)
_WH = re.compile(r"^\W*(?:what|which|who|whom|whose|where|when|why|how)\b", re.I)
_FIRST = re.compile(r"\b(?:i|i'm|im|i've|my|me|we|our|us)\b", re.I)


@dataclass(frozen=True, slots=True)
class PanelContext:
    """What the module knows about a message beyond its text."""

    text: str
    to_staff: bool = False  # names or @mentions a panellist, or replies to one
    to_participant: bool = False  # mentions or replies to another participant
    reply_to_staff: bool = False


def strip_names(text: str, names: Iterable[str]) -> tuple[str, bool]:
    """Drop a leading address to one of ``names`` ("njeri how do…", "@ana: why…").

    Returns the rest and whether a name was stripped.
    """
    stripped = text.lstrip()
    for name in sorted({n.lower() for n in names if n}, key=len, reverse=True):
        m = re.match(rf"@?{re.escape(name)}\b[\s,:;.!-]*", stripped, re.I)
        if m and m.end() < len(stripped):
            return stripped[m.end() :], True
    return text, False


def features(ctx: PanelContext) -> npt.NDArray[np.float32]:
    """The hand-made features of a message, in the order of :data:`FEATURES`."""
    text = ctx.text[:2000]
    words = _WORD.findall(text)
    asking = question_sentences(text)
    return np.array(
        [
            float("?" in text),
            min(len(asking), 3) / 3,
            math.log1p(len(words)) / 4,
            float(ctx.to_staff),
            float(ctx.to_participant),
            float(ctx.reply_to_staff),
            float(bool(_ANYONE.search(text))),
            float(bool(_YOU.search(text))),
            float(bool(_MARKER.search(text))),
            float(bool(_WH.match(text))),
            float(bool(_FIRST.search(text))),
            float(len(words) <= 4),
        ],
        dtype=np.float32,
    )


class PanelModel:
    """Logistic regression over :func:`features` (and the text's vector when given)."""

    def __init__(self, path: Path = WEIGHTS) -> None:
        data = json.loads(path.read_text(encoding="utf-8"))
        if tuple(data["features"]) != FEATURES:
            raise ValueError(f"{path}: trained on other features; retrain (see module doc)")
        self.threshold = float(data["threshold"])
        self.threshold_plain = float(data["threshold_plain"])
        self._w = np.asarray(data["with_vector"]["coef"], dtype=np.float32)
        self._b = float(data["with_vector"]["intercept"])
        self._wp = np.asarray(data["plain"]["coef"], dtype=np.float32)
        self._bp = float(data["plain"]["intercept"])
        self.dim = len(self._w) - len(FEATURES)

    def probability(self, ctx: PanelContext, vector: npt.NDArray[np.float32] | None) -> float:
        x = features(ctx)
        if vector is None:
            z = float(x @ self._wp) + self._bp
        else:
            z = float(np.concatenate([x, vector.astype(np.float32)]) @ self._w) + self._b
        return 1.0 / (1.0 + math.exp(-max(min(z, 30.0), -30.0)))

    def for_panel(self, ctx: PanelContext, vector: npt.NDArray[np.float32] | None) -> bool:
        threshold = self.threshold_plain if vector is None else self.threshold
        return self.probability(ctx, vector) >= threshold


def build_context(
    text: str,
    *,
    mentions: Iterable[str],
    reply_author: str | None,
    author: str,
    staff: set[str],
    staff_names: Iterable[str],
) -> PanelContext:
    """The context of a message, the same way live and in training.

    ``staff`` are the author ids of panellists, moderators and organisers;
    ``staff_names`` their display names (a leading "njeri, …" addresses them).
    """
    rest, named = strip_names(text, staff_names)
    people = [p for p in mentions if p != author]
    to_staff = named or any(p in staff for p in people) or reply_author in staff
    others = [p for p in people if p not in staff]
    if reply_author and reply_author != author and reply_author not in staff:
        others.append(reply_author)
    return PanelContext(
        text=rest,
        to_staff=bool(to_staff),
        to_participant=bool(others),
        reply_to_staff=reply_author in staff if reply_author else False,
    )
