"""Storage: SQLite (or PostgreSQL), the participation log, and what keeps handling crash-safe."""

from bot.store.codec import UnstorableEvent
from bot.store.db import Database, Row, Unit
from bot.store.journal import Journaled, SendJournal
from bot.store.lock import StoreInUse, holder_of
from bot.store.log import CORE_MIGRATIONS, Appended, EventLog, LoggedEvent, SQLiteEventLog
from bot.store.pglog import PostgresEventLog, open_event_log
from bot.store.postgres import PostgresDatabase
from bot.store.schema import table_columns, table_exists

__all__ = [
    "CORE_MIGRATIONS",
    "Appended",
    "Database",
    "EventLog",
    "Journaled",
    "LoggedEvent",
    "PostgresDatabase",
    "PostgresEventLog",
    "Row",
    "SQLiteEventLog",
    "SendJournal",
    "StoreInUse",
    "Unit",
    "UnstorableEvent",
    "holder_of",
    "open_event_log",
    "table_columns",
    "table_exists",
]
