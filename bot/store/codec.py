"""Events to JSON and back, so a stored but unhandled event can be handled after a restart.

Most of an event is in its ``events`` row already; :func:`encode_extra` keeps
only the fields the row lacks (roles, a command's name and arguments, an
interaction id, ``from_bot``, a session change's fields...), and only those
that differ from their defaults, so a plain message has none.
:func:`decode_pending` rebuilds the event from its row and those extras.
(:func:`encode_event` / :func:`decode_event` keep every field; pending rows
written before the extras existed hold that form.) ``raw`` (the platform's
payload, for debugging only) is never kept.

Checking is strict: a value that is not what its field declares (a
``reply_to`` that is an object, a lone surrogate in a text) raises
:class:`UnstorableEvent`, and the bus puts that one event in quarantine.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime
from typing import Any, Protocol

from bot import events as ev
from bot.events import Event

__all__ = [
    "UnstorableEvent",
    "check_text",
    "decode_event",
    "decode_pending",
    "encode_event",
    "encode_extra",
]

KINDS: dict[str, type[Event]] = {
    cls.__name__: cls
    for cls in (
        ev.MessagePosted,
        ev.MessageEdited,
        ev.MessageDeleted,
        ev.ReactionAdded,
        ev.ReactionRemoved,
        ev.MemberJoined,
        ev.MemberLeft,
        ev.CommandIssued,
        ev.SessionChanged,
    )
}


class UnstorableEvent(ValueError):
    """An event that cannot be stored as it is; the message says why."""


def check_text(name: str, value: str) -> None:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise UnstorableEvent(
            f"{name} has a character that is not valid text ({exc.reason} at {exc.start})"
        ) from None


class _Row(Protocol):
    def __getitem__(self, key: str) -> Any: ...


_Plan = list[tuple[str, str, bool]]  # field name, base type, may be None
_PLANS: dict[type[Event], _Plan] = {}

_IN_ROW_ALWAYS = frozenset(
    {"platform", "community", "channel", "thread", "author", "author_name", "ts", "private"}
)
IN_ROW: dict[str, frozenset[str]] = {
    "MessagePosted": frozenset({"message_id", "text", "reply_to", "mentions", "links"}),
    "MessageEdited": frozenset({"message_id", "text", "mentions", "links"}),
    "MessageDeleted": frozenset({"message_id"}),
    "ReactionAdded": frozenset({"message_id", "emoji"}),
    "ReactionRemoved": frozenset({"message_id", "emoji"}),
    "CommandIssued": frozenset({"message_id", "reply_to"}),
}
"""Fields of each kind the ``events`` row holds (besides the common ones)."""

_Extra = list[tuple[str, str, bool, bool, object]]  # name, base, optional, in row, default
_EXTRAS: dict[type[Event], _Extra] = {}
_NO_DEFAULT = object()


def _extra_plan(cls: type[Event]) -> _Extra:
    plan = _EXTRAS.get(cls)
    if plan is None:
        row = _IN_ROW_ALWAYS | IN_ROW.get(cls.__name__, frozenset())
        defaults = {
            f.name: f.default
            if f.default is not dataclasses.MISSING
            else (
                f.default_factory() if f.default_factory is not dataclasses.MISSING else _NO_DEFAULT
            )
            for f in dataclasses.fields(cls)
        }
        plan = [(n, b, o, n in row, defaults[n]) for n, b, o in _plan(cls)]
        _EXTRAS[cls] = plan
    return plan


def _plan(cls: type[Event]) -> _Plan:
    plan = _PLANS.get(cls)
    if plan is None:
        plan = []
        for f in dataclasses.fields(cls):
            if f.name == "raw":
                continue
            declared = str(f.type)
            plan.append(
                (f.name, declared.removesuffix("| None").strip(), declared.endswith("| None"))
            )
        _PLANS[cls] = plan
    return plan


def _check(name: str, base: str, value: Any) -> Any:
    """Check one field against its declared type; return its JSON form."""
    if base == "str":
        if not isinstance(value, str):
            raise UnstorableEvent(f"{name} should be text, not {type(value).__name__}")
        return value
    if base == "bool":
        if not isinstance(value, bool):
            raise UnstorableEvent(f"{name} should be true or false, not {type(value).__name__}")
        return value
    if base == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            raise UnstorableEvent(f"{name} should be a number, not {type(value).__name__}")
        return value
    if base == "datetime":
        if not isinstance(value, datetime):
            raise UnstorableEvent(f"{name} should be a time, not {type(value).__name__}")
        return value.isoformat()
    if base in ("tuple[str, ...]", "frozenset[str]"):
        if not isinstance(value, tuple | frozenset | list | set):
            raise UnstorableEvent(f"{name} should be a list, not {type(value).__name__}")
        if not value:
            return []
        items = sorted(value) if base.startswith("frozenset") else list(value)
        for item in items:
            if not isinstance(item, str):
                raise UnstorableEvent(f"{name} should list texts, not {type(item).__name__}")
        return items
    raise UnstorableEvent(f"{name} has a type the store does not know ({base})")


def encode_event(event: Event) -> str:
    """The event as JSON (without ``raw``).

    Raises:
        UnstorableEvent: a field does not hold what it declares, or holds text
            that is not valid (a lone surrogate).
    """
    cls = type(event)
    if cls.__name__ not in KINDS:
        raise UnstorableEvent(f"unknown kind of event {cls.__name__}")
    data: dict[str, Any] = {"kind": cls.__name__}
    for name, base, optional in _plan(cls):
        value = getattr(event, name)
        if value is None:
            if not optional:
                raise UnstorableEvent(f"{name} is missing")
            data[name] = None
        else:
            data[name] = _check(name, base, value)
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    try:
        payload.encode("utf-8")  # one check for every text at once
    except UnicodeEncodeError:
        for name, value in data.items():
            for text in value if isinstance(value, list) else [value]:
                if isinstance(text, str):
                    check_text(name, text)
        raise UnstorableEvent("a field has text that is not valid") from None
    return payload


def encode_extra(event: Event) -> str:
    """Check every field of the event; return, as JSON, those its ``events`` row lacks.

    ``""`` when there are none (a plain message). A field left at its default
    is neither checked nor kept. Raises like :func:`encode_event`.
    """
    cls = type(event)
    if cls.__name__ not in KINDS:
        raise UnstorableEvent(f"unknown kind of event {cls.__name__}")
    texts: list[str] = []
    extra: dict[str, Any] | None = None
    for name, base, optional, in_row, default in _extra_plan(cls):
        value = getattr(event, name)
        if value is None:
            if not optional:
                raise UnstorableEvent(f"{name} is missing")
            continue
        if base == "str":
            if type(value) is not str and not isinstance(value, str):
                raise UnstorableEvent(f"{name} should be text, not {type(value).__name__}")
            texts.append(value)
            if in_row or value == default:
                continue
            checked: Any = value
        elif value == default and type(value) is type(default):
            continue
        elif in_row and base == "datetime":
            if not isinstance(value, datetime):
                raise UnstorableEvent(f"{name} should be a time, not {type(value).__name__}")
            continue
        else:
            checked = _check(name, base, value)
            if isinstance(checked, list):
                texts.extend(checked)
            if in_row:
                continue
        if extra is None:
            extra = {}
        extra[name] = checked
    try:
        "\n".join(texts).encode("utf-8")  # one check for every text at once
    except UnicodeEncodeError:
        for name, _, _, _, _ in _extra_plan(cls):
            value = getattr(event, name)
            for text in value if isinstance(value, tuple | frozenset) else [value]:
                if isinstance(text, str):
                    check_text(name, text)
        raise UnstorableEvent("a field has text that is not valid") from None
    if extra is None:
        return ""
    return json.dumps(extra, ensure_ascii=False, separators=(",", ":"))


def decode_pending(row: _Row, extra: str) -> Event:
    """Rebuild a pending event from its ``events`` row and :func:`encode_extra`'s JSON."""
    if extra.startswith('{"kind":'):
        return decode_event(extra)  # written before extras: the whole event
    cls = KINDS[str(row["kind"])]
    values: dict[str, Any] = {
        "platform": row["platform"],
        "community": row["community"],
        "channel": row["channel"],
        "thread": row["thread"],
        "author": row["author"],
        "author_name": row["author_name"],
        "ts": datetime.fromisoformat(row["ts"]),
        "private": bool(row["private"]),
    }
    for name in IN_ROW.get(cls.__name__, ()):
        if name in ("mentions", "links"):
            values[name] = tuple(json.loads(row[name]))
        else:
            values[name] = row[name]
    if extra:
        values.update(_typed(cls, json.loads(extra)))
    return cls(**values)


def _typed(cls: type[Event], data: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if f.name not in data:
            continue
        value = data[f.name]
        declared = str(f.type)
        if value is not None and "datetime" in declared:
            value = datetime.fromisoformat(value)
        elif value is not None and declared.startswith("tuple"):
            value = tuple(value)
        elif value is not None and declared.startswith("frozenset"):
            value = frozenset(value)
        values[f.name] = value
    return values


def decode_event(payload: str) -> Event:
    """Rebuild an event from :func:`encode_event`'s JSON."""
    data: dict[str, Any] = json.loads(payload)
    cls = KINDS[data.pop("kind")]
    return cls(**_typed(cls, data))
