"""The plugin registry: how platforms and modules join Roundtable without the core naming them.

A platform or a facilitation module is a folder with a ``plugin.py`` that defines
``SPEC`` (one :class:`PlatformSpec`, :class:`ModuleSpec` or :class:`ToolSpec`) or
``SPECS`` (several).
The spec says everything the core needs: the config section's name and model, a
factory, the checks ``roundtable doctor`` runs, and any ``roundtable`` sub-commands.

Discovery: :func:`default_registry` looks in the plugin packages
(:data:`PLUGIN_PACKAGES`, plus any named in the ``ROUNDTABLE_PLUGINS`` environment
variable, comma-separated) and imports ``<package>.<folder>.plugin`` for every
sub-folder that has one. The core knows *where* plugins live, never *which* exist:
adding a folder with a ``plugin.py`` is the whole registration.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import pkgutil
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Literal

from pydantic import BaseModel

from bot.adapter import Adapter
from bot.clock import Clock
from bot.exports import ExportFactory, Exports, LiveExportFactory

__all__ = [
    "PLUGIN_PACKAGES",
    "CliCommand",
    "DoctorLine",
    "ModuleSpec",
    "PlatformContext",
    "PlatformSpec",
    "PluginError",
    "Registry",
    "ServeRequest",
    "ToolSpec",
    "default_registry",
]

PLUGIN_PACKAGES: tuple[str, ...] = ("adapters", "facilitation")
"""The packages whose sub-folders may hold plugins (``ROUNDTABLE_PLUGINS`` adds more)."""

DoctorLine = tuple[bool, str]
"""One line of ``roundtable doctor``: whether it is fine, and what to say."""


class PluginError(Exception):
    """A plugin is malformed (two specs with one name, a ``plugin.py`` without a spec)."""


@dataclass(frozen=True)
class CliCommand:
    """A ``roundtable`` sub-command a plugin adds.

    ``main`` parses its own arguments (``argv`` is everything after the command's
    name) and returns the exit code; give it as ``"package.module:function"`` to
    import it only when the command runs (keeps ``roundtable --help`` quick).
    ``group`` nests it: ``CliCommand("threads", group="eval")`` is
    ``roundtable eval threads``.
    """

    name: str
    help: str
    main: Callable[[list[str]], int] | str
    group: str | None = None

    @property
    def path(self) -> tuple[str, ...]:
        return (self.group, self.name) if self.group else (self.name,)

    def __call__(self, argv: list[str]) -> int:
        main = self.main
        if isinstance(main, str):
            module, _, attr = main.partition(":")
            main = getattr(importlib.import_module(module), attr)
        return int(main(argv))


@dataclass(frozen=True)
class PlatformContext:
    """What a platform factory gets besides its config section."""

    environ: Mapping[str, str]
    commands: list[tuple[str, str]]
    clock: Clock
    settle: Callable[[], Awaitable[None]]


@dataclass(frozen=True)
class PlatformSpec:
    """A chat platform.

    Args:
        name: the config section (``[discord]``) and the events' ``platform``.
        config: the section's model. Its ``channels`` field, if it has one, maps channel
            ids to event ids (planned events).
        factory: builds the adapter from its section and the context.
        check_env: what is missing or malformed in the environment (tokens), as sentences.
        runs: ``"configured"``: a real platform, enabled by its section being in the
            config, whose channels are logged only where an event is planned or running;
            ``"fallback"``: ``roundtable run`` opens it when no platform is configured
            (the console room); ``"never"``: driven by its own commands (replays).
            The sections of the last two are always present, with their defaults.
        commands: ``roundtable`` sub-commands.
        order: platforms start in this order (then by name).
    """

    name: str
    config: type[BaseModel]
    factory: Callable[[Any, PlatformContext], Adapter] | None = None
    check_env: Callable[[Any, Mapping[str, str]], list[str]] | None = None
    runs: Literal["configured", "fallback", "never"] = "configured"
    commands: Sequence[CliCommand] = ()
    order: int = 50


@dataclass(frozen=True)
class ServeRequest:
    """What a command asks of the modules that serve something (a web page) while it runs.

    Args:
        port: the port to use instead of the configured one.
        guest: ``(platform, user id, display name)`` of someone to print a sign-in
            link for (the demo's organiser), and ``slug`` the event it should open.
        always: serve even where the config leaves serving off (``demo --serve``).
    """

    port: int | None = None
    guest: tuple[str, str, str] | None = None
    slug: str | None = None
    always: bool = False


@dataclass(frozen=True)
class ModuleSpec:
    """A facilitation module.

    Args:
        name: the module's name and its config section (``[threads]``).
        factory: ``(services, section) -> module``: builds the module
            (:class:`bot.module.Module`) from the shared :class:`bot.module.Services`
            and its config section (``None`` when it has no ``config``).
        config: the section's model (defaults apply when the section is absent).
        doctor: ``(section, config) -> lines``: checks for ``roundtable doctor``.
        serve: ``async (module, request) -> lines``: start what the module serves
            while the bot runs (``roundtable run``, ``roundtable demo --serve``); each
            line is printed, to stderr when it is not fine.
        commands: ``roundtable`` sub-commands.
        order: modules see each event in this order (then by name); lower is earlier.
        exports: what other modules may read of this one's data (:mod:`bot.exports`):
            name -> ``factory(db)``. Works without the module being built (the CLI).
        live_exports: views of the running module's state (:mod:`bot.exports`):
            name -> ``factory(module)``, offered once the module is built.
    """

    name: str
    # Typed loosely: bot.module and bot.config depend on this module, not the reverse.
    factory: Callable[[Any, Any], Any]
    config: type[BaseModel] | None = None
    doctor: Callable[[Any, Any], list[DoctorLine]] | None = None
    serve: Callable[[Any, ServeRequest], Awaitable[list[DoctorLine]]] | None = None
    commands: Sequence[CliCommand] = ()
    order: int = 50
    exports: Mapping[str, ExportFactory] = field(default_factory=dict)
    live_exports: Mapping[str, LiveExportFactory] = field(default_factory=dict)


@dataclass(frozen=True)
class ToolSpec:
    """A library that only adds ``roundtable`` sub-commands (an evaluation, say)."""

    name: str
    commands: Sequence[CliCommand]


Spec = PlatformSpec | ModuleSpec | ToolSpec


@dataclass
class Registry:
    """The specs Roundtable was assembled from."""

    _platforms: dict[str, PlatformSpec] = field(default_factory=dict)
    _modules: dict[str, ModuleSpec] = field(default_factory=dict)
    _tools: dict[str, ToolSpec] = field(default_factory=dict)

    def register(self, spec: Spec) -> None:
        """Add a platform, a module or a tool; a second spec with a taken name is an error."""
        if spec.name in self._platforms or spec.name in self._modules or spec.name in self._tools:
            raise PluginError(f"two plugins are named {spec.name!r}")
        if isinstance(spec, PlatformSpec):
            self._platforms[spec.name] = spec
        elif isinstance(spec, ModuleSpec):
            self._modules[spec.name] = spec
        else:
            self._tools[spec.name] = spec

    def extended(self, *specs: Spec) -> Registry:
        """A copy of this registry with ``specs`` added."""
        copy = Registry(dict(self._platforms), dict(self._modules), dict(self._tools))
        for spec in specs:
            copy.register(spec)
        return copy

    def platforms(self) -> list[PlatformSpec]:
        return sorted(self._platforms.values(), key=lambda s: (s.order, s.name))

    def modules(self) -> list[ModuleSpec]:
        return sorted(self._modules.values(), key=lambda s: (s.order, s.name))

    def sections(self) -> dict[str, tuple[type[BaseModel], bool]]:
        """Every plugin config section: name -> (model, always present with defaults)."""
        found: dict[str, tuple[type[BaseModel], bool]] = {
            s.name: (s.config, s.runs != "configured") for s in self.platforms()
        }
        for m in self.modules():
            if m.config is not None:
                found[m.name] = (m.config, True)
        return found

    def exports(self) -> dict[str, ExportFactory]:
        """Every module's exports by name (two modules exporting one name is an error)."""
        found: dict[str, ExportFactory] = {}
        for m in self.modules():
            for name, factory in m.exports.items():
                if name in found:
                    raise PluginError(f"two modules export {name!r}")
                found[name] = factory
        return found

    def offer_live_exports(self, modules: Iterable[Any], exports: Exports) -> None:
        """Offer each built module's live exports (by the module's ``name``) to ``exports``."""
        built = {getattr(m, "name", None): m for m in modules}
        for spec in self.modules():
            module = built.get(spec.name)
            if module is not None:
                for name, factory in spec.live_exports.items():
                    exports.offer(name, factory(module))

    def cli_commands(self) -> list[CliCommand]:
        tools = sorted(self._tools.values(), key=lambda s: s.name)
        specs: Iterable[Spec] = [*self.platforms(), *self.modules(), *tools]
        return [c for s in specs for c in s.commands]


def _specs_of(module: Any) -> list[Spec]:
    specs = getattr(module, "SPECS", None)
    if specs is None:
        one = getattr(module, "SPEC", None)
        specs = [] if one is None else [one]
    if not specs:
        raise PluginError(f"{module.__name__} defines neither SPEC nor SPECS")
    for spec in specs:
        if not isinstance(spec, PlatformSpec | ModuleSpec | ToolSpec):
            raise PluginError(f"{module.__name__}: {spec!r} is not a plugin spec")
    return list(specs)


def discover(packages: Iterable[str]) -> Registry:
    """Import ``<package>.<folder>.plugin`` for each folder of each package that has one."""
    registry = Registry()
    for package_name in packages:
        package = importlib.import_module(package_name)
        for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
            if not info.ispkg:
                continue
            name = f"{package_name}.{info.name}.plugin"
            if importlib.util.find_spec(name) is None:
                continue
            for spec in _specs_of(importlib.import_module(name)):
                registry.register(spec)
    return registry


@cache
def default_registry() -> Registry:
    """The plugins in :data:`PLUGIN_PACKAGES` and ``ROUNDTABLE_PLUGINS`` (found once)."""
    extra = [p.strip() for p in os.environ.get("ROUNDTABLE_PLUGINS", "").split(",") if p.strip()]
    return discover([*PLUGIN_PACKAGES, *extra])
