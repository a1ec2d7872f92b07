"""Test-wide guards: no network beyond loopback, and no ERROR from a platform library."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import os
import socket
import threading
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from facilitation.base import EmbedderProvider

LIBRARY_LOGGERS = ("discord", "telegram", "slack_bolt", "slack_sdk", "aiohttp")
_LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


def _is_local(host: Any) -> bool:
    if host is None:
        return True
    if isinstance(host, bytes):
        host = host.decode()
    host = str(host)
    if host in _LOCAL_NAMES or host == "":
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


class NetworkBlocked(OSError):
    pass


_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex
_real_getaddrinfo = socket.getaddrinfo


def _guarded_connect(self: socket.socket, address: Any) -> Any:
    if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_local(address[0]):
        raise NetworkBlocked(f"tests may not connect to {address!r}")
    return _real_connect(self, address)


def _guarded_connect_ex(self: socket.socket, address: Any) -> Any:
    if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_local(address[0]):
        raise NetworkBlocked(f"tests may not connect to {address!r}")
    return _real_connect_ex(self, address)


def _guarded_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
    if not _is_local(host):
        raise NetworkBlocked(f"tests may not look up {host!r}")
    return _real_getaddrinfo(host, *args, **kwargs)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "library_errors_expected: the test provokes a platform library ERROR on purpose"
    )
    socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign]
    socket.getaddrinfo = _guarded_getaddrinfo


class _ErrorCatcher(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(autouse=True)
def _fail_on_library_errors(request: pytest.FixtureRequest) -> Iterator[None]:
    """All three platform libraries log handler exceptions instead of raising them."""
    catcher = _ErrorCatcher()
    for name in LIBRARY_LOGGERS:
        logging.getLogger(name).addHandler(catcher)
    yield
    for name in LIBRARY_LOGGERS:
        logging.getLogger(name).removeHandler(catcher)
    if request.node.get_closest_marker("library_errors_expected"):
        return
    messages = [f"{r.name}: {r.getMessage()}" for r in catcher.records]
    assert not messages, f"a platform library logged errors: {messages}"


@pytest.fixture(scope="session")
def embedder_provider() -> Iterator[Any]:
    """The real bundled MiniLM, loaded once for the whole run."""

    provider = EmbedderProvider("bundled")
    yield provider
    provider.close()


# -- PostgreSQL: a throwaway server for the backend tests ------------------------------------
# ROUNDTABLE_TEST_POSTGRES="postgresql://user@127.0.0.1:5432/db" uses a server you run;
# otherwise one is made with initdb in a temp folder for the session and removed after.


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """The URL of a PostgreSQL server for this run (skips only where none can be started)."""

    from bot.store.pgtemp import NoServer, start_server  # noqa: PLC0415  # lazy: PostgreSQL parts only for the tests that ask for a server

    configured = os.environ.get("ROUNDTABLE_TEST_POSTGRES")
    if configured:
        yield configured
        return
    try:
        server = start_server()
    except NoServer as exc:
        pytest.skip(f"PostgreSQL backend tests skipped: no server could be started ({exc})")
    try:
        yield server.url
    finally:
        server.stop()


def _on_server(url: str, sql: str) -> None:

    import asyncpg  # noqa: PLC0415  # lazy: as above

    async def run() -> None:
        conn = await asyncpg.connect(url)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    # a thread of its own: the test's event loop may already be running
    failure: list[BaseException] = []

    def target() -> None:
        try:
            asyncio.run(run())
        except BaseException as exc:
            failure.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if failure:
        raise failure[0]


@pytest.fixture
def postgres_url(postgres_server: str) -> Iterator[str]:
    """A store URL on the test server with a fresh, empty schema of its own."""

    schema = f"t_{uuid.uuid4().hex[:16]}"
    _on_server(postgres_server, f"CREATE SCHEMA {schema}")
    sep = "&" if "?" in postgres_server else "?"
    try:
        yield f"{postgres_server}{sep}search_path={schema}"
    finally:
        _on_server(postgres_server, f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture(params=["sqlite", "postgresql"])
def store_target(request: pytest.FixtureRequest, tmp_path: Any) -> str:
    """Each store backend in turn: a SQLite file, then a PostgreSQL schema."""
    if request.param == "sqlite":
        return str(tmp_path / "rt.db")
    return str(request.getfixturevalue("postgres_url"))
