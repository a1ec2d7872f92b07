"""Configuration: one TOML file validated into typed, frozen models.

Secrets never live in the file: it names the environment variables that hold
them (``token_env = "DISCORD_BOT_TOKEN"``). Every problem is reported as a
:class:`ConfigError` naming the file, the key and the reason.
"""

from __future__ import annotations

import difflib
import os
import tomllib
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, Literal, TypeVar
from urllib.parse import quote, urlsplit, urlunsplit

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from bot.plugins import Registry, default_registry
from bot.sessions import PlannedSession, slugify
from bot.workers import Share

__all__ = [
    "BotConfig",
    "Config",
    "ConfigError",
    "EventConfig",
    "ModelsConfig",
    "PrivacyConfig",
    "RolesConfig",
    "Section",
    "StoreConfig",
    "load_config",
    "parse_config",
]


S = TypeVar("S", bound=BaseModel)


class Section(BaseModel):
    """Base for config sections: unknown keys are errors, values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class ConfigError(Exception):
    """A config file problem: ``file``, ``key`` and ``reason`` say what and where."""

    def __init__(self, file: str, problems: list[tuple[str, str]]) -> None:
        self.file = file
        self.problems = problems
        lines = [
            f"{file}: {key}: {reason}" if key else f"{file}: {reason}" for key, reason in problems
        ]
        super().__init__("\n".join(lines))


class BotConfig(Section):
    name: str = "Roundtable"
    command_prefixes: list[str] = Field(default_factory=lambda: ["/", "!"])
    prompts_dir: Path | None = None
    out_dir: Path = Path("out")
    # Log messages from channels where no event is planned or running (off: only event
    # channels, commands and direct messages to the bot are logged on real platforms).
    log_unmapped_channels: bool = False

    @field_validator("command_prefixes")
    @classmethod
    def _prefixes(cls, value: list[str]) -> list[str]:
        if not value or any(len(p) != 1 or p.isalnum() or p.isspace() for p in value):
            raise ValueError("each prefix must be one punctuation character, like / or !")
        return value


class StoreConfig(Section):
    backend: Literal["sqlite", "postgresql"] = "sqlite"
    path: Path = Path("roundtable.db")
    # A PostgreSQL server instead of the SQLite file ("postgresql://user@host:port/db");
    # the password, if any, from the environment variable named in password_env.
    url: str | None = None
    password_env: str = "ROUNDTABLE_DB_PASSWORD"
    batch_size: int = Field(default=1000, ge=1, le=100_000)

    @field_validator("url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("postgresql://", "postgres://")):
            raise ValueError("use a PostgreSQL URL, like 'postgresql://roundtable@localhost/rt'")
        if value is not None and urlsplit(value).password:
            raise ValueError(
                "keep the password out of the file: set it in the environment variable"
                " named by password_env"
            )
        return value

    @model_validator(mode="after")
    def _backend(self) -> StoreConfig:
        if self.url is not None and self.backend == "sqlite":
            object.__setattr__(self, "backend", "postgresql")  # frozen: set once, here
        if self.backend == "postgresql" and self.url is None:
            raise ValueError("backend 'postgresql' needs url = \"postgresql://user@host:port/db\"")
        return self


class WorkerConfig(Section):
    """This process's share of the work when several run on one PostgreSQL store."""

    # Unique per process: a second process with the same name is refused.
    name: str = "main"
    # The platforms this worker connects to (empty: every configured one).
    platforms: list[str] = Field(default_factory=list)
    # The channels it handles, as platform:community:channel places, * for any part
    # (empty: all). Events elsewhere are left to the worker that owns them.
    channels: list[str] = Field(default_factory=list)
    # Whether it handles direct messages to the bot (one worker per platform may).
    direct_messages: bool = True
    # How often a worker that does not lead the timed jobs asks whether it may.
    leader_check_seconds: float = Field(default=5.0, gt=0.0, le=300.0)

    @field_validator("channels")
    @classmethod
    def _places(cls, value: list[str]) -> list[str]:
        for place in value:
            if place.count(":") < 2:
                raise ValueError(
                    f"{place!r} should be platform:community:channel, like 'discord:*:456'"
                )
        return value

    def share(self) -> Share:
        return Share(self.name, tuple(self.platforms), tuple(self.channels), self.direct_messages)


class ModelsConfig(Section):
    enabled: bool = True
    embeddings: str = "bundled"
    max_length: int = Field(default=128, ge=8, le=512)
    # Threads for model maths (the embedding model and numpy's BLAS). One keeps a bot
    # that shares its machine quick: many threads spin against each other and the
    # event loop. Raise it on a machine of its own for large ingests.
    threads: int = Field(default=1, ge=1, le=64)


class RolesConfig(Section):
    organisers: list[str] = Field(default_factory=list)
    moderators: list[str] = Field(default_factory=list)
    panellists: list[str] = Field(default_factory=list)
    trust_platform_roles: bool = True


class PrivacyConfig(Section):
    pseudonymise_exports: bool = True
    secret_env: str = "ROUNDTABLE_SECRET"
    secret_file: Path | None = None
    keep_anonymous_askers: bool = False
    retention_days: int | None = Field(default=None, ge=1)


class EventConfig(Section):
    id: str
    title: str = ""
    series: str | None = None
    channels: list[str] = Field(default_factory=list)
    starts: datetime | None = None
    """When it is planned to start (``/remindme`` reminds people before it)."""

    @field_validator("id")
    @classmethod
    def _slug(cls, value: str) -> str:
        if slugify(value) != value:
            raise ValueError(f"use lower-case letters, digits and dashes, like {slugify(value)!r}")
        return value

    @field_validator("channels")
    @classmethod
    def _places(cls, value: list[str]) -> list[str]:
        for place in value:
            if place.count(":") < 2:
                raise ValueError(
                    f"{place!r} should be platform:community:channel, like 'discord:123:456'"
                )
        return value

    def planned(self) -> PlannedSession:
        return PlannedSession(self.id, self.title, self.series, tuple(self.channels))


class Config(Section):
    bot: BotConfig = BotConfig()
    store: StoreConfig = StoreConfig()
    models: ModelsConfig = ModelsConfig()
    worker: WorkerConfig = WorkerConfig()
    roles: RolesConfig = RolesConfig()
    privacy: PrivacyConfig = PrivacyConfig()
    events: list[EventConfig] = Field(default_factory=list)
    # The plugins' sections (``[threads]``, ``[discord]``...), validated by their own
    # models: see :func:`parse_config` and :mod:`bot.plugins`.
    sections: dict[str, Any] = Field(default_factory=dict)
    source: str = Field(default="<defaults>", exclude=True)

    def section(self, name: str, kind: type[S]) -> S:
        """The plugin section ``name`` as a ``kind`` (its defaults when absent)."""
        found = self.sections.get(name)
        if found is None:
            return kind()
        if not isinstance(found, kind):
            raise TypeError(f"[{name}] is a {type(found).__name__}, not a {kind.__name__}")
        return found

    def platform_channels(self, registry: Registry) -> dict[str, dict[str, str]]:
        """Per configured platform, its section's ``channels`` map (channel id -> event id)."""
        found: dict[str, dict[str, str]] = {}
        for spec in registry.platforms():
            section = self.sections.get(spec.name)
            if section is not None:
                found[spec.name] = dict(getattr(section, "channels", {}))
        return found

    def planned_sessions(self, registry: Registry) -> list[PlannedSession]:
        """Events from ``[[events]]`` plus the platform sections' channel maps.

        A platform's ``channels = {"123" = "heat-panel"}`` adds the place
        ``platform:*:123`` to the event ``heat-panel`` (created if not listed).
        """
        plans = {e.id: e.planned() for e in self.events}
        for platform, channels in self.platform_channels(registry).items():
            for channel, event_id in channels.items():
                plan = plans.get(event_id) or PlannedSession(event_id)
                place = f"{platform}:*:{channel}"
                plans[event_id] = PlannedSession(
                    plan.slug, plan.title, plan.series, (*plan.places, place)
                )
        return list(plans.values())

    def store_target(self, environ: Mapping[str, str] | None = None) -> str:
        """Where the store is: the PostgreSQL URL (with its password), or the SQLite file."""
        if self.store.url is None:
            return str(self.resolve(self.store.path))
        env = os.environ if environ is None else environ
        password = env.get(self.store.password_env)
        if not password:
            return self.store.url
        parts = urlsplit(self.store.url)
        user = quote(parts.username or "", safe="")
        host = parts.netloc.rsplit("@", 1)[-1]
        netloc = f"{user}:{quote(password, safe='')}@{host}"
        return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))

    def resolve(self, path: Path) -> Path:
        """A path from the config, relative to the config file's folder."""
        if path.is_absolute() or self.source.startswith("<"):
            return path
        return Path(self.source).parent / path


def _known_keys(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    current: Any = model
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        field = current.model_fields.get(part) if hasattr(current, "model_fields") else None
        if field is None:
            return []
        annotation = field.annotation
        args = getattr(annotation, "__args__", ())
        candidates = [
            a for a in (annotation, *args) if isinstance(a, type) and issubclass(a, BaseModel)
        ]
        if not candidates:
            return []
        current = candidates[0]
    return list(current.model_fields) if hasattr(current, "model_fields") else []


def _problems(
    exc: ValidationError, model: type[BaseModel], prefix: tuple[str, ...]
) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        key = ".".join(str(p) if not isinstance(p, int) else f"[{p}]" for p in (*prefix, *loc))
        key = key.replace(".[", "[")
        if err["type"] == "extra_forbidden":
            known = _known_keys(model, loc)
            close = difflib.get_close_matches(str(loc[-1]), known, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            reason = f"unknown key{hint}"
        else:
            reason = err["msg"].removeprefix("Value error, ")
        problems.append((key, reason))
    return problems


def parse_config(
    data: dict[str, Any], source: str = "<config>", registry: Registry | None = None
) -> Config:
    """Validate parsed TOML; raise :class:`ConfigError` naming each bad key.

    The core keys are validated by :class:`Config`; each plugin section by the model
    its spec declares (``registry``, by default every installed plugin). A module's
    section is always present (its defaults when the file leaves it out); a
    platform's only when the file has it, which is what enables the platform.
    """
    if registry is None:
        registry = default_registry()
    for secret_key in _find_secret_keys(data):
        raise ConfigError(
            source,
            [
                (
                    secret_key,
                    "secrets don't belong in the file: put the value in an environment "
                    'variable and name it here with a *_env key (e.g. token_env = "MY_TOKEN")',
                )
            ],
        )
    plugin_sections = registry.sections()
    core_keys = [k for k in Config.model_fields if k not in ("sections", "source")]
    problems: list[tuple[str, str]] = []
    core: dict[str, Any] = {}
    sections: dict[str, Any] = {}
    for key, value in data.items():
        if key in plugin_sections:
            continue
        if key in core_keys:
            core[key] = value
            continue
        close = difflib.get_close_matches(key, [*core_keys, *plugin_sections], n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        problems.append((key, f"unknown section{hint}"))
    for name, (model, always) in plugin_sections.items():
        if name not in data and not always:
            continue
        try:
            sections[name] = model.model_validate(data.get(name, {}))
        except ValidationError as exc:
            problems.extend(_problems(exc, model, (name,)))
    try:
        config = Config.model_validate({**core, "sections": sections, "source": source})
    except ValidationError as exc:
        problems = _problems(exc, Config, ()) + problems
    if problems:
        raise ConfigError(source, problems)
    return config


_SECRET_NAMES = {
    "token",
    "bot_token",
    "app_token",
    "signing_secret",
    "secret",
    "password",
    "api_key",
}


def _find_secret_keys(data: Any, prefix: str = "") -> list[str]:
    found: list[str] = []
    if isinstance(data, dict):
        for key, value in data.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            if key in _SECRET_NAMES and isinstance(value, str):
                found.append(name)
            found.extend(_find_secret_keys(value, name))
    elif isinstance(data, list):
        for i, item in enumerate(data):
            found.extend(_find_secret_keys(item, f"{prefix}[{i}]"))
    return found


def load_config(path: str | Path | None, registry: Registry | None = None) -> Config:
    """Read and validate a config file; ``None`` gives the embedded defaults."""
    if path is None:
        return parse_config({}, "<defaults>")
    path = Path(path)
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(str(path), [("", "file not found")]) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(str(path), [("", f"not valid TOML: {exc}")]) from None
    return parse_config(data, str(path), registry)
