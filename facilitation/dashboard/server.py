"""The dashboard's web server: sign-in, the live event page, actions and downloads.

Pages are rendered on the server (Jinja2, autoescaped) and work without
JavaScript: every button is a form that posts and comes back. With JavaScript,
forms post in the background and a server-sent event stream swaps in the
sections that changed, so a new question appears without a reload.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import zipfile
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any

from aiohttp import web
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from bot.plural import plural
from bot.sessions import ENDED, Session
from facilitation.dashboard.actions import (
    QUESTION_ACTIONS,
    SNAPSHOT_ACTIONS,
    ActionError,
)
from facilitation.dashboard.auth import Auth, BrowserSession, LoginProblem
from facilitation.dashboard.parts import Dashboard
from facilitation.dashboard.view import page_context

__all__ = ["COOKIE", "Dashboard", "build_app"]

log = logging.getLogger("roundtable.dashboard")
COOKIE = "roundtable_dashboard"
STATIC = Path(__file__).parent / "static"
MAX_TEXT = 2000
HEARTBEAT_SECONDS = 15.0


KEY = web.AppKey("dashboard", Dashboard)
TEMPLATES = web.AppKey("templates", Environment)


class Problem(Exception):
    """A request that can't be served: ``status`` and a plain-words message."""

    def __init__(self, status: int, message: str, *, sign_in: bool = False) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.sign_in = sign_in


def _wants_json(request: web.Request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _render(request: web.Request, template: str, status: int = 200, **ctx: Any) -> web.Response:
    html = request.app[TEMPLATES].get_template(template).render(**ctx)
    return web.Response(text=html, status=status, content_type="text/html")


@web.middleware
async def _problems(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    try:
        return await handler(request)
    except (Problem, ActionError) as exc:
        status, message = exc.status, exc.message
        sign_in = isinstance(exc, Problem) and exc.sign_in
    except web.HTTPNotFound:
        status, message, sign_in = 404, "There's nothing at this address.", False
    except web.HTTPMethodNotAllowed:
        status, message, sign_in = 405, "That isn't something this address does.", False
    if _wants_json(request):
        return web.json_response({"ok": False, "error": message}, status=status)
    return _render(request, "problem.html", status, message=message, sign_in=sign_in)


@web.middleware
async def _headers(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    response = await handler(request)
    h = response.headers
    h.setdefault("Referrer-Policy", "no-referrer")  # a sign-in link must never leak
    h.setdefault("X-Content-Type-Options", "nosniff")
    h.setdefault("X-Frame-Options", "DENY")
    h.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'",
    )
    if not request.path.startswith("/static/"):
        h.setdefault("Cache-Control", "no-store")
    return response


def _plural(value: int, spec: str) -> str:
    return plural(int(value), spec)


def environment() -> Environment:
    """The pages' Jinja2 environment: autoescaped, strict, with the prompts' ``plural``."""
    env = Environment(
        loader=FileSystemLoader(str(Path(__file__).parent / "templates")),
        autoescape=select_autoescape(["html", "htm", "svg", "xml"], default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["plural"] = _plural
    return env


def build_app(d: Dashboard) -> web.Application:
    app = web.Application(middlewares=[_headers, _problems], client_max_size=256 * 1024)
    app[KEY] = d
    app[TEMPLATES] = environment()
    r = app.router
    r.add_get("/", index)
    r.add_get("/login", login)
    r.add_post("/logout", logout)
    r.add_get("/e/{slug}", event_page)
    r.add_get("/e/{slug}/sections", sections_json)
    r.add_get("/e/{slug}/stream", stream)
    r.add_post(r"/e/{slug}/q/{n:\d+}/{action}", question_action)
    r.add_post(r"/e/{slug}/snapshots/{n:\d+}/{action}", snapshot_action)
    r.add_get(r"/e/{slug}/report.{ext:html|md}", report)
    r.add_get("/e/{slug}/export.zip", export_zip)
    r.add_get("/e/{slug}/series.zip", series_zip)
    r.add_static("/static", STATIC)

    async def on_shutdown(_: web.Application) -> None:
        d.hub.close()

    app.on_shutdown.append(on_shutdown)
    return app


# -- who is asking ---------------------------------------------------------------


def _session(request: web.Request) -> BrowserSession:
    found = request.app[KEY].auth.session(request.cookies.get(COOKIE))
    if found is None:
        raise Problem(401, "Please sign in first.", sign_in=True)
    return found


def _csrf(request: web.Request, bs: BrowserSession, form: Mapping[str, Any]) -> None:
    sent = request.headers.get("X-CSRF-Token") or form.get("csrf")
    if not Auth.csrf_ok(bs, str(sent) if sent else None):
        raise Problem(
            403, "This action came without its security code. Reload the page and try again."
        )


def _visible(d: Dashboard, bs: BrowserSession) -> list[Session]:
    organiser = "organiser" in {r.value for r in d.commander.roles_of(bs.viewer)}
    return [s for s in d.services.sessions.all() if organiser or bs.viewer.platform in s.platforms]


def _event(request: web.Request, bs: BrowserSession) -> Session:
    d = request.app[KEY]
    slug = request.match_info["slug"]
    found = next((s for s in _visible(d, bs) if s.slug == slug), None)
    if found is None:
        raise Problem(404, f"There's no event called “{slug[:60]}” that you can see.")
    return found


def _out_dir(d: Dashboard) -> Path:
    cfg = d.services.config
    return cfg.resolve(cfg.bot.out_dir)


def _see_other(location: str) -> web.Response:
    return web.Response(status=303, headers={"Location": location})


# -- pages -------------------------------------------------------------------------


async def index(request: web.Request) -> web.Response:
    d = request.app[KEY]
    bs = _session(request)
    events = sorted(_visible(d, bs), key=lambda s: (not s.open, -s.id))
    return _render(request, "index.html", viewer=bs.viewer, csrf=bs.csrf, events=events)


async def login(request: web.Request) -> web.Response:
    d = request.app[KEY]

    try:
        sid, _ = d.auth.login(request.query.get("token", ""))
    except LoginProblem as exc:
        raise Problem(403, f"{exc} You can ask for a new one.", sign_in=True) from None
    target = request.query.get("next", "/")
    if not target.startswith("/e/") or "//" in target or "\\" in target:
        target = "/"
    response = _see_other(target)
    response.set_cookie(
        COOKIE,
        sid,
        httponly=True,
        samesite="Lax",
        secure=d.url().startswith("https://"),
        path="/",
        max_age=int(d.auth.session_seconds),
    )
    return response


async def logout(request: web.Request) -> web.Response:
    d = request.app[KEY]
    bs = _session(request)
    _csrf(request, bs, await request.post())
    d.auth.logout(request.cookies.get(COOKIE))
    response = _render(request, "problem.html", 200, message="You're signed out.", sign_in=True)
    response.del_cookie(COOKIE, path="/")
    return response


async def event_page(request: web.Request) -> web.Response:
    bs = _session(request)
    session = _event(request, bs)
    ctx, rendered = await render_sections(request.app, bs, session)
    flash, bs.flash = list(bs.flash), []
    # the sections are rendered (and escaped) by their own templates already
    sections = {name: Markup(html) for name, html in rendered.items()}
    return _render(request, "event.html", **ctx, sections=sections, flash=flash)


async def render_sections(
    app: web.Application, bs: BrowserSession, session: Session
) -> tuple[dict[str, Any], dict[str, str]]:
    """The page's context and each section's HTML for this viewer (page, stream, refresh)."""
    ctx = await page_context(app[KEY], bs, session)
    env = app[TEMPLATES]
    out = {name: env.get_template(f"section_{name}.html").render(**ctx) for name in ctx["shown"]}
    out["header"] = env.get_template("event_state.html").render(**ctx)
    return ctx, out


async def sections_json(request: web.Request) -> web.Response:
    bs = _session(request)
    session = _event(request, bs)
    _, sections = await render_sections(request.app, bs, session)
    return web.json_response(sections)


async def stream(request: web.Request) -> web.StreamResponse:
    """Server-sent events: the sections whose HTML changed, as they change."""
    d = request.app[KEY]
    bs = _session(request)
    session = _event(request, bs)
    response = web.StreamResponse(
        headers={
            "Content-Type": "text/event-stream",
            "Cache-Control": "no-store",
            "X-Accel-Buffering": "no",
        }
    )
    await response.prepare(request)
    sid = request.cookies.get(COOKIE)
    last: dict[str, str] = {}
    seen = -1
    with contextlib.suppress(ConnectionResetError, asyncio.CancelledError):
        while not d.hub.closed:
            if d.auth.session(sid) is None:
                await response.write(b"event: signedout\ndata: {}\n\n")
                break
            seen = d.hub.version
            current = d.services.sessions.get(session.id) or session
            _, now = await render_sections(request.app, bs, current)
            changed = {k: v for k, v in now.items() if last.get(k) != v}
            if changed:
                payload = json.dumps(changed)
                await response.write(f"event: sections\ndata: {payload}\n\n".encode())
            last = now
            if await d.hub.wait(seen, HEARTBEAT_SECONDS) == seen:
                await response.write(b": still here\n\n")
            else:
                await asyncio.sleep(0.15)  # let a burst of events settle into one update
    return response


# -- actions --------------------------------------------------------------------------


def _field(form: Mapping[str, Any], name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


async def _answer(
    request: web.Request,
    bs: BrowserSession,
    session: Session,
    replies: tuple[str, ...],
    anchor: str,
) -> web.Response:
    message = "\n".join(replies) or "Done."
    request.app[KEY].hub.touch()
    if _wants_json(request):
        return web.json_response({"ok": True, "message": message})
    bs.flash.append(("ok", message))
    return _see_other(f"/e/{session.slug}#{anchor}")


async def question_action(request: web.Request) -> web.Response:
    d = request.app[KEY]
    bs = _session(request)
    form = await request.post()
    _csrf(request, bs, form)
    session = _event(request, bs)
    action = request.match_info["action"]
    if action not in QUESTION_ACTIONS:
        raise Problem(404, f"“{action[:30]}” isn't something the dashboard can do to a question.")
    command, needs = QUESTION_ACTIONS[action]
    d.commander.check(bs.viewer, command)
    n = int(request.match_info["n"])
    if not await d.sources.has_question(session, n):
        raise Problem(404, f"There's no question {n} in this event.")
    args = str(n)
    if needs == "reason":
        reason = _field(form, "reason")
        if len(reason) > MAX_TEXT:
            raise Problem(400, f"Please keep the reason under {MAX_TEXT} characters.")
        args = f"{n} {reason}".strip()
    elif needs == "text":
        text = _field(form, "text")
        if not text:
            raise Problem(400, "Please write the question's new text.")
        if len(text) > MAX_TEXT:
            raise Problem(400, f"Please keep the question under {MAX_TEXT} characters.")
        args = f"{n} {text}"
    elif needs == "into":
        into = _field(form, "into").lstrip("#")
        if not into.isdigit():
            raise Problem(400, "Please choose the question to merge it into.")
        if int(into) == n:
            raise Problem(400, "A question can't be merged into itself.")
        if not await d.sources.has_question(session, int(into)):
            raise Problem(404, f"There's no question {into} in this event.")
        args = f"{n} {into}"
    outcome = await d.commander.run(bs.viewer, session, command, args)
    return await _answer(request, bs, session, outcome.replies, f"q-{n}")


async def snapshot_action(request: web.Request) -> web.Response:
    d = request.app[KEY]
    bs = _session(request)
    form = await request.post()
    _csrf(request, bs, form)
    session = _event(request, bs)
    action = request.match_info["action"]
    if action not in SNAPSHOT_ACTIONS:
        raise Problem(404, f"“{action[:30]}” isn't something the dashboard can do to a snapshot.")
    command = SNAPSHOT_ACTIONS[action]
    d.commander.check(bs.viewer, command)
    n = int(request.match_info["n"])
    waiting = {s.number for s in await d.sources.pending_snapshots(session)}
    if n not in waiting:
        raise Problem(404, f"There's no snapshot {n} waiting for approval in this event.")
    outcome = await d.commander.run(bs.viewer, session, command, str(n))
    return await _answer(request, bs, session, outcome.replies, "snapshots")


# -- downloads ------------------------------------------------------------------------


def _download(path: Path, name: str, content_type: str, inline: bool = False) -> web.FileResponse:
    disposition = "inline" if inline else "attachment"
    return web.FileResponse(
        path,
        headers={
            "Content-Disposition": f'{disposition}; filename="{name}"',
            "Content-Type": content_type,
        },
    )


async def report(request: web.Request) -> web.StreamResponse:
    d = request.app[KEY]
    bs = _session(request)
    session = _event(request, bs)
    ext = request.match_info["ext"]
    folder = _out_dir(d) / session.slug
    path = folder / f"report.{ext}"
    if not path.is_file() and (
        session.state != ENDED
        or not d.commander.may(bs.viewer, "export")
        or not await d.sources.write_report(session, folder)
    ):
        raise Problem(404, "The report is written when the event ends; it isn't there yet.")
    if ext == "html":
        response = _download(
            path,
            f"{session.slug}-report.html",
            "text/html; charset=utf-8",
            inline=request.query.get("download") != "1",
        )
        # the report is self-contained: its own styles and charts, no scripts from anywhere
        response.headers["Content-Security-Policy"] = (
            "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'"
        )
        return response
    return _download(path, f"{session.slug}-report.md", "text/markdown; charset=utf-8")


def _ledger(d: Dashboard, bs: BrowserSession) -> None:
    d.commander.check(bs.viewer, "export")
    if not d.sources.has_figures:
        raise Problem(404, "Exports aren't switched on for this bot.")


async def export_zip(request: web.Request) -> web.StreamResponse:
    d = request.app[KEY]
    bs = _session(request)
    session = _event(request, bs)
    _ledger(d, bs)

    target = _out_dir(d) / session.slug / f"{session.slug}-export.zip"
    path = await d.sources.export_zip(session, target)
    if path is None:
        raise Problem(404, "Exports aren't switched on for this bot.")
    return _download(path, path.name, "application/zip")


async def series_zip(request: web.Request) -> web.StreamResponse:
    d = request.app[KEY]
    bs = _session(request)
    session = _event(request, bs)
    _ledger(d, bs)
    name = d.sources.series_name(session)
    if name is None:
        raise Problem(404, "This event isn't part of a series, so there's nothing to compare.")

    folder = _out_dir(d) / f"series-{name}"
    paths = await d.sources.write_series(name, folder)
    if paths is None:
        raise Problem(404, "Exports aren't switched on for this bot.")
    target = _out_dir(d) / f"series-{name}.zip"

    def pack() -> None:
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
            for path in paths:
                zf.write(path, f"series-{name}/{path.name}")

    await asyncio.to_thread(pack)
    return _download(target, target.name, "application/zip")
