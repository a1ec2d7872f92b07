"""Events to JSON and back, so a stored but unhandled event can be handled after a restart.

Every field of an event is kept except ``raw`` (the platform's payload, for
debugging only). The encoding is strict: a value that is not what its field
declares (a ``reply_to`` that is an object, a lone surrogate in a text) raises
:class:`UnstorableEvent`, and the bus puts that one event in quarantine.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime
from typing import Any

from bot import events as ev
from bot.events import Event

__all__ = ["UnstorableEvent", "check_text", "decode_event", "encode_event"]

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


_Plan = list[tuple[str, str, bool]]  # field name, base type, may be None
_PLANS: dict[type[Event], _Plan] = {}


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


def decode_event(payload: str) -> Event:
    """Rebuild an event from :func:`encode_event`'s JSON."""
    data: dict[str, Any] = json.loads(payload)
    cls = KINDS[data.pop("kind")]
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
    return cls(**values)
