"""Labels a person would write: noun phrases ("loft insulation"), not word lists.

Key phrases come from YAKE, which happily returns "fast broken" or "messengers
matter" (two words that sit side by side). A phrase is kept as a label only when
it reads as a noun phrase: it ends in a noun, no word before the last is a plural
noun or only a verb, and no word is a function word. Parts of speech come from
LemmInflect's lexicon (no model, no download); a word it does not know (a name,
"ndiswrapper") counts as a noun.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import lru_cache

from lemminflect import getAllLemmas, getInflection

from facilitation.summaries.keyphrases import KeyphraseExtractor

__all__ = [
    "cased",
    "describe",
    "in_context",
    "in_prose",
    "is_noun_phrase",
    "label",
    "noun_phrases",
]

_FUNCTION = frozenset(
    "a an the this that these those it its they them their he she his her we our you your i me "
    "my mine yours ours theirs hers him and or but if so as at by for from in into of on onto "
    "to with without about than then "
    "is are was were be been being do does did have has had will would can could should may "
    "might must not no yes very just also too really still even only any some all each every "
    "what which who whom whose when where why how there here up down out off over again though "
    "although however because while unless since yah yeah ok okay lol".split()
)
# Adjectives that say how much, not what: "big differences", "slight moment".
_VAGUE = frozenset(
    "big small good great nice bad little huge large real same different other whole main "
    "slight several certain various many few much more most less least whole entire quick "
    "long short new old next last first best worst".split()
)
# Words no organiser puts in a theme's name ("Total shit and wifi"), nor "worth"
# ("Worth switching": an adjective and a gerund).
_NEVER = frozenset("shit shite crap fuck fucking fucked bloody damn piss arse ass worth".split())
_ADDRESS_RE = re.compile(r"^\s*@?([\w\-\[\]\\`^{}|.]+)\s*[:,]\s")
_WORD_RE = re.compile(r"^[a-z][a-z0-9+#'.-]*(?<![.'-])$")


@lru_cache(maxsize=8192)
def _pos(word: str) -> dict[str, tuple[str, ...]]:

    return dict(getAllLemmas(word))


def _is_noun(word: str) -> bool:
    pos = _pos(word)
    if not pos:
        return True  # a name or a term the lexicon lacks
    return "NOUN" in pos or "PROPN" in pos


def _is_plural_noun(word: str) -> bool:
    nouns = _pos(word).get("NOUN", ())
    return bool(nouns) and word not in nouns and word.endswith("s")


def _modifier(word: str) -> bool:
    """A word that may stand before a noun: an adjective, a noun or a participle."""
    pos = _pos(word)
    if not pos:
        return True
    return bool({"ADJ", "NOUN", "PROPN"} & set(pos)) or word.endswith(("ed", "ing"))


def is_noun_phrase(phrase: str) -> bool:
    """True when ``phrase`` (lower case) reads as a noun phrase: "heat pumps", "loft"."""
    words = phrase.split()
    if not words or len(words) > 4:
        return False
    if any(w in _FUNCTION or w in _NEVER or not _WORD_RE.match(w) or w.isdigit() for w in words):
        return False
    if len(words) > 1 and words[0] in _VAGUE:
        return False
    last = words[-1]
    if not _is_noun(last) or (last.endswith("ing") and "NOUN" not in _pos(last) and _pos(last)):
        return False
    if len(words) == 1:
        pos = _pos(last)
        # A lone word must be mainly a noun: "matter" yes, "retired", "put" or "back" no.
        return not pos or ("NOUN" in pos and "ADV" not in pos and not last.endswith(("ed", "ly")))
    return all(_modifier(w) and not _is_plural_noun(w) for w in words[:-1])


def noun_phrases(phrases: Sequence[str], top: int = 3) -> tuple[str, ...]:
    """The noun phrases among ``phrases`` (best first), at most ``top``, no repeats."""
    kept: list[str] = []
    for phrase in phrases:
        clean = " ".join(phrase.lower().split())
        if not is_noun_phrase(clean):
            continue
        if any(clean in k or k in clean or set(clean.split()) & set(k.split()) for k in kept):
            continue
        kept.append(clean)
        if len(kept) == top:
            break
    return tuple(kept)


def label(phrases: Sequence[str], most: int = 2) -> str:
    """ "Heat pumps and loft insulation": the first noun phrases, joined as a person would."""
    found = noun_phrases(phrases, most)
    if not found:
        return ""
    cases = {p.lower(): p for p in phrases}
    found = tuple(cases.get(p, p) for p in found)
    text = found[0] if len(found) == 1 else ", ".join(found[:-1]) + " and " + found[-1]
    return text[:1].upper() + text[1:]


def cased(phrase: str, texts: Sequence[str]) -> str:
    """``phrase`` as people wrote it mid-sentence ("Marsh Lane", "cool spaces")."""
    pattern = re.compile(rf"(?<![\w-]){re.escape(phrase)}(?![\w-])", re.IGNORECASE)
    forms: Counter[str] = Counter()
    for text in texts:
        for m in pattern.finditer(text):
            opening = m.start() == 0 or text[: m.start()].rstrip()[-1:] in ".!?:"
            found = m.group(0)
            # Mid-sentence, any form counts; at a sentence start only a name's capitals do.
            if not opening or (all(w[:1].isupper() for w in found.split()) and " " in found):
                forms[found] += 1
    return forms.most_common(1)[0][0] if forms else phrase


def describe(
    texts: Sequence[str],
    candidates: Sequence[str] = (),
    names: Iterable[str] = (),
    most: int = 2,
) -> tuple[str, ...]:
    """Noun phrases naming a conversation, in the case its people wrote them.

    Args:
        texts: what was said in it.
        candidates: phrases of the wider discussion worth preferring (the word cloud).
        names: people's names, never a topic.
        most: phrases returned at most.

    Phrases of two or more words that several messages use come first ("cool
    spaces" before "heat"): they say more than a single word.
    """

    people = {w.lower() for n in names for w in n.split()}
    # Whoever a message addresses ("igor: try this", "@Jun, ...") is a name too.
    people |= {m.group(1).lower() for t in texts if (m := _ADDRESS_RE.match(t))}
    people |= {re.sub(r"[^a-z]+$", "", w) for w in people}  # "dave__" is "dave" too
    own = KeyphraseExtractor(top=10).extract(texts) if texts else ()
    lower = [t.lower() for t in texts]
    pool = [p for p in dict.fromkeys([*candidates, *own]) if not people & set(p.split())]

    def uses(phrase: str) -> int:
        return sum(phrase in t for t in lower)

    order = {p: i for i, p in enumerate(pool)}
    mine = set(own)
    # A single word must carry the conversation: used in several of its messages.
    enough = max(2, len(texts) // 4)

    def rank(phrase: str) -> tuple[int, int, int]:
        several = len(phrase.split()) > 1
        if several and uses(phrase) >= 2:
            tier = 0
        elif several and phrase in mine:
            tier = 1
        elif not several and uses(phrase) >= enough:
            tier = 2
        else:
            tier = 3
        return tier, -min(uses(phrase), 3), order[phrase]

    ranked = [p for p in sorted(pool, key=rank) if rank(p)[0] < 3 and in_context(p, lower)]
    found = tuple(cased(p, texts) for p in noun_phrases(ranked, most))
    # "Overnight low and effect", "Heart nurse and summer": a lone word after a
    # phrase of several reads as a word list, and says less than the phrase alone.
    if len(found) > 1 and len(found[0].split()) > 1:
        found = (found[0], *(p for p in found[1:] if len(p.split()) > 1))
    return found


_DETERMINER = frozenset(
    "the a an this that these those my your our their his her its some any more new no "
    "every each which what whose".split()
)
_SUBJECT_OR_MODAL = frozenset(
    "i you we they he she it can could will would should must may might please "
    "i'll we'll you'll they'll don't didn't".split()
)
_AFTER_HEAD = re.compile(r"^(?:(?:the|a|an|my|your|our|their|his|her|this|that)\b|\d)")


def _around(phrase: str, lower_texts: Sequence[str]) -> tuple[list[str], list[str]]:
    """The word before and the text after each place ``phrase`` was written."""
    pattern = re.compile(rf"(?:^|(?<=[^\w'-])){re.escape(phrase.lower())}(?![\w'-])")
    befores: list[str] = []
    afters: list[str] = []
    for text in lower_texts:
        for m in pattern.finditer(text):
            before = re.findall(r"[\w']+|[.!?:]", text[: m.start()])
            befores.append(before[-1] if before else ".")
            afters.append(text[m.end() :].lstrip(" ,"))
    return befores, afters


def in_prose(phrase: str, lower_texts: Sequence[str]) -> str:
    """``phrase`` as a sentence would name it: with "the" where people said "the
    overnight low" or "our heat check", bare where they wrote it bare ("heat",
    "environmental health", "cool spaces") or it is a name ("Marsh Lane")."""
    if phrase[:1].isupper():
        return phrase
    befores, _ = _around(phrase, lower_texts)
    with_article = sum(b in _DETERMINER for b in befores)
    return f"the {phrase}" if befores and with_article * 2 >= len(befores) else phrase


def in_context(phrase: str, lower_texts: Sequence[str]) -> bool:
    """Does ``phrase`` stand as a noun phrase where people wrote it?

    A lexicon cannot tell "cooling centres" from "making landlords (add shading)"
    or "(Marsh Lane stays) open till (9pm)"; the words around it can:

    * it must be written as such ("anne hall" is YAKE's cut of "St Anne's hall");
    * a phrase opening with an "-ing" word needs a determiner before it somewhere
      ("the cooling centres"), else it is a gerund with its object;
    * a phrase opening with a bare verb is not one when it opens the sentence or
      follows a modal or a subject ("type sudo ...", "we can order repairs"); not
      "to", which is as often a preposition ("go to waste services");
    * a phrase followed by "the", "a" or a number ends in a verb or a preposition
      ("open till 9pm");
    * a phrase ending in a verb's past form ("gate fell") is a clause.
    """
    words = phrase.split()
    befores, afters = _around(phrase, lower_texts)
    if not befores:
        return False
    first, last = words[0], words[-1]
    gerund = first.endswith("ing") and not {"NOUN", "ADJ"} & set(_pos(first))
    if len(words) > 1 and gerund and not (_DETERMINER & set(befores)):
        return False
    if "VERB" in _pos(first) and first in _pos(first).get("VERB", ()) and len(words) > 1:
        verbal = sum(b in _SUBJECT_OR_MODAL or b in ".!?:" for b in befores)
        if verbal * 2 > len(befores):
            return False
    if sum(bool(_AFTER_HEAD.match(a)) for a in afters) * 2 > len(afters):
        return False
    return not _past_form(last)


@lru_cache(maxsize=4096)
def _past_form(word: str) -> bool:
    """ "fell" (of "fall"), "went": the past form of another verb."""

    lemmas = [x for x in _pos(word).get("VERB", ()) if x != word]
    return any(word in getInflection(x, tag="VBD") for x in lemmas)
