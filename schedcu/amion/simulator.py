"""A local Amion that implements AMION.md's contract, for the demo, the tests and the benchmark.

    GET  /                      front page with the password form
    POST /cgi-bin/ocs           login (form field `Login`): a session cookie and a redirect to the
                                schedule page, or the front page again with "not valid"
    GET  /cgi-bin/ocs?Page=Sched the schedule page (no password field), needs the cookie
    GET  /cgi-bin/ocs?Lo=..&Rpt=619&Month=M&Year=YYYY
                                the month export (title lines, a `Field` header, CSV rows with
                                quoted `Last, First` names, `HMM` times, `0` for midnight);
                                `NOFI=No file` for a wrong code; the front page without a session

Fault switches (`Faults`), changeable while it runs with `configure(...)`: fail the first N
requests with 503, delay every response, cut the export short (the connection closes before the
announced length), an HTML page instead of the export, `NOFI=No file` as if the code were wrong
(`wrong_code`), the tab-separated export, error pages that repeat the code they were sent
(`echo_code`, as a careless server may), and export requests held in flight until the switch
`hold_exports` goes off again. `scope="export"` limits the 503s and the delay to export requests.

What clients did is counted: requests, the months exported, the most exports in flight at once,
and each request's start and end (`requests`, monotonic clock), so tests prove concurrency and
the rate limit by ordering. The access code never reaches a log line.
"""

from __future__ import annotations

import datetime as dt
import html
import logging
import secrets
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from http import HTTPStatus
from http.cookies import SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal
from urllib.parse import parse_qs, urlsplit

from schedcu.amion.masking import mask
from schedcu.amion.roster import Roster
from schedcu.amion.schedule_file import ScheduleEntry
from schedcu.names import person_key

logger = logging.getLogger(__name__)

SESSION_COOKIE = "amion_session"
EXPORT_REPORT = "619"
LISTEN_BACKLOG = 512
HOLD_LIMIT_S = 60.0  # a held export answers after this at the latest: no thread waits forever


@dataclass(frozen=True, slots=True)
class Faults:
    fail_first: int = 0
    delay: float = 0.0
    truncate: bool = False
    html_instead: bool = False
    tab_separated: bool = False
    wrong_code: bool = False
    echo_code: bool = False
    hold_exports: bool = False
    scope: Literal["all", "export"] = "all"


@dataclass(frozen=True, slots=True)
class ServedRequest:
    """One request as the simulator served it: `kind` is "login", "export" or "page"; `started`
    and `ended` are `time.monotonic()` at its arrival and after its answer."""

    kind: Literal["login", "export", "page"]
    started: float
    ended: float


@dataclass(slots=True)
class _State:
    faults: Faults = field(default_factory=Faults)
    failed: int = 0
    requests: int = 0
    exports: list[tuple[int, int]] = field(default_factory=list)
    in_flight: int = 0
    max_in_flight: int = 0
    sessions: set[str] = field(default_factory=set)
    served: list[ServedRequest] = field(default_factory=list)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = LISTEN_BACKLOG
    simulator: AmionSimulator

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that gave up (time-out test) closes its socket under a sleeping handler.
        logger.debug("simulator: a client connection ended early")


class AmionSimulator:
    """Serve `schedule` for `roster` behind `code` on 127.0.0.1; a context manager."""

    def __init__(
        self,
        *,
        roster: Roster,
        schedule: Sequence[ScheduleEntry],
        code: str,
        port: int = 0,
        host: str = "127.0.0.1",
        faults: Faults | None = None,
        title: str | None = None,
    ) -> None:
        self.code = code
        self.title = title or (roster.hospital or "Amion") + " (simulated Amion)"
        self._host, self._port = host, port
        self._staff_ids = {
            key: person.amion_id or "" for person in roster.people for key in person.keys
        }
        self._by_month: dict[tuple[int, int], list[ScheduleEntry]] = {}
        self._assignment_ids: dict[str, int] = {}
        self._exports: dict[tuple[int, int, bool], bytes] = {}
        self._lock = threading.Lock()
        self.serve_schedule(schedule)
        self._changed = threading.Condition(self._lock)
        self._state = _State(faults=faults or Faults())
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- life cycle ---------------------------------------------------------------------------

    def start(self) -> AmionSimulator:
        """Listen and serve in a background thread; a second call does nothing."""
        if self._server is not None:
            return self
        server = _Server((self._host, self._port), _Handler)
        server.simulator = self
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        logger.info("Amion simulator listening on %s", self.url)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> AmionSimulator:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the simulator is not running")
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def serve_schedule(self, schedule: Sequence[ScheduleEntry]) -> None:
        """Serve `schedule` from now on, as Amion does once someone edits it: the next exports
        show it (a position keeps its assignment id)."""
        by_month: dict[tuple[int, int], list[ScheduleEntry]] = {}
        for entry in sorted(schedule, key=lambda e: (e.date, e.position)):
            by_month.setdefault((entry.date.year, entry.date.month), []).append(entry)
        with self._lock:
            for entry in schedule:
                self._assignment_ids.setdefault(entry.position, len(self._assignment_ids) + 31)
            self._by_month, self._exports = by_month, {}

    # -- switches and counters ----------------------------------------------------------------

    def configure(self, **switches: Any) -> None:
        """Replace fault switches (see `Faults`); setting `fail_first` restarts the 503 count."""
        with self._lock:
            self._state.faults = replace(self._state.faults, **switches)
            if "fail_first" in switches:
                self._state.failed = 0
            self._changed.notify_all()

    def reset(self) -> None:
        """No faults, no counted requests, no sessions: a fresh Amion."""
        with self._lock:
            self._state = _State()
            self._changed.notify_all()

    @property
    def faults(self) -> Faults:
        return self._state.faults

    @property
    def request_count(self) -> int:
        return self._state.requests

    @property
    def max_exports_in_flight(self) -> int:
        """The most export requests served at the same time since the last reset."""
        return self._state.max_in_flight

    @property
    def export_requests(self) -> list[tuple[int, int]]:
        with self._lock:
            return list(self._state.exports)

    @property
    def requests(self) -> list[ServedRequest]:
        """Every request answered since the last reset, in the order their answers ended."""
        with self._lock:
            return list(self._state.served)

    def wait_for_exports_in_flight(self, count: int, timeout: float) -> bool:
        """Block until `count` export requests are in flight at once; False after `timeout`."""
        with self._lock:
            return self._changed.wait_for(lambda: self._state.in_flight >= count, timeout)

    # -- what the handler asks ----------------------------------------------------------------

    def _admit(self, *, is_export: bool) -> tuple[Faults, bool]:
        """Count the request; whether it is one of the first N that fail."""
        with self._lock:
            state = self._state
            state.requests += 1
            faults = state.faults
            in_scope = is_export or faults.scope == "all"
            fail = in_scope and state.failed < faults.fail_first
            if fail:
                state.failed += 1
            return faults, fail

    def _new_session(self) -> str:
        token = secrets.token_urlsafe(16)
        with self._lock:
            self._state.sessions.add(token)
        return token

    def _has_session(self, token: str | None) -> bool:
        with self._lock:
            return token is not None and token in self._state.sessions

    def _record_export(self, year: int, month: int) -> None:
        with self._lock:
            self._state.exports.append((year, month))

    def _export_started(self) -> None:
        with self._lock:
            state = self._state
            state.in_flight += 1
            state.max_in_flight = max(state.max_in_flight, state.in_flight)
            self._changed.notify_all()

    def _export_held(self) -> None:
        """Wait while `hold_exports` is on (at most HOLD_LIMIT_S)."""
        with self._lock:
            self._changed.wait_for(lambda: not self._state.faults.hold_exports, HOLD_LIMIT_S)

    def _export_ended(self) -> None:
        with self._lock:
            self._state.in_flight = max(0, self._state.in_flight - 1)
            self._changed.notify_all()

    def _served(self, kind: Literal["login", "export", "page"], started: float) -> None:
        with self._lock:
            self._state.served.append(ServedRequest(kind, started, time.monotonic()))

    def export_text(self, year: int, month: int, *, tab_separated: bool = False) -> bytes:
        key = (year, month, tab_separated)
        if key not in self._exports:
            self._exports[key] = self._render_export(year, month, tab_separated)
        return self._exports[key]

    def _render_export(self, year: int, month: int, tab: bool) -> bytes:
        names = (
            "Staff name",
            "Staff ID",
            "Staff backup ID",
            "Assignment",
            "Assignment ID",
            "Assignment backup ID",
            "Date",
            "Start",
            "End",
        )
        header = [f"Field {number} = {name}" for number, name in enumerate(names, 1)]
        lines = [
            self.title,
            f"Report 619 for {dt.date(year, month, 1):%B %Y}, printed by the simulator",
            ("\t" if tab else ",").join(header),
        ]
        for entry in self._by_month.get((year, month), []):
            fields = [
                entry.name if tab else _quoted(entry.name),
                self._staff_ids.get(person_key(entry.name), ""),
                "0",
                entry.position if tab else _quoted(entry.position),
                str(self._assignment_ids[entry.position]),
                "0",
                f"{entry.date.month}-{entry.date.day}-{entry.date.year % 100:02d}",
                entry.start,
                entry.end,
            ]
            lines.append(("\t" if tab else ",").join(fields))
        return ("\r\n".join(lines) + "\r\n").encode("utf-8")

    def front_page(self, message: str = "") -> bytes:
        """The login form, with `message` above it (a refused code)."""
        notice = f'<p class="error">{html.escape(message)}</p>' if message else ""
        return _page(
            "Amion - Physician scheduling",
            f"<h1>Amion</h1>{notice}"
            '<form method="post" action="/cgi-bin/ocs">'
            '<label>Access code <input type="password" name="Login" autofocus></label>'
            '<button type="submit">Log in</button></form>',
        )

    def schedule_page(self) -> bytes:
        links = "".join(
            f'<li><a href="/cgi-bin/ocs?Lo={html.escape(self.code)}&amp;Rpt=619'
            f'&amp;Month={month}&amp;Year={year}">Export {dt.date(year, month, 1):%B %Y}</a></li>'
            for year, month in sorted(self._by_month)
        )
        return _page(
            f"{self.title} - On-call schedule",
            f"<h1>{html.escape(self.title)}</h1><p>On-call schedule</p><ul>{links}</ul>",
        )


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _page(title: str, body: str) -> bytes:
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f"</head><body>{body}</body></html>"
    ).encode()


def _maintenance_page(extra: str = "") -> bytes:
    return _page(
        "Amion - Scheduled maintenance",
        f"<h1>Amion is down for scheduled maintenance</h1><p>Please try again later.</p>{extra}",
    )


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    server_version = "AmionSimulator/1.0"

    @property
    def simulator(self) -> AmionSimulator:
        return self.server.simulator

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("simulator: %s", mask(format % args, self.simulator.code))

    def do_GET(self) -> None:
        started = time.monotonic()
        parts = urlsplit(self.path)
        query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        is_export = parts.path == "/cgi-bin/ocs" and query.get("Rpt") == EXPORT_REPORT
        if is_export:
            self.simulator._export_started()
        try:
            if is_export:
                self.simulator._export_held()
            self._get(parts.path, query, is_export)
        finally:
            if is_export:
                self.simulator._export_ended()
            self.simulator._served("export" if is_export else "page", started)

    def _get(self, path: str, query: dict[str, str], is_export: bool) -> None:
        if not self._pass_faults(is_export):
            return
        sim = self.simulator
        if path == "/":
            self._send(HTTPStatus.OK, sim.front_page())
        elif path != "/cgi-bin/ocs":
            self._send(HTTPStatus.NOT_FOUND, _page("Not found", "<h1>Not found</h1>"))
        elif not sim._has_session(self._session()):
            self._send(HTTPStatus.OK, sim.front_page())
        elif is_export:
            self._export(query)
        else:
            self._send(HTTPStatus.OK, sim.schedule_page())

    def do_POST(self) -> None:
        started = time.monotonic()
        try:
            self._post()
        finally:
            self.simulator._served("login", started)

    def _post(self) -> None:
        if not self._pass_faults(False):
            return
        length = int(self.headers.get("Content-Length") or 0)
        form = parse_qs(self.rfile.read(length).decode("utf-8", "replace"))
        sim = self.simulator
        sent = form.get("Login", [""])[-1]
        if urlsplit(self.path).path != "/cgi-bin/ocs":
            self._send(HTTPStatus.NOT_FOUND, _page("Not found", "<h1>Not found</h1>"))
        elif sent != sim.code:
            named = f" {sent}" if sim.faults.echo_code else ""
            self._send(
                HTTPStatus.OK, sim.front_page(f"The access code{named} you entered is not valid.")
            )
        else:
            cookie = f"{SESSION_COOKIE}={sim._new_session()}; Path=/; HttpOnly; SameSite=Lax"
            self._send(
                HTTPStatus.SEE_OTHER,
                b"",
                headers={"Location": "/cgi-bin/ocs?Page=Sched", "Set-Cookie": cookie},
            )

    def _pass_faults(self, is_export: bool) -> bool:
        faults, fail = self.simulator._admit(is_export=is_export)
        if faults.delay and (is_export or faults.scope == "all"):
            time.sleep(faults.delay)
        if fail:
            self._send(
                HTTPStatus.SERVICE_UNAVAILABLE,
                _page("Service Unavailable", "<h1>503 Service Unavailable</h1>"),
            )
        return not fail

    def _export(self, query: dict[str, str]) -> None:
        sim = self.simulator
        faults = sim.faults
        try:
            year, month = int(query.get("Year", "")), int(query.get("Month", ""))
            dt.date(year, month, 1)
        except ValueError:
            self._send(HTTPStatus.BAD_REQUEST, _page("Bad request", "<h1>Bad request</h1>"))
            return
        sim._record_export(year, month)
        if query.get("Lo") != sim.code or faults.wrong_code:
            self._send(HTTPStatus.OK, b"NOFI=No file\r\n", content_type="text/plain")
        elif faults.html_instead:
            echoed = f"<p>You asked for {html.escape(self.path)}</p>" if faults.echo_code else ""
            self._send(HTTPStatus.OK, _maintenance_page(echoed))
        else:
            body = sim.export_text(year, month, tab_separated=faults.tab_separated)
            self._send(HTTPStatus.OK, body, content_type="text/plain", truncate=faults.truncate)

    def _session(self) -> str | None:
        cookie = SimpleCookie(self.headers.get("Cookie") or "")
        morsel = cookie.get(SESSION_COOKIE)
        return morsel.value if morsel else None

    def _send(
        self,
        status: HTTPStatus,
        body: bytes,
        *,
        content_type: str = "text/html; charset=utf-8",
        headers: dict[str, str] | None = None,
        truncate: bool = False,
    ) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            if truncate:
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            self.wfile.write(body[: len(body) // 2] if truncate else body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
