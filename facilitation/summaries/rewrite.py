"""Light clean-up: a chosen chat sentence becomes a sentence about the discussion.

"I'll send you the slides" said by Maya to Sam becomes "Maya will send Sam the
slides"; "Do you have the data?" becomes "Maya asks whether Sam has the data."
Rules, not a parser: a sentence is rewritten only in the shapes where that
cannot go wrong (every "I" and "you" resolvable, no set phrase, no apology or
interjection, no quoted speech, one sentence); anything else is quoted as said
with its speaker (``Kofi: "That's reassuring, thank you Sunita"``). A rewrite that
still fails :func:`facilitation.summaries.checker.problems` is quoted too.
"""

from __future__ import annotations

import re
from functools import lru_cache

from lemminflect import getAllLemmas, getInflection

from facilitation.summaries.checker import SAME_PAST, problems
from facilitation.summaries.prompts import Framing

__all__ = [
    "is_chatter",
    "is_fragment",
    "known_word",
    "normalise",
    "quote",
    "rewrite",
    "strip_fillers",
    "unsafe",
    "warm_lexicon",
]


def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


_CONTRACTIONS = {
    "i'm": "I am",
    "i've": "I have",
    "i'll": "I will",
    "i'd": "I would",
    "you're": "you are",
    "you've": "you have",
    "you'll": "you will",
    "you'd": "you would",
    "we're": "we are",
    "we've": "we have",
    "we'll": "we will",
    "we'd": "we would",
    "let's": "let us",
}
_CONTRACTION_RE = re.compile(r"\b(" + "|".join(re.escape(c) for c in _CONTRACTIONS) + r")\b", re.I)

_FILLER = (
    r"(?:well|oh|ah|um+|uh+|er|erm|hmm+|yeah|yes|yep|no|nope|ok|okay|so|hey|hi|hello|sure|"
    r"right|alright|aright|wow|great|look|listen|anyway|c'mon|come on|oh dear|gosh|fine|"
    r"good|really|of course|i see|excuse me|sorry|please|thanks|thank you|haha|lol|oh no|"
    r"(?:good )?morning(?: all| everyone)?|(?:hi|hello|hey|evening) (?:all|everyone|folks|guys)|"
    r"you see|you know|i mean|honey|darling|sweetie|dear|mom|dad|sir|madam|man|dude|guys)"
)
_LEADING_FILLER_RE = re.compile(rf"^\s*{_FILLER}\s*[,.!…]+\s*", re.I)
_LEADING_VOCATIVE_RE = re.compile(r"^\s*(?i:hey|hi|hello|dear)\s+[A-Z][\w-]*\s*[,.!]+\s*")
_TRAILING_VOCATIVE_RE = re.compile(
    r",\s*(?:sir|madam|ma'am|doctor|mom|dad|honey|dear|guys)\s*([.?!]*)$", re.I
)

_CHATTER_RE = re.compile(
    r"^(?:thanks?|thank you|hello|hi|hey|good (?:morning|afternoon|evening|night)|bye|goodbye|"
    r"see you|nice to meet|how are you|how do you do|you are welcome|welcome|no problem|ok|"
    r"okay|sure|yes|no|great|excellent|wonderful|really|oh|me too|i see|pardon|sorry|"
    r"excuse me|what about you|and you|lol|haha|\+1|agreed|exactly|same)\b",
    re.I,
)

# Set phrases with a pronoun in them: turning their "I" or "you" into a name garbles them.
_IDIOM_RE = re.compile(
    r"\b(?:thank u|you know|i mean|mind you|i guess|i suppose|you see|see you|"
    r"trust me|believe me|excuse me|pardon me|let me|you're welcome|bless you|if you ask me|"
    r"you bet|i bet|i wonder|i'm afraid|i am afraid|i'm sure|me too|my god|oh my|my bad|"
    r"my pleasure|you'll see|you guys|you all|y'all|you lot|you two|all of you|each of you|"
    r"i'd|you'd|we'd|i'm not sure|if i were you|you never know|tell you what|i think so|"
    r"i hope so|i don't think so|i'm sorry|i am sorry|sorry|forgive me|lucky you|good for you|"
    r"shame on you|you're kidding|are you kidding|no way|you mean|i told you|what do you mean)\b",
    re.I,
)
_OPENERS = _word_set(
    "sorry oh ah ahh aw lol haha hehe hmm hm um umm uh erm er yeah yep yes no nope ok okay hey "
    "hi hello wow ugh argh btw fwiw imo imho and but or anyway anyways yay woo cheers hah meh nah "
    "please well unless because if although though since while whereas yah ya yea then "
    # discourse adverbs: "Ruth says honestly the library shut at 6" is nobody's English
    "honestly frankly basically literally actually seriously personally apparently obviously"
)
# "Once you account for the nights": a "you" meaning anyone, not the person addressed.
_GENERIC_YOU_RE = re.compile(
    r"\b(?:if|when|once|unless|until|whenever|wherever|before|after|as long as|as soon as)"
    r" you(?:'\w+)?\b",
    re.I,
)
# A clause that leans on the message before it: "Unless we get grub to boot".
_FRAGMENT_RE = re.compile(r"^(?:unless|because|cause|cuz|coz|although|though|whereas)\b", re.I)
_THANKS_RE = re.compile(r"\b(?:thank you|thanks|thank)\b", re.I)
_THANKS_FOR_RE = re.compile(r"^(?:thank you|thanks) for \w", re.I)
_FIRST = _word_set("i me my mine myself")
_SECOND = _word_set("you your yours yourself yourselves")
_DETERMINERS = _word_set(
    "the a an my your our their his her its this that these those some any all every me us "
    "him them it up out on in off down to for with at"
)
_AUX = _word_set(
    "do does did can could will would should shall may might must are is was were am have has had"
)
_TAGS = _word_set("right ok okay yes no eh huh")
_PRONOUN_SUBJECTS = _word_set("i you we they he she it there this that")
_WH = _word_set("what where when why how who which whose whom")
# Words after which "you" starts a clause (so it is a subject, not an object).
_CLAUSE_WORDS = _word_set(
    "and but or so if when because that while as since unless until before after do does did "
    "can could will would should are were have has what where why how who which think know "
    "hope guess mean said say then maybe now wish bet sure whether though"
)
# Words that may sit between a subject and its verb.
_ADVERBS = _word_set(
    "just really also always never still often usually only actually already even probably "
    "definitely sometimes certainly totally simply rarely seriously truly mostly generally "
    "normally"
)
_THIRD_PERSON = {
    "am": "is",
    "are": "is",
    "were": "was",
    "have": "has",
    "do": "does",
    "don't": "doesn't",
    "dont": "doesn't",
    "haven't": "hasn't",
    "aren't": "isn't",
    "weren't": "wasn't",
}
# Words after a subject that are not a present-tense verb to conjugate.
_KEEP_VERB = _word_set(
    "can could will would shall should may might must can't won't wouldn't couldn't shouldn't "
    "didn't was wasn't had hadn't did is isn't has hasn't does doesn't to the a an not "
    "and or but too as at in on of for with by from so if myself yourself also"
)
_IRREGULAR_PAST = _word_set(
    "spent went saw got made said took came knew thought told found gave felt left kept bought "
    "brought met ran sent lost paid heard sat stood won wrote ate drank began forgot broke chose "
    "drove fell flew grew hung held led meant rode rang rose sold shook sang slept spoke stole "
    "swam taught threw understood woke wore"
)
_STOPWORDS = _word_set(
    "a an the it its this that these those there they them their he she his her we our you your "
    "i me my some any all many much more most no not so but and or if when what which who how "
    "why where to of in on at for with by from as is are was were be been do does did have has "
    "had can could will would should may might must just also very really then now here one "
    "maybe perhaps yes well"
)


def normalise(text: str) -> str:
    """Tidy transcript spacing: curly quotes, "don ' t" -> "don't", runs of spaces."""
    text = text.replace("’", "'").replace("‘", "'")
    text = re.sub(r"(\w) ' (\w)", r"\1'\2", text)
    text = re.sub(r"'(Ve|Ll|Re|S|T|D|M)\b", lambda m: "'" + m.group(1).lower(), text)
    return re.sub(r"\s+", " ", text).strip()


def strip_fillers(sentence: str) -> str:
    """Drop leading "Well," / "Hey Jimmy." and trailing ", sir" from a sentence."""
    previous = None
    while previous != sentence:
        previous = sentence
        sentence = _LEADING_FILLER_RE.sub("", sentence)
        sentence = _LEADING_VOCATIVE_RE.sub("", sentence)
    sentence = _TRAILING_VOCATIVE_RE.sub(r"\1", sentence).strip()
    first = re.sub(r"\W+$", "", sentence.split(" ", 1)[0])
    if first.islower() and first not in _STOPWORDS and not known_word(first):
        return sentence  # "sudo apt-get ...", "xrandr --output": code keeps its case
    return sentence[:1].upper() + sentence[1:]


_ASIDE_RE = re.compile(r"^\W*(?:sorry|apologies|lol|haha+|hehe|brb|afk|off topic|ot:)\b", re.I)
# Talk about the chat itself, not the subject: how to use a command ("It's /upvote and
# then the number"), moving to a thread ("starting a thread so I don't derail
# everyone"), arranging to talk in private ("I'll DM you for the details").
_META_RE = re.compile(
    r"(?:^|\s)/[a-z]{2,}(?=[\s.,!?]|$)"
    r"|\b(?:start|starting|open|opening|move|moving|take|taking|carry on in)"
    r" (?:a|the|this) thread\b"
    r"|\bderail\w*"
    r"|\b(?:dm|pm|private message|message) (?:you|me)\b",
    re.I,
)


def is_fragment(sentence: str) -> bool:
    """A subordinate clause said on its own ("Because it's cheaper"): half a thought."""
    return _FRAGMENT_RE.match(sentence.strip()) is not None and "," not in sentence


def is_chatter(sentence: str) -> bool:
    """Greetings, thanks, apologies, one-word replies and talk about the chat itself
    (commands, threads, direct messages): sentences no summary needs."""
    words = sentence.split()
    if len(words) < 3 or _ASIDE_RE.match(sentence) or _META_RE.search(sentence):
        return True
    if len(words) < 8 and re.search(r"\bthanks?\b|\bthank you\b|\bthx\b|\bty\b", sentence, re.I):
        return True
    return len(words) < 8 and _CHATTER_RE.match(sentence.strip()) is not None


def rewrite(
    sentence: str,
    speaker: str,
    addressee: str | None,
    framing: Framing,
    lowercase: frozenset[str] = frozenset(),
) -> str:
    """Turn one sentence said by ``speaker`` into a sentence about it, or quote it.

    Reported speech only where :func:`unsafe` finds no risk and the result passes
    the checker; otherwise ``Speaker: "sentence"``.

    Args:
        sentence: a single sentence, fillers already stripped.
        speaker: who said it.
        addressee: who "you" is, when known.
        framing: the templates for statements, questions, suggestions and quotes.
        lowercase: words the discussion writes in lower case, so "Today ..." can
            become "Maya says today ..." while "London ..." keeps its capital.
    """
    said = sentence.strip()
    if not said:
        return ""
    if unsafe(said, addressee) is None:
        text = _reported(said, speaker, addressee, framing, lowercase)
        speakers = [speaker] + ([addressee] if addressee else [])
        if text and not problems(text, speakers, {speaker: [said]}):
            return text
    return quote(said, speaker, framing)


def quote(sentence: str, speaker: str, framing: Framing) -> str:
    """``Speaker: "sentence"`` (a question: ``Speaker asks: "sentence?"``), as said."""
    # Their own quotation marks become single ones inside ours: 'I'd expect "halt" to'
    # would read as two quotes run together.
    text = re.sub(r'["“”]', "'", sentence.strip())
    if text.endswith("?"):
        return framing.quoted_question.format(speaker=speaker, text=text)
    # Their words as written; the full stop that ends our sentence goes outside them,
    # so quotes in a paragraph read as sentences, not one run-on line.
    quoted = framing.quoted.format(speaker=speaker, text=text.rstrip(".").rstrip())
    return quoted if text.endswith(("!", "…")) else quoted + "."


def unsafe(sentence: str, addressee: str | None) -> str | None:
    """Why turning ``sentence`` into reported speech could go wrong, or ``None``."""
    body = sentence.strip()
    words = [w.strip(".,!?;:()\"'").lower() for w in body.split()]
    words = [w for w in words if w]
    if not words:
        return "empty"
    if re.search(r"[\"“”`]", body) or re.search(r"\s'|'\s", f" {body} ".replace("'s ", "s ")):
        return "quoted speech"
    if re.search(r"[?!;]\s*\S", body.rstrip("?!.… ")) or re.search(r"\.\s+\S", body):
        return "more than one sentence"
    thanks = _THANKS_RE.search(body)
    if thanks is not None and (thanks.start() > 0 or not _THANKS_FOR_RE.match(body)):
        return "thanks said in passing"
    if words[0] in _OPENERS:
        return f"opens with {words[0]!r}"
    if body.split(" ", 1)[0].endswith(","):
        return "opens by addressing someone"
    if re.search(r":\s+\S", body) or re.search(r"\bplease\b", body, re.I):
        return "a colon or a request"
    if _IDIOM_RE.search(body.replace("’", "'")):
        return "a set phrase with a pronoun"
    first = sum(w in _FIRST or w.startswith("i'") for w in words)
    second = sum(w in _SECOND or w.startswith("you'") for w in words)
    if first > 1 or second > 1:
        return "several pronouns to resolve"
    if second and addressee is None:
        return "'you' with no known addressee"
    if _GENERIC_YOU_RE.search(body.replace("’", "'")):
        return "a 'you' that means anyone"
    if len(words) > 1 and _imperative(words[0], words[1]):
        return "an instruction"
    if re.search(r"[*_~#<>|\[\]{}]|https?://|(?:^|\s)[:;=]-?[()DPp/\\|]", body):
        return "markup, code, a link or a smiley"
    return None


def _reported(
    sentence: str,
    speaker: str,
    addressee: str | None,
    framing: Framing,
    lowercase: frozenset[str] = frozenset(),
) -> str:
    """Turn one sentence said by ``speaker`` into a third-person sentence about it.

    Args:
        sentence: a single sentence, fillers already stripped.
        speaker: who said it.
        addressee: who "you" is, when known.
        framing: the templates for statements, questions and suggestions.
        lowercase: words the discussion writes in lower case, so "Today ..." can
            become "Maya says today ..." while "London ..." keeps its capital.
    """
    text = _CONTRACTION_RE.sub(lambda m: _CONTRACTIONS[m.group(0).lower()], sentence.strip())
    is_question = text.rstrip().endswith("?")
    text = re.sub(r"\s*[.!?…]+$", "", text).strip()
    tokens = [_split(chunk) for chunk in text.split()]
    if not tokens:
        return ""
    words = [core.lower() for _, core, _ in tokens]
    if words[:2] == ["thank", "you"] or words[0] == "thanks":
        # An implied "I": "Thank you for the data" -> "Maya thanks Sam for the data".
        tokens, words = [("", "I", ""), *tokens], ["i", *words]
    convert = _Converter(speaker, addressee, framing)

    suggestion = _suggestion(words, framing)
    if suggestion is not None:
        skip, prefix = suggestion
        clause = convert(([("", prefix, "")] if prefix else []) + tokens[skip:])
        if convert.failed:
            return ""
        return framing.suggestion.format(speaker=speaker, clause=_lower_first(clause, lowercase))
    if is_question:
        tokens, words = _last_clause(*_drop_tag(tokens, words))
        reordered = _declarative(tokens, words)
        if reordered is None:
            return framing.quoted_question.format(speaker=speaker, text=sentence.strip())
        template = framing.wh_question if words[0] in _WH else framing.yes_no_question
        subject_at = next((i for i, t in enumerate(reordered) if t[1].lower() == "you"), None)
        clause = convert(reordered, subject_at)
        if convert.failed:
            return ""
        return template.format(speaker=speaker, clause=_lower_first(clause, lowercase))
    clause = convert(tokens)
    if convert.failed:
        return ""
    if words[0] in ("i", "my"):
        # The clause opens with the speaker's name, written as they write it.
        return clause + "."
    return framing.statement.format(speaker=speaker, clause=_lower_first(clause, lowercase))


_Token = tuple[str, str, str]


def _split(chunk: str) -> _Token:
    match = re.match(r"^([^\w#]*)(.*?)([^\w#]*)$", chunk)
    assert match is not None  # the pattern matches any string
    lead, core, trail = match.groups()
    return lead, core, trail


def _suggestion(words: list[str], framing: Framing) -> tuple[int, str] | None:
    """Tokens to skip and a subject to put first, for "let us ..." and its kin."""
    if words[:2] == ["let", "us"]:
        return 2, framing.we
    if len(words) > 2 and words[0] in ("how", "what") and words[1] == "about":
        return 2, ""
    if words[:3] in (["why", "don't", "we"], ["why", "do", "not"]):
        return 3, framing.we
    if words[:3] == ["why", "don't", "you"]:
        return 2, ""
    if words[:2] == ["why", "not"] and len(words) > 2:
        return 2, ""
    return None


def _drop_tag(tokens: list[_Token], words: list[str]) -> tuple[list[_Token], list[str]]:
    """Drop an opening "but" and a tag: "But you know it, right" -> "you know it"."""
    if len(words) > 3 and words[0] in ("but", "and", "so"):
        tokens, words = tokens[1:], words[1:]
    if len(words) > 3 and tokens[-2][2].endswith(",") and words[-1] in _TAGS:
        last = tokens[-2]
        tokens, words = [*tokens[:-2], (last[0], last[1], last[2][:-1])], words[:-1]
    return tokens, words


def _last_clause(tokens: list[_Token], words: list[str]) -> tuple[list[_Token], list[str]]:
    """ "That's sad, but have you seen it" -> "have you seen it": the asking part."""
    for i in range(len(tokens) - 2, 0, -1):
        if not tokens[i - 1][2].endswith(","):
            continue
        start = i + 1 if words[i] in ("but", "so", "and") else i
        if start < len(words) - 1 and (words[start] in _AUX or words[start] in _WH):
            return tokens[start:], words[start:]
    return tokens, words


def _declarative(tokens: list[_Token], words: list[str]) -> list[_Token] | None:
    """Undo subject-auxiliary inversion: "do you have" -> "you have"; None if unsure."""
    if words[0] in _WH:
        aux_at = next(
            (i for i in range(1, min(len(words), 5)) if words[i] in _AUX),
            None,
        )
        if aux_at is None or any(t[2] for t in tokens[:aux_at]):
            return None
        head = [(tokens[0][0], tokens[0][1].lower(), tokens[0][2]), *tokens[1:aux_at]]
        rest = tokens[aux_at:]
        rest_words = words[aux_at:]
    else:
        head, rest, rest_words = [], tokens, words
    if len(rest) < 2 or rest_words[0] not in _AUX:
        # "You are coming?" is already in statement order; fragments stay quoted.
        # "anyone know when ...?" or "quick q - is it ...?" is chat shorthand: quoted.
        statement = (
            not head
            and len(rest) >= 3
            and rest_words[0] in _PRONOUN_SUBJECTS
            and rest_words[1] in _AUX
        )
        return rest if statement else None
    aux, subject = rest_words[0], rest_words[1]
    if subject not in _PRONOUN_SUBJECTS or aux == "did" or rest[0][2]:
        # "who is paying" is already in order; "what did the panel say" cannot become
        # "asks what did the panel say", so it is quoted.
        subject_wh = len(head) == 1 and words[0] in ("who", "what", "which")
        participle = subject.endswith(("ing", "ed")) and aux not in ("do", "does", "did")
        return head + rest if subject_wh and participle and not rest[0][2] else None
    subj = rest[1]
    if subject != "i":
        subj = (subj[0], subj[1].lower(), subj[2])
    body = list(rest[2:])
    if aux == "does" and body and subject in ("he", "she", "it", "this", "that"):
        body[0] = (body[0][0], _conjugate(body[0][1]), body[0][2])
    moved = [] if aux in ("do", "does") else [("", rest[0][1].lower(), "")]
    return [*head, subj, *moved, *body]


class _Converter:
    """Rewrites first and second person into names, fixing the verb that follows."""

    def __init__(self, speaker: str, addressee: str | None, framing: Framing) -> None:
        self.speaker = speaker
        self.addressee = addressee
        self.framing = framing
        self.failed = False

    def __call__(self, tokens: list[_Token], subject_at: int | None = None) -> str:
        out: list[str] = []
        conjugate_next = False
        previous: _Token | None = None
        you = self.addressee or self.framing.unknown_addressee
        for index, (lead, core, trail) in enumerate(tokens):
            word = core.lower()
            if conjugate_next and word not in _ADVERBS:
                if not _verb_form(word) or word in SAME_PAST:
                    # "i though it ...": no verb to conjugate; "I put ...": past or present?
                    self.failed = True
                # "Thank" was capitalised only because it opened the sentence.
                core = _conjugate(core if core.isupper() else core[:1].lower() + core[1:])
                conjugate_next = False
            elif word == "i":
                core, conjugate_next = self.speaker, True
            elif word in ("me", "myself"):
                core = self.speaker
            elif word in ("my", "mine"):
                core = _possessive(self.speaker)
            elif word == "you":
                subject = (
                    index == subject_at
                    or previous is None
                    or bool(previous[2])
                    or previous[1].lower() in _CLAUSE_WORDS
                )
                core = you
                conjugate_next = subject and self.addressee is not None
            elif word in ("your", "yours"):
                core = _possessive(you)
            elif word == "yourself":
                core = you
            elif word in ("we", "us", "our") and core != "US":
                core = getattr(self.framing, word)
            elif word == "ourselves":
                core = "themselves"
            if trail:
                conjugate_next = False
            out.append(lead + core + trail)
            previous = (lead, core if word != "you" else "you", trail)
        text = " ".join(out)
        opens_with_name = tokens and tokens[0][1].lower() in ("i", "me", "my", "mine")
        if opens_with_name:  # "edbian suggested ...": a nick is written as its owner writes it
            return text
        return text[:1].upper() + text[1:] if tokens and tokens[0][1][:1].isupper() else text


def _verb_form(word: str) -> bool:
    """A word that can follow "I" as its verb: a verb in the lexicon, a form we
    conjugate by rule, or a word the lexicon lacks (a typo, not "though")."""
    return (
        word in _THIRD_PERSON
        or word in _KEEP_VERB
        or word in _IRREGULAR_PAST
        or not word.isalpha()
        or "VERB" in _pos(word)
        or "AUX" in _pos(word)
        or not _pos(word)
    )


def _conjugate(verb: str) -> str:
    lower = verb.lower()
    if lower in _THIRD_PERSON:
        return _THIRD_PERSON[lower]
    if lower in _KEEP_VERB or lower in _IRREGULAR_PAST or not lower.isalpha() or _past(lower):
        return verb
    inflected = _third_person(lower)
    if inflected is not None:
        return verb[:1] + inflected[1:] if verb[:1].isupper() else inflected
    if lower.endswith(("s", "sh", "ch", "x", "z", "o")):
        return verb + "es"
    if lower.endswith("y") and lower[-2] not in "aeiou":
        return verb[:-1] + "ies"
    return verb + "s"


def _possessive(name: str) -> str:
    return name + ("'" if name.endswith("s") and not name.startswith("#") else "'s")


def _lower_first(clause: str, lowercase: frozenset[str]) -> str:
    first = clause.split(" ", 1)[0]
    word = re.sub(r"\W+$", "", first.lower())
    if (word in _STOPWORDS or word in lowercase) and not first.isupper():
        return clause[:1].lower() + clause[1:]
    return clause


def warm_lexicon() -> None:
    """Load LemmInflect's lexicon now (about a second, once a process), not in the
    middle of the first summary: the summariser calls this when it is built."""
    _pos("tries")
    _third_person("try")


@lru_cache(maxsize=4096)
def _pos(word: str) -> frozenset[str]:

    return frozenset(getAllLemmas(word))


@lru_cache(maxsize=4096)
def known_word(word: str) -> bool:
    """True for an English word in LemmInflect's lexicon (so not a name it lacks)."""
    return bool(_pos(word.lower()))


@lru_cache(maxsize=4096)
def _third_person(verb: str) -> str | None:
    """ "try" -> "tries" from LemmInflect's lexicon; ``None`` for a word it lacks."""

    if "VERB" not in _pos(verb):
        return None
    found = getInflection(verb, tag="VBZ")
    return found[0] if found else None


def _imperative(first: str, second: str) -> bool:
    """ "Email the clerk", "Try refreshing": a bare verb opening the sentence."""
    pos = _pos(first)
    if (
        first in ("thank", "let", "let's")
        or "VERB" not in pos
        or first in _PRONOUN_SUBJECTS
        or first in _STOPWORDS
    ):
        return False

    base = first in getAllLemmas(first, upos="VERB").get("VERB", ())
    if not base:
        return False
    # A noun opening a sentence has a verb next ("Heat is ..."); "Ring environmental
    # health" has none, so it is an instruction. Mistaking a noun only quotes it.
    followed_by_verb = second in _AUX or second in _KEEP_VERB or second.endswith("s")
    return (
        ("NOUN" not in pos and "ADJ" not in pos)
        or second in _DETERMINERS
        or second.endswith("ing")
        or not followed_by_verb
    )


def _past(word: str) -> bool:
    # "worked" is past tense; "need" and "succeed" are not.
    return word.endswith("ed") and not word.endswith("eed")
