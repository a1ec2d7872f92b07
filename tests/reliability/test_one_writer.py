"""A second process on the same database is refused, with the holder's pid."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.doctor import doctor
from bot.store import Database, StoreInUse, holder_of
from tests.reliability.driver import ROOT, write_config

HOLD = """
import asyncio, sys
from bot.store import Database
async def main():
    db = await Database.open(sys.argv[1])
    print("open", flush=True)
    sys.stdin.readline()
    await db.close()
asyncio.run(main())
"""


def _cli(*args: str, module: bool = True) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "bot.cli", *args] if module else [sys.executable, *args]
    return subprocess.run(
        command, input="", capture_output=True, text=True, cwd=ROOT, timeout=120, check=False,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip


def _holder(path: Path) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "open"
    return proc


async def test_a_second_process_is_refused_with_the_holders_pid(tmp_path: Path) -> None:
    path = tmp_path / "rt.db"
    proc = _holder(path)
    try:
        with pytest.raises(StoreInUse, match=f"process {proc.pid}"):
            await Database.open(path)
        assert holder_of(path) == proc.pid
        cfg = write_config(tmp_path, path)
        said: list[str] = []
        await doctor(cfg, environ={}, echo=said.append)
        assert any(f"in use by process {proc.pid}" in line for line in said)
        done = await asyncio.to_thread(
            _cli, "export", "heat", "--out", str(tmp_path / "x"), "-c", str(cfg), "--db", str(path)
        )
        assert done.returncode == 2
        assert f"in use by process {proc.pid}" in done.stderr
        assert "Traceback" not in done.stderr
    finally:
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.close()
        proc.wait(timeout=30)
        proc.stdout.close()
    # The holder is gone: the database is free again.
    assert holder_of(path) is None
    db = await Database.open(path)
    await db.close()


async def test_a_killed_holder_leaves_no_stale_lock(tmp_path: Path) -> None:
    path = tmp_path / "rt.db"
    proc = _holder(path)
    proc.kill()
    proc.wait(timeout=30)
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.close()
    proc.stdout.close()
    db = await Database.open(path)  # the kernel dropped the lock with the process
    await db.close()


async def test_one_process_may_open_the_same_database_twice(tmp_path: Path) -> None:
    path = tmp_path / "rt.db"
    first = await Database.open(path)
    second = await Database.open(path)
    await first.close()
    assert holder_of(path) is None  # still held by this process, so nobody else's
    proc = await asyncio.to_thread(_cli, "-c", HOLD, str(path), module=False)
    assert proc.returncode != 0 and "StoreInUse" in proc.stderr
    await second.close()
    db = await Database.open(path)
    await db.close()
