"""The CPU a server spends on page runs right after a push: what a crowd of sessions waits behind (a table).

    python bench/bench_after_push.py [--database FILE] [--rounds 8]

Seeds the demo (SQLite in a temporary file, or ``--database FILE``, kept and reused) with the demo story, then, in
one process as one Streamlit server holds them, opens AppTest sessions: the leader and the analyst on the big
screen, the overview and the scorecards, and 龙亭区's official on the overview and the scorecards. Each round pushes
a 龙亭区 project's figures (a write declared within the project, as an API push or an import is) and runs every
session once, in that order: the first run after the push pays for what the push made stale, the later ones
find what it built. Prints the median CPU seconds (``time.process_time``) per session's run and per round, over
the rounds after the first.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from streamlit.testing.v1 import AppTest

if TYPE_CHECKING:
    from sqlalchemy import Engine

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_rerun import seed  # noqa: E402

SESSIONS = (("leader", "views/big_screen.py"), ("leader", "views/overview.py"), ("leader", "views/scorecards.py"),
            ("analyst", "views/big_screen.py"), ("analyst", "views/overview.py"), ("analyst", "views/scorecards.py"),
            ("official_longting", "views/overview.py"), ("official_longting", "views/scorecards.py"))
Key = tuple[str, str]


def rounds_after_pushes(engine: Engine, project: int, sessions: dict[Key, AppTest], rounds: int,
                        clock: Callable[[], float]) -> tuple[dict[Key, list[float]], list[float]]:
    """Each round changes ``project``'s figures (a write declared within the project, as an API push or an import
    is) and then runs every session once, in order: the first run after the push pays for what it made stale, the
    later ones find what it built. Returns each session's ``clock`` seconds per round and each round's total; the
    province bench shares it, so both measure the same push."""
    from sqlalchemy import update

    from data_access import transaction
    from data_access.db import only_within_projects
    from data_access.models import Observation

    per_run: dict[Key, list[float]] = {key: [] for key in sessions}
    per_round = []
    for _ in range(rounds):
        with transaction(engine) as session:
            only_within_projects(session, [project])
            session.execute(update(Observation).where(Observation.project_id == project)
                            .values(value=Observation.value * 1.01))
        round_start = clock()
        for key, at in sessions.items():
            start = clock()
            at.run()
            per_run[key].append(clock() - start)
            if at.exception:
                raise RuntimeError(f"{key}: {at.exception}")
        per_round.append(clock() - round_start)
    return per_run, per_round


def measure(rounds: int) -> tuple[dict[Key, list[float]], list[float]]:
    from sqlalchemy.orm import Session

    from data_access import list_projects
    from data_access.scope import viewer_for
    from webapp.session import shared_engine

    sessions = {}
    for username, page in SESSIONS:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
        for key, value in {"authentication_status": True, "username": username, "name": username}.items():
            at.session_state[key] = value  # logged in as the login form leaves a session
        at.run()
        at.switch_page(page).run()
        if at.exception:
            raise RuntimeError(f"{username} · {page}: {at.exception}")
        sessions[(username, page)] = at
    engine = shared_engine()
    with Session(engine) as session:
        official = viewer_for(session, "official_longting")
    project = int(list_projects(engine, official)["id"].iloc[0])
    return rounds_after_pushes(engine, project, sessions, rounds, time.process_time)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", type=Path, default=None, help="a SQLite file holding the demo (seeded if empty)")
    parser.add_argument("--rounds", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-after-push-") as folder:
        path = (args.database or Path(folder) / "demo.sqlite3").resolve()
        env = {**os.environ, "PERFDASH_DATABASE_URL": f"sqlite:///{path}", "PERFDASH_DEMO": "1",
               "PERFDASH_AUDIT_KEY": os.environ.get("PERFDASH_AUDIT_KEY", "bench-audit-key-" + "0" * 24),
               "PERFDASH_COOKIE_KEY": os.environ.get("PERFDASH_COOKIE_KEY", "bench-cookie-key-" + "0" * 23),
               "PERFDASH_LOGIN_SLEEP": "0"}
        seed(env)
        os.environ.update(env)
        os.chdir(ROOT)
        per_run, per_round = measure(args.rounds)
    print("\n| user | page | CPU per run after a push (median) |\n| --- | --- | --- |")
    for (username, page), seconds in per_run.items():
        print(f"| {username} | {Path(page).stem} | {statistics.median(seconds[1:] or seconds):.3f} s |")
    print(f"| all | one round | {statistics.median(per_round[1:] or per_round):.2f} s |")


if __name__ == "__main__":
    main()
