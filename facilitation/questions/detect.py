"""Is this chat message a question someone wants answered? Rules, no model, microseconds.

Chat questions come in many forms: direct with or without a question mark,
indirect ("I wonder whether..."), elliptical ("what about renters though") or a
polite request for information ("could someone explain..."). Many messages
look like questions and are not: rhetorical laments, exclamatives ("how
lovely!"), greetings ("how's everyone?"), suggestions ("why not try the
library?"), host cues ("shall we start?"), requests for an action ("can you
pin the link"), reported or quoted questions, and "+1, same question".

The detector splits a message into sentences, drops quoted text and links,
then looks for one sentence that asks (an interrogative opening, an indirect
question frame, or a question mark on an interrogative-looking sentence) and
is not caught by one of the "looks like a question but isn't" patterns.
``python -m facilitation.questions.detect_eval`` measures it.
"""

from __future__ import annotations

import re

__all__ = ["is_question", "question_sentences"]

_URL = re.compile(r"https?://\S+|www\.\S+", re.I)
_QUOTED = re.compile(r"\"[^\"]*\"|“[^”]*”")
_SENTENCE = re.compile(r"(?<=[?.!])\s+|\s+-\s+|\s*\n+\s*|(?<=\))\s+")
_LEAD = re.compile(
    r"^(?:@\S+\s*|(?:hi|hello|hiya|hey|thanks|thank you|ok|okay|so|and|but|also|oh|ah|wait|"
    r"sorry|right|hmm|genuinely asking|quick one|out of interest|ok so|i'm confused|"
    r"(?:maybe\s+(?:a\s+)?)?(?:stupid|dumb|silly|naive|basic)\s+question(?:\s+but)?)\b[,:!]?\s*)+",
    re.I,
)
_ADDRESS = re.compile(
    r"^(?:(?:dr|prof|ms|mr|mrs)\.?\s+)?[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)?\s*[,:-]\s+"
)
_MARKER = re.compile(
    r"^(?:q|question|quick question|(?:q|question)\s+for\s+[^:,-]+?)(?:\s*[:,-]\s*|$)", re.I
)
_NAME_THEN_AUX = re.compile(
    r"^(?!(?i:what|which|who|where|when|why|how|this|that|it|there|we|you|they|he|she|people)\b)[A-Z][a-z]+\s+(?=(?i:are|is|do|did|can|could|have|has|were)\s)"
)
_SUBJECT = re.compile(
    r"^\S+\s+(?:i|you|we|they|he|she|it|there|this|that|these|those|the|a|an|any|anyone|anybody|"
    r"people|your|our|my|their|his|her|someone|everyone|somebody|men|women|carers|schools)\b",
    re.I,
)
_PRONOUN_AFTER_WH = re.compile(r"^\S+\s+(?:i|you|we|they|he|she)\b", re.I)
_EMOJI_LEAD = re.compile(r"^[\U0001F300-\U0001FAFF\s]+")
_CLAUSE = re.compile(r"[,;:]\s+(?:but\s+|so\s+|and\s+)?|\s+(?=[\U0001F300-\U0001FAFF])")
_INTERJECTION = re.compile(r"^(?:seriously|really|what|huh|sorry|eh|no|yes|anyone|ok)\W*$", re.I)

_AUX = (
    "is|are|was|were|am|do|does|did|can|could|would|will|should|shall|has|have|had|may|might|"
    "isn't|aren't|wasn't|don't|doesn't|didn't|can't|won't|wouldn't|shouldn't|hasn't|haven't"
)
_WH = "what|what's|whats|which|who|who's|whom|whose|where|where's|when|why|how|how's"
_INTERROGATIVE = re.compile(rf"^(?:{_WH}|{_AUX})\b", re.I)
_ANY = re.compile(
    r"^(?:any(?:one|body)?|does anyone|has anyone|is anyone|anyone else)\b"
    r"(?:\s+(?:know|idea|plans?|tips|evidence|news|update|thoughts|got|else|from|have|"
    r"recommend|seen|tried|used))",
    re.I,
)
_INDIRECT = re.compile(
    r"\b(?:i\s+wonder|i'm\s+wondering|i\s+was\s+wondering|wondering|curious|keen\s+to\s+(?:hear|know)|"
    r"i'?d\s+(?:love|like|be\s+interested|really\s+like|be\s+keen)\s+to\s+(?:know|hear|understand)|"
    r"(?:i'?d\s+)?(?:would\s+)?(?:love|welcome)\s+your\s+(?:thoughts|views?)|"
    r"(?:would\s+be|it'?d\s+be)\s+(?:good|great|useful|interesting)\s+to\s+(?:hear|know|understand)|"
    r"interested\s+to\s+(?:know|hear)|"
    r"what\s+i(?:'d|\s+would)?\s+(?:like|love|want|wanted)\s+to\s+(?:know|understand|ask)\s+is)\b"
    r"\s*(?:[\w ]+?'s\s+views?\s+on|on|about|if|whether|how|what|why|when|where|which|who|the)\b",
    re.I,
)
_REQUEST = re.compile(
    r"^(?:please\s+)?(?:(?:could|can|would)\s+(?:you|someone|somebody|anyone|the panel|"
    r"anybody)\s+(?:please\s+)?(?:explain|clarify|say|tell|talk|comment|spell|point|post|share"
    r"|recommend|go back|expand|elaborate|give)|"
    r"(?:could|can|would)\s+(?:i|we)\s+(?:get|have|ask|still)|"
    r"tell\s+(?:us|me)\s+(?:more|about|how|what|why)|(?:please\s+)?explain|"
    r"i'?d\s+be\s+grateful\s+if\s+(?:someone|you)|would\s+it\s+be\s+possible|"
    r"can\s+anyone\s+(?:tell|recommend|point))",
    re.I,
)
_ELLIPTICAL = re.compile(r"^(?:what about|and (?:for|what about)|same for|how about for)\b", re.I)
_TAG = re.compile(
    r",\s*(?:isn't|aren't|wasn't|didn't|doesn't|don't|right|yes|no)\b[^?]*\?\s*$", re.I
)

# Looks like a question, isn't one. Checked per sentence unless noted.
_NOT = re.compile(
    r"^(?:have\s+a\s+look|(?:what|how)\s+(?:a|an|lovely|brilliant|interesting|great|wonderful|amazing|sad|"
    r"things|funny)\b|what\s+more\s+can|what's\s+not\s+to|what\s+were\s+they|who\s+(?:knows|knew|"
    r"would\s+have|doesn't|has\s+time|thought)|why\s+(?:not|oh|am\s+i\s+not|do\s+we\s+keep|does"
    r"\s+nobody)|how\s+(?:is|'s)\s+(?:everyone|it\s+going|that\s+even)|how's\s+(?:everyone|it\s+"
    r"going)|how\s+hard\s+can|how\s+about\s+we|where\s+do\s+i\s+even|isn't\s+it\s+always|"
    r"is\s+it\s+just\s+me|can\s+you\s+imagine|have\s+you\s+tried|ever\s+tried|guess\s+who|"
    r"remember\s+when|did\s+you\s+know\s+that|who's\s+excited|"
    r"shall\s+we|any\s+more\s+questions|anyone\?|ready\?|can\s+everyone\s+see|everyone\s+got|"
    r"maybe|perhaps|could\s+be|might\s+be|who\s+has\s+time|and\s+who\s+pays|what\s+can\s+you\s+do"
    r"|why\s+does\s+this\s+matter|how\s+is\s+everyone|you'?d\s+think)",
    re.I,
)
_NOT_ANYWHERE = re.compile(
    r"(?:not\s+(?:really\s+)?a\s+question|more\s+a\s+comment|same\s+question\b|wondering\s+the\s+same"
    r"|wonder\s+about\s+that\s+too|^\+1|answers?\s+(?:my|that|your)\s+question|moving\s+on|question\s+answered|"
    r"keen\s+to\s+hear\s+the\s+answer|looking\s+forward\s+to\s+the\s+answer|answer\s+to\s+\w+'s"
    r"\s+question|for\s+anyone\s+wondering|in\s+case\s+anyone\s+was\s+wondering|seconding|"
    r"i\s+wonder\s+(?:what|why)\s+(?:we|i)\b|what\s+i\s+wanted\s+to\s+ask|million\s+dollar|"
    r"[(\[]\s*y\s*/\s*n\s*[)\]]|"  # a program's prompt pasted in: "Continue? [Y/n]"
    r"the\s+real\s+question|i'?ll\s+(?:ask|post)|i\s+have\s+a\s+question\s+but|asked\s+(?:me|my|"
    r"the\s+same|about\s+this)|wanted\s+to\s+know\s+if|keep\s+asking|question\s+we\s+get)",
    re.I,
)
# "can you pin / mute / slow down": a request for an action, not for information.
_ACTION = re.compile(
    r"^(?:\w+\s+)?(?:(?:can|could|would)\s+(?:you|the\s+host|everyone|we\s+all)\s+(?:please\s+)?|"
    r"please\s+(?:could\s+(?:you|everyone)\s+)?)(?:pin|mute|unmute|slow|turn|speak|repeat|"
    r"share\s+your\s+screen|stop|move|close|open)\b",
    re.I,
)
_SPECULATIVE_END = re.compile(r"\?\s*(?:not sure|no wait|love it|weather|great|good luck)", re.I)


def _clean(text: str) -> str:
    text = _URL.sub(" ", text)
    text = _QUOTED.sub(' "…" ', text)
    return re.sub(r"[ \t]+", " ", text).strip()


def _strip_lead(sentence: str) -> str:
    prev = None
    s = _EMOJI_LEAD.sub("", sentence).strip()
    while prev != s:
        prev = s
        s = _LEAD.sub("", s).strip()
        s = _MARKER.sub("", s).strip()
        s = _NAME_THEN_AUX.sub("", s)
        m = _ADDRESS.match(s)
        if m and not _INTERROGATIVE.match(s):
            s = s[m.end() :].strip()
    return s


def _interrogative_asks(s: str, words: list[str], has_mark: bool) -> bool:
    if has_mark:
        return len(words) > 1 or s.lower().startswith(("why", "how", "when", "where", "who"))
    # without a "?", "is there any point..." asks; "can't believe..." and "when you
    # can" don't: an auxiliary needs a subject after it, a wh-word no pronoun.
    if re.match(rf"^(?:{_WH})\b", s, re.I):
        return len(words) >= 3 and not _PRONOUN_AFTER_WH.match(s)
    return len(words) >= 3 and _SUBJECT.match(s) is not None


def _clause_asks(clause: str, has_mark: bool, marked: bool, whole: bool = True) -> bool:
    s = _strip_lead(clause)
    if not s or _NOT.match(s) or _ACTION.match(s):
        return False
    words = re.findall(r"[\w']+", s)
    if s.startswith("¿"):
        return True
    wh_start = re.match(rf"^(?:{_WH})\b", s, re.I) is not None
    relative = wh_start and not whole and not has_mark  # "..., which is the worst"
    if _INTERROGATIVE.match(s) and not relative and _interrogative_asks(s, words, has_mark):
        return True
    if _ANY.match(s):
        return has_mark or len(words) >= 3
    if _ELLIPTICAL.match(s):
        return has_mark or s.lower().startswith("what about")
    if _REQUEST.match(s) or _INDIRECT.search(s) or _TAG.search(s):
        return True
    return marked and len(words) >= 1  # "Q for the panel - funding after 2027"


def _asks(sentence: str, marked: bool) -> bool:
    """Does this one sentence ask for an answer?"""
    has_mark = sentence.rstrip(" 😅🤔🙂😊👋").endswith("?")
    if _clause_asks(sentence, has_mark, marked):
        return True
    parts = [c for c in _CLAUSE.split(sentence) if c.strip()]
    if len(parts) > 1 and any(_clause_asks(c, has_mark, marked, whole=False) for c in parts):
        return True
    # a short "...?" fragment ("the 30th?", "Same for Wales?") asks for confirmation;
    # longer declaratives with a "?" are usually asides ("Joining from Cardiff? ...").
    s = _strip_lead(sentence)
    words = re.findall(r"[\w']+", s)
    return (
        has_mark
        and len(words) <= 3
        and not _INTERJECTION.match(s)
        and not _NOT.match(s)
        and not s.lower().startswith(("joining", "from"))
    )


def question_sentences(text: str) -> list[str]:
    """The sentences of ``text`` that ask something (empty when it asks nothing)."""
    cleaned = _clean(text)
    if not cleaned or _NOT_ANYWHERE.search(cleaned) or _SPECULATIVE_END.search(cleaned):
        return []
    marked = bool(_MARKER.match(_LEAD.sub("", cleaned)))
    if cleaned.strip() == "?":
        return ["?"]
    parts = [p for p in _SENTENCE.split(cleaned) if p and p.strip()]
    asking = [p for p in parts if _asks(p, marked)]
    if not asking and re.match(r"^(?:just to check|to check)\b", cleaned, re.I) and "?" in cleaned:
        asking = [cleaned]
    return asking


def is_question(text: str) -> bool:
    """True when ``text`` asks for information, an opinion or a resource (see module doc)."""
    return bool(question_sentences(text))
