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


_Q0 = _IDX["q_system"]
_C0 = _IDX["c_system"]
_P0 = _IDX["self"]
_NQ = _C0 - _Q0
_NC = _P0 - _C0
# columns of the per-candidate block (set when a message is pushed, two updated later)
_SYS, _TGT, _BOT, _QUES, _LEN, _PREV_SAME, _NEXT_SAME, _SUPERSEDED = range(8)


class History:
    """The last ``capacity`` messages of one channel, as ring arrays.

    Positions count messages from 0; the message at position ``p`` sits in slot
    ``p % capacity``. Who-addressed-whom and which words were used are kept as
    small inverted indexes so a new message's features need no per-candidate loop.

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
        self.cand = np.zeros((w, _NC), np.float32)
        self.ntokens = np.zeros(w, np.float32)
        self.emb = np.zeros((w, dim), np.float32)
        self._last_pos: dict[int, int] = {}
        self._last_targeted: dict[int, bool] = {}
        # src -> target -> positions where src addressed target, and the reverse
        self._addressed: dict[int, dict[int, deque[int]]] = {}
        self._addressed_by: dict[int, dict[int, deque[int]]] = {}
        # author -> positions of messages addressing them; word -> positions using it
        self._to: dict[int, deque[int]] = {}
        self._words: dict[str, deque[int]] = {}

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

    def _query_row(self, q: Query, last: int | None) -> FloatArray:
        row = np.zeros(_NQ, np.float32)
        f = _IDX
        row[f["q_system"]] = q.system
        row[f["q_targeted"]] = bool(q.targets)
        row[f["q_opens"]] = q.opens
        row[f["q_bot"]] = q.bot
        row[f["q_question"]] = q.question
        row[f["q_len"]] = math.log1p(q.nwords) / 3
        if last is not None:
            d = self.count - last
            row[f["q_has_prev"]] = 1
            row[f["q_prev_d1"]] = d == 1
            row[f["q_prev_d2_4"]] = 2 <= d < 5
            row[f["q_prev_d5_19"]] = 5 <= d < 20
            row[f["q_prev_d20"]] = d >= 20
            row[f["q_prev_targeted"]] = self._last_targeted.get(q.author, False)
            if d <= self.capacity:
                t = q.minutes - self.minutes[last % self.capacity]
                row[f["q_prev_t0_2"]] = t < 2
                row[f["q_prev_t2_10"]] = 2 <= t < 10
                row[f["q_prev_t10"]] = t >= 10
            else:
                row[f["q_prev_t10"]] = 1
        return row

    def _mark(self, lo: int, n: int, positions: deque[int] | None) -> npt.NDArray[np.bool_]:
        hit = np.zeros(n, bool)
        if positions:
            rows = [p - lo for p in positions if p >= lo]
            hit[rows] = True
        return hit

    def features(self, q: Query) -> tuple[npt.NDArray[np.int64], FloatArray]:
        """Features of ``q`` against every message in the window, then itself.

        Returns:
            (positions of the candidates, oldest first, then ``q``'s own position;
            a matrix with one row per position).
        """
        n = min(self.count, self.capacity)
        qpos = self.count
        lo = qpos - n
        x = np.zeros((n + 1, len(FEATURES)), np.float32)
        last = self._last_pos.get(q.author)
        x[:, _Q0:_C0] = self._query_row(q, last)
        x[n, _P0] = 1
        pos = np.arange(lo, qpos, dtype=np.int64)
        if n == 0:
            return np.append(pos, qpos), x
        order = pos % self.capacity
        f = _IDX
        span = max(q.minutes - self.minutes[order[0]], 1.0)
        x[:, f["q_rate"]] = math.log1p(n / span) / 3
        c = x[:n]
        cand = self.cand[order]
        c[:, _C0:_P0] = cand
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
        c[:, f["q_silent_since"]] = pos > (last if last is not None else -1)
        c[:, f["q_prev_own"]] = pos == (last if last is not None else -2)
        latest = cand[:, _SUPERSEDED] == 0
        c[:, f["c_targets_q"]] = self._mark(lo, n, self._to.get(q.author))
        if q.targets:
            hit = np.isin(authors, np.fromiter(q.targets, np.int64))
            c[:, f["q_targets_c"]] = hit
            c[:, f["q_targets_c_latest"]] = hit & latest
            shared = np.zeros(n, bool)
            for target in q.targets:
                shared |= self._mark(lo, n, self._to.get(target))
            c[:, f["same_target"]] = shared
        c[:, f["c_asks_q_answers"]] = cand[:, _QUES] * (not q.question) * (~same)
        for table, before, between in (
            (self._addressed, "q_addr_c_before", "q_addr_c_between"),
            (self._addressed_by, "c_addr_q_before", "c_addr_q_between"),
        ):
            for other, seen in table.get(q.author, {}).items():
                rows = authors == other
                if rows.any():
                    c[rows, f[before]] = seen[0] < pos[rows]
                    c[rows, f[between]] = seen[-1] > pos[rows]
        if q.tokens:
            hits = [p - lo for w in q.tokens for p in self._words.get(w, ()) if p >= lo]
            common = np.bincount(np.asarray(hits, np.int64), minlength=n).astype(np.float32)
            have = self.ntokens[order]
            has = have > 0
            c[:, f["overlap_c"]] = np.where(has, common / np.maximum(have, 1), 0)
            c[:, f["overlap_q"]] = np.where(has, common / len(q.tokens), 0)
            c[:, f["common0"]] = has & (common == 0)
            c[:, f["common1"]] = common == 1
            c[:, f["common2"]] = common > 1
            c[:, f["common6"]] = common > 5
        cos = self.emb[order] @ q.emb
        c[:, f["cos"]] = cos
        best = float(cos.max())
        c[:, f["cos_gap"]] = best - cos
        c[:, f["cos_best"]] = cos >= best
        return np.append(pos, qpos), x

    def push(self, q: Query) -> None:
        """Add ``q`` to the window (after its decision)."""
        qpos = self.count
        w = self.capacity
        slot = qpos % w
        prev_slot = (qpos - 1) % w
        last = self._last_pos.get(q.author)
        prev_same = bool(qpos) and self.author[prev_slot] == q.author
        if prev_same:
            self.cand[prev_slot, _NEXT_SAME] = 1
        if last is not None and qpos - last <= w - 1:
            self.cand[last % w, _SUPERSEDED] = 1
        self.pos[slot] = qpos
        self.author[slot] = q.author
        self.minutes[slot] = q.minutes
        gap = -1 if last is None else qpos - last
        row = self.cand[slot]
        row[:] = 0
        row[_SYS] = q.system
        row[_TGT] = bool(q.targets)
        row[_BOT] = q.bot
        row[_QUES] = q.question
        row[_LEN] = math.log1p(q.nwords) / 3
        row[_PREV_SAME] = prev_same
        # one-hot: no earlier message from this author, 1, 2-4, 5+ messages ago
        row[_SUPERSEDED + 1 + (gap >= 1) + (gap >= 2) + (gap >= 5)] = 1
        self.ntokens[slot] = len(q.tokens)
        self.emb[slot] = q.emb
        if not q.system:
            self._last_pos[q.author] = qpos
            self._last_targeted[q.author] = bool(q.targets)
        for target in q.targets:
            book = self._addressed.setdefault(q.author, {})
            book.setdefault(target, deque(maxlen=16)).append(qpos)
            back = self._addressed_by.setdefault(target, {})
            back.setdefault(q.author, deque(maxlen=16)).append(qpos)
            self._to.setdefault(target, deque(maxlen=w)).append(qpos)
        for word in q.tokens:
            self._words.setdefault(word, deque(maxlen=w)).append(qpos)
        self.count += 1
        if self.count % (8 * w) == 0:
            self._forget(self.count - w)

    def _forget(self, lo: int) -> None:
        """Drop index entries that left the window, so memory stays bounded."""
        for word in [k for k, v in self._words.items() if v[-1] < lo]:
            del self._words[word]
        for author in [k for k, v in self._to.items() if v[-1] < lo]:
            del self._to[author]
