"""Kill -9 a real ``roundtable replay`` subprocess again and again, then compare with a clean run.

Used by ``tests/reliability/test_crash.py`` (small) and ``bench/bench_crash.py``
(the issue's 20 kills during 5,000 messages). The transcript is synthetic and
seeded: a moderator starts an event, people ask numbered questions, vote with
reactions and ``/upvote N``, withdraw votes, panellists answer by replying, and
the event ends.

It also holds, often, each case where what the bot does next depends on what an
earlier event left behind (so a restart that forgot it would post differently):
a question sent in two parts ("a quick question about X" then the question), a
panellist carrying on from an answer in a second message, a question deleted
and posted again, a short follow-up inside an exchange between two people, a
question addressed to a panellist by name, and rolling digests (a short cadence
in the config) whose due check runs at most once a minute.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
TOPICS = "heat sleep sensors windows cooling council trial flats nights shade".split()
PEOPLE = [f"u_p{i}" for i in range(40)]
PANEL = ["u_pan1", "u_pan2"]

CONFIG = """
[bot]
name = "Roundtable"
out_dir = "{out}"

[store]
path = "{db}"

[models]
enabled = false

[roles]
moderators = ["replay:u_mod"]
panellists = ["replay:u_pan1", "replay:u_pan2"]

[report]
cadence_minutes = 4
min_messages = 12
"""


def write_transcript(path: Path, messages: int, seed: int = 7) -> None:
    """A seeded event of about ``messages`` lines (the first starts it, the last ends it)."""
    rng = random.Random(seed)
    t = datetime(2026, 3, 12, 18, 0, tzinfo=UTC)
    lines: list[dict[str, Any]] = []
    questions: list[str] = []
    voted: set[tuple[str, str]] = set()

    def line(**fields: Any) -> None:
        nonlocal t
        t += timedelta(seconds=rng.randint(1, 4))
        lines.append({"ts": t.isoformat(), **fields})

    line(id="m0", author="u_mod", name="Mo", text='/event start "Crash test"')
    i = 0
    while len(lines) < messages - 1:
        i += 1
        roll = rng.random()
        who = rng.choice(PEOPLE)
        if roll < 0.18 or not questions:
            a, b = rng.sample(TOPICS, 2)
            line(id=f"m{i}", author=who, name=who[2:], text=f"How does {a} {i} change {b}?")
            questions.append(f"m{i}")
        elif roll < 0.45:
            qid = rng.choice(questions[-30:])
            line(type="reaction", author=who, name=who[2:], message_id=qid, emoji="👍")
            voted.add((who, qid))
        elif roll < 0.50 and voted:
            who, qid = sorted(voted)[rng.randrange(len(voted))]
            voted.discard((who, qid))
            line(type="unreaction", author=who, name=who[2:], message_id=qid, emoji="👍")
        elif roll < 0.60:
            qid = rng.choice(questions[-20:])
            pan = rng.choice(PANEL)
            text = f"On that one: the {rng.choice(TOPICS)} data says it depends ({i})."
            line(id=f"m{i}", author=pan, name=pan[2:], text=text, reply_to=qid)
        elif roll < 0.63:
            n = rng.randint(1, max(1, len(questions)))
            line(id=f"m{i}", author=who, name=who[2:], text=f"/upvote {n}")
        elif roll < 0.66:  # a question in two parts: the second completes the first
            a, b = rng.sample(TOPICS, 2)
            line(id=f"m{i}", author=who, name=who[2:], text=f"A quick question about the {a}")
            line(id=f"m{i}b", author=who, name=who[2:], text=f"Will {b} {i} get worse at night?")
            questions.append(f"m{i}")
        elif roll < 0.69 and len(questions) > 1:  # a panellist carries on from an answer
            qid = rng.choice(questions[-10:])
            pan = rng.choice(PANEL)
            line(id=f"m{i}a", author=pan, name=pan[2:], reply_to=qid,
                 text=f"Short answer: the {rng.choice(TOPICS)} study found it ({i}).")  # fmt: skip
            a, b = rng.sample(TOPICS, 2)
            line(id=f"m{i}", author=who, name=who[2:], text=f"How would {a} {i} affect {b}?")
            questions.append(f"m{i}")
            line(id=f"m{i}c", author=pan, name=pan[2:],
                 text=f"And the longer story: {b} matters more than we thought ({i}).")  # fmt: skip
        elif roll < 0.72:  # asked, deleted, asked again: the second takes the first's place
            a, b = rng.sample(TOPICS, 2)
            line(id=f"m{i}", author=who, name=who[2:], text=f"Why does {a} {i} affect {b}?")
            line(type="delete", author=who, name=who[2:], message_id=f"m{i}")
            line(id=f"m{i}r", author=who, name=who[2:], text=f"Why does {a} {i} affect {b} so?")
            questions.append(f"m{i}r")
        elif roll < 0.75:  # two people talking: a short follow-up is not for the panel
            other = rng.choice([p for p in PEOPLE if p != who])
            line(id=f"m{i}", author=who, name=who[2:],
                 text=f"@{other[2:]} you said the {rng.choice(TOPICS)} {i} changed it")  # fmt: skip
            line(id=f"m{i}f", author=other, name=other[2:], text="how do I check that?")
        elif roll < 0.77:  # addressed to a panellist by name
            a, b = rng.sample(TOPICS, 2)
            pan = rng.choice(PANEL)
            line(id=f"m{i}", author=who, name=who[2:],
                 text=f"{pan[2:]}, what does {a} {i} do to {b}?")  # fmt: skip
            questions.append(f"m{i}")
        else:
            line(id=f"m{i}", author=who, name=who[2:], text=f"I noticed the {rng.choice(TOPICS)}.")
    line(id="m_end", author="u_mod", name="Mo", text="/event end")
    path.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")


def write_config(folder: Path, db: Path) -> Path:
    path = folder / "roundtable.toml"
    path.write_text(CONFIG.format(out=folder / "out", db=db), encoding="utf-8")
    return path


def _command(config: Path, transcript: Path, db: Path) -> list[str]:
    return [sys.executable, "-m", "bot.cli", "replay", str(transcript), "-c", str(config),
            "--db", str(db)]  # fmt: skip


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(PYTHONPATH=str(ROOT), HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    return env


def stored(db: Path) -> int:
    """How many events the database holds (0 while it does not exist yet)."""
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as conn:
            return int(conn.execute("SELECT COUNT(*) FROM events").fetchone()[0])
    except sqlite3.Error:
        return 0


def _pending(db: Path) -> int:
    """Events stored but not handled when the process died."""
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as conn:
            return int(conn.execute("SELECT COUNT(*) FROM pending").fetchone()[0])
    except sqlite3.Error:
        return 0


def bot_posts(text: str, folder: Path | None = None) -> list[str]:
    """The bot's posts in a replay's output (a post's continuation lines joined to it).

    Paths under the run's ``folder`` read ``<run>``, so two runs' posts compare.
    """
    if folder is not None:
        text = text.replace(str(folder), "<run>")
    posts: list[str] = []
    for raw in text.splitlines():
        if raw.startswith("  🤖"):
            posts.append(raw)
        elif raw.startswith("      ") and posts:
            posts[-1] += "\n" + raw
    return posts


@dataclass
class Run:
    posts: list[str] = field(default_factory=list)
    kills: int = 0
    unhandled_at_kill: list[int] = field(default_factory=list)
    seconds: float = 0.0
    stderr: str = ""


def replay_once(config: Path, transcript: Path, db: Path, out: Path) -> Run:
    """One uninterrupted replay."""
    started = time.perf_counter()
    with out.open("w", encoding="utf-8") as fh:
        done = subprocess.run(
            _command(config, transcript, db), stdout=fh, stderr=subprocess.PIPE, env=_env(),
            cwd=ROOT, timeout=900, check=False, text=True,
        )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"replay failed ({done.returncode}): {done.stderr[-2000:]}")
    return Run(
        posts=bot_posts(out.read_text(encoding="utf-8"), out.parent),
        seconds=time.perf_counter() - started,
        stderr=done.stderr,
    )


def replay_with_kills(
    config: Path, transcript: Path, db: Path, out: Path, kills: int, total: int, seed: int = 1
) -> Run:
    """Replay, killing the process with SIGKILL ``kills`` times while it stores and handles.

    Each kill comes after a random number of newly stored events (so the
    process always gets somewhere), at a random moment; then one last run
    finishes the transcript.
    """
    rng = random.Random(seed)
    step = max(2, total // (kills + 1))
    run = Run()
    started = time.perf_counter()
    outputs: list[Path] = []
    for cycle in range(kills + 1):
        part = out.with_name(f"{out.stem}.{cycle}{out.suffix}")
        outputs.append(part)
        last = cycle == kills
        before = stored(db)
        # never past what the transcript holds, so each of the kills lands
        target = max(
            before + 1,
            min(before + rng.randint(step // 2, step * 3 // 2), total - (kills - cycle)),
        )
        with part.open("w", encoding="utf-8") as fh:
            proc = subprocess.Popen(
                _command(config, transcript, db), stdout=fh, stderr=subprocess.PIPE,
                env=_env(), cwd=ROOT, text=True,
            )  # fmt: skip
            if not last:
                deadline = time.monotonic() + 300
                while proc.poll() is None and time.monotonic() < deadline:
                    if stored(db) >= target:
                        time.sleep(rng.uniform(0, 0.05))
                        break
                    time.sleep(0.005)
                if proc.poll() is None:
                    proc.send_signal(signal.SIGKILL)
                    run.kills += 1
            _, err = proc.communicate(timeout=900)
            run.stderr += err
            if not last:
                run.unhandled_at_kill.append(_pending(db))
            if last and proc.returncode != 0:
                raise RuntimeError(f"the last replay failed ({proc.returncode}): {err[-2000:]}")
    for part in outputs:
        run.posts.extend(bot_posts(part.read_text(encoding="utf-8"), out.parent))
    run.seconds = time.perf_counter() - started
    return run


COMPARED = ("sessions", "events", "questions", "votes", "answers", "messages", "digests", "roles")
"""The parts of :func:`state` a crashed-and-resumed run must have equal to a clean one."""


def state(db: Path) -> dict[str, Any]:
    """What must be equal after a crashed-and-resumed run and an uninterrupted one."""
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row

    def rows(sql: str) -> list[tuple[Any, ...]]:
        return [tuple(r) for r in conn.execute(sql).fetchall()]

    number = "(SELECT number FROM questions q2 WHERE q2.id = {})"
    result = {
        "sessions": rows("SELECT slug, title, state, started_at, ended_at FROM sessions"),
        "events": rows("SELECT platform, dedup_key, kind, session_id FROM events ORDER BY seq"),
        "questions": rows(
            "SELECT number, text, state, asker, source, message_id, "
            + number.format("merged_into")
            + " FROM questions ORDER BY session_id, number"
        ),
        "votes": sorted(
            rows(
                "SELECT " + number.format("question_id") + ", platform, voter, via"
                " FROM question_votes"
            )
        ),
        "answers": sorted(
            rows(
                "SELECT " + number.format("question_id") + ", message_id, author, text"
                " FROM question_answers"
            )
        ),
        "messages": sorted(
            rows(
                "SELECT platform, message_id, " + number.format("question_id") + ", kind"
                " FROM question_messages"
            )
        ),
        "digests": rows("SELECT session_id, ts, seq FROM report_digests ORDER BY session_id"),
        "roles": rows(
            "SELECT session_id, platform, user, role, ts FROM session_roles"
            " ORDER BY session_id, platform, user"
        ),
        "pending": rows("SELECT seq FROM pending"),
    }
    conn.close()
    return result


def duplicate_posts(crashed: list[str], clean: list[str]) -> int:
    """Posts the crashed run repeated: made twice or more, and more often than the clean run."""
    made, want = Counter(crashed), Counter(clean)
    return sum(max(0, n - max(want[post], 1)) for post, n in made.items())


def divergent_posts(crashed: list[str], clean: list[str]) -> tuple[int, int]:
    """(posts only the crashed run made, posts only the clean run made), duplicates aside.

    Modules keep what decides whether to post (who was told, when the channel
    last heard from the bot, which conversations were offered a thread) in
    their tables, so both should be 0; a post that was in flight when the
    process was killed (claimed in the send journal, never confirmed) is not
    made again and shows as one only the clean run made (see :func:`unsure_posts`).
    """
    made, want = Counter(crashed), Counter(clean)
    extra = sum(min(n, 1) for post, n in made.items() if want[post] == 0)
    return extra, sum((want - made).values())


def unsure_posts(db: Path) -> int:
    """Posts in flight at a kill: claimed before sending, never confirmed, so not repeated."""
    with sqlite3.connect(db) as conn:
        return int(
            conn.execute("SELECT COUNT(*) FROM actions WHERE status = 'unsure'").fetchone()[0]
        )
