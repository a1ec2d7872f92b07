"""Kill -9 a real replay process several times; the result equals an uninterrupted run.

The full figure (20 kills during 5,000 messages) is ``python -m bench.bench_crash``.
"""

from __future__ import annotations

from pathlib import Path

from tests.reliability import driver

MESSAGES = 240
KILLS = 5


def test_kill_9_cycles_lose_nothing_and_repeat_nothing(tmp_path: Path) -> None:
    transcript = tmp_path / "t.jsonl"
    driver.write_transcript(transcript, MESSAGES, seed=11)

    clean_dir = tmp_path / "clean"
    clean_dir.mkdir()
    clean_db = clean_dir / "rt.db"
    clean = driver.replay_once(
        driver.write_config(clean_dir, clean_db), transcript, clean_db, clean_dir / "out.txt"
    )

    crash_dir = tmp_path / "crash"
    crash_dir.mkdir()
    crash_db = crash_dir / "rt.db"
    crashed = driver.replay_with_kills(
        driver.write_config(crash_dir, crash_db),
        transcript,
        crash_db,
        crash_dir / "out.txt",
        kills=KILLS,
        total=MESSAGES,
        seed=3,
    )

    assert crashed.kills >= KILLS - 1  # a run may finish before its kill is due
    want, got = driver.state(clean_db), driver.state(crash_db)
    assert len(want["questions"]) > 20 and len(want["votes"]) > 20 and want["answers"]
    for part in driver.COMPARED:
        assert got[part] == want[part], part
    assert want["digests"]  # the rolling summaries ran
    assert got["pending"] == []
    assert driver.duplicate_posts(crashed.posts, clean.posts) == 0
    # Posts are the ones an uninterrupted run makes: the hint once per person,
    # one acknowledgement a minute, a thread offered once (module state kept in
    # the modules' tables); only a post in flight at a kill may be missing.
    assert len(clean.posts) > 40
    only_crashed, only_clean = driver.divergent_posts(crashed.posts, clean.posts)
    assert only_crashed == 0
    assert only_clean <= driver.unsure_posts(crash_db)
    assert "Traceback" not in crashed.stderr
