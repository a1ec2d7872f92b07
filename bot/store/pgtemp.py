"""A throwaway PostgreSQL server for tests and benches: initdb into a temp folder, run, remove.

:func:`start_server` finds Debian's (or any) PostgreSQL binaries, makes a
cluster in a temporary folder (trust authentication, C locale, no fsync: it
holds test data only), starts it on a free loopback port, and returns a
:class:`TempServer` whose ``url`` a store can open. PostgreSQL refuses to run
as root, so as root the cluster belongs to the ``postgres`` user (the Debian
package makes it) or ``nobody``, and the commands run through ``runuser``.

Nothing here is used by a running bot.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

__all__ = ["NoServer", "TempServer", "find_bindir", "start_server"]


class NoServer(RuntimeError):
    """No PostgreSQL server could be started here (the message says why)."""


def find_bindir() -> Path | None:
    """The folder holding ``initdb`` and ``pg_ctl``, newest version first."""
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
        reverse=True,
    )
    for bindir in candidates:
        if (bindir / "initdb").exists() and (bindir / "pg_ctl").exists():
            return bindir
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _run_as() -> pwd.struct_passwd | None:
    """The unprivileged user to run the server as when we are root (else ``None``)."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name)
    raise NoServer("running as root and there is no 'postgres' or 'nobody' user to run it as")


@dataclass
class TempServer:
    """A running throwaway server; ``stop()`` ends it and removes its folder."""

    folder: Path
    port: int
    user: str
    bindir: Path
    as_user: str | None

    @property
    def url(self) -> str:
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/{self.user}"

    def _cmd(self, *args: str) -> list[str]:
        cmd = [str(self.bindir / args[0]), *args[1:]]
        return ["runuser", "-u", self.as_user, "--", *cmd] if self.as_user else cmd

    def stop(self) -> None:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            subprocess.run(
                self._cmd("pg_ctl", "-D", str(self.folder / "data"), "-m", "immediate", "stop"),
                capture_output=True,
                timeout=60,
                check=False,
            )
        shutil.rmtree(self.folder, ignore_errors=True)


def start_server(user: str = "roundtable", timeout: float = 60.0) -> TempServer:
    """Make and start a throwaway cluster with a database named after ``user``.

    Raises:
        NoServer: no binaries, or the cluster would not start (the log's tail says why).
    """
    bindir = find_bindir()
    if bindir is None:
        raise NoServer(
            "PostgreSQL is not installed (no initdb on PATH or in /usr/lib/postgresql/*/bin);"
            " on Debian: apt-get install postgresql"
        )
    owner = _run_as()
    if owner is not None and shutil.which("runuser") is None:
        raise NoServer("running as root and 'runuser' is missing")
    folder = Path(tempfile.mkdtemp(prefix="roundtable-pg-"))
    if owner is not None:
        os.chown(folder, owner.pw_uid, owner.pw_gid)
    folder.chmod(0o700)
    server = TempServer(folder, _free_port(), user, bindir, owner.pw_name if owner else None)
    data = folder / "data"
    try:
        _check(
            server._cmd(
                "initdb", "-D", str(data), "-U", user, "--auth=trust",
                "--locale=C", "--encoding=UTF8", "--no-sync",
            ),
            "initdb",
        )  # fmt: skip
        options = (
            f"-p {server.port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
            " -c synchronous_commit=off -c full_page_writes=off -c max_connections=100"
        )
        _check(
            server._cmd(
                "pg_ctl", "-D", str(data), "-o", options, "-l", str(folder / "log"),
                "-w", "-t", str(int(timeout)), "start",
            ),
            "pg_ctl start",
            log=folder / "log",
        )  # fmt: skip
        _check(
            server._cmd("createdb", "-h", "127.0.0.1", "-p", str(server.port), "-U", user, user),
            "createdb",
        )
    except BaseException:
        server.stop()
        raise
    return server


def _check(cmd: list[str], what: str, log: Path | None = None) -> None:
    started = time.monotonic()
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    except (OSError, subprocess.SubprocessError) as exc:
        raise NoServer(f"{what} could not run: {exc}") from exc
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-5:]
        if log is not None:
            with contextlib.suppress(OSError):
                tail += log.read_text(errors="replace").strip().splitlines()[-5:]
        raise NoServer(
            f"{what} failed after {time.monotonic() - started:.1f}s: " + " | ".join(tail)
        )
