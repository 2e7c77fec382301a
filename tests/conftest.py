"""Shared fixtures: databases on SQLite and on a real, throwaway PostgreSQL cluster.

``db_backend`` parametrises a test over both. PostgreSQL starts once per session from the installed
binaries; where there are none the PostgreSQL cases skip with the reason, unless PERFDASH_REQUIRE_PG=1
(set by .ci/run), which turns a missing server into a failure.
"""
from __future__ import annotations

import atexit
import datetime as dt
import itertools
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from data_access import auth
from data_access.db import create_database_engine
from data_access.demo.generator import build, write
from data_access.migrate import upgrade
from data_access.models import RatingRound, Report, ReportValue
from data_access.scope import Viewer, viewer_for
from devtools.pg_cluster import PostgresUnavailable, throwaway_cluster
from services.alerts import evaluate
from webapp.memory import settle_collector

os.environ.setdefault("PERFDASH_AUDIT_KEY", "test-audit-key-0123456789abcdef0123456789")
# Audit anchors of test databases (one file per database) go to a temporary directory, never to data/.
os.environ.setdefault("PERFDASH_AUDIT_ANCHOR_DIR", tempfile.mkdtemp(prefix="perfdash-test-anchors-"))
# Uploads (the demo's site photos too) go to a temporary directory, never to data/.
os.environ.setdefault("PERFDASH_UPLOAD_DIR", tempfile.mkdtemp(prefix="perfdash-test-uploads-"))
# Every password hash the suite makes (the demo's users, users a test creates) at bcrypt's lowest cost: a login
# then costs about 1 ms of CPU instead of 0.35 s, and a run logs in some hundreds of times (AppTest forms, the
# browser tests' servers checking the seeded hashes). What the app stores outside the suite is pinned by
# tests/data_access/test_auth.py against PRODUCTION_BCRYPT_ROUNDS.
PRODUCTION_BCRYPT_ROUNDS = auth.BCRYPT_ROUNDS
auth.BCRYPT_ROUNDS = 4

DEMO_UNTIL = dt.date(2026, 11, 1)
EVALUATION_DAY = dt.date(2026, 11, 20)
EVALUATED_AT = dt.datetime(2026, 11, 20, 8, 0, tzinfo=dt.UTC)
SMALL_DEMO = {"projects": 80, "months": 12, "seed": 7, "until": DEMO_UNTIL}
_database_counter = itertools.count(1)


MEMORY_FS_NEEDED = 4 * 2**30  # bytes free on /dev/shm to hold a worker's databases (a few live copies, the sources)


def _memory_file_system() -> Path | None:
    """/dev/shm where the machine has it with room (RAM-backed), else None (the system's temporary directory).

    A run writes a database copy for every test that writes (hundreds on PostgreSQL, more on SQLite): on a disk
    each copy costs file-system work and, deleted at the end, minutes of freeing blocks (a PostgreSQL cluster of
    234 copies, 4.3 GB, took 5 minutes to remove on the shared disk); in memory both are nearly free."""
    shm = Path("/dev/shm")
    if not (shm.is_dir() and os.access(shm, os.W_OK | os.X_OK)):
        return None
    free = os.statvfs(shm)
    return shm if free.f_bavail * free.f_frsize >= MEMORY_FS_NEEDED else None  # a container's 64 MB one is too small


MEMORY_FS = _memory_file_system()
# This process's test databases (SQLite files): each test's copy is deleted after it, the rest when the process ends.
SCRATCH = Path(tempfile.mkdtemp(prefix="perfdash-test-dbs-", dir=MEMORY_FS))
atexit.register(shutil.rmtree, SCRATCH, ignore_errors=True)


def scratch_sqlite_path() -> Path:
    """A new, unused SQLite file name in this process's scratch directory."""
    return SCRATCH / f"perfdash_t{next(_database_counter)}.sqlite3"


def remove_sqlite_file(path: Path) -> None:
    """Delete a SQLite database and its write-ahead log files."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """URL of a maintenance database on a throwaway cluster (started once per test session)."""
    try:
        with throwaway_cluster("perfdash_admin", parent=MEMORY_FS) as url:
            yield url
    except PostgresUnavailable as exc:
        if os.environ.get("PERFDASH_REQUIRE_PG") == "1":
            pytest.fail(f"PostgreSQL is required (PERFDASH_REQUIRE_PG=1) but unavailable: {exc}")
        pytest.skip(f"PostgreSQL not available: {exc}")


@pytest.fixture(scope="session")
def postgres_admin(postgres_server: str) -> Iterator[Engine]:
    """One AUTOCOMMIT engine on the maintenance database that creates and drops every test database: an engine
    of its own for each, connected and set up anew, cost about 20 ms twice per PostgreSQL test."""
    admin = create_engine(postgres_server, isolation_level="AUTOCOMMIT")
    yield admin
    admin.dispose()


def _new_database(backend: str, request: pytest.FixtureRequest, *, copy_of: str | None = None) -> str:
    """A URL for a new database on ``backend``: empty, or a copy of the database at ``copy_of``."""
    if backend == "sqlite":
        path = scratch_sqlite_path()
        if copy_of is not None:
            _copy_sqlite(copy_of, path)
        return f"sqlite:///{path}"
    server_url = request.getfixturevalue("postgres_server")
    name = f"perfdash_t{next(_database_counter)}"
    # FILE_COPY copies the template's files; the default (WAL_LOG) also writes all of it to the write-ahead log
    template = f" TEMPLATE {make_url(copy_of).database} STRATEGY FILE_COPY" if copy_of is not None else ""
    with request.getfixturevalue("postgres_admin").connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}{template}"))
    return server_url.rsplit("/", 1)[0] + f"/{name}"


def _drop_database(url: str, admin: Engine | None) -> None:
    """Delete a database ``_new_database`` made (``admin``: the PostgreSQL server's ``postgres_admin``, None for
    SQLite)."""
    database = make_url(url).database
    assert database is not None
    if admin is None:
        remove_sqlite_file(Path(database))
        return
    with admin.connect() as connection:  # FORCE: a connection the test left open (an app's own engine) is ended
        connection.execute(text(f"DROP DATABASE {database} WITH (FORCE)"))


@contextmanager
def _private_engine(backend: str, request: pytest.FixtureRequest, *, copy_of: str | None = None) -> Iterator[Engine]:
    """An engine on a new database (see ``_new_database``), disposed of and the database deleted afterwards."""
    admin = request.getfixturevalue("postgres_admin") if backend == "postgresql" else None
    url = _new_database(backend, request, copy_of=copy_of)
    engine = create_database_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()
        _drop_database(url, admin)


def _copy_sqlite(source_url: str, path: Path) -> None:
    with sqlite3.connect(make_url(source_url).database) as source, sqlite3.connect(path) as target:
        source.backup(target)


_seeded_sources: dict[tuple[str, bool], str] = {}


def write_small_demo(engine: Engine) -> None:
    """The suite's demo data, frozen at ``DEMO_UNTIL``, with its open rating round open for another 30 days from
    the day the suite runs: rating tests must not start failing once the real clock passes the demo's deadline."""
    write(engine, build(**SMALL_DEMO))
    with engine.begin() as connection:
        connection.execute(update(RatingRound).where(RatingRound.status == "open")
                           .values(deadline=dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(days=30)))


def _seeded_source(backend: str, request: pytest.FixtureRequest, *, evaluated: bool = False) -> str:
    """A migrated, seeded database made once per backend and never opened by a test: the original that every
    private seeded database is copied from (a copy takes a fraction of the time seeding takes). ``evaluated``:
    a copy of it with the warning rules evaluated as of ``EVALUATION_DAY`` at ``EVALUATED_AT``, made once too."""
    key = (backend, evaluated)
    if key not in _seeded_sources:
        if evaluated:
            url = _new_database(backend, request, copy_of=_seeded_source(backend, request))
            engine = create_database_engine(url)
            assert evaluate(engine, as_of=EVALUATION_DAY, now=EVALUATED_AT).opened > 0, "the demo raised no warning"
        else:
            url = _new_database(backend, request)
            engine = create_database_engine(url)
            upgrade(engine)
            write_small_demo(engine)
        engine.dispose()  # PostgreSQL copies a template only while nobody is connected to it
        _seeded_sources[key] = url
    return _seeded_sources[key]


@pytest.fixture(params=["sqlite", "postgresql"])
def db_backend(request: pytest.FixtureRequest) -> str:
    return request.param


# For a test whose outcome no SQL decides (a request refused by its validation before any query): it runs on
# SQLite only, where a copy of the seeded database takes a tenth of the time.
sqlite_only = pytest.mark.parametrize("db_backend", ["sqlite"])


@pytest.fixture
def empty_engine(db_backend: str, request: pytest.FixtureRequest) -> Iterator[Engine]:
    """A brand-new database with no tables (for migration tests), deleted after the test."""
    with _private_engine(db_backend, request) as engine:
        yield engine


@pytest.fixture
def seeded_engine(db_backend: str, request: pytest.FixtureRequest) -> Iterator[Engine]:
    """A migrated database with the small demo set, private to one test (safe to write to), deleted after it."""
    with _private_engine(db_backend, request, copy_of=_seeded_source(db_backend, request)) as engine:
        yield engine


@pytest.fixture
def evaluated_engine(db_backend: str, request: pytest.FixtureRequest) -> Iterator[Engine]:
    """Like ``seeded_engine``, with the warnings the evaluator raised as of ``EVALUATION_DAY`` at ``EVALUATED_AT``
    (evaluated once per backend, then copied)."""
    with _private_engine(db_backend, request, copy_of=_seeded_source(db_backend, request, evaluated=True)) as engine:
        yield engine


_shared: dict[str, Engine] = {}


@pytest.fixture
def shared_seeded_engine(db_backend: str, request: pytest.FixtureRequest) -> Engine:
    """One seeded database per backend for the whole session: read-only tests only."""
    if db_backend not in _shared:
        source = _seeded_source(db_backend, request)
        _shared[db_backend] = create_database_engine(_new_database(db_backend, request, copy_of=source))
    return _shared[db_backend]


@pytest.fixture(autouse=True, scope="session")
def _one_chart_browser_per_process() -> Iterator[None]:
    """Reports built in a test process draw their charts in one browser, opened for the first of them and closed
    at the end: opening one waits 2-7 s (Chromium's start, kaleido's page) and a run builds some 30 reports, and
    a figure is drawn the same by any open browser. test_report_pdf opens its own to test the browser itself;
    reports built by a server or a command in a subprocess still open theirs."""
    from services.report_center import pdf
    from services.report_center.chart_images import ChartRenderer

    opened: list[ChartRenderer] = []

    @contextmanager
    def shared_renderer() -> Iterator[ChartRenderer]:
        if not opened:
            opened.append(ChartRenderer())
        yield opened[0]

    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setattr(pdf, "renderer", shared_renderer)
        yield
    for chart_renderer in opened:
        chart_renderer.close()


def pytest_collection_finish(session: pytest.Session) -> None:  # noqa: ARG001
    """Settle the garbage collector once everything is imported, as a replica does after its first page run
    (webapp.memory): a test process, too, keeps its modules for life and makes many short-lived objects (frames,
    figures, ORM rows). The first AppTest run settled it anyway (app.py); this way a test's cost does not depend
    on whether one ran before it in the same process."""
    settle_collector()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:  # noqa: ARG001
    for engine in _shared.values():
        engine.dispose()


def without_demo_notes(engine: Engine, period: dt.date) -> None:
    """Drop the managers' notes and value reasons the demo wrote on ``period``'s reports, for a test that
    writes the month's only texts itself."""
    with Session(engine) as session, session.begin():
        session.execute(update(Report).where(Report.period == period).values(note=None))
        reports = update(ReportValue).where(ReportValue.report_id.in_(
            select(Report.id).where(Report.period == period)))
        session.execute(reports.values(reason=None))


def as_viewer(engine: Engine, username: str) -> Viewer:
    with Session(engine) as session:
        return viewer_for(session, username)


@pytest.fixture(scope="session")
def seeded_sqlite_file(request: pytest.FixtureRequest) -> Path:
    """A seeded SQLite file for app-level tests (AppTest, real server): a copy of the seeded original with the
    warning rules evaluated."""
    path = scratch_sqlite_path()
    _copy_sqlite(_seeded_source("sqlite", request), path)
    engine = create_database_engine(f"sqlite:///{path}")
    evaluate(engine, as_of=EVALUATION_DAY)
    engine.dispose()
    return path


BROWSER_TEST_DIRS = ("tests/e2e/", "tests/deploy/")


# About the seconds a test takes on a 2-core CI machine, by where it lives (a full run's --durations=0 per folder,
# 30 Nov 2026: AppTest page tests ~2 s, API ~1.8 s, services ~0.75 s, data access ~0.4 s, pure code ~0.05 s):
# only the order of the scheduler's queue uses them, so rough figures do.
SECONDS_PER_TEST = {"tests/views/": 2.0, "tests/api/": 1.8, "tests/services/": 0.75, "tests/data_access/": 0.4}
SECONDS_PER_OTHER_TEST = 0.05


def estimated_seconds(nodeids: Iterable[str]) -> float:
    """About how long the tests ``nodeids`` take on CI, to start the dearest modules first."""
    return sum(next((seconds for folder, seconds in SECONDS_PER_TEST.items() if nodeid.startswith(folder)),
                    SECONDS_PER_OTHER_TEST) for nodeid in nodeids)


def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object | None:
    """``make test`` runs ``-n auto --dist loadgroup``: a module's tests go to one worker together (a module-scoped
    fixture, such as the reports test_report_pdf builds, is then made once, not once per worker), and every
    browser test goes to one worker, where they run one after another from the start (each drives a server and
    a Chromium: two at once on two cores fight over the CPUs and time out). The rest fills the other worker,
    dearest modules first (``estimated_seconds``), and that one too once the browser tests are done, so that the
    last modules taken are short ones and both workers finish together. pytest-xdist's own loadgroup cannot do it
    under pytest 9: it renames ``item._nodeid``, which pytest 9 no longer reads, so its ``xdist_group`` marks
    group nothing."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class ModulesAndOneBrowserWorker(LoadScopeScheduling):
        ordered = False  # whether the queue is in the order below yet

        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0]
            return "browser" if module.startswith(BROWSER_TEST_DIRS) else module

        def _assign_work_unit(self, node: object) -> None:
            """The browser tests first (started last, their serial run would be the tail the other worker waits
            for), then the other modules by their estimated time, dearest first (xdist queues them by number of
            tests: the page tests' modules, few tests of seconds each, came last and were the tail)."""
            if not self.ordered:
                for scope in sorted(self.workqueue, key=lambda scope: (scope != "browser",
                                                                      -estimated_seconds(self.workqueue[scope]))):
                    self.workqueue.move_to_end(scope)
                self.ordered = True
            super()._assign_work_unit(node)

    return ModulesAndOneBrowserWorker(config, log)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test in tests/e2e and tests/deploy drives a browser, so each must carry the ``e2e`` marker (``-m "not
    e2e"`` leaves them all out). A browser test that fails is run once more (pytest-rerunfailures; the rerun is
    reported): a page that rerenders between two of the test's steps can make one look fail on a loaded machine,
    while a real defect fails both times."""
    unmarked = [item.nodeid for item in items
                if item.nodeid.startswith(BROWSER_TEST_DIRS) and not item.get_closest_marker("e2e")]
    if unmarked:
        raise pytest.UsageError(f"browser tests without the e2e marker (pytestmark = pytest.mark.e2e): {unmarked}")
    for item in items:
        if item.get_closest_marker("e2e"):
            item.add_marker(pytest.mark.flaky(reruns=1))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:  # noqa: ARG001
    """With PERFDASH_NO_SKIP=1 (set by .ci/run) a skipped test counts as failed: CI must run everything."""
    outcome = yield
    report = outcome.get_result()
    if report.skipped and os.environ.get("PERFDASH_NO_SKIP") == "1" and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"skipped, but PERFDASH_NO_SKIP=1 forbids skips: {report.longrepr}"
