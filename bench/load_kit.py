"""What the load and fault benchmarks share: the local deployment on the bench's ports, API tokens and clients
that push figures idempotently and remember what was acknowledged, the check of those writes against the database,
and the CPU and memory of the deployment's processes read from /proc."""
from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import random
import statistics
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import httpx2 as httpx  # the pinned httpx (requirements.txt: httpx2)
import jwt
from sqlalchemy import select
from sqlalchemy.orm import Session

from data_access.api_tokens import create_token
from data_access.auth import start_login_session
from data_access.db import create_database_engine
from data_access.imports.observations import span
from data_access.models import ImportBatch, Indicator, Observation, Project, Region, User
from data_access.users import create_user
from data_access.writes import PLAN_SERIES
from deploy.local import Deployment, start, stop
from tests.conftest import as_viewer

PORTS = {"http_port": 8661, "app_ports": (8662, 8663), "api_port": 8664, "pg_port": 5561}
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


@contextmanager
def running_deployment(state_dir: Path, *, ports: dict[str, object] | None = None) -> Iterator[Deployment]:
    """The two-replica deployment (deploy.local) on ``ports`` (default: the load bench's), stopped afterwards."""
    stop(state_dir)  # a previous bench's leftovers, if it was interrupted
    began = time.monotonic()
    deployment = start(state_dir, **(ports or PORTS))  # type: ignore[arg-type]
    print(f"deployment up in {time.monotonic() - began:.0f} s: nginx {deployment.url}, replicas "
          f"{', '.join(deployment.app_urls)}, API {deployment.api_url}", flush=True)
    os.environ["PERFDASH_AUDIT_KEY"] = deployment.env["PERFDASH_AUDIT_KEY"]  # this process writes tokens (audited)
    try:
        yield deployment
    finally:
        stop(state_dir)


def percentile(values: Sequence[float], share: float) -> float:
    """The ``share`` quantile (0–1) by linear interpolation; NaN for no values."""
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(share * 100) - 1]


LOAD_PASSWORD = "Load@2026-bench"
COOKIE_NAME = "perfdash_auth"  # webapp.login.COOKIE_NAME (the bench does not import the Streamlit side)


def load_role(index: int) -> str:
    """Session ``index``'s role: 1 in 10 a leader, 1 in 10 an analyst, the rest district officials."""
    return {0: "leader", 1: "analyst"}.get(index % 10, "district_official")


def load_accounts(deployment: Deployment, count: int) -> list[str]:
    """``count`` accounts of their own for the load's sessions, as real users have (each user's page caches are
    their own): roles by :func:`load_role`, the officials spread over the demo's districts. Made once; a reused
    deployment keeps them."""
    engine = create_database_engine(deployment.database_url)
    try:
        with engine.connect() as connection:
            districts = connection.execute(select(Region.id).where(Region.level == "district")
                                           .order_by(Region.id)).scalars().all()
            existing = set(connection.execute(select(User.username).where(User.username.like("load_%"))).scalars())
        admin = as_viewer(engine, "admin")
        names = []
        for index in range(count):
            name, role = f"load_{index:04d}", load_role(index)
            if name not in existing:
                create_user(engine, admin, username=name, display_name=f"负载用户 {index}", role=role,
                            password=LOAD_PASSWORD,
                            region_id=districts[index % len(districts)] if role == "district_official" else None)
            names.append(name)
        return names
    finally:
        engine.dispose()


def minted_cookies(deployment: Deployment, usernames: Sequence[str]) -> dict[str, dict[str, str]]:
    """The login cookie perfdash writes after a form login, for each user: streamlit-authenticator's signed token
    (its ``exp_date`` a day ahead) recorded as a login session (``data_access.auth.start_login_session``), as
    ``webapp.login.remember_login`` does. The app checks it like any returning browser's; logging 200 users in
    through the form would take the bench longer than the load itself."""
    key = deployment.env["PERFDASH_COOKIE_KEY"]
    expires = (dt.datetime.now(dt.UTC) + dt.timedelta(days=1)).timestamp()
    engine = create_database_engine(deployment.database_url)
    try:
        cookies = {}
        for name in usernames:
            start_login_session(engine, as_viewer(engine, name), expires)
            cookies[name] = {COOKIE_NAME: jwt.encode({"username": name, "exp_date": expires}, key, algorithm="HS256")}
        return cookies
    finally:
        engine.dispose()


def issue_token(deployment: Deployment, name: str, scopes: Sequence[str]) -> str:
    """A national token with a high call rate (the bench measures the servers, not the rate limit)."""
    engine = create_database_engine(deployment.database_url)
    try:
        return create_token(engine, as_viewer(engine, "admin"), name=f"{name} {uuid.uuid4().hex[:6]}",
                            region_id=None, scopes=list(scopes),
                            rate_per_minute=100_000).secret
    finally:
        engine.dispose()


@dataclass(frozen=True)
class Cell:
    project: str
    indicator: str
    period: str


def push_cells(deployment: Deployment, count: int) -> list[Cell]:
    """Figures the demo already has that a token may push again: not a plan, and a month inside the project's
    reporting span (the import's own rule; the demo holds some figures before a project's start)."""
    engine = create_database_engine(deployment.database_url)
    try:
        with Session(engine) as session:
            rows = session.execute(
                select(Project.code, Indicator.code, Observation.period, Project.planned_start,
                       Project.actual_start, Project.planned_end, Project.actual_end)
                .join(Project, Project.id == Observation.project_id)
                .join(Indicator, Indicator.id == Observation.indicator_id)
                .where(Indicator.code.not_in(PLAN_SERIES))
                .order_by(Observation.period.desc(), Project.code, Indicator.code).limit(count * 2)).all()
    finally:
        engine.dispose()
    cells = []
    for project, indicator, period, planned_start, actual_start, planned_end, actual_end in rows:
        ref = SimpleNamespace(planned_start=planned_start, actual_start=actual_start, planned_end=planned_end,
                              actual_end=actual_end)
        first, last = span(ref, dt.date.today())  # type: ignore[arg-type]
        if first <= period <= last:
            cells.append(Cell(project, indicator, f"{period:%Y-%m}"))
    return cells[:count]


@dataclass
class ApiTally:
    """Every API call's latency and outcome, and the writes the API acknowledged (key → cell and value)."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: {"read": [], "push": []})
    errors: dict[str, int] = field(default_factory=dict)
    acknowledged: dict[str, tuple[Cell, float]] = field(default_factory=dict)
    retries: int = 0

    def error(self, what: str) -> None:
        self.errors[what] = self.errors.get(what, 0) + 1


READS = ("/api/v1/projects?limit=50", "/api/v1/scores", "/api/v1/rankings", "/api/v1/warnings")


async def api_client(base_url: str, read_token: str, push_token: str, cells: list[Cell], tally: ApiTally,
                     until: float, *, seed: int, think: float = 0.5, push_share: float = 0.3,
                     retry_for: float = 30.0) -> None:
    """An integrator until ``until`` (monotonic): reads, and pushes of one figure each with its own
    Idempotency-Key, retried with the same key on a dropped connection or a 5xx until it is answered (at most
    ``retry_for`` seconds); an answered push (201/200) is an acknowledged write. The seed fixes what is read and
    pushed, and a run's own offset (0.001–0.997) the values: a later run pushing the same cells changes their
    figures too, as new figures do, instead of sending back what an earlier run stored."""
    rng = random.Random(seed)
    offset = (time.time_ns() // 1_000_000 % 997 + 1) / 1000
    async with httpx.AsyncClient(base_url=base_url, timeout=60.0) as client:
        while time.monotonic() < until:
            if rng.random() < push_share and cells:
                await _push(client, push_token, cells.pop(), rng.uniform(1, 99) + offset, tally, retry_for)
            else:
                path = rng.choice(READS)
                began = time.perf_counter()
                try:
                    answer = await client.get(path, headers={"Authorization": f"Bearer {read_token}"})
                except httpx.HTTPError as error:
                    tally.error(f"read {type(error).__name__}")
                else:
                    if answer.status_code == 200:
                        tally.latencies["read"].append(time.perf_counter() - began)
                    else:
                        tally.error(f"read {answer.status_code}")
            await asyncio.sleep(rng.uniform(0.5, 1.5) * think)


async def _push(client: httpx.AsyncClient, token: str, cell: Cell, value: float, tally: ApiTally,
                retry_for: float) -> None:
    value = round(value, 3)
    key = f"bench-{uuid.uuid4()}"
    body = {"project_code": cell.project, "indicator_code": cell.indicator, "period": cell.period, "value": value}
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": key}
    began = time.perf_counter()
    give_up = time.monotonic() + retry_for
    while True:
        try:
            answer = await client.post("/api/v1/observations", json=body, headers=headers)
        except httpx.HTTPError as error:
            outcome = type(error).__name__
        else:
            if answer.status_code in (200, 201):
                tally.latencies["push"].append(time.perf_counter() - began)
                tally.acknowledged[key] = (cell, value)
                return
            if answer.status_code < 500 and answer.status_code != 409:  # 409 conflict: "send it again"
                tally.error(f"push {answer.status_code} {answer.text[:120]}")
                return
            outcome = str(answer.status_code)
        if time.monotonic() > give_up:
            tally.error(f"push gave up after {outcome}")
            return
        tally.retries += 1
        await asyncio.sleep(0.5)


def lost_writes(deployment: Deployment, acknowledged: dict[str, tuple[Cell, float]]) -> list[str]:
    """The acknowledged pushes the database does not hold: no applied batch for the key, or another value."""
    engine = create_database_engine(deployment.database_url)
    lost = []
    try:
        with Session(engine) as session:
            batches = dict(session.execute(select(ImportBatch.idempotency_key, ImportBatch.status)
                                           .where(ImportBatch.idempotency_key.in_(list(acknowledged)))).all())
            for key, (cell, value) in acknowledged.items():
                stored = session.execute(
                    select(Observation.value).join(Project, Project.id == Observation.project_id)
                    .join(Indicator, Indicator.id == Observation.indicator_id)
                    .where(Project.code == cell.project, Indicator.code == cell.indicator,
                           Observation.period == first_day(cell.period))).scalar_one_or_none()
                if batches.get(key) != "applied" or stored is None or abs(float(stored) - value) > 1e-9:
                    lost.append(f"{key} {cell} acknowledged {value}, stored {stored}, batch {batches.get(key)}")
    finally:
        engine.dispose()
    return lost


def first_day(period: str) -> dt.date:
    year, month = period.split("-")
    return dt.date(int(year), int(month), 1)


@dataclass(frozen=True)
class ProcessSample:
    """CPU seconds used so far and resident memory now, summed over a set of processes."""

    cpu_seconds: float
    rss_mb: float


def _stat(pid: int) -> tuple[int, int, float, float] | None:
    """(ppid, process group, CPU seconds, RSS MB) of a live process, or None."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2:].split()
    return (int(fields[1]), int(fields[2]), (int(fields[11]) + int(fields[12])) / CLOCK_TICKS,
            int(fields[21]) * PAGE_SIZE / 2**20)


def process_tree(roots: Sequence[int], *, skip: Sequence[int] = ()) -> list[int]:
    """``roots`` and all their descendants (by parent), as /proc shows them now, leaving out the processes in
    ``skip`` and theirs."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (stat := _stat(int(entry.name))) is not None:
            parents.setdefault(stat[0], []).append(int(entry.name))
    found, todo = [], list(roots)
    while todo:
        pid = todo.pop()
        if pid not in found and pid not in skip:
            found.append(pid)
            todo.extend(parents.get(pid, []))
    return found


def sample(roots: Sequence[int], *, skip: Sequence[int] = ()) -> ProcessSample:
    stats = [s for pid in process_tree(roots, skip=skip) if (s := _stat(pid)) is not None]
    return ProcessSample(sum(s[2] for s in stats), sum(s[3] for s in stats))


def postmaster_pid(deployment: Deployment) -> int | None:
    state = json.loads((deployment.state_dir / "deployment.json").read_text(encoding="utf-8"))
    pid_file = Path(state["pg_dir"]) / "data" / "postmaster.pid"
    try:
        return int(pid_file.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def process_groups(deployment: Deployment) -> dict[str, list[int]]:
    """The processes to watch, by name: each replica, the API, PostgreSQL, nginx and this bench."""
    groups = {name: [pid] for name, pid in deployment.pids.items()}
    if (postmaster := postmaster_pid(deployment)) is not None:
        groups["postgres"] = [postmaster]
    groups["bench"] = [os.getpid()]
    return groups


def sample_groups(groups: dict[str, list[int]]) -> dict[str, ProcessSample]:
    """Each group's CPU and memory now; the bench's own without the deployment it started (its children)."""
    deployment = [pid for name, pids in groups.items() if name != "bench" for pid in pids]
    return {name: sample(pids, skip=deployment if name == "bench" else ()) for name, pids in groups.items()}


def machine_cpu_seconds() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine so far (every helper's work included)."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    return (sum(values) - idle) / CLOCK_TICKS, sum(values) / CLOCK_TICKS


def recorded_deployment(state_dir: Path) -> Deployment:
    """A deployment already running in ``state_dir`` (started by ``python -m deploy.local start``): to rerun a
    bench against it without the minute and a half a start takes."""
    state = json.loads((state_dir.resolve() / "deployment.json").read_text(encoding="utf-8"))
    env = {**os.environ, **state["env"]}
    os.environ["PERFDASH_AUDIT_KEY"] = env["PERFDASH_AUDIT_KEY"]
    return Deployment(Path(state["state_dir"]), state["url"], tuple(state["app_urls"]), state["api_url"],
                      state["database_url"], state["migration_database_url"], env, dict(state["pids"]))
