"""A module joins Roundtable through its spec alone (the "add a module" recipe).

The toy module below is written the way CONTRIBUTING.md says: a config section, a
module with a command and a subscription, a doctor check and a CLI command, all
declared in one :class:`ModuleSpec`. Nothing else in the code base is edited.
"""

from __future__ import annotations

import sys
import types
from pathlib import Path

import pytest
from pydantic import Field

from bot.bus import Bus
from bot.cli import main
from bot.commands import CommandRouter, CommandSpec, Invocation
from bot.config import Config, ConfigError, Section, parse_config
from bot.doctor import doctor
from bot.events import MessagePosted
from bot.module import Services
from bot.plugins import CliCommand, ModuleSpec, PluginError, Registry, default_registry
from tests.factories import Script, run_script, texts


class ToyConfig(Section):
    greeting: str = "Hello"
    every: int = Field(default=1, ge=1)


class ToyModule:
    """Counts the messages of each event; ``/toy`` says how many."""

    name = "toy"

    def __init__(self, services: Services, config: ToyConfig) -> None:
        self._s = services
        self._cfg = config
        self.seen: dict[int, int] = {}

    async def setup(self) -> None:
        await self._s.db.execute(
            "CREATE TABLE IF NOT EXISTS toy_counts (session_id INTEGER PRIMARY KEY, n INTEGER)"
        )

    async def aclose(self) -> None:
        return None

    def register(self, bus: Bus, commands: CommandRouter) -> None:
        bus.subscribe(MessagePosted, self._on_message, name="toy")
        commands.add(CommandSpec("toy", "Count the messages", self._toy, needs_session=True))

    async def _on_message(self, event: MessagePosted) -> None:
        session = self._s.sessions.at(event.place)
        if session is not None:
            self.seen[session.id] = self.seen.get(session.id, 0) + 1

    async def _toy(self, inv: Invocation) -> None:
        assert inv.session is not None
        n = self.seen.get(inv.session.id, 0)
        await inv.reply(f"{self._cfg.greeting}! {n} messages so far.")


def _toy_doctor(section: ToyConfig, config: Config) -> list[tuple[bool, str]]:
    return [(section.greeting != "", f"toy: greets with {section.greeting!r}")]


CALLS: list[list[str]] = []


def _toy_cli(argv: list[str]) -> int:
    CALLS.append(argv)
    return 7


TOY = ModuleSpec(
    name="toy",
    config=ToyConfig,
    factory=lambda services, section: ToyModule(services, section),
    doctor=_toy_doctor,
    commands=(CliCommand("toy-count", "count things", _toy_cli),),
)


@pytest.fixture
def registry() -> Registry:
    return default_registry().extended(TOY)


async def test_a_registered_module_gets_its_config_events_and_command(registry: Registry) -> None:
    cfg = parse_config(
        {"roles": {"moderators": ["replay:u_mod"]}, "toy": {"greeting": "Ahoy"}},
        "<test>",
        registry,
    )
    s = Script()
    s.say("u_mod", '/event start "Toy night"')
    s.say("u_a", "first")
    s.say("u_b", "second")
    s.say("u_a", "/toy")
    actions, bot = await run_script(s.lines, cfg=cfg, registry=registry)
    assert "Ahoy! 2 messages so far." in texts(actions)
    names = [m.name for m in bot.modules]
    assert names.index("toy") == names.index("report") + 1  # slotted in by its order
    assert ("toy", "Count the messages") in bot.commands.top_level()


def test_its_section_is_validated_like_the_core_ones(registry: Registry) -> None:
    with pytest.raises(ConfigError) as info:
        parse_config({"toy": {"greting": "x"}}, "rt.toml", registry)
    assert info.value.problems == [("toy.greting", "unknown key (did you mean 'greeting'?)")]
    with pytest.raises(ConfigError) as info:
        parse_config({"toy": {"every": 0}}, "rt.toml", registry)
    assert info.value.problems[0][0] == "toy.every"
    with pytest.raises(ConfigError) as info:
        parse_config({"toy": {}}, "rt.toml")  # not registered: an unknown section
    assert info.value.problems == [("toy", "unknown section")]


async def test_doctor_runs_its_checks(registry: Registry, tmp_path: Path) -> None:
    path = tmp_path / "rt.toml"
    path.write_text(f'[store]\npath = "{tmp_path / "rt.db"}"\n[toy]\ngreeting = ""\n')
    lines: list[str] = []
    assert await doctor(path, environ={}, echo=lines.append, registry=registry) == 1
    assert "✗ toy: greets with ''" in lines


def test_its_command_line_is_part_of_roundtable(
    registry: Registry, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["toy-count", "--flag", "x"], registry) == 7
    assert CALLS[-1] == ["--flag", "x"]
    assert main([], registry) == 2
    assert "toy-count" in capsys.readouterr().out


def test_a_taken_name_is_refused(registry: Registry) -> None:
    with pytest.raises(PluginError, match="two plugins are named 'toy'"):
        registry.extended(TOY)
    with pytest.raises(PluginError, match="'threads'"):
        default_registry().extended(ModuleSpec(name="threads", factory=lambda s, c: None))


def test_every_shipped_plugin_is_found() -> None:
    registry = default_registry()
    assert [s.name for s in registry.modules()] == [
        "core",
        "threads",
        "snapshots",
        "questions",
        "bridge",
        "report",
        "momentum",
        "ledger",
        "dashboard",
    ]
    assert {s.name for s in registry.platforms()} == {
        "discord",
        "slack",
        "telegram",
        "console",
        "replay",
    }


def _recipe(heading: str) -> str:
    """The first Python block under ``heading`` in CONTRIBUTING.md."""
    text = (Path(__file__).resolve().parents[2] / "CONTRIBUTING.md").read_text()
    section = text.split(f"## {heading}", 1)[1]
    return section.split("```python\n", 1)[1].split("```", 1)[0]


def _load_recipe() -> ModuleSpec:
    module = types.ModuleType("wordcount_plugin")
    sys.modules[module.__name__] = module
    try:
        exec(compile(_recipe("Add a module"), "CONTRIBUTING.md", "exec"), module.__dict__)
    finally:
        del sys.modules[module.__name__]
    spec = module.SPEC
    assert isinstance(spec, ModuleSpec)
    return spec


async def test_the_add_a_module_recipe_works_as_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = _load_recipe()
    registry = default_registry().extended(spec)
    cfg = parse_config(
        {"roles": {"moderators": ["replay:u_mod"]}, "wordcount": {"greeting": "Words"}},
        "<test>",
        registry,
    )
    s = Script()
    s.say("u_mod", '/event start "Recipe night"')
    s.say("u_a", "three words here")
    s.say("u_b", "and two")
    s.say("u_a", "/wordcount")
    actions, _ = await run_script(s.lines, cfg=cfg, registry=registry)
    assert "Words: 5 words." in texts(actions)
    assert main(["wordcount"], registry) == 0
    assert "no data of its own" in capsys.readouterr().out
    path = tmp_path / "rt.toml"
    path.write_text(f'[store]\npath = "{tmp_path / "rt.db"}"\n[wordcount]\ngreeting = ""\n')
    lines: list[str] = []
    assert await doctor(path, environ={}, echo=lines.append, registry=registry) == 1
    assert "✗ wordcount: greets with ''" in lines


def test_the_add_a_platform_recipe_is_python() -> None:
    compile(_recipe("Add a platform"), "CONTRIBUTING.md", "exec")
