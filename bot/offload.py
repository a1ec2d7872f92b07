"""Heavy work out of the event loop's process: rendering, charts, files, archives.

Drawing a report's charts (matplotlib), filling its templates (Jinja) and writing an
export's CSV, GraphML and zip take seconds of pure Python on a big event. In a thread
they would still hold the GIL against the loop (every channel waits); so they run in
a separate worker process, started on first use with the ``spawn`` method (no copy
of the bot's loop, sockets or locks). The work is passed as plain data: a
module-level function and picklable arguments (dataclasses, dicts, paths), never a
store, a session registry or the bot. Model calls, which release the GIL, run in
threads instead (:mod:`bot.embeddings`, ``asyncio.to_thread``).

The worker ignores Ctrl+C (the bot decides when to stop, then closes the pool) and
writes nothing to the bot's standard output, so a terminal or a test reading the
bot's output sees it end when the bot ends.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import ParamSpec, TypeVar

__all__ = ["Offload", "off_loop"]

log = logging.getLogger("roundtable.offload")

P = ParamSpec("P")
R = TypeVar("R")


def _quiet_worker(parent: int) -> None:
    """The worker's start: no Ctrl+C, no output on the bot's terminal, and no life
    after the bot's: a bot killed outright (kill -9, out of memory) cannot close the
    pool, and the pool's queue keeps its worker waiting for ever, holding the files the
    bot had open (a supervisor reading the bot's output would never see it end)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_watch_parent, args=(parent,), name="watch-bot", daemon=True).start()
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    os.close(devnull)


def _watch_parent(parent: int, every: float = 0.5) -> None:
    """End this worker once ``parent`` (the bot) has gone: it is then re-parented."""
    while os.getppid() == parent:
        time.sleep(every)
    os._exit(0)


class Offload:
    """One worker process for the bot's heavy, GIL-bound work.

    Args:
        workers: processes in the pool (one: reports and exports are rare, and the
            machine's other core belongs to the loop and the models).
    """

    def __init__(self, workers: int = 1) -> None:
        self._workers = workers
        self._pool: ProcessPoolExecutor | None = None

    async def run(self, fn: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        """``fn(*args, **kwargs)`` in the worker process; its result or its exception.

        ``fn`` must be a module-level function, and its arguments and result
        picklable plain data.
        """
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._ensure(), _call, fn, args, kwargs)
        except BrokenProcessPool:
            # The worker died (killed, out of memory): start a fresh one and try once more.
            log.warning("the worker process stopped; starting a new one")
            self._discard()
            return await loop.run_in_executor(self._ensure(), _call, fn, args, kwargs)

    def _ensure(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=self._workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_quiet_worker,
                initargs=(os.getpid(),),
            )
        return self._pool

    def _discard(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    async def aclose(self) -> None:
        """Finish the work already started, then stop the worker (off the loop)."""
        pool, self._pool = self._pool, None
        if pool is not None:
            await asyncio.to_thread(pool.shutdown, wait=True, cancel_futures=True)


async def off_loop(
    offload: Offload | None, fn: Callable[P, R], *args: P.args, **kwargs: P.kwargs
) -> R:
    """``fn`` in ``offload``'s worker process, or in a thread when there is none
    (the command line, tests of one part: nothing else waits on their loop)."""
    if offload is None:
        return await asyncio.to_thread(fn, *args, **kwargs)
    return await offload.run(fn, *args, **kwargs)


def _call(fn: Callable[..., R], args: tuple[object, ...], kwargs: dict[str, object]) -> R:
    return fn(*args, **kwargs)
