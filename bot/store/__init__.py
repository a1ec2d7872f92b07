"""Storage: the SQLite database and the participation log."""

from bot.store.db import Database, Row
from bot.store.log import CORE_MIGRATIONS, EventLog, LoggedEvent, SQLiteEventLog

__all__ = ["CORE_MIGRATIONS", "Database", "EventLog", "LoggedEvent", "Row", "SQLiteEventLog"]
