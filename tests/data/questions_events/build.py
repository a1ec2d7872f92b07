"""Turn the hand-written labelled events (``*.txt``) into a replay transcript and its gold.

    python tests/data/questions_events/build.py

Each ``NAME.txt`` becomes ``NAME.jsonl`` (the replay format) and ``NAME.gold.json``.
The labels were written with the messages, before any tuning of the question
queue; ``skies`` is the held-out test event (``@split test``): never tune on it.

Line format: ``ID AUTHOR [>REPLY_TO] [LABEL...] | TEXT``, plus ``edit AUTHOR ID | TEXT``
and ``delete AUTHOR ID``. Labels: ``P`` a question for the panel; ``P=X`` the second
half of question X (one question over two messages); ``D=X`` a question for the panel
that a moderator would merge into X; ``NM=X`` on the same topic as X but a different
question; ``R`` a question to the room that the room answers; ``C`` a question to one
participant; ``A=X[,Y]`` a panel answer; ``AR=X`` an answer from the room; ``HOLD`` a
holding reply; ``SOC`` social or technical chatter; ``AUD`` a question put to the audience.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent

RULE = (
    "A panel question asks the panel (or anyone on the topic of the event) for information,"
    " an explanation or an opinion, and is one a moderator would put in the queue. Not panel"
    " questions: chatter about the call or the platform, greetings, questions to one"
    " participant by name or reply, questions the room answered and the panel never took"
    " up (room questions), questions hosts put to the audience, repeats of an answered"
    " question pointed at its answer by a moderator count as duplicates. A question split"
    " over two messages is one question (either message counts). Duplicates: a moderator"
    " would merge them (same information wanted). Answers: messages that give the answer,"
    " by the panel or by a participant (room); holding replies are not answers."
)


def _gap(mid: str) -> int:
    return 12 + int(hashlib.sha1(mid.encode()).hexdigest()[:4], 16) % 40


def build(path: Path) -> tuple[list[dict[str, object]], dict[str, object]]:
    meta: dict[str, str] = {}
    names: dict[str, str] = {}
    roles: dict[str, list[str]] = {"moderators": [], "panellists": [], "organisers": []}
    lines: list[dict[str, object]] = []
    gold: dict[str, list[object]] = {
        k: []
        for k in (
            "panel_questions",
            "continuations",
            "room_questions",
            "between_participants",
            "duplicates",
            "near_misses",
            "answers",
            "holding",
            "chatter",
            "audience_questions",
            "deleted",
        )
    }
    ts: datetime | None = None
    for raw in path.read_text(encoding="utf-8").splitlines():
        if not raw.strip() or raw.startswith("#"):
            continue
        if raw.startswith("@"):
            key, _, value = raw[1:].partition(" ")
            meta[key] = value.strip()
            if key == "start":
                ts = datetime.fromisoformat(value.strip())
            if key == "people":
                for person in value.split():
                    author, name, role = person.split(":")
                    names[author] = name.replace("_", " ")
                    roles[role + "s"].append(f"replay:{author}")
            continue
        head, _, text = raw.partition(" | ")
        tokens = head.split()
        assert ts is not None
        if tokens[0] in ("edit", "delete"):
            kind, author, mid = tokens[:3]
            ts += timedelta(seconds=_gap(kind + mid))
            obj: dict[str, object] = {
                "type": kind,
                "ts": ts.isoformat(),
                "author": author,
                "name": names.get(author, author[2:].title()),
                "message_id": mid,
            }
            if kind == "edit":
                obj["text"] = text
            else:
                gold["deleted"].append(mid)
            lines.append(obj)
            continue
        mid, author, *labels = tokens
        ts += timedelta(seconds=_gap(mid))
        msg: dict[str, object] = {
            "id": mid,
            "ts": ts.isoformat(),
            "author": author,
            "name": names.get(author, author[2:].title()),
            "text": text,
        }
        for label in labels:
            if label.startswith(">"):
                msg["reply_to"] = label[1:]
                continue
            tag, _, arg = label.partition("=")
            targets = arg.split(",") if arg else []
            match tag:
                case "P" if targets:
                    gold["continuations"].append([mid, targets[0]])
                case "P":
                    gold["panel_questions"].append(mid)
                case "D":
                    gold["panel_questions"].append(mid)
                    gold["duplicates"].append([mid, targets[0]])
                case "NM":
                    gold["near_misses"].append([mid, targets[0]])
                case "R":
                    gold["room_questions"].append(mid)
                case "C":
                    gold["between_participants"].append(mid)
                case "A" | "AR":
                    for t in targets:
                        by = "panel" if tag == "A" else "room"
                        gold["answers"].append({"answer": mid, "question": t, "by": by})
                case "HOLD":
                    gold["holding"].append(mid)
                case "SOC":
                    gold["chatter"].append(mid)
                case "AUD":
                    gold["audience_questions"].append(mid)
                case _:
                    raise ValueError(f"{path.name}: unknown label {label!r} on {mid}")
        lines.append(msg)
    out = {
        "event": meta["id"],
        "title": meta["title"],
        "split": meta["split"],
        "rule": RULE,
        "roles": roles,
        "messages": sum(1 for o in lines if "id" in o),
        **gold,
    }
    return lines, out


def main() -> None:
    for path in sorted(HERE.glob("*.txt")):
        lines, gold = build(path)
        with path.with_suffix(".jsonl").open("w", encoding="utf-8") as fh:
            for obj in lines:
                fh.write(json.dumps(obj, ensure_ascii=False) + "\n")
        path.with_suffix(".gold.json").write_text(
            json.dumps(gold, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )
        print(
            f"{path.stem}: {gold['messages']} messages, {len(gold['panel_questions'])} panel"
            f" questions, {len(gold['duplicates'])} duplicates, {len(gold['answers'])} answers"
        )


if __name__ == "__main__":
    main()
