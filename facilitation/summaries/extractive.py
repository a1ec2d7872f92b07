"""Extractive summaries: choose representative, diverse sentences by meaning, then tidy them.

Works offline with the bundled MiniLM model. Each candidate sentence is scored by
how close it sits to the centre of the discussion (cosine to the weighted mean
embedding), with small priors for position, length, key phrases and appreciation;
maximal marginal relevance then trades that score against repeating what is
already chosen. Chosen sentences are rewritten in the third person
(:mod:`facilitation.summaries.rewrite`).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pysbd

from bot.embeddings import Embedder
from bot.plural import fill
from facilitation.summaries.keyphrases import KeyphraseExtractor
from facilitation.summaries.labels import cased, noun_phrases
from facilitation.summaries.prompts import Framing
from facilitation.summaries.rewrite import (
    is_chatter,
    is_fragment,
    known_word,
    normalise,
    rewrite,
    strip_fillers,
    warm_lexicon,
)
from facilitation.summaries.selector import Selector, features
from facilitation.summaries.summary import Summary, SummarySentence, Turn

__all__ = ["ExtractiveSettings", "ExtractiveSummariser"]


def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


_WORD_RE = re.compile(r"[a-z][a-z'-]+")
_URL_RE = re.compile(r"https?://\S+|www\.\S+")
_ADDRESS_RE = re.compile(r"^@?([\w\-\[\]\\`^{}|.]+)[:,]\s+(?=\S)")
# "dave__", "bauer77", "LiENUS": a chat nick, never an English word opening a sentence
_NICK_LIKE_RE = re.compile(r"[\d_]|[a-z][A-Z]")
_CLOSING_ADDRESS_RE = re.compile(r",\s*@?([\w\-\[\]\\`^{}|]+)\s*([.!?…]*)$")
_QUICK_SPLIT_CHARS = 400
_QUICK_SPLIT_RE = re.compile(r"(?<=[.!?…])\s+(?=[\"'(\[]?[A-Z0-9])")
_ABBREVIATION_RE = re.compile(r"\b(?:Mr|Mrs|Ms|Dr|Prof|St|vs|etc|e\.g|i\.e|approx|No|Fig|[A-Z])\.$")
# A month is short only before a date ("Jun. 5"); "I'm Jun. I put sensors in" is a name.
_MONTH_RE = re.compile(r"\b(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.$")
_LOWER_RE = re.compile(r"(?<=\s)[a-z][a-z']*")
_MID_CAPITAL_RE = re.compile(r"(?<=[a-z,;] )[A-Z][a-z']+")
_BOUNDARY_RE = re.compile(r"[.!?…]\s+\S")
_COMMON = _word_set(
    "the and that this with have for you your are was were what not but they them their there "
    "from will would could should about just really think know like yes well can all any been "
    "has had how why when where who which our out one some more very much also then than too "
    "get got going want okay sure thanks thank please it's i'm don't that's let's"
)


@dataclass(frozen=True, slots=True)
class ExtractiveSettings:
    """Knobs of the extractive summariser; the defaults suit chat and DialogSum alike.

    Args:
        max_candidates: sentences embedded at most; a long event is pre-filtered by
            cheap lexical centrality so a 10,000-message event stays fast.
        min_words: shorter sentences are never chosen.
        ideal_words: sentences shorter than this are scored down a little.
        mmr_lambda: relevance against diversity (1.0 ignores diversity).
        position_weight: bonus for early sentences (openings state the topic).
        length_weight: bonus for sentences near ``ideal_words``.
        keyphrase_weight: bonus for sentences containing key phrases.
        appreciation_weight: bonus for messages with reactions.
        keyphrases: key phrases returned.
        lead_with_topics: start with "A and B talk about X and Y."
        topics_in_lead: key phrases named in that lead sentence.
        selector: a learned scorer (:mod:`facilitation.summaries.selector`) used in
            place of the hand-set priors above; ``selector_scale`` sets its weight
            against diversity.
    """

    max_candidates: int = 500
    min_words: int = 4
    ideal_words: int = 8
    mmr_lambda: float = 0.7
    position_weight: float = 0.1
    length_weight: float = 0.1
    keyphrase_weight: float = 0.1
    appreciation_weight: float = 0.1
    keyphrases: int = 8
    lead_with_topics: bool = False
    topics_in_lead: int = 2
    selector: Selector | None = None
    selector_scale: float = 0.3


@dataclass(frozen=True, slots=True)
class _Candidate:
    turn: int
    order: int
    text: str
    words: int


class ExtractiveSummariser:
    """Summarises a discussion by choosing and tidying its most representative sentences.

    Args:
        embedder: sentence embeddings (the bundled MiniLM by default elsewhere).
        framing: templates for the third-person rewrite.
        settings: scoring knobs.
    """

    def __init__(
        self,
        embedder: Embedder,
        *,
        framing: Framing | None = None,
        settings: ExtractiveSettings | None = None,
    ) -> None:
        self.embedder = embedder
        self.framing = framing or Framing()
        self.settings = settings or ExtractiveSettings()
        self._keyphrases = KeyphraseExtractor(top=self.settings.keyphrases)
        self._segmenter: Any = None
        warm_lexicon()  # like the model: loaded with the summariser, not in its first call

    def summarise(
        self,
        turns: Sequence[Turn],
        max_sentences: int = 3,
        max_words: int | None = None,
        focus: Sequence[str] = (),
    ) -> Summary:
        """Summarise ``turns`` in at most ``max_sentences`` sentences.

        Args:
            turns: the discussion, in order.
            max_sentences: chosen sentences at most (a topic lead is extra).
            max_words: rendered words at most; the best sentence is always kept,
                trimmed if it alone is too long.
            focus: phrases the summary must be about (a theme's label): only
                sentences that use one of them, else one of their words, are
                chosen, when there are any.
        """
        candidates = self._candidates(turns)
        keyphrases = self._keyphrases.extract([c.text for c in candidates]) if candidates else ()
        if not candidates or max_sentences <= 0:
            return Summary(sentences=(), keyphrases=keyphrases, text="")
        if focus:
            candidates = about(candidates, focus)
        candidates = self._prefilter(candidates, turns, keyphrases)
        chosen = self._choose(candidates, turns, keyphrases, max_sentences, max_words)
        lowercase = _lowercase(candidates, turns)
        sentences = [self._render(c, turns, lowercase) for c in chosen]
        lead = self._lead(turns, keyphrases) if self.settings.lead_with_topics else ""
        if lead:
            sentences.insert(0, SummarySentence(text=lead))
        if max_words is not None:
            sentences = _fit(sentences, max_words)
        text = " ".join(s.text for s in sentences)
        return Summary(sentences=tuple(sentences), keyphrases=keyphrases, text=text)

    def keyphrases(self, turns: Sequence[Turn]) -> tuple[str, ...]:
        """The key phrases of ``turns``, most characteristic first."""
        candidates = self._candidates(turns)
        return self._keyphrases.extract([c.text for c in candidates]) if candidates else ()

    def _candidates(self, turns: Sequence[Turn]) -> list[_Candidate]:
        found: list[_Candidate] = []
        # "dave__: open a terminal" is said to dave__; the summary needs what was said.
        speakers = {_nick(t.speaker) for t in turns}
        for index, turn in enumerate(turns):
            for order, raw in enumerate(self._split(normalise(turn.text))):
                address = _ADDRESS_RE.match(raw)  # "Harriet, retired, ..." too
                # "Mjuksel: best to redo ...": a word no dictionary has, then a colon,
                # opens a chat message only as an address (not "Question: ...").
                if address is not None and (
                    _nick(address.group(1)) in speakers - {""}
                    or _NICK_LIKE_RE.search(address.group(1))
                    or (":" in address.group(0) and not known_word(address.group(1)))
                ):
                    raw = raw[address.end() :]
                # "They do line up, Elif." : the name at the end is said to Elif too
                closing = _CLOSING_ADDRESS_RE.search(raw)
                if closing is not None and _nick(closing.group(1)) in speakers - {""}:
                    raw = raw[: closing.start()] + closing.group(2)
                sentence = strip_fillers(raw)
                words = len(sentence.split())
                if (
                    words >= self.settings.min_words
                    and not is_chatter(sentence)
                    and not is_fragment(sentence)
                ):
                    found.append(_Candidate(index, order, sentence, words))
        return found

    def _split(self, text: str) -> list[str]:
        # Most chat messages are one sentence or a few plain ones; pysbd (about 2 ms a
        # message) is only worth its cost on long texts, where its rules matter.
        if not _BOUNDARY_RE.search(text):
            return [text] if text else []
        if len(text) <= _QUICK_SPLIT_CHARS:
            return _quick_split(text)
        if self._segmenter is None:
            self._segmenter = pysbd.Segmenter(language="en", clean=False)
        return [s.strip() for s in self._segmenter.segment(text) if s.strip()]

    def _prefilter(
        self, candidates: list[_Candidate], turns: Sequence[Turn], keyphrases: Sequence[str]
    ) -> list[_Candidate]:
        limit = self.settings.max_candidates
        if len(candidates) <= limit:
            return candidates
        # Lexical centrality: sentences made of words many others use are typical.
        bags = [_content_words(c.text) for c in candidates]
        frequency = Counter(w for bag in bags for w in bag)
        scores = [
            sum(math.log1p(frequency[w]) for w in bag) / (len(bag) + 3)
            + _keyphrase_overlap(c.text, keyphrases)
            + math.log1p(max(turns[c.turn].weight, 0.0))
            for c, bag in zip(candidates, bags, strict=True)
        ]
        keep = sorted(np.argsort(scores)[::-1][:limit].tolist())
        return [candidates[i] for i in keep]

    def _choose(
        self,
        candidates: list[_Candidate],
        turns: Sequence[Turn],
        keyphrases: Sequence[str],
        max_sentences: int,
        max_words: int | None,
    ) -> list[_Candidate]:
        s = self.settings
        vectors = self.embedder.embed([c.text for c in candidates])
        weights = np.array([1.0 + max(turns[c.turn].weight, 0.0) for c in candidates])
        centre = (vectors * weights[:, None]).sum(axis=0)
        centre /= max(float(np.linalg.norm(centre)), 1e-9)
        if s.selector is not None:
            table = features(
                [c.text for c in candidates],
                [c.turn for c in candidates],
                [(t.speaker, t.text) for t in turns],
                vectors @ centre,
                keyphrases,
            )
            relevance = s.selector_scale * s.selector.score(table)
        else:
            relevance = self._priors(candidates, turns, keyphrases, vectors @ centre, weights)
        chosen: list[int] = []
        budget = max_words
        open_ = set(range(len(candidates)))
        while open_ and len(chosen) < max_sentences:
            redundancy = (
                (vectors @ vectors[chosen].T).max(axis=1) if chosen else np.zeros(len(candidates))
            )
            mmr = s.mmr_lambda * relevance - (1 - s.mmr_lambda) * redundancy
            best = max(open_, key=lambda i: mmr[i])
            open_.discard(best)
            words = candidates[best].words
            if chosen and budget is not None and words > budget:
                continue
            chosen.append(best)
            if budget is not None:
                budget -= words
        return sorted((candidates[i] for i in chosen), key=lambda c: (c.turn, c.order))

    def _priors(
        self,
        candidates: list[_Candidate],
        turns: Sequence[Turn],
        keyphrases: Sequence[str],
        closeness: np.ndarray,
        weights: np.ndarray,
    ) -> np.ndarray:
        """Hand-set relevance: closeness to the centre plus small priors."""
        s = self.settings
        most = max(float(weights.max()) - 1.0, 1e-9)
        last = max(len(turns) - 1, 1)
        priors = np.array(
            [
                s.position_weight * (1.0 - c.turn / last)
                + s.length_weight * min(1.0, c.words / s.ideal_words)
                + s.keyphrase_weight * _keyphrase_overlap(c.text, keyphrases)
                + s.appreciation_weight * math.log1p(w - 1.0) / math.log1p(most)
                for c, w in zip(candidates, weights, strict=True)
            ]
        )
        return np.asarray(closeness + priors)

    def _render(
        self, candidate: _Candidate, turns: Sequence[Turn], lowercase: frozenset[str]
    ) -> SummarySentence:
        turn = turns[candidate.turn]
        addressee = turn.addressee or _other_speaker(turns, turn.speaker)
        return SummarySentence(
            text=rewrite(candidate.text, turn.speaker, addressee, self.framing, lowercase),
            source=candidate.text,
            speaker=turn.speaker,
            message_id=turn.message_id,
            turn_index=candidate.turn,
        )

    def _lead(self, turns: Sequence[Turn], keyphrases: Sequence[str]) -> str:
        counts = Counter(t.speaker for t in turns)
        # Name up to three people; "and 1 others" is nobody's English.
        shown = 3 if len(counts) <= 3 else 2
        names = [name for name, _ in counts.most_common(shown)]
        if len(counts) > shown:
            names.append(fill(self.framing.others, count=len(counts) - shown))
        speakers = {w.lower() for t in turns for w in t.speaker.split()}
        texts = [t.text for t in turns]
        lower = [t.lower() for t in texts]
        # Only phrases someone wrote ("desk perfect" joins the ends of two messages),
        # in the case they wrote them ("Hong Kong", not "hong kong").
        phrases = [
            k for k in keyphrases if not speakers & set(k.split()) and any(k in t for t in lower)
        ]
        topics = [cased(p, texts) for p in noun_phrases(phrases, self.settings.topics_in_lead)]
        if not topics:
            return ""
        return self.framing.topics.format(names=_and(names), topics=_and(topics))


def about(candidates: list[_Candidate], focus: Sequence[str]) -> list[_Candidate]:
    """The candidates that use one of the ``focus`` phrases, else one of their words
    (any form: "sensor" for "sensors"); all of them when none does."""
    phrases = [p.lower() for p in focus if p.strip()]
    exact = [re.compile(rf"(?<![\w-]){re.escape(p)}(?![\w-])") for p in phrases]
    # A word inside a link ("...#methods") is not the sentence talking about it.
    texts = [_URL_RE.sub(" ", c.text.lower()) for c in candidates]
    found = [c for c, t in zip(candidates, texts, strict=True) if any(x.search(t) for x in exact)]
    if found:
        return found
    stems = {_stem(w) for p in phrases for w in _content_words(p)}
    found = [
        c
        for c, t in zip(candidates, texts, strict=True)
        if stems & {_stem(w) for w in _content_words(t)}
    ]
    return found or candidates


def _nick(name: str) -> str:
    """ "Dave__", "dave_" and "dave" are one nick."""
    return re.sub(r"[\W_]+$", "", name.lower())


def _stem(word: str) -> str:
    return word[:-1] if word.endswith("s") and len(word) > 3 else word


def _lowercase(candidates: Sequence[_Candidate], turns: Sequence[Turn]) -> frozenset[str]:
    """Words safe to write in lower case after "Maya says": used so, or plain English.

    An English word that opens a sentence ("Teenagers ...") is lowered unless the
    discussion capitalises it mid-sentence or it is someone's name ("Will").
    """
    lower = {w for c in candidates for w in _LOWER_RE.findall(c.text)}
    capital = {w.lower() for c in candidates for w in _MID_CAPITAL_RE.findall(c.text)}
    capital |= {w.lower() for t in turns for w in t.speaker.split()}
    for c in candidates:
        first = c.text.split(" ", 1)[0].strip(".,;:!?")
        word = first.lower()
        if first[:1].isupper() and word not in capital and word not in lower and known_word(word):
            lower.add(word)
    return frozenset(lower)


def _quick_split(text: str) -> list[str]:
    """Split at a full stop followed by a capital, unless it ends an abbreviation."""
    sentences: list[str] = []
    for piece in _QUICK_SPLIT_RE.split(text):
        month = bool(sentences) and _MONTH_RE.search(sentences[-1]) and piece[:1].isdigit()
        if sentences and (_ABBREVIATION_RE.search(sentences[-1]) or month):
            sentences[-1] = f"{sentences[-1]} {piece}"
        elif piece.strip():
            sentences.append(piece.strip())
    return sentences


def _content_words(text: str) -> set[str]:
    return {w for w in _WORD_RE.findall(text.lower()) if w not in _COMMON and len(w) > 2}


def _keyphrase_overlap(text: str, keyphrases: Sequence[str]) -> float:
    if not keyphrases:
        return 0.0
    lower = text.lower()
    return sum(1.0 for k in keyphrases if k in lower) / len(keyphrases)


def _other_speaker(turns: Sequence[Turn], speaker: str) -> str | None:
    """In a two-person exchange "you" is the other person; in a group it is unclear."""
    speakers = {t.speaker for t in turns}
    if len(speakers) == 2:
        return next(s for s in speakers if s != speaker)
    return None


def _and(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _fit(sentences: list[SummarySentence], max_words: int) -> list[SummarySentence]:
    kept: list[SummarySentence] = []
    used = 0
    for sentence in sentences:
        words = sentence.text.split()
        if used + len(words) <= max_words:
            kept.append(sentence)
            used += len(words)
        elif not kept:
            trimmed = " ".join(words[:max_words]).rstrip(',;:".') + "…"
            if trimmed.count('"') % 2:
                trimmed += '"'  # a quote stays closed
            kept.append(
                SummarySentence(
                    text=trimmed,
                    source=sentence.source,
                    speaker=sentence.speaker,
                    message_id=sentence.message_id,
                    turn_index=sentence.turn_index,
                )
            )
            break
    return kept
