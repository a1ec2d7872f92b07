"""The layers hold: the core imports no plugin, plugins don't import each other, no cycles.

The contracts live in pyproject.toml (``[tool.importlinter]``); this runs them, and
then looks for import cycles between any two modules, imports made only for type
checking included (import-linter's own contracts leave those out).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import grimp
import networkx as nx

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("bot", "adapters", "facilitation", "prompts")


def test_the_import_contracts_are_kept() -> None:
    # A process of its own: import-linter reconfigures logging when it runs.
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    done = subprocess.run(
        [str(Path(sys.executable).parent / "lint-imports"), "--no-cache"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "4 kept, 0 broken" in done.stdout


def test_the_dashboard_contract_names_every_other_module() -> None:
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    [dashboard] = [
        c for c in contracts["contracts"] if c.get("source_modules") == ["facilitation.dashboard"]
    ]
    others = {
        f"facilitation.{p.name}"
        for p in (ROOT / "facilitation").iterdir()
        if p.is_dir() and (p / "__init__.py").is_file() and p.name != "dashboard"
    }
    assert set(dashboard["forbidden_modules"]) == others


def test_no_module_imports_itself_through_others() -> None:
    graph = grimp.build_graph(*PACKAGES, exclude_type_checking_imports=False, cache_dir=None)
    edges = nx.DiGraph()
    for module in graph.modules:
        for imported in graph.find_modules_directly_imported_by(module):
            edges.add_edge(module, imported)
    cycles = [sorted(c) for c in nx.strongly_connected_components(edges) if len(c) > 1]
    assert cycles == []


def test_the_core_names_no_plugin_even_in_strings() -> None:
    """Discovery finds plugins by folder; no core file spells a plugin's package path."""
    offenders = []
    for path in sorted((ROOT / "bot").rglob("*.py")):
        for found in re.findall(r"\b(?:adapters|facilitation)\.[a-z_]+", path.read_text()):
            offenders.append(f"{path.relative_to(ROOT)}: {found}")
    assert offenders == [], os.linesep.join(offenders)


_CREATE = re.compile(r"CREATE TABLE (?:IF NOT EXISTS )?(\w+)", re.IGNORECASE)
_USE = re.compile(
    r"\b(?:DELETE\s+FROM|FROM|JOIN|INTO|UPDATE|TABLE|table_exists\(\s*\w+,\s*)\s*[\"']?(\w+)",
    re.IGNORECASE,
)


def _owners() -> dict[str, str]:
    """Each table and the plugin folder (or ``bot``) whose code creates it."""
    owners: dict[str, str] = {}
    for path in sorted((ROOT / "bot").rglob("*.py")):
        for table in _CREATE.findall(path.read_text()):
            owners[table] = "bot"
    for path in sorted((ROOT / "facilitation").rglob("*.py")):
        plugin = path.relative_to(ROOT / "facilitation").parts[0]
        for table in _CREATE.findall(path.read_text()):
            owners.setdefault(table, plugin)
    return owners


def test_modules_touch_only_their_own_tables() -> None:
    """A module reads and writes its own tables; others' data comes through bot.exports.

    The core's tables (the log, sessions, roles) may be read by every module; they
    are written only through the core's interfaces (``EventLog.annotate`` and
    ``blank_text``, the erasure registry in ``bot.forget``).
    """
    owners = _owners()
    assert {"events", "questions", "snapshot_posts", "report_bots"} <= set(owners)
    offenders = []
    for path in sorted((ROOT / "facilitation").rglob("*.py")):
        plugin = path.relative_to(ROOT / "facilitation").parts[0]
        text = path.read_text()
        for match in _USE.finditer(text):
            table = match.group(1)
            owner = owners.get(table)
            if owner is None or owner == plugin:
                continue
            verb = match.group(0).split()[0].upper()
            if owner == "bot" and verb in ("FROM", "JOIN", "TABLE_EXISTS("):
                continue  # reading the core's log is what the ledger and report are for
            line = text.count("\n", 0, match.start()) + 1
            offenders.append(f"{path.relative_to(ROOT)}:{line}: {match.group(0)} ({owner}'s)")
    assert offenders == [], os.linesep.join(offenders)
