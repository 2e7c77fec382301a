"""Faults on the two-replica deployment: a mail server that is gone, PostgreSQL restarted during an import, and a
replica killed under load with pushes. Prints a table of outcomes.

    python bench/bench_faults.py [--sessions 20] [--seconds 60] [--ramp 5] [--think 2] [--accounts demo|own]
                                 [--api-clients 4] [--api-think 0.2] [--batch 20000]
                                 [--faults smtp,import,replica] [--reuse STATE_DIR] [--state-dir data/bench-faults]

Starts deploy.local on ports 8671–8674 and 5562 (``--reuse``: a running one; the replica kill is last, as it
may leave one replica), then:

(c) SMTP: the demo's pending e-mails are sent by the jobs' own functions (immediate messages, the digest) to a
    port with nothing listening, then to a server that accepts and never answers (a dropped network, 1 s
    timeout), then to an aiosmtpd server: how long each run took, what was recorded, what the last run sent;
    meanwhile a Streamlit session switches pages (nothing else waits for the mail).
(b) PostgreSQL is restarted (pg_ctl restart -m fast) while the API writes a batch of ``--batch`` figures: the
    batch's answer, whether any of it is in the database, and the retry with the same Idempotency-Key.
(a) ``--sessions`` Streamlit sessions (arriving evenly over ``--ramp`` seconds, then switching pages every
    ``--think`` seconds ± 50 %, as bench/bench_load.py's do; ``--accounts own``: each a user of its own, as there)
    and ``--api-clients`` integrators (a call every ``--api-think`` seconds ± 50 %, 70 % of them pushes, each
    retried with its key until answered) run for ``--seconds``; once every session is open (at most half-way),
    the replica holding most sessions gets SIGKILL and starts again ``--restart-after`` seconds later, as systemd
    restarts it in production. Its sessions reconnect through nginx (as a browser does: a new websocket, the
    same cookies) and must land on a live replica — the other one, or the restarted one once it is healthy; every
    acknowledged push must be in the database with its value.
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import random
import signal
import socket
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx2 as httpx  # noqa: E402 - the pinned httpx (requirements.txt: httpx2)
from sqlalchemy import Engine, func, select, text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from bench.load_kit import (  # noqa: E402
    ApiTally,
    Cell,
    api_client,
    first_day,
    issue_token,
    load_accounts,
    lost_writes,
    minted_cookies,
    percentile,
    postmaster_pid,
    push_cells,
    recorded_deployment,
    running_deployment,
)
from bench.streamlit_client import SessionError, StreamlitSession, login_cookies  # noqa: E402
from data_access.alerts import pending_emails  # noqa: E402
from data_access.db import create_database_engine  # noqa: E402
from data_access.models import ImportBatch, Indicator, Observation, Project  # noqa: E402
from data_access.policy import SYSTEM  # noqa: E402
from deploy.local import Deployment, _as_postgres, _pg_binaries, restart_replica  # noqa: E402
from services import notify  # noqa: E402

PORTS = {"http_port": 8671, "app_ports": (8672, 8673), "api_port": 8674, "pg_port": 5562}
SMTP_PORT, BLACKHOLE_PORT, CLOSED_PORT = 8676, 8677, 8678
USERS = ("leader", "analyst", "official_longting", "official_gulou")
Outcome = tuple[str, str, str]  # (fault, what was checked, result)


# ---------------------------------------------------------------- (c) the mail server is gone, then back
class Blackhole:
    """A port that accepts connections and never says a word: what a dropped network looks like to SMTP."""

    def __init__(self, port: int) -> None:
        self._server = socket.create_server(("127.0.0.1", port), backlog=256)
        self._held: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        with contextlib.suppress(OSError):
            while True:
                self._held.append(self._server.accept()[0])

    def close(self) -> None:
        self._server.close()
        for held in self._held:
            held.close()


def _pending(engine: Engine) -> int:
    return len(pending_emails(engine, actor=SYSTEM, max_attempts=notify.MAX_ATTEMPTS))


def _mail_run(engine: Engine, settings: notify.SmtpSettings) -> tuple[float, int, int]:
    began = time.monotonic()
    sent, failed = notify.send_immediate(engine, settings)
    digest_sent, digest_failed = notify.send_digest(engine, settings)
    return time.monotonic() - began, sent + digest_sent, failed + digest_failed


async def _page_switches(deployment: Deployment, cookies: dict[str, str], stop: threading.Event) -> list[float]:
    session = await StreamlitSession.open(deployment.url, {**cookies, "perfdash_route": uuid.uuid4().hex})
    times, first = [], await session.run()
    pages = [page for page in session.pages if page.script_hash != first.page_hash][:4]
    while not stop.is_set():
        for page in pages:
            times.append((await session.run(page)).seconds)
    await session.close()
    return times


def smtp_fault(deployment: Deployment, cookies: dict[str, str]) -> list[Outcome]:
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Sink

    logging.getLogger("services.notify").setLevel(logging.ERROR)  # one warning per failed e-mail otherwise
    engine = create_database_engine(deployment.database_url)
    outcomes: list[Outcome] = []
    pending = _pending(engine)
    stop, switches = threading.Event(), []
    watcher = threading.Thread(target=lambda: switches.extend(asyncio.run(_page_switches(deployment, cookies,
                                                                                           stop))), daemon=True)
    watcher.start()
    closed = notify.SmtpSettings(host="127.0.0.1", port=CLOSED_PORT)
    seconds, sent, failed = _mail_run(engine, closed)
    outcomes.append(("SMTP: nothing listening", f"{pending} pending e-mails (immediate and digest)",
                     f"run took {seconds:.1f} s, sent {sent}, failed {failed} (recorded), still pending "
                     f"{_pending(engine)}"))
    blackhole = Blackhole(BLACKHOLE_PORT)
    silent = notify.SmtpSettings(host="127.0.0.1", port=BLACKHOLE_PORT, timeout=1.0)
    seconds, sent, failed = _mail_run(engine, silent)
    blackhole.close()
    outcomes.append(("SMTP: network dropped (accepts, never answers; 1 s timeout)", "the same e-mails",
                     f"run took {seconds:.1f} s for {failed} failed sends (≈ {seconds / max(1, failed):.1f} s "
                     f"each), sent {sent}, still pending {_pending(engine)}"))
    stop.set()
    watcher.join(timeout=120)
    outcomes.append(("SMTP: meanwhile in the app", "a session switching pages during both runs",
                     f"{len(switches)} switches, slowest {max(switches, default=float('nan')) * 1000:,.0f} ms"))
    received: list[object] = []

    class Counting(Sink):
        async def handle_DATA(self, _server: object, _session: object, envelope: object) -> str:
            received.append(envelope)
            return "250 OK"

    controller = Controller(Counting(), hostname="127.0.0.1", port=SMTP_PORT)
    controller.start()
    try:
        seconds, sent, failed = _mail_run(engine, notify.SmtpSettings(host="127.0.0.1", port=SMTP_PORT))
    finally:
        controller.stop()
    outcomes.append(("SMTP: server back", "the next run",
                     f"run took {seconds:.1f} s, sent {sent} messages ({len(received)} received by the server), "
                     f"failed {failed}, still pending {_pending(engine)}"))
    engine.dispose()
    return outcomes


# ---------------------------------------------------------------- (b) PostgreSQL restarted during an import
def _pg_restart(deployment: Deployment) -> None:
    state = json.loads((deployment.state_dir / "deployment.json").read_text(encoding="utf-8"))
    pg_dir = Path(state["pg_dir"])  # -l: without a log file the new server would hold pg_ctl's output open
    _as_postgres([str(_pg_binaries() / "pg_ctl"), "-D", str(pg_dir / "data"), "-l", str(pg_dir / "postgres.log"),
                  "-m", "fast", "-w", "restart"])


def import_fault(deployment: Deployment, batch_size: int) -> list[Outcome]:
    token = issue_token(deployment, "bench faults import", ["write_observations"])
    cells = push_cells(deployment, batch_size)
    key = f"bench-import-{uuid.uuid4()}"
    body = {"items": [{"project_code": c.project, "indicator_code": c.indicator, "period": c.period,
                       "value": round(10 + i % 8000 / 100, 2)} for i, c in enumerate(cells)]}
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": key}
    answer: dict[str, object] = {}

    def push() -> None:
        began = time.monotonic()
        try:
            response = httpx.post(f"{deployment.url}/api/v1/observations/batch", json=body, headers=headers,
                                  timeout=120)
            answer.update(status=response.status_code, body=response.text[:300])
        except httpx.HTTPError as error:
            answer.update(status=type(error).__name__, body=str(error)[:300])
        answer["seconds"] = time.monotonic() - began

    before = postmaster_pid(deployment)
    pusher = threading.Thread(target=push)
    pusher.start()
    writing = _wait_for_write(deployment, pusher, seconds=120)
    restart_began = time.monotonic()
    mid_import = pusher.is_alive()
    _pg_restart(deployment)
    restarted_in = time.monotonic() - restart_began
    pusher.join(timeout=180)
    engine = create_database_engine(deployment.database_url)
    with Session(engine) as session:
        batches = session.execute(select(func.count()).select_from(ImportBatch)
                                  .where(ImportBatch.idempotency_key == key)).scalar_one()
    stored = _values(engine, cells[:200])
    outcomes: list[Outcome] = [
        ("PostgreSQL restart during an import", f"a batch of {batch_size:,} figures through the API",
         f"restart {'during' if mid_import else 'AFTER (too late: not a valid test)'} the import "
         f"({'its transaction was writing: ' + writing if writing else 'before it wrote'}), took "
         f"{restarted_in:.1f} s (postmaster {before} → {postmaster_pid(deployment)}); the API answered "
         f"{answer.get('status')} after {answer.get('seconds', 0):.1f} s: {answer.get('body')}"),
        ("PostgreSQL restart: nothing half-written", "batches with its key; its values in the first 200 cells",
         f"{batches} batch(es); {sum(1 for v, c in stored if v == c)} of 200 cells hold the batch's value")]
    began = time.monotonic()
    retry = httpx.post(f"{deployment.url}/api/v1/observations/batch", json=body, headers=headers, timeout=300)
    stored = _values(engine, cells[:200])
    outcomes.append(("PostgreSQL restart: the retry", "the same body and Idempotency-Key",
                     f"{retry.status_code} in {time.monotonic() - began:.1f} s: {retry.text[:160]}; "
                     f"{sum(1 for v, c in stored if v == c)} of 200 cells now hold the batch's value"))
    engine.dispose()
    return outcomes


def _wait_for_write(deployment: Deployment, pusher: threading.Thread, seconds: float) -> str:
    """Wait until the API's transaction writes figures (seen in pg_stat_activity); what it was running."""
    engine = create_database_engine(deployment.database_url)
    deadline = time.monotonic() + seconds
    try:
        while pusher.is_alive() and time.monotonic() < deadline:
            with engine.connect() as connection:
                query = connection.execute(text(
                    "SELECT left(query, 60) FROM pg_stat_activity WHERE pid <> pg_backend_pid() "
                    "AND xact_start IS NOT NULL AND query ~* '(insert into|update) (observations|import_)' "
                    "LIMIT 1")).scalar_one_or_none()
            if query:
                return " ".join(query.split())
            time.sleep(0.05)
    finally:
        engine.dispose()
    return ""


def _values(engine: Engine, cells: list[Cell]) -> list[tuple[float | None, float]]:
    """(stored value, the value the batch pushes) for each cell (the batch's value: ``10 + i % 8000 / 100``)."""
    with Session(engine) as session:
        rows = []
        for index, cell in enumerate(cells):
            stored = session.execute(
                select(Observation.value).join(Project, Project.id == Observation.project_id)
                .join(Indicator, Indicator.id == Observation.indicator_id)
                .where(Project.code == cell.project, Indicator.code == cell.indicator,
                       Observation.period == first_day(cell.period))).scalar_one_or_none()
            rows.append((None if stored is None else round(float(stored), 2), round(10 + index % 8000 / 100, 2)))
    return rows


# ---------------------------------------------------------------- (a) a replica killed under load
@dataclass
class Reconnects:
    on_victim: int = 0
    lost: Counter[str] = field(default_factory=Counter)  # why an open tab lost its session: closed, or too slow
    reconnected: list[float] = field(default_factory=list)
    landed_on: Counter[str] = field(default_factory=Counter)
    failed: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    started: float = field(default_factory=time.monotonic)
    runs: list[tuple[float, float]] = field(default_factory=list)  # (when it began since started, seconds) per switch
    opened_before_kill: int = 0
    on: dict[int, str] = field(default_factory=dict)  # the replica each open tab is on now

    def latency(self, since: float, until: float) -> str:
        """p50 / p95 of the switches begun in [since, until)."""
        times = [seconds for began, seconds in self.runs if since <= began < until]
        if not times:
            return "no switch"
        return f"{percentile(times, 0.5):.1f} / {percentile(times, 0.95):.1f} s ({len(times)} switches)"


@dataclass(frozen=True)
class Pace:
    """How the tabs of the replica fault arrive and switch pages."""

    ramp: float = 5.0  # seconds over which the tabs open, evenly
    think: float = 2.0  # mean seconds between a tab's switches (± 50 %)
    api_think: float = 0.2  # mean seconds between an integrator's calls (± 50 %)
    restart_after: float | None = 2.0  # seconds from the kill to the replica's restart (systemd's RestartSec)


async def _tab(base_url: str, cookies: dict[str, str], rng: random.Random, start_at: float, until: float,
               think: float, opened: dict[int, str], index: int, tally: Reconnects) -> None:
    """A browser tab that, when its socket dies (at any moment, its first page included), reconnects as
    Streamlit's frontend does — a new websocket with the same cookies and route, again until one answers — and
    asks for the page it was on."""
    await asyncio.sleep(max(0.0, start_at - time.monotonic()))
    tab_cookies = {**cookies, "perfdash_route": uuid.uuid4().hex}
    session: StreamlitSession | None = None
    page, lost_at = None, None
    while time.monotonic() < until + (20 if lost_at is not None else 0):
        try:
            if session is None:
                session = await StreamlitSession.open(base_url, tab_cookies, timeout=10)
                result = await session.run(page)
                opened.setdefault(index, session.replica)
                tally.on[index] = session.replica
                if lost_at is not None:
                    tally.reconnected.append(time.monotonic() - lost_at)
                    tally.landed_on[session.replica] += 1
                    lost_at = None
            else:
                await asyncio.sleep(rng.uniform(0.5, 1.5) * think)
                page = rng.choice([p for p in session.pages if p.script_hash != result.page_hash] or session.pages)
                began = time.monotonic()
                result = await session.run(page)
                tally.runs.append((began - tally.started, time.monotonic() - began))
            for exception in result.exceptions:
                tally.errors[exception[:80]] += 1
        except SessionError as error:
            if lost_at is None and session is not None:  # an open tab's socket died, or its run took too long
                tally.lost["closed" if "closed" in str(error) else "no answer in 60 s"] += 1
                lost_at = time.monotonic()
            elif lost_at is not None:
                tally.failed[str(error)[:60]] += 1
            session = None
            tally.on.pop(index, None)
            await asyncio.sleep(0.5)
    if lost_at is not None:
        tally.failed["never reconnected"] += 1
    if session is not None:
        await session.close()


async def _kill_under_load(deployment: Deployment, tab_cookies: list[dict[str, str]], seconds: float, pace: Pace,
                           api_clients: int) -> tuple[Reconnects, ApiTally, str, float, float | None]:
    sessions = len(tab_cookies)
    tokens = (issue_token(deployment, "bench faults reads", ["read"]),
              issue_token(deployment, "bench faults pushes", ["write_observations"]))
    cells = push_cells(deployment, 20_000)
    random.Random(7).shuffle(cells)
    tally, api = Reconnects(), ApiTally()
    opened: dict[int, str] = {}
    began = time.monotonic()
    until = began + seconds
    rng = random.Random(16)
    tasks = [asyncio.create_task(_tab(deployment.url, tab_cookies[i], random.Random(rng.random()),
                                      began + pace.ramp * i / sessions, until, pace.think, opened, i, tally))
             for i in range(sessions)]
    tasks += [asyncio.create_task(api_client(deployment.url, tokens[0], tokens[1], cells, api, until,
                                             seed=900 + i, think=pace.api_think, push_share=0.7))
              for i in range(api_clients)]
    while len(opened) < sessions and time.monotonic() < began + seconds / 2:  # every tab open, or half-time
        await asyncio.sleep(0.5)
    await asyncio.sleep(2)
    victim = Counter(opened.values()).most_common(1)[0][0]
    tally.on_victim = sum(1 for replica in opened.values() if replica == victim)
    tally.opened_before_kill = len(opened)
    port = int(victim.rsplit(":", 1)[1])
    os.killpg(deployment.pids[f"app-{port}"], signal.SIGKILL)
    killed_at = time.monotonic() - began
    back_at = None
    if pace.restart_after is not None:  # as systemd's Restart=always does (deploy/systemd/perfdash-app@.service)
        await asyncio.sleep(pace.restart_after)
        await asyncio.to_thread(restart_replica, deployment, port)
        back_at = time.monotonic() - began
    await asyncio.gather(*tasks, return_exceptions=True)
    return tally, api, victim, killed_at, back_at


def replica_fault(deployment: Deployment, tab_cookies: list[dict[str, str]], seconds: float, pace: Pace,
                  api_clients: int) -> list[Outcome]:
    """The replica kill, with one tab per login cookie in ``tab_cookies``."""
    sessions = len(tab_cookies)
    tally, api, victim, killed_at, back_at = asyncio.run(_kill_under_load(deployment, tab_cookies, seconds, pace,
                                                                          api_clients))
    lost = lost_writes(deployment, api.acknowledged)
    times = sorted(tally.reconnected)
    return [
        ("Replica killed (SIGKILL) under load", f"{sessions} sessions (ramp {pace.ramp:.0f} s, a switch every "
         f"{pace.think:.0f} s ± 50 %), {api_clients} API clients (a call every {pace.api_think:g} s, 70 % pushes), "
         f"{seconds:.0f} s; {victim} killed at {killed_at:.0f} s, "
         + (f"restarted {pace.restart_after:g} s later, healthy at {back_at:.0f} s" if back_at is not None
            else "not restarted"),
         f"{tally.on_victim} sessions were on it; tabs that lost their session: {dict(tally.lost)}; {len(times)} "
         f"reconnected to "
         f"{dict(tally.landed_on)} in p50 {times[len(times) // 2] * 1000 if times else float('nan'):,.0f} ms / "
         f"max {times[-1] * 1000 if times else float('nan'):,.0f} ms (new websocket + cookie login + the page); "
         f"failed attempts {dict(tally.failed)}; exceptions {dict(tally.errors)}"),
        ("Replica killed: the pages",
         "page switches (p50 / p95) from the ramp's end to the kill, until it is back, and in the run's last 60 s",
         f"{tally.opened_before_kill} of {sessions} tabs open at the kill; ramp end to kill "
         f"{tally.latency(pace.ramp, killed_at)}; kill to healthy again "
         f"{tally.latency(killed_at, back_at if back_at is not None else seconds)}; last 60 s "
         f"{tally.latency(seconds - 60, seconds)} (tabs per replica at the end: {dict(Counter(tally.on.values()))})"),
        ("Replica killed: no write lost", "acknowledged pushes vs the database",
         f"{len(api.acknowledged)} acknowledged, {len(lost)} missing or different{': ' + lost[0] if lost else ''}; "
         f"{api.retries} retries; push errors {dict(api.errors)}")]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--ramp", type=float, default=Pace.ramp, help="seconds over which the sessions open")
    parser.add_argument("--think", type=float, default=Pace.think, help="mean seconds between a session's switches")
    parser.add_argument("--api-clients", type=int, default=4)
    parser.add_argument("--api-think", type=float, default=Pace.api_think,
                        help="mean seconds between an integrator's calls")
    parser.add_argument("--accounts", choices=("demo", "own"), default="demo",
                        help="the replica kill's sessions: demo: the demo's leader, analyst and two officials in "
                             "turn; own: each a user of its own (bench/bench_load.py's load_0000 …)")
    parser.add_argument("--restart-after", type=float, default=Pace.restart_after,
                        help="seconds after the kill the replica starts again, as systemd's RestartSec=2 does "
                             "(negative: never, one replica is left)")
    parser.add_argument("--batch", type=int, default=20_000, help="figures in the batch PostgreSQL restarts under")
    parser.add_argument("--state-dir", type=Path, default=ROOT / "data" / "bench-faults")
    parser.add_argument("--reuse", type=Path, help="a running deploy.local state directory to use instead")
    parser.add_argument("--faults", default="smtp,import,replica", help="which faults, in this order")
    args = parser.parse_args()
    if args.reuse:
        return _bench(recorded_deployment(args.reuse), args)
    with running_deployment(args.state_dir, ports=PORTS) as deployment:
        return _bench(deployment, args)


def _bench(deployment: Deployment, args: argparse.Namespace) -> int:
    cookies = login_cookies(deployment.url, USERS)
    outcomes: list[Outcome] = []
    pace = Pace(args.ramp, args.think, args.api_think, args.restart_after if args.restart_after >= 0 else None)
    faults = {"smtp": lambda: smtp_fault(deployment, cookies["leader"]),
              "import": lambda: import_fault(deployment, args.batch),
              "replica": lambda: replica_fault(deployment, _tab_cookies(deployment, cookies, args), args.seconds,
                                               pace, args.api_clients)}
    for name in args.faults.split(","):
        found = faults[name.strip()]()
        for row in found:
            print(" | ".join(row), flush=True)
        outcomes += found
    print("\n| fault | checked | outcome |\n| --- | --- | --- |")
    for row in outcomes:
        print("| " + " | ".join(part.replace("|", "/") for part in row) + " |")
    return 0


def _tab_cookies(deployment: Deployment, demo: dict[str, dict[str, str]],
                 args: argparse.Namespace) -> list[dict[str, str]]:
    """The login cookie of each of the replica kill's ``--sessions`` tabs."""
    if args.accounts == "demo":
        return [demo[USERS[i % len(USERS)]] for i in range(args.sessions)]
    accounts = load_accounts(deployment, args.sessions)
    minted = minted_cookies(deployment, accounts)
    return [minted[name] for name in accounts]


if __name__ == "__main__":
    sys.exit(main())
