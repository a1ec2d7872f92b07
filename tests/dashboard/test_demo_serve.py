"""``roundtable demo --serve``: one line with a working sign-in link, served until interrupted."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
from pathlib import Path

import aiohttp
import pytest

ROOT = Path(__file__).resolve().parents[2]

# ``roundtable`` as started from a terminal, where Ctrl+C reaches it. A suite started
# in the background (``nohup``, ``cmd &``, some CI runners) ignores SIGINT, and every
# child inherits that: the bot would never see the Ctrl+C this test sends.
AS_FROM_A_TERMINAL = (
    "import runpy, signal, sys;"
    "signal.signal(signal.SIGINT, signal.default_int_handler);"
    "sys.argv[0] = 'roundtable';"
    "runpy.run_module('bot.cli', run_name='__main__')"
)


@pytest.mark.slow
async def test_demo_serve_prints_a_working_link(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1"}
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        AS_FROM_A_TERMINAL,
        "demo",
        "--serve",
        "--port",
        "0",
        "--out",
        str(tmp_path / "out"),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
        env=env,
        cwd=tmp_path,
    )
    assert proc.stdout is not None
    try:
        line = (await asyncio.wait_for(proc.stdout.readline(), 240)).decode()
        found = re.fullmatch(r"Dashboard: (http://127\.0\.0\.1:\d+/\S+)\n", line)
        assert found is not None, line
        jar = aiohttp.CookieJar(unsafe=True)  # cookies for a bare IP address
        async with (
            aiohttp.ClientSession(cookie_jar=jar) as http,
            http.get(found.group(1)) as resp,
        ):
            assert resp.status == 200
            assert str(resp.url).endswith("/e/heat-homes-health")
            page = await resp.text()
        assert "Heat, homes and health" in page and "Riverside Events, organiser" in page
        assert 'data-live="/e/heat-homes-health/stream"' in page
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGINT)
        rest = (await asyncio.wait_for(proc.stdout.read(), 60)).decode()
        code = await asyncio.wait_for(proc.wait(), 60)
    assert "Dashboard:" not in rest  # the link is printed once
    assert code in (0, 130)
