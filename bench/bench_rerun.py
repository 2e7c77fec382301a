"""The CPU one Streamlit server spends per script run: each role's pages, an open and a same-page rerun (a table).

    python bench/bench_rerun.py [--runs 5] [--pg] [--database FILE] [--port 8620] [--users leader,analyst,official]
                                [--save FILE] [--before FILE] [--log FILE]

Seeds the demo (SQLite in a temporary file, or ``--database FILE``, kept and reused; ``--pg``: a throwaway
PostgreSQL 15 cluster) with the demo story, starts ONE ``streamlit run app.py`` on the loopback and logs the leader,
the analyst and a district official (龙亭区) in once through the real login form (Playwright and Debian's Chromium),
as the load bench does. Then, per user, over websocket sessions holding that cookie (bench/streamlit_client.py):

- open: a new session with the cookie until its first page has finished (cookie login, the rerun, the start page);
- every page of the user's navigation: one switch to it that fills its caches, then ``--runs`` switches to it
  from a light page (the inbox), so that every measured switch finds the caches warm (they keep 60 s);
- a same-page rerun with nothing changed, and a widget change (the sidebar's category filter, back and forth).

Each figure is the median over the runs of the server process's CPU time (utime + stime from /proc, 10 ms ticks,
read 0.2 s after the run finished so that its last messages are sent) and of the wall time from the request to
``script_finished``. ``--save`` writes the samples as JSON; ``--before`` prints them beside a saved run's.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_page_load import streamlit_process  # noqa: E402
from bench.load_kit import sample  # noqa: E402
from bench.streamlit_client import RunResult, StreamlitSession, choose, login_cookies  # noqa: E402
from devtools.pg_cluster import throwaway_cluster  # noqa: E402

USERS = {"leader": "leader", "analyst": "analyst", "official": "official_longting"}
SETTLE = 0.2  # seconds after script_finished before the CPU is read: the run's last messages are still sent
WIDGET = "filter_category"  # the sidebar's category filter: a widget change every page has


@contextmanager
def demo_database(pg: bool, path: Path | None) -> Iterator[str]:
    """A database URL holding the demo and its story (seeded when empty)."""
    if pg:
        with throwaway_cluster("perfdash_rerun") as url:
            yield url
        return
    if path is not None:
        yield f"sqlite:///{path.resolve()}"
        return
    with tempfile.TemporaryDirectory(prefix="bench-rerun-") as folder:
        yield f"sqlite:///{Path(folder) / 'demo.sqlite3'}"


def seed(env: dict[str, str]) -> None:
    done = subprocess.run([sys.executable, "-m", "data_access.demo", "--if-empty"], cwd=ROOT, env=env, check=True,
                          capture_output=True, text=True)
    if "seeded" in done.stdout:
        subprocess.run([sys.executable, "-m", "services.demo_story"], cwd=ROOT, env=env, check=True,
                       stdout=subprocess.DEVNULL)
    print(done.stdout.strip(), flush=True)


class Meter:
    """Times runs of one server process: wall seconds to ``script_finished`` and the process's CPU seconds."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.samples: dict[str, dict[str, list[float]]] = {}

    async def timed(self, key: str, run, *, record: bool = True) -> RunResult:
        before = sample([self.pid]).cpu_seconds
        result = await run()
        await asyncio.sleep(SETTLE)
        cpu = sample([self.pid]).cpu_seconds - before
        if result.errors:
            raise RuntimeError(f"{key}: {result.exceptions or 'page not found / compile error'}")
        if record:
            entry = self.samples.setdefault(key, {"cpu": [], "wall": []})
            entry["cpu"].append(cpu)
            entry["wall"].append(result.seconds)
        return result


async def measure_user(meter: Meter, url: str, role: str, cookies: dict[str, str], runs: int) -> None:
    for index in range(runs + 1):  # the first open warms the server's caches for this user
        session = await StreamlitSession.open(url, cookies)
        opened = await meter.timed(f"{role} · open", session.run, record=index > 0)
        if index < runs:
            await session.close()
    start = next(page for page in session.pages if page.script_hash == opened.page_hash)
    between = session.page("inbox") or start  # a light page to switch away to between measured switches
    for page in session.pages:  # page by page, so its caches (60 s) are warm for every measured switch
        key = f"{role} · {page.url_path or page.name}"
        away = between if page != between else start
        await meter.timed(key, lambda page=page: session.run(page), record=False)  # warms its caches
        for _ in range(runs):
            await meter.timed(key, lambda away=away: session.run(away), record=False)
            await meter.timed(key, lambda page=page: session.run(page))
    rerun = await meter.timed(f"{role} · rerun", lambda: session.run(start), record=False)
    for _ in range(runs):
        await meter.timed(f"{role} · rerun", lambda: session.run(start))
    category = next(choice for choice in rerun.choices if choice.widget_id.endswith(WIDGET))
    for index in range(2 * runs + 2):  # two values back and forth; the first of each warms its cache
        option = category.options[(index + 1) % 2]
        await meter.timed(f"{role} · widget", lambda option=option: session.run(start, [choose(category, option)]),
                          record=index > 1)
    await session.close()


def median_ms(values: list[float]) -> float:
    return statistics.median(values) * 1000


def print_table(samples: dict[str, dict[str, list[float]]], before: dict[str, dict[str, list[float]]] | None,
                runs: int, database: str) -> None:
    print(f"\nCPU of the server process per run and wall time to script_finished, medians of {runs} warm runs, "
          f"{database}; load average {os.getloadavg()[0]:.1f} at the end")
    header = f"{'user · page':<34}{'CPU ms':>8}{'wall ms':>9}"
    if before:
        header += f"{'CPU before':>12}{'wall before':>13}{'CPU change':>12}"
    print(header)
    for key, entry in samples.items():
        cpu, wall = median_ms(entry["cpu"]), median_ms(entry["wall"])
        line = f"{key:<34}{cpu:>8.0f}{wall:>9.0f}"
        if before and key in before:
            old_cpu = median_ms(before[key]["cpu"])
            change = f"{(cpu - old_cpu) / old_cpu:+.0%}" if old_cpu else "–"
            line += f"{old_cpu:>12.0f}{median_ms(before[key]['wall']):>13.0f}{change:>12}"
        print(line)


async def measure_all(meter: Meter, url: str, cookies: dict[str, dict[str, str]], runs: int,
                      roles: list[str]) -> None:
    for role in roles:
        username = USERS[role]
        began = time.monotonic()
        await measure_user(meter, url, role, cookies[username], runs)
        print(f"{role}: measured in {time.monotonic() - began:.0f} s", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--pg", action="store_true", help="a throwaway PostgreSQL cluster instead of SQLite")
    parser.add_argument("--database", type=Path, help="a SQLite file to seed once and keep (default: a temporary one)")
    parser.add_argument("--port", type=int, default=8620)
    parser.add_argument("--users", default=",".join(USERS), help=f"which of {', '.join(USERS)} (default: all)")
    parser.add_argument("--save", type=Path, help="write the samples to this JSON file")
    parser.add_argument("--before", type=Path, help="a saved run to print beside this one")
    parser.add_argument("--log", type=Path, help="the server's output (default: dropped)")
    args = parser.parse_args()
    with demo_database(args.pg, args.database) as database_url:
        env = os.environ | {"PERFDASH_DEMO": "1", "PERFDASH_DATABASE_URL": database_url}
        seed(env)
        with streamlit_process(ROOT / "app.py", env, args.port, args.log) as (url, process):
            roles = args.users.split(",")
            cookies = login_cookies(url, [USERS[role] for role in roles])
            meter = Meter(process.pid)
            asyncio.run(measure_all(meter, url, cookies, args.runs, roles))
    if args.save:
        args.save.write_text(json.dumps(meter.samples, indent=1), encoding="utf-8")
    before = json.loads(args.before.read_text(encoding="utf-8")) if args.before else None
    print_table(meter.samples, before, args.runs, "PostgreSQL 15" if args.pg else "SQLite")
    return 0


if __name__ == "__main__":
    sys.exit(main())
