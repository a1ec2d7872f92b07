"""Summary quality on both speaker formats, dev and held-out apart, with both baselines.

Reads DialogSum dev from ``../shared/data`` (never copied here), splits it by fname
hash into a dev part (tuned on) and a held-out part (never tuned on), scores the
default dialogue summariser of ``roundtable eval summaries`` on ``#PersonN#`` lines
and on the same dialogues with invented names (``Name: text``), and on the chat
dialogues written for this project (``bench/data/chat_dialogues.jsonl``). One model
load for all of it.

    python -m bench.eval_summaries_splits [--data ../shared/data/dialogsum/dev.jsonl]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from facilitation.summaries.dialogues import Dialogue, in_split, read_dialogues, with_names
from facilitation.summaries.evaluate import (
    BASELINES,
    DIALOGUE_SENTENCES,
    DIALOGUE_WORDS,
    dialogue_summariser,
    score,
)

CHAT = Path(__file__).resolve().parent / "data" / "chat_dialogues.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default="../shared/data/dialogsum/dev.jsonl")
    args = parser.parse_args()
    summariser = dialogue_summariser()
    tagged = list(read_dialogues(Path(args.data)))
    sets: list[tuple[str, list[Dialogue]]] = []
    for split in ("dev", "test"):
        part = [d for d in tagged if in_split(d.fname, split)]
        label = "dev (tuned on)" if split == "dev" else "held out"
        sets.append((f"#PersonN#  {label}", part))
        sets.append((f"Name: text {label}", [with_names(d) for d in part]))
    sets.append(("chat (ours) all", list(read_dialogues(CHAT))))
    print(f"{'set':<26}{'n':>5}{'ours':>8}{'first3':>8}{'longest3':>10}   ROUGE-1 F1")
    for name, dialogues in sets:
        refs = [d.references for d in dialogues]
        ours = [
            summariser.summarise(d.turns, DIALOGUE_SENTENCES, DIALOGUE_WORDS).text
            for d in dialogues
        ]
        row = [score(ours, refs)["rouge1"]]
        row += [score([b(d) for d in dialogues], refs)["rouge1"] for b in BASELINES.values()]
        print(f"{name:<26}{len(dialogues):>5}" + "".join(f"{x:>8.2f}" for x in row), flush=True)


if __name__ == "__main__":
    main()
