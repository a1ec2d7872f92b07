"""Benchmark: summarise a generated 10,000-message event with the default summariser.

Prints the time to summarise (keyphrases, candidate pre-filter, embeddings, MMR,
clean-up) and, as a baseline measured in the same run, the time to embed every
message once with the same model, plus their ratio. The goal is well under 60 s
on 2 cores.

    /work/venv/bin/python bench/bench_summaries.py [--messages 10000] [--show]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import UTC, datetime, timedelta

from bot.embeddings import MiniLMEmbedder
from facilitation.summaries import ExtractiveSummariser, Turn

TOPICS = {
    "sleep": ["sleep", "bedtime", "screen time before bed", "the sleep diary", "naps"],
    "funding": ["the council grant", "funding", "the budget", "next year's money", "donors"],
    "schools": ["school start times", "the pilot schools", "teachers", "homework load"],
    "method": ["the sample size", "the survey", "the control group", "the interviews"],
    "mood": ["mood scores", "anxiety", "wellbeing", "loneliness", "stress in exam weeks"],
    "policy": ["the new guidance", "the health board", "the minister", "local policy"],
}
STATEMENTS = [
    "I think {a} matters more than {b}.",
    "In our area {a} was the biggest issue, not {b}.",
    "The report says {a} improved when {b} changed.",
    "We saw {a} get worse during the second term.",
    "My worry is that {a} hides what is happening with {b}.",
    "Honestly {a} surprised me, I expected {b} to dominate.",
    "You can't separate {a} from {b} in practice.",
    "Our team measured {a} every week for six months.",
    "The data on {a} is thin, so I would not lean on it yet.",
    "Parents keep asking us about {a} and {b}.",
]
QUESTIONS = [
    "Did you look at {a} separately from {b}?",
    "How did you measure {a}?",
    "What would change {a} fastest?",
    "Can you share the slides on {a}?",
    "Is there any evidence linking {a} and {b}?",
    "Why did {a} drop so much in the pilot?",
]
CHATTER = ["hi all!", "thanks!", "+1", "great question", "lol", "agreed", "hello from Leeds",
           "ok", "sorry, lost connection", "brb", "this is so useful", "same here"]  # fmt: skip
FOLLOW = [" Also {a} came up twice.", " That matches what {b} showed.", " Not sure though."]


def generate(count: int, seed: int = 7) -> list[Turn]:
    """A varied event: topic drift, questions, chatter, replies, reactions."""
    rng = random.Random(seed)
    people = [f"person{i}" for i in range(300)]
    start = datetime(2026, 3, 12, 18, 0, tzinfo=UTC)
    turns: list[Turn] = []
    topic_names = list(TOPICS)
    for i in range(count):
        # The conversation drifts: the current topic changes every ~400 messages.
        main = topic_names[(i // 400 + rng.randint(0, 1)) % len(topic_names)]
        other = rng.choice(topic_names)
        a, b = rng.choice(TOPICS[main]), rng.choice(TOPICS[other])
        roll = rng.random()
        if roll < 0.2:
            text = rng.choice(CHATTER)
        elif roll < 0.45:
            text = rng.choice(QUESTIONS).format(a=a, b=b)
        else:
            text = rng.choice(STATEMENTS).format(a=a, b=b)
            if rng.random() < 0.15:
                text += rng.choice(FOLLOW).format(a=a, b=b)
        if rng.random() < 0.3:
            text += f" ({rng.randint(1, 99)}%)"
        speaker = rng.choice(people)
        addressee = rng.choice(people) if rng.random() < 0.3 else None
        turns.append(
            Turn(
                speaker=speaker,
                text=text,
                message_id=str(i),
                ts=start + timedelta(seconds=i),
                weight=float(rng.choice([0, 0, 0, 0, 1, 2, 5])),
                addressee=addressee,
            )
        )
    return turns


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--sentences", type=int, default=8)
    parser.add_argument("--show", action="store_true", help="print the summary")
    args = parser.parse_args(argv)

    turns = generate(args.messages)
    began = time.perf_counter()
    # No cache, so neither measurement profits from the other's work.
    embedder = MiniLMEmbedder(cache_size=0)
    print(f"model load: {time.perf_counter() - began:.1f} s", file=sys.stderr)
    began = time.perf_counter()
    summariser = ExtractiveSummariser(embedder)  # loads LemmInflect's lexicon, once
    print(f"summariser build (lexicon load): {time.perf_counter() - began:.1f} s", file=sys.stderr)

    began = time.perf_counter()
    summary = summariser.summarise(turns, max_sentences=args.sentences)
    summarise_s = time.perf_counter() - began

    began = time.perf_counter()
    embedder.embed([t.text for t in turns])
    embed_all_s = time.perf_counter() - began

    print(f"messages: {len(turns)}")
    print(f"summarise (default extractive): {summarise_s:.2f} s")
    print(f"baseline, embed every message once: {embed_all_s:.2f} s")
    print(f"ratio summarise / embed-all: {summarise_s / embed_all_s:.2f}")
    if args.show:
        print("keyphrases:", ", ".join(summary.keyphrases))
        print(summary.text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
