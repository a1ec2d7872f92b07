"""Features of (message, earlier candidate) pairs, computed online over a window.

:class:`History` holds the last ``capacity`` messages of a channel in ring arrays
so the features of one new message against all its candidates are a handful of
numpy operations. Only what is known when the message arrives is used: every
feature of Kummerfeld et al. (2019) that looks at later messages is left out.
The last row of :meth:`History.features` is the message itself (a self-link:
it starts a new conversation).
"""

from __future__ import annotations

import math
import re
from collections import deque
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = ["FEATURES", "History", "Query"]

FloatArray = npt.NDArray[np.float32]

FEATURES: tuple[str, ...] = (
    # the new message
    "q_system", "q_targeted", "q_opens", "q_has_prev", "q_prev_d1", "q_prev_d2_4",
    "q_prev_d5_19", "q_prev_d20", "q_prev_t0_2", "q_prev_t2_10", "q_prev_t10",
    "q_prev_targeted", "q_bot", "q_question", "q_len", "q_rate",
    # the candidate
    "c_system", "c_targeted", "c_bot", "c_question", "c_len", "c_prev_same",
    "c_next_same", "c_superseded", "c_gap_none", "c_gap1", "c_gap2_4", "c_gap5",
    # the pair
    "self", "dist", "dist1", "log_dist", "dt", "dt0", "dt1_5", "dt5_60", "dt60",
    "c_targets_q", "q_targets_c", "q_targets_c_latest", "q_silent_since", "same_author",
    "same_target", "q_addr_c_before", "q_addr_c_between", "c_addr_q_before",
    "c_addr_q_between", "overlap_c", "overlap_q", "common0", "common1", "common2",
    "common6", "cos", "cos_gap", "cos_best", "c_asks_q_answers", "q_prev_own",
)  # fmt: skip

_IDX = {name: i for i, name in enumerate(FEATURES)}
_WORD = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class Query:
    """What the features need from one message (see ``History.query``)."""

    author: int
    minutes: float
    system: bool
    bot: bool
    question: bool
    nwords: int
    targets: frozenset[int]
    opens: bool
    tokens: frozenset[str]
    emb: FloatArray


def _tokens(text: str) -> frozenset[str]:
    return frozenset(_WORD.findall(text.lower()))


class History:
    """The last ``capacity`` messages of one channel, as ring arrays.

    Args:
        capacity: candidates considered per message (the paper used 100).
        dim: embedding size.
    """

    def __init__(self, capacity: int = 100, dim: int = 384) -> None:
        w = capacity
        self.capacity = capacity
        self.count = 0
        self.pos = np.full(w, -1, np.int64)
        self.author = np.full(w, -1, np.int64)
        self.minutes = np.zeros(w, np.float64)
        self.flags = np.zeros((w, 8), np.float32)  # system, targeted, bot, question, ...
        self.nwords = np.zeros(w, np.float32)
        self.gap = np.full(w, -1, np.int64)
        self.emb = np.zeros((w, dim), np.float32)
        self.tokens: list[frozenset[str]] = [frozenset()] * w
        self.targets: list[frozenset[int]] = [frozenset()] * w
        self._last_pos: dict[int, int] = {}
        self._last_targeted: dict[int, bool] = {}
        self._addressed: dict[int, dict[int, deque[int]]] = {}

    # flags columns
    _SYS, _TGT, _BOT, _Q, _PREV_SAME, _NEXT_SAME, _SUPERSEDED = range(7)

    def query(
        self,
        *,
        author: int,
        minutes: float,
        system: bool,
        bot: bool,
        text: str,
        targets: frozenset[int],
        opens: bool,
        emb: FloatArray,
    ) -> Query:
        """Bundle one message's own facts."""
        return Query(
            author=author,
            minutes=minutes,
            system=system,
            bot=bot,
            question="?" in text,
            nwords=len(text.split()),
            targets=targets,
            opens=opens,
            tokens=_tokens(text),
            emb=emb,
        )

    def features(self, q: Query) -> tuple[npt.NDArray[np.int64], FloatArray]:
        """Features of ``q`` against every message in the window, then itself.

        Returns:
            (positions of the candidates, oldest first, then ``q``'s own position;
            a matrix with one row per position).
        """
        n = min(self.count, self.capacity)
        order = np.argsort(self.pos)[self.capacity - n :] if n else np.zeros(0, np.int64)
        qpos = self.count
        x = np.zeros((n + 1, len(FEATURES)), np.float32)
        f = _IDX
        # the new message: every row
        last = self._last_pos.get(q.author)
        x[:, f["q_system"]] = q.system
        x[:, f["q_targeted"]] = bool(q.targets)
        x[:, f["q_opens"]] = q.opens
        x[:, f["q_bot"]] = q.bot
        x[:, f["q_question"]] = q.question
        x[:, f["q_len"]] = math.log1p(q.nwords) / 3
        if last is not None:
            d = qpos - last
            x[:, f["q_has_prev"]] = 1
            x[:, f["q_prev_d1"]] = d == 1
            x[:, f["q_prev_d2_4"]] = 2 <= d < 5
            x[:, f["q_prev_d5_19"]] = 5 <= d < 20
            x[:, f["q_prev_d20"]] = d >= 20
            x[:, f["q_prev_targeted"]] = self._last_targeted.get(q.author, False)
            if d <= self.capacity:
                t = q.minutes - self.minutes[last % self.capacity]
                x[:, f["q_prev_t0_2"]] = t < 2
                x[:, f["q_prev_t2_10"]] = 2 <= t < 10
                x[:, f["q_prev_t10"]] = t >= 10
            else:
                x[:, f["q_prev_t10"]] = 1
        x[n, f["self"]] = 1
        if n == 0:
            return np.array([qpos], np.int64), x
        pos = self.pos[order]
        span = max(q.minutes - self.minutes[order[0]], 1.0)
        x[:, f["q_rate"]] = math.log1p(n / span) / 3
        c = x[:n]
        flags = self.flags[order]
        c[:, f["c_system"]] = flags[:, self._SYS]
        c[:, f["c_targeted"]] = flags[:, self._TGT]
        c[:, f["c_bot"]] = flags[:, self._BOT]
        c[:, f["c_question"]] = flags[:, self._Q]
        c[:, f["c_prev_same"]] = flags[:, self._PREV_SAME]
        c[:, f["c_next_same"]] = flags[:, self._NEXT_SAME]
        c[:, f["c_superseded"]] = flags[:, self._SUPERSEDED]
        c[:, f["c_len"]] = np.log1p(self.nwords[order]) / 3
        gap = self.gap[order]
        c[:, f["c_gap_none"]] = gap < 0
        c[:, f["c_gap1"]] = gap == 1
        c[:, f["c_gap2_4"]] = (gap >= 2) & (gap < 5)
        c[:, f["c_gap5"]] = gap >= 5
        dist = (qpos - pos).astype(np.float32)
        c[:, f["dist"]] = np.minimum(dist, 100) / 100
        c[:, f["dist1"]] = dist == 1
        c[:, f["log_dist"]] = np.log(dist) / math.log(101)
        dt = np.maximum(q.minutes - self.minutes[order], 0)
        c[:, f["dt"]] = np.minimum(dt, 100) / 100
        c[:, f["dt0"]] = dt < 1
        c[:, f["dt1_5"]] = (dt >= 1) & (dt < 5)
        c[:, f["dt5_60"]] = (dt >= 5) & (dt < 60)
        c[:, f["dt60"]] = dt >= 60
        authors = self.author[order]
        same = authors == q.author
        c[:, f["same_author"]] = same
        c[:, f["q_silent_since"]] = (last is None) | (pos > (last if last is not None else -1))
        c[:, f["q_prev_own"]] = pos == (last if last is not None else -2)
        if q.targets:
            hit = np.isin(authors, np.fromiter(q.targets, np.int64))
            c[:, f["q_targets_c"]] = hit
            c[:, f["q_targets_c_latest"]] = hit & (flags[:, self._SUPERSEDED] == 0)
        c[:, f["c_asks_q_answers"]] = flags[:, self._Q] * (not q.question) * (~same)
        mine = self._addressed.get(q.author, {})
        qtok = q.tokens
        for row, slot in enumerate(order):
            a = int(authors[row])
            p = int(pos[row])
            ctargets = self.targets[slot]
            if q.author in ctargets:
                c[row, f["c_targets_q"]] = 1
            if q.targets and ctargets and not q.targets.isdisjoint(ctargets):
                c[row, f["same_target"]] = 1
            seen = mine.get(a)
            if seen:
                c[row, f["q_addr_c_before"]] = seen[0] < p
                c[row, f["q_addr_c_between"]] = seen[-1] > p
            theirs = self._addressed.get(a, {}).get(q.author)
            if theirs:
                c[row, f["c_addr_q_before"]] = theirs[0] < p
                c[row, f["c_addr_q_between"]] = theirs[-1] > p
            ctok = self.tokens[slot]
            if ctok and qtok:
                common = len(ctok & qtok)
                c[row, f["overlap_c"]] = common / len(ctok)
                c[row, f["overlap_q"]] = common / len(qtok)
                c[row, f["common0"]] = common == 0
                c[row, f["common1"]] = common == 1
                c[row, f["common2"]] = common > 1
                c[row, f["common6"]] = common > 5
        cos = self.emb[order] @ q.emb
        c[:, f["cos"]] = cos
        best = float(cos.max())
        c[:, f["cos_gap"]] = best - cos
        c[:, f["cos_best"]] = cos >= best
        return np.append(pos, qpos), x

    def push(self, q: Query) -> None:
        """Add ``q`` to the window (after its decision)."""
        qpos = self.count
        slot = qpos % self.capacity
        prev_slot = (qpos - 1) % self.capacity
        last = self._last_pos.get(q.author)
        if self.count and self.author[prev_slot] == q.author:
            self.flags[prev_slot, self._NEXT_SAME] = 1
        if last is not None and qpos - last <= self.capacity - 1:
            self.flags[last % self.capacity, self._SUPERSEDED] = 1
        self.pos[slot] = qpos
        self.author[slot] = q.author
        self.minutes[slot] = q.minutes
        self.flags[slot] = 0
        self.flags[slot, self._SYS] = q.system
        self.flags[slot, self._TGT] = bool(q.targets)
        self.flags[slot, self._BOT] = q.bot
        self.flags[slot, self._Q] = q.question
        self.flags[slot, self._PREV_SAME] = bool(self.count) and self.author[prev_slot] == q.author
        self.nwords[slot] = q.nwords
        self.gap[slot] = -1 if last is None else qpos - last
        self.emb[slot] = q.emb
        self.tokens[slot] = q.tokens
        self.targets[slot] = q.targets
        if not q.system:
            self._last_pos[q.author] = qpos
            self._last_targeted[q.author] = bool(q.targets)
        for target in q.targets:
            book = self._addressed.setdefault(q.author, {})
            book.setdefault(target, deque(maxlen=16)).append(qpos)
        self.count += 1
