"""The download bundle of one event: messages, people, questions, ties, network, figures.

Everything an analyst opens in a spreadsheet, Gephi or NetworkX. People appear
as pseudonyms unless the organiser chose real names; anyone who opted out is
absent. CSV cells that a spreadsheet would run as formulas are neutralised.
"""

from __future__ import annotations

import csv
import json
import shutil
import tempfile
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx

from bot.exports import EventCharts
from bot.files import make_private, private_folder, write_private
from bot.offload import Offload, off_loop
from bot.sessions import Session
from facilitation.ledger.data import EventData
from facilitation.ledger.metrics import conversations, person_stats
from facilitation.ledger.network import Pair, build_graph, directed_edges, pair
from facilitation.ledger.privacy import Identities, safe_cell
from facilitation.ledger.service import Ledger
from facilitation.ledger.store import PersonKey

__all__ = ["Bundle", "export_event", "gather_bundle", "write_bundle", "write_csv", "write_jsonl"]

REPORT_FILES = ("report.html", "report.md")
TIE_HEADER = [
    "source",
    "target",
    "weight",
    "replies",
    "mentions",
    "first_ts",
    "new_tie",
    "cross_community",
    "source_community",
    "target_community",
]


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """A UTF-8 CSV (with BOM, so spreadsheets read accents) with formula-safe cells."""
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow([safe_cell(h) for h in header])
        for row in rows:
            writer.writerow([safe_cell("" if v is None else v) for v in row])


def write_jsonl(path: Path, rows: Iterable[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def _messages(data: EventData, ids: Identities) -> list[dict[str, Any]]:
    reactions = Counter((r.platform, r.message_id) for r in data.reactions)
    conv_of = {
        (m.platform, m.message_id): key
        for key, group in conversations(data.messages).items()
        for m in group
    }
    rows = []
    for m in sorted(data.messages, key=lambda m: m.seq):
        row: dict[str, Any] = {
            "message_id": m.message_id,
            "platform": m.platform,
            "channel": m.channel,
            "thread": m.thread,
            "conversation": conv_of.get((m.platform, m.message_id)),
            "ts": m.ts.isoformat(),
            "author": ids.ident(m.author),
        }
        if ids.real_names:
            row["author_name"] = ids.name(m.author)
        row |= {
            "role": data.roles.get(m.author, "participant"),
            "community": data.labels.get(m.author, ""),
            "kind": m.kind,
            "reply_to": m.reply_to,
            "reply_to_author": ids.ident(m.reply_to_author) if m.reply_to_author else None,
            "mentions": [ids.ident(p) for p in m.mentions],
            "links": list(m.links),
            "reactions": reactions.get((m.platform, m.message_id), 0),
            "edited": m.edited,
            "text": m.text,
        }
        rows.append(row)
    return rows


def _csv_value(value: Any) -> Any:
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    if isinstance(value, bool):
        return int(value)
    return value


def _write_table(folder: Path, stem: str, rows: list[dict[str, Any]], header: list[str]) -> None:
    write_csv(
        folder / f"{stem}.csv", header, ([_csv_value(r.get(h)) for h in header] for r in rows)
    )


def _people(
    data: EventData, ids: Identities, first_seen: dict[Any, str]
) -> tuple[list[str], list[list[Any]]]:
    stats = person_stats(data)
    keys = (
        "messages",
        "replies_sent",
        "replies_received",
        "mentions_sent",
        "mentions_received",
        "reactions_given",
        "reactions_received",
        "questions",
    )
    header = ["id", *(["name"] if ids.real_names else []), "platform", "role", "community"]
    header += ["status", "first_event", *keys]
    rows = []
    for who in sorted(data.people(), key=ids.ident):
        s = stats.get(who, {})
        first = first_seen.get(who, data.session.slug)
        row: list[Any] = [ids.ident(who), *([ids.name(who)] if ids.real_names else [])]
        row += [who[0], data.roles.get(who, "participant"), data.labels.get(who, "")]
        row += ["new" if first == data.session.slug else "returning", first]
        row += [s.get(k, 0) for k in keys]
        rows.append(row)
    return header, rows


def _charts(bundle: Bundle) -> EventCharts:
    """The figures' plain data: names as the bundle shows them (pseudonyms by default)."""
    data, ids = bundle.data, bundle.ids
    counts: Counter[tuple[str, str]] = Counter()
    for e in directed_edges(data).values():
        a, b = sorted((ids.name(e.source), ids.name(e.target)))
        counts[(a, b)] += e.weight
    return EventCharts(
        slug=bundle.session.slug,
        events=(*bundle.earlier, bundle.figures),
        audience_threshold=bundle.audience_threshold,
        depth_threshold=bundle.depth_threshold,
        ties=tuple((a, b, n) for (a, b), n in counts.most_common()),
        speakers=dict(Counter(ids.name(m.author) for m in data.messages)),
        communities={ids.name(p): label for p, label in data.labels.items()},
        staff=frozenset(ids.name(p) for p in data.people() if data.is_staff(p)),
        activity=tuple((m.ts, m.author) for m in data.messages if m.text),
        started_at=data.session.started_at,
    )


def _readme(session: Session, ids: Identities, files: list[str]) -> str:
    who = (
        "Real platform ids and names (the organiser's config asked for them)."
        if ids.real_names
        else "People appear as pseudonyms (p-…): the same person has the same pseudonym in "
        "every export of this deployment, and names are not included."
    )
    listing = "\n".join(f"- {f}" for f in files)
    return (
        f"# {session.title} ({session.slug})\n\n{who} People who opted out are absent.\n"
        "CSV cells that start with = + - @ are prefixed with ' so spreadsheets show them as "
        "text.\n\n"
        f"{listing}\n"
    )


@dataclass(frozen=True, slots=True)
class Bundle:
    """Everything one event's bundle holds, as plain data: it is written in the worker process."""

    session: Session
    data: EventData
    figures: dict[str, Any]
    ids: Identities
    old_pairs: frozenset[Pair]
    first_seen: dict[PersonKey, str]
    snapshots: list[dict[str, Any]] | None
    earlier: tuple[dict[str, Any], ...]
    """The figures of the series' earlier events (for the matrix)."""
    audience_threshold: int
    depth_threshold: float
    report_dir: Path
    draw: Callable[[EventCharts, Path], list[Path]] | None
    """The report's chart drawing (``None`` without the report module: no figures)."""


async def export_event(
    ledger: Ledger,
    session: Session,
    out: Path,
    *,
    zip_file: bool = False,
    real_names: bool | None = None,
    offload: Offload | None = None,
) -> Path:
    """Write ``session``'s bundle to the folder ``out`` (or the zip file ``out``).

    The store is read here; the files are written by the worker process (``offload``,
    or the ledger's; without one, as from the command line, in a thread). Returns the
    folder or zip written.
    """
    bundle = await gather_bundle(ledger, session, real_names=real_names)
    return await off_loop(offload or ledger.offload, write_bundle, bundle, out, zip_file=zip_file)


async def gather_bundle(
    ledger: Ledger, session: Session, *, real_names: bool | None = None
) -> Bundle:
    """What ``session``'s bundle holds, read from the store and the other modules' exports."""
    data, figures = await ledger.figures(session)
    ids = await ledger.identities(real_names=real_names)
    ids.learn(data.names)
    earlier = await ledger.history(session, await ledger.optouts())
    old_pairs: set[Pair] = set()
    first_seen: dict[PersonKey, str] = {}
    for past in earlier:
        old_pairs |= past.pairs
        for who in past.participants:
            first_seen.setdefault(who, past.slug)
    charts = ledger.exports.charts()
    matrix: list[dict[str, Any]] = []
    if charts is not None:
        for past_session in await ledger.earlier(session):
            stored = await ledger.store.stored_metrics(past_session.id)
            matrix.append(stored if stored is not None else (await ledger.figures(past_session))[1])
    return Bundle(
        session=session,
        data=data,
        figures=figures,
        ids=ids,
        old_pairs=frozenset(old_pairs),
        first_seen=first_seen,
        snapshots=await ledger.snapshots(session),
        earlier=tuple(matrix),
        audience_threshold=ledger.cfg.audience_threshold,
        depth_threshold=ledger.cfg.depth_threshold,
        report_dir=ledger.out_dir() / session.slug,
        draw=charts.event() if charts is not None else None,
    )


def write_bundle(bundle: Bundle, out: Path, *, zip_file: bool = False) -> Path:
    """Write ``bundle`` to the folder ``out`` (or the zip file ``out``); the path written."""
    if not zip_file:
        _fill(bundle, out)
        return out
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / bundle.session.slug
        _fill(bundle, folder)
        target = out if out.suffix == ".zip" else out.with_name(out.name + ".zip")
        private_folder(target.parent)
        partial = target.with_name(target.name + ".part")
        write_private(partial, b"")
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as zf:
            for path in sorted(p for p in folder.rglob("*") if p.is_file()):
                zf.write(path, f"{bundle.session.slug}/{path.relative_to(folder)}")
        partial.replace(target)  # a reader never sees half a zip
        return target


def _fill(bundle: Bundle, folder: Path) -> None:
    session, data, ids = bundle.session, bundle.data, bundle.ids
    figures, old_pairs, first_seen = bundle.figures, bundle.old_pairs, bundle.first_seen
    private_folder(folder)
    messages = _messages(data, ids)
    header = list(messages[0]) if messages else ["message_id", "author", "text"]
    _write_table(folder, "messages", messages, header)
    write_jsonl(folder / "messages.jsonl", messages)

    p_header, p_rows = _people(data, ids, first_seen)
    write_csv(folder / "participants.csv", p_header, p_rows)

    q_header = ["id", "platform", "asker", "text", "votes", "state", "asked_at", "answered_at"]
    q_header += ["answer_seconds", "message_id", "answer_ids", "merged_into", "answered_by"]
    q_header += ["answers", "after_event"]
    ended = session.ended_at  # answered after the end: /answer N text once it was over
    write_csv(
        folder / "questions.csv",
        q_header,
        (
            [
                q.id,
                q.platform,
                ids.ident(q.asker) if q.asker else "anonymous",
                q.text,
                q.votes,
                q.state,
                q.asked_at.isoformat() if q.asked_at else None,
                q.answered_at.isoformat() if q.answered_at else None,
                round((q.answered_at - q.asked_at).total_seconds(), 1)
                if q.asked_at and q.answered_at
                else None,
                q.message_id,
                " ".join(q.answer_ids),
                q.merged_into,
                q.answered_by,
                " | ".join(text for _, _, text in q.recorded_answers),
                int(bool(ended and q.answered_at and q.answered_at > ended)),
            ]
            for q in data.questions
        ),
    )

    snaps = bundle.snapshots
    if snaps is not None:
        for row in snaps:
            platform = str(row.get("place") or ":").split(":", 1)[0]
            for col in ("asked_by", "decided_by"):
                if row.get(col):
                    row[col] = ids.ident((platform, str(row[col])))
            row["effects"] = json.dumps(row["effects"], ensure_ascii=False)
        s_header = list(snaps[0]) if snaps else ["id", "source", "passage_text", "effects"]
        _write_table(folder, "snapshots", snaps, s_header)

    edges = list(directed_edges(data).values())
    new_pairs = {pair(e.source, e.target) for e in edges} - old_pairs
    write_csv(
        folder / "ties.csv",
        TIE_HEADER,
        (
            [
                ids.ident(e.source),
                ids.ident(e.target),
                e.weight,
                e.replies,
                e.mentions,
                e.first_ts.isoformat() if e.first_ts else None,
                int(pair(e.source, e.target) in new_pairs),
                int(
                    bool(data.labels.get(e.source))
                    and bool(data.labels.get(e.target))
                    and data.labels.get(e.source) != data.labels.get(e.target)
                ),
                data.labels.get(e.source, ""),
                data.labels.get(e.target, ""),
            ]
            for e in edges
        ),
    )
    graph = build_graph(
        data, edges, ident=ids.ident, name=ids.name, new_pairs=new_pairs, stats=person_stats(data)
    )
    nx.write_graphml(graph, folder / "network.graphml", prettyprint=False)
    nx.write_gexf(graph, folder / "network.gexf", prettyprint=False)

    (folder / "metrics.json").write_text(
        json.dumps(figures, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    if bundle.draw is not None:
        bundle.draw(_charts(bundle), folder / "figures")
    report_dir = bundle.report_dir
    for name in REPORT_FILES:
        source = report_dir / name
        if source.is_file() and source.resolve() != (folder / name).resolve():
            shutil.copyfile(report_dir / name, folder / name)
    files = sorted(
        str(p.relative_to(folder))
        for p in folder.rglob("*")
        if p.is_file() and p.name != "README.md"
    )
    (folder / "README.md").write_text(_readme(session, ids, files), encoding="utf-8")
    for name in (*files, "README.md"):
        make_private(folder / name)
