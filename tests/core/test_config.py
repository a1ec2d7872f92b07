from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, load_config, parse_config
from bot.plugins import default_registry

ROOT = Path(__file__).resolve().parents[2]


def test_the_example_config_loads_and_documents_every_section() -> None:
    cfg = load_config(ROOT / "config.example.toml")
    assert cfg.bot.name == "Roundtable"
    text = (ROOT / "config.example.toml").read_text()
    for section in [*type(cfg).model_fields, *default_registry().sections()]:
        if section in ("source", "sections"):
            continue
        marker = f"[[{section}]]" if section == "events" else f"[{section}]"
        assert marker in text, f"config.example.toml does not document [{section}]"


def test_the_example_platform_sections_load_when_uncommented(tmp_path: Path) -> None:
    text = (ROOT / "config.example.toml").read_text().replace("#> ", "")
    path = tmp_path / "all.toml"
    path.write_text(text)
    cfg = load_config(path)
    assert {"discord", "slack", "telegram"} <= set(cfg.sections)
    plan = {p.slug: p for p in cfg.planned_sessions(default_registry())}["heat-homes-health"]
    assert "discord:*:112233445566778899" in plan.places
    assert "telegram:*:-1001234567890" in plan.places
    assert plan.series == "riverside-conversations"


def test_the_demo_config_loads() -> None:
    cfg = load_config(ROOT / "bot" / "demo" / "config.toml")
    # two short earlier events of the series, then the main one
    assert [e.id for e in cfg.events] == ["cold-homes", "clean-air-schools", "heat-homes-health"]
    assert {e.series for e in cfg.events} == {"riverside-conversations"}


def test_defaults_need_no_file() -> None:
    cfg = load_config(None)
    assert cfg.store.backend == "sqlite" and cfg.models.embeddings == "bundled"


def test_an_unknown_key_names_file_key_and_a_suggestion(tmp_path: Path) -> None:
    path = tmp_path / "rt.toml"
    path.write_text('[bot]\nnmae = "x"\n')
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(info.value) == f"{path}: bot.nmae: unknown key (did you mean 'name'?)"


@pytest.mark.parametrize(
    ("toml", "key", "reason"),
    [
        ("[store]\nbatch_size = 0", "store.batch_size", "greater than or equal to 1"),
        ('[bot]\ncommand_prefixes = ["ab"]', "bot.command_prefixes", "punctuation"),
        ('[[events]]\nid = "Heat Panel"', "events[0].id", "like 'heat-panel'"),
        (
            '[[events]]\nid = "x"\nchannels = ["general"]',
            "events[0].channels",
            "platform:community:channel",
        ),
        ("[models]\nenabled = 'maybe'", "models.enabled", "boolean"),
    ],
)
def test_bad_values_name_the_key_and_reason(
    tmp_path: Path, toml: str, key: str, reason: str
) -> None:
    path = tmp_path / "rt.toml"
    path.write_text(toml)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    [(got_key, got_reason)] = info.value.problems
    assert got_key == key and reason in got_reason
    assert str(path) in str(info.value)


def test_a_secret_in_the_file_is_refused() -> None:
    with pytest.raises(ConfigError, match="secrets don't belong in the file"):
        parse_config({"slack": {"bot_token": "xoxb-123"}}, "rt.toml")


def test_broken_toml_and_missing_files_are_clear(tmp_path: Path) -> None:
    path = tmp_path / "rt.toml"
    path.write_text("[bot\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(path)
    with pytest.raises(ConfigError, match="file not found"):
        load_config(tmp_path / "nope.toml")


def test_a_postgresql_store_takes_its_password_from_the_environment() -> None:
    cfg = parse_config({"store": {"url": "postgresql://rt@db.example.org:5433/rt"}}, "rt.toml")
    assert cfg.store.backend == "postgresql"
    assert cfg.store_target({}) == "postgresql://rt@db.example.org:5433/rt"
    env = {"ROUNDTABLE_DB_PASSWORD": "p@ss/word"}
    assert cfg.store_target(env) == "postgresql://rt:p%40ss%2Fword@db.example.org:5433/rt"
    with pytest.raises(ConfigError, match="keep the password out of the file"):
        parse_config({"store": {"url": "postgresql://rt:secret@db/rt"}}, "rt.toml")
    with pytest.raises(ConfigError, match="PostgreSQL URL"):
        parse_config({"store": {"url": "mysql://rt@db/rt"}}, "rt.toml")
    with pytest.raises(ConfigError, match="needs url"):
        parse_config({"store": {"backend": "postgresql"}}, "rt.toml")
    assert parse_config({}, "rt.toml").store_target().endswith("roundtable.db")
