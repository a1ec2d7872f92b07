"""SQLite's SQL, as the core and the modules write it, said in PostgreSQL.

The core and every module write their statements once, in the SQLite dialect
(``?`` placeholders, ``INSERT OR IGNORE``/``OR REPLACE``, ``INTEGER PRIMARY
KEY AUTOINCREMENT``...). The PostgreSQL store passes each statement through
:func:`statement` (and each migration through :func:`schema`) so that modules
need no second copy of their SQL. What is translated, and why:

* ``?`` -> ``$1, $2...``;
* ``INSERT OR IGNORE`` -> ``ON CONFLICT DO NOTHING``; ``INSERT OR REPLACE`` ->
  ``ON CONFLICT (<the table's key>) DO UPDATE`` of every other column;
* ``LIKE`` -> ``ILIKE`` (SQLite's LIKE ignores case);
* ``ORDER BY x`` -> ``ORDER BY x NULLS FIRST`` (``DESC``: ``NULLS LAST``), as
  SQLite sorts NULL lowest; ids and sequence numbers are never NULL and are
  left alone, so their indexes still serve the ordering;
* ``user`` (a column name; a reserved word in PostgreSQL) is quoted;
* ``PRAGMA table_info(t)`` reads ``information_schema``; other pragmas do nothing;
* in migrations, ``INTEGER`` is ``BIGINT`` (SQLite integers are 64-bit), an
  ``INTEGER PRIMARY KEY`` is a ``BIGSERIAL``, ``REAL`` is ``DOUBLE PRECISION``,
  ``BLOB`` is ``BYTEA``, and ``TEXT`` compares byte-wise (``COLLATE "C"``) as
  in SQLite, whatever the database's locale.

``sqlite_master`` and ``instr()`` exist in PostgreSQL as a view and a function
the store creates (:mod:`bot.store.postgres`). Text inside quotes is never
touched.
"""

from __future__ import annotations

import re
from collections.abc import Callable

__all__ = ["NOT_NULL_ORDER", "schema", "statement"]

_QUOTED = re.compile(r"'(?:[^']|'')*'|\"[^\"]*\"")
_MASK = re.compile(r"\x00(\d+)\x00")
# columns that are keys: never NULL, so an ORDER BY on them needs no NULLS clause
NOT_NULL_ORDER = frozenset({"seq", "id", "rowid"})


def _mask(sql: str) -> tuple[str, list[str]]:
    kept: list[str] = []

    def keep(m: re.Match[str]) -> str:
        kept.append(m.group(0))
        return f"\x00{len(kept) - 1}\x00"

    return _QUOTED.sub(keep, sql), kept


def _unmask(sql: str, kept: list[str]) -> str:
    return _MASK.sub(lambda m: kept[int(m.group(1))], sql)


_PLACEHOLDER = re.compile(r"\?")
_USER = re.compile(r"(?<![\w.\"$])\buser\b(?!\s*\()", re.IGNORECASE)
_LIKE = re.compile(r"\bLIKE\b", re.IGNORECASE)
_OR_IGNORE = re.compile(r"^\s*INSERT\s+OR\s+IGNORE\s+INTO\b", re.IGNORECASE)
_OR_REPLACE = re.compile(
    r"^\s*INSERT\s+OR\s+REPLACE\s+INTO\s+(\w+)\s*\(([^)]*)\)", re.IGNORECASE | re.DOTALL
)
_RETURNING = re.compile(r"\bRETURNING\b", re.IGNORECASE)
_AS_REAL = re.compile(r"\bAS\s+REAL\b", re.IGNORECASE)
_PRAGMA = re.compile(r"^\s*PRAGMA\s+(\w+)\s*(?:\(\s*(\w+)\s*\))?\s*;?\s*$", re.IGNORECASE)
_ORDER_BY = re.compile(r"\bORDER\s+BY\b", re.IGNORECASE)
_ORDER_END = re.compile(
    r"\b(LIMIT|OFFSET|FOR|UNION|EXCEPT|INTERSECT|RETURNING|ROWS|RANGE)\b", re.IGNORECASE
)

KeysOf = Callable[[str], tuple[str, ...]]


def statement(sql: str, keys_of: KeysOf) -> str:
    """One statement (or query) in PostgreSQL's dialect.

    Args:
        sql: the statement as written for SQLite.
        keys_of: the conflict columns of a table (its primary key, else its first
            unique constraint), for ``INSERT OR REPLACE``.
    """
    pragma = _PRAGMA.match(sql)
    if pragma is not None:
        if pragma.group(1).lower() == "table_info" and pragma.group(2):
            return (
                "SELECT column_name AS name FROM information_schema.columns"
                " WHERE table_schema = current_schema()"
                f" AND table_name = '{pragma.group(2).lower()}' ORDER BY ordinal_position"
            )
        return "SELECT NULL WHERE FALSE"
    masked, kept = _mask(sql)
    counter = iter(range(1, 1_000_000))
    masked = _PLACEHOLDER.sub(lambda _m: f"${next(counter)}", masked)
    masked = _LIKE.sub("ILIKE", masked)
    masked = _AS_REAL.sub("AS DOUBLE PRECISION", masked)
    conflict: str | None = None
    if _OR_IGNORE.match(masked):
        masked = _OR_IGNORE.sub("INSERT INTO", masked, count=1)
        conflict = " ON CONFLICT DO NOTHING"
    else:
        replace = _OR_REPLACE.match(masked)
        if replace is not None:
            table = replace.group(1)
            cols = [c.strip() for c in replace.group(2).split(",") if c.strip()]
            keys = keys_of(table)
            if not keys:
                raise ValueError(f"INSERT OR REPLACE into {table}: it has no key to replace on")
            masked = re.sub(r"\s+OR\s+REPLACE", "", masked, count=1, flags=re.IGNORECASE)
            others = [c for c in cols if c.lower() not in {k.lower() for k in keys}]
            target = ", ".join(keys)
            if others:
                sets = ", ".join(f"{c} = EXCLUDED.{c}" for c in others)
                conflict = f" ON CONFLICT ({target}) DO UPDATE SET {sets}"
            else:
                conflict = f" ON CONFLICT ({target}) DO NOTHING"
    if conflict is not None:
        masked = masked.rstrip().rstrip(";")
        ret = _RETURNING.search(masked)
        if ret is not None:
            masked = masked[: ret.start()].rstrip() + conflict + " " + masked[ret.start() :]
        else:
            masked += conflict
    masked = _nulls_like_sqlite(masked)
    masked = _USER.sub('"user"', masked)
    return _unmask(masked, kept)


def _nulls_like_sqlite(sql: str) -> str:
    out: list[str] = []
    pos = 0
    for m in _ORDER_BY.finditer(sql):
        if m.start() < pos:
            continue
        out.append(sql[pos : m.end()])
        i = m.end()
        depth = 0
        term_start = i
        terms: list[str] = []
        while i < len(sql):
            ch = sql[i]
            if ch == "(":
                depth += 1
            elif ch == ")":
                if depth == 0:
                    break
                depth -= 1
            elif ch == "," and depth == 0:
                terms.append(sql[term_start:i])
                term_start = i + 1
            elif ch == ";" and depth == 0:
                break
            elif depth == 0 and (ch.isalpha()) and (i == 0 or not sql[i - 1].isalnum()):
                end = _ORDER_END.match(sql, i)
                if end is not None:
                    break
            i += 1
        terms.append(sql[term_start:i])
        out.append(",".join(_nulls(t) for t in terms))
        pos = i
    out.append(sql[pos:])
    return "".join(out)


def _nulls(term: str) -> str:
    body = term.rstrip()
    trail = term[len(body) :]
    words = body.split()
    if not words or "NULLS" in (w.upper() for w in words):
        return term
    last = words[-1].upper()
    column = words[0].split(".")[-1].lower() if len(words) <= 2 else ""
    if column in NOT_NULL_ORDER:
        return term
    if last == "DESC":
        return f"{body} NULLS LAST{trail}"
    return f"{body} NULLS FIRST{trail}"


_COLUMN_TYPE = re.compile(
    r"(?P<lead>(?:^|[(,]|\bADD\s+COLUMN)\s*)(?P<name>\w+)\s+"
    r"(?P<type>INTEGER\s+PRIMARY\s+KEY(?:\s+AUTOINCREMENT)?|INTEGER|TEXT|REAL|BLOB)\b",
    re.IGNORECASE | re.MULTILINE,
)
_WITHOUT_ROWID = re.compile(r"\)\s*(WITHOUT\s+ROWID|STRICT)\b", re.IGNORECASE)


def schema(script: str) -> str:
    """A migration script (one or more DDL statements) in PostgreSQL's dialect."""
    masked, kept = _mask(script)

    def column(m: re.Match[str]) -> str:
        kind = " ".join(m.group("type").upper().split())
        if kind.startswith("INTEGER PRIMARY KEY"):
            new = "BIGSERIAL PRIMARY KEY"
        else:
            new = {
                "INTEGER": "BIGINT",
                "TEXT": 'TEXT COLLATE "C"',
                "REAL": "DOUBLE PRECISION",
                "BLOB": "BYTEA",
            }[kind]
        name = m.group("name")
        if name.lower() == "user":
            name = '"user"'
        return f"{m.group('lead')}{name} {new}"

    masked = _COLUMN_TYPE.sub(column, masked)
    masked = _WITHOUT_ROWID.sub(")", masked)
    masked = _USER.sub('"user"', masked)
    return _unmask(masked, kept)
