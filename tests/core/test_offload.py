"""The worker process for reports and exports does not outlive a bot killed outright."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

BOT = """
import asyncio, os
from bot.offload import Offload

async def main():
    offload = Offload()
    print(await offload.run(os.getpid), flush=True)
    await asyncio.sleep(600)

asyncio.run(main())
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as fh:  # a zombie has ended, it waits to be reaped
        return fh.read().split(") ")[-1][0] != "Z"


def test_the_worker_ends_when_the_bot_is_killed_with_sigkill() -> None:
    bot = subprocess.Popen(
        [sys.executable, "-c", BOT], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert bot.stdout is not None
        worker = int(bot.stdout.readline())
        assert worker != bot.pid and _alive(worker)
        bot.send_signal(signal.SIGKILL)
        bot.wait(timeout=10)
        deadline = time.monotonic() + 15
        while _alive(worker) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _alive(worker), "the worker outlived the bot"
        # Nothing the bot started keeps its output open: reading it reaches the end.
        _out, err = bot.communicate(timeout=15)
        assert "Traceback" not in err
    finally:
        if bot.poll() is None:
            bot.kill()
