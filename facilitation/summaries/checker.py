"""Would the person quoted sign this sentence? Rules every generated sentence must pass.

A sentence the bot writes about what someone said is either a verbatim quote with
attribution (``Kofi: "That's reassuring, thank you Sunita"``) or a rewrite into
reported speech that passes the rules below. The summariser runs the rules on each
rewrite and quotes the sentence instead when one fails; the tests run them over
everything the summariser, the report and ``/catchup`` produce.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from lemminflect import getAllLemmas

__all__ = ["SAME_PAST", "is_verbatim_quote", "problems"]

_QUOTE_RE = re.compile(r'^(?P<who>[^:"]{1,60}?)(?: asks)?: "(?P<said>.+)"\.?$')
# Words that open speech, never a report of it: "X says Sorry", "X says oh ...".
_OPENERS = frozenset(
    "sorry oh ah ahh aw lol haha hehe hmm hm um umm uh erm er well yeah yep yes no nope ok okay "
    "hey hi hello thanks thank please wow ugh argh btw fwiw imo imho and but or so anyway "
    "anyways yay woo cheers hah meh nah honestly frankly basically literally actually seriously "
    "personally apparently obviously then".split()
)
# Words the lexicon has no entry for that are plain English, not code.
_SMALL = frozenset(
    "the a an this that these those it its they them their he she his her we our you your "
    "i me my some any all no not if when what which who how why where whether there here "
    "to of in on at for with by from as and or but so than then one two three many much "
    "more most every each both either neither such own other another".split()
)
# Verbs whose past is their bare form: after "I" the tense can't be told ("I put sensors in
# last summer"), so "Jun puts ..." may be wrong. Such a sentence is quoted, not reported.
SAME_PAST = frozenset(
    "put cut set hit let shut cost hurt read spread quit bet burst cast split shed upset "
    "broadcast forecast fit rid bid".split()
)
_SUBORDINATORS = r"(?:if|when|once|unless|until|whenever|wherever|before|after)"
_MODALS = frozenset("can could will would shall should may might must".split())
_REPORTING = r"(?:says|asks|suggests|thinks|adds|explains|replies)"
_PRONOUN_IDIOMS = re.compile(
    r"\b(?:thank|thanks|bless|excuse|pardon|trust|believe|see|mind|tell|love|miss|hate)"
    r" (?P<name>[A-Z][\w'-]+)\s*[.!?]?$"
)


def is_verbatim_quote(sentence: str, said: dict[str, list[str]]) -> bool:
    """True when ``sentence`` is ``Name: "text"`` and ``Name`` said exactly that."""
    m = _QUOTE_RE.match(sentence.strip())
    if m is None:
        return False
    inner = _squash(m.group("said").rstrip("…"))
    return any(inner in _squash(text) for text in said.get(m.group("who"), ()))


def problems(sentence: str, speakers: Iterable[str], said: dict[str, list[str]]) -> list[str]:
    """Why ``sentence`` would not be signed by the person it reports; empty when fine.

    Args:
        sentence: one generated sentence.
        speakers: everyone in the discussion (names may appear anywhere).
        said: what each speaker said, for checking quotes.
    """
    text = sentence.strip()
    names = {s for s in speakers if s}
    if not text:
        return ["empty"]
    if is_verbatim_quote(text, said):
        return []
    if '"' in text or "“" in text:
        return ["a quote that is not what the person said"]
    found: list[str] = []
    opener = re.match(rf"^(?P<who>.+?) {_REPORTING}(?: that| whether)? (?P<next>[\w'-]+)", text)
    if opener is not None:
        who, nxt = opener.group("who"), opener.group("next")
        if nxt.lower() in _OPENERS:
            found.append(f"reports an interjection ({nxt!r})")
        elif (
            nxt[:1].isupper()
            and nxt != "I"
            and nxt not in names
            and not _is_acronym(nxt)
            and _common(nxt)
        ):
            found.append(f"a capital after the reporting verb ({nxt!r})")
        elif _subjectless(nxt):
            found.append(f"a clause with no subject ({nxt!r})")
        elif nxt[:1].islower() and nxt not in names and not _common(nxt) and nxt not in _SMALL:
            found.append(f"code or an unknown word reported as speech ({nxt!r})")
        if who in names and re.search(
            rf"(?<![\w-]){re.escape(who)}(?![\w-])", text[opener.end() :]
        ):
            found.append("the speaker named again where a person would say 'they'")
    for word in re.findall(r",\s+([A-Z][a-z']+)\b", text):
        if word not in names and word != "I" and _common(word):
            found.append(f"a capital after a comma ({word!r})")
            break
    if re.search(
        rf"\b{_REPORTING} (?:do|does|did|is|are|can|could|would|will|has|have|was|were|should)"
        r" (?:anyone|anybody|someone|somebody|you|i|we|they|he|she|it|there)\b",
        text,
    ):
        found.append("a question reported as a statement ('says does anyone know')")
    if re.search(r"[?!]\s+[a-z]", text):
        found.append("a second sentence glued on in lower case")
    if re.search(r"\b(?:did|does|do) [A-Z][\w'-]* \w+(?:ies|es|s)\b", text):
        found.append("'did X tries': a verb conjugated after an auxiliary")
    idiom = _PRONOUN_IDIOMS.search(text)
    if idiom is not None and idiom.group("name") in names:
        found.append("a name substituted into a set phrase ('thank you')")
    for name in names:
        verb = re.match(rf"{re.escape(name)} ([a-z]{{3,}})s\b", text)
        if (
            verb is not None
            and not _common(verb.group(1) + "s")
            and _common(verb.group(1))
            and not _verb(verb.group(1))
        ):
            found.append(f"a word that is no verb conjugated ({verb.group(0)!r})")
        after = re.search(rf"\b{_SUBORDINATORS} {re.escape(name)} ([a-z]+)\b", text)
        if after is not None and _base_verb(after.group(1)):
            found.append(f"a verb that does not agree with its subject ({after.group(0)!r})")
        same_past = re.match(rf"{re.escape(name)} ([a-z]+)s\b", text)
        if (
            same_past is not None
            and same_past.group(1) in SAME_PAST
            and any(
                re.search(rf"\bi {same_past.group(1)}\b", line.lower())
                for line in said.get(name, ())
            )
        ):
            found.append(f"a past tense told as present ({same_past.group(0)!r})")
        if re.search(rf"\b{re.escape(name)}'s\b[^.]*\b{re.escape(name)}'s\b", text):
            found.append("a name repeated where a person would say 'their'")
        if re.search(rf"\b{re.escape(name)}'(?:m|re|ve|d|ll)\b", text):
            found.append("a name inside a contraction")
    if not re.search(r"[.?!…]\"?\.?$", text):
        found.append("no closing punctuation")
    return found


def _common(word: str) -> bool:
    """An ordinary English word (so a capital on it is a slip, not a name)."""

    core = re.sub(r"'.*$", "", word).lower()
    return bool(getAllLemmas(core))


def _verb(word: str) -> bool:
    lemmas = getAllLemmas(word)
    return "VERB" in lemmas or "AUX" in lemmas


def _subjectless(word: str) -> bool:
    """ "depends", "sounds": a verb's -s form that is no noun, so the clause after
    "says" lost its subject ("ikonia says depends if the service ...")."""
    lemmas = getAllLemmas(word.lower())
    return (
        word.endswith("s")
        and "VERB" in lemmas
        and "NOUN" not in lemmas
        and (word.lower() not in lemmas["VERB"])
    )


def _base_verb(word: str) -> bool:
    """ "account", "go": a verb's bare form, which no third-person subject takes."""

    if word in _MODALS or word.endswith("s") or word.endswith("ed"):
        return False
    return word in getAllLemmas(word, upos="VERB").get("VERB", ())


def _is_acronym(word: str) -> bool:
    core = word.strip(".,;:'")
    return len(core) > 1 and core.isupper()


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r'["“”’]', "'", text)).strip().lower()
