"""Many users at once on the two-replica deployment: page and API latency, throughput, errors, memory and CPU.

    python bench/bench_load.py [--sessions 10,50,200] [--seconds 60] [--ramp 10] [--think 5]
                               [--api-clients 5] [--api-think 0.5] [--browsers 1] [--accounts own|demo]
                               [--hold-p95 1.5] [--no-check] [--reuse STATE_DIR] [--state-dir data/bench-load]

Starts deploy.local (PostgreSQL, two Streamlit replicas, the API with two workers, nginx; ports 8661–8664 and
5561) unless ``--reuse`` names a running one, logs the demo's leader, analyst and six district officials in once
through the real login form (Playwright; for the check and the browser sample), and checks the websocket client
against a real browser on the same pages (``--no-check`` skips it). With ``--accounts own`` (the default) every
session is a user of its own, as in a city where each official has an account (and the page caches of their
own): ``load_0000`` … are made in the deployment and logged in with the cookie perfdash writes after a login;
``--accounts demo`` shares the demo's eight users among all sessions. Then, per level, for ``--seconds`` after a
ramp (``--ramp``: the sessions arrive evenly over it; default a quarter of ``--seconds``, at most 10 s):

- N Streamlit sessions (bench/streamlit_client.py: a browser tab's websocket and protobuf messages through nginx,
  logged in from the user's cookie): 1 in 10 a leader, 1 in 10 an analyst, the rest officials; each opens the
  app, then switches to a random page of its navigation or changes a selectbox/radio on the page, with a think
  time of ``--think`` seconds (± 50 %) between actions;
- ``--browsers`` real Chromium tabs switching pages, as a sample;
- ``--api-clients`` integrators through nginx: reads of projects, scores, rankings and warnings, and one-figure
  pushes with an Idempotency-Key (30 %), with ``--api-think`` seconds (± 50 %) between calls.

Prints per level: page latency (switch or widget change → script finished) p50/p95, over the whole level and in
the steady state (runs begun after the ramp), the open (cookie login and first page) p50/p95, runs per second,
the browser sample, API p50/p95 and calls per second, errors, CPU (cores) of each process (the load generator's
own included) and of the machine, RSS per replica and its growth per session, and whether the level was held:
every session opened, no error, the steady page p95 within ``--hold-p95`` seconds; then where the knee is.
"""
from __future__ import annotations

import argparse
import asyncio
import random
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.browser_sample import BrowserTab, browser_switches  # noqa: E402
from bench.load_kit import (  # noqa: E402
    ApiTally,
    api_client,
    issue_token,
    load_accounts,
    machine_cpu_seconds,
    minted_cookies,
    percentile,
    process_groups,
    push_cells,
    recorded_deployment,
    running_deployment,
    sample,
    sample_groups,
)
from bench.streamlit_client import RunResult, SessionError, StreamlitSession, login_cookies  # noqa: E402
from deploy.local import Deployment  # noqa: E402

OFFICIALS = ("official_longting", "official_gulou", "official_lankao", "official_yuhu", "official_qinnan",
             "official_xuanwu")
USERS = ("leader", "analyst", *OFFICIALS)
CHECK_PAGES = ("scorecards", "map", "alerts", "heatmaps")  # the leader's; each timed 3 times by both
BROWSER_PAGES = ("scorecards", "alerts", "map", "heatmaps", "gantt")
RUN_TIMEOUT = 60.0
GRACE = 30.0  # after the level's end, how long runs in flight may still finish


def user_of(index: int) -> str:
    """Session ``index``'s user: 1 in 10 the leader, 1 in 10 the analyst, the rest the officials in turn."""
    if index % 10 == 0:
        return "leader"
    if index % 10 == 1:
        return "analyst"
    return OFFICIALS[index % len(OFFICIALS)]


@dataclass
class SessionTally:
    runs: dict[str, list[float]] = field(default_factory=lambda: {"open": [], "page": [], "widget": []})
    steady: list[float] = field(default_factory=list)  # page and widget runs begun after the ramp
    steady_by_page: dict[str, list[float]] = field(default_factory=dict)  # the same, by the page they ended on
    errors: Counter[str] = field(default_factory=Counter)
    replicas: Counter[str] = field(default_factory=Counter)
    done_in_window: int = 0
    unfinished: int = 0


async def session_user(base_url: str, cookies: dict[str, str], rng: random.Random, start_at: float,
                       ramp_end: float, until: float, think: float, tally: SessionTally) -> None:
    """One browser tab: open, then page switches and widget changes with think time, until ``until``."""
    await asyncio.sleep(max(0.0, start_at - time.monotonic()))
    route = uuid.uuid4().hex  # a new browser: nginx spreads it by this route cookie
    try:
        session = await StreamlitSession.open(base_url, {**cookies, "perfdash_route": route}, timeout=RUN_TIMEOUT)
    except SessionError as error:
        tally.errors[f"open: {error}"[:80]] += 1
        return
    tally.replicas[session.replica] += 1
    kind, result = "open", None
    try:
        result = await session.run(timeout=RUN_TIMEOUT)
        while True:
            _record(tally, kind, result, _page_path(session, result), ramp_end, until)
            if time.monotonic() >= until:
                break
            await asyncio.sleep(min(rng.uniform(0.5, 1.5) * think, max(0.0, until - time.monotonic())))
            if time.monotonic() >= until:
                break
            if result.choices and rng.random() < 0.3:
                here = next((page for page in session.pages if page.script_hash == result.page_hash), None)
                change = session.change(rng.choice(result.choices))
                kind, result = "widget", await session.run(here, [change], timeout=RUN_TIMEOUT)
            else:
                others = [p for p in session.pages if p.script_hash != result.page_hash] or session.pages
                kind, result = "page", await session.run(rng.choice(others), timeout=RUN_TIMEOUT)
    except SessionError as error:
        tally.errors[f"{kind}: {error}"[:80]] += 1
    except asyncio.CancelledError:
        tally.unfinished += 1
        raise
    finally:
        await session.close()


def _page_path(session: StreamlitSession, result: RunResult) -> str:
    return next((page.url_path for page in session.pages if page.script_hash == result.page_hash), "?") or "home"


def _record(tally: SessionTally, kind: str, result: RunResult, page: str, ramp_end: float, until: float) -> None:
    tally.runs[kind].append(result.seconds)
    now = time.monotonic()
    if kind != "open" and now - result.seconds >= ramp_end:
        tally.steady.append(result.seconds)
        tally.steady_by_page.setdefault(page, []).append(result.seconds)
    if now <= until:
        tally.done_in_window += 1
    for exception in result.exceptions:
        tally.errors[f"exception: {exception}"[:80]] += 1
    if result.page_not_found:
        tally.errors["page not found"] += 1
    if result.compile_error:
        tally.errors["compile error"] += 1


@dataclass
class LevelResult:
    sessions: int
    seconds: float
    ramp: float
    tally: SessionTally
    api: ApiTally
    browser: list[float]
    browser_errors: list[str]
    cpu: dict[str, float]
    machine_busy: float
    rss: dict[str, float]
    rss_growth_per_session: dict[str, float]


async def _level(deployment: Deployment, sessions: int, ramp: float, seconds: float,
                 cookies: list[dict[str, str]], api_clients: int, api_think: float, tokens: tuple[str, str],
                 cells: list, think: float, seed: int) -> tuple:
    began = time.monotonic()
    until = began + ramp + seconds
    tally, api = SessionTally(), ApiTally()
    rng = random.Random(seed)
    tasks = [asyncio.create_task(session_user(deployment.url, cookies[i], random.Random(rng.random()),
                                              began + ramp * i / sessions, began + ramp, until, think, tally))
             for i in range(sessions)]
    tasks += [asyncio.create_task(api_client(deployment.url, tokens[0], tokens[1], cells, api, until,
                                             seed=seed * 100 + i, think=api_think)) for i in range(api_clients)]
    await asyncio.sleep(max(0.0, until - time.monotonic()))
    at_end = sample_groups(process_groups(deployment))
    _done, pending = await asyncio.wait(tasks, timeout=GRACE)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    return tally, api, at_end


def run_level(deployment: Deployment, sessions: int, ramp: float, seconds: float, cookies: list[dict[str, str]],
              leader: dict[str, str], api_clients: int, api_think: float, tokens: tuple[str, str], cells: list,
              think: float, browsers: int, seed: int) -> LevelResult:
    """One level: session ``i`` holds ``cookies[i]``; the browser sample is ``leader``'s."""
    groups = process_groups(deployment)
    before = sample_groups(groups)
    busy_before, total_before = machine_cpu_seconds()
    wall_before = time.monotonic()
    browser_times: list[float] = []
    browser_errors: list[str] = []
    threads = [threading.Thread(target=browser_switches, args=(
        deployment.url, leader, BROWSER_PAGES, time.monotonic() + ramp + seconds, browser_times,
        browser_errors), daemon=True) for _ in range(browsers)]
    for thread in threads:
        thread.start()
    tally, api, at_end = asyncio.run(_level(deployment, sessions, ramp, seconds, cookies, api_clients, api_think,
                                            tokens, cells, think, seed))
    window = time.monotonic() - wall_before
    busy_after, total_after = machine_cpu_seconds()
    for thread in threads:
        thread.join(timeout=RUN_TIMEOUT)
    cpu = {name: (at_end[name].cpu_seconds - before[name].cpu_seconds) / (ramp + seconds) for name in groups}
    replica_names = [name for name in groups if name.startswith("app-")]
    per_replica = {name: tally.replicas.get(f"127.0.0.1:{name.removeprefix('app-')}", 0) for name in replica_names}
    return LevelResult(
        sessions, ramp + seconds, ramp, tally, api, browser_times, browser_errors, cpu,
        (busy_after - busy_before) / (total_after - total_before) * 2 if total_after > total_before else 0.0,
        {name: at_end[name].rss_mb for name in replica_names},
        {name: (at_end[name].rss_mb - before[name].rss_mb) / max(1, per_replica[name]) for name in replica_names}
        | {"window": window})


def _ms(values: list[float], share: float) -> str:
    return "–" if not values else f"{percentile(sorted(values), share) * 1000:,.0f}"


def held(result: LevelResult, p95_limit: float) -> str:
    """Whether the level was held, and if not, why: every session opened, no error, steady p95 within the limit."""
    tally = result.tally
    opened = len(tally.runs["open"])
    reasons = []
    if opened < result.sessions:
        reasons.append(f"{result.sessions - opened} of {result.sessions} sessions never opened")
    if errors := sum(tally.errors.values()) + tally.unfinished:
        reasons.append(f"{errors} session errors")
    if not tally.steady:
        reasons.append("no run in the steady state")
    elif (p95 := percentile(sorted(tally.steady), 0.95)) > p95_limit:
        reasons.append(f"steady page p95 {p95:.2f} s > {p95_limit:g} s")
    return "held" if not reasons else "not held: " + "; ".join(reasons)


def print_level(result: LevelResult) -> None:
    tally, api = result.tally, result.api
    pages = tally.runs["page"] + tally.runs["widget"]
    api_all = api.latencies["read"] + api.latencies["push"]
    errors = sum(tally.errors.values())
    print(f"\n== {result.sessions} sessions, {result.seconds:.0f} s (ramp included) ==")
    print(f"  sessions on replicas: {dict(tally.replicas)}; unfinished at the end: {tally.unfinished}")
    print(f"  page (switch or widget → script finished): n={len(pages)} p50={_ms(pages, .5)} ms "
          f"p95={_ms(pages, .95)} ms; after the ramp n={len(tally.steady)} p50={_ms(tally.steady, .5)} ms "
          f"p95={_ms(tally.steady, .95)} ms; open (cookie login + first page): p50={_ms(tally.runs['open'], .5)} ms "
          f"p95={_ms(tally.runs['open'], .95)} ms; runs/s={tally.done_in_window / result.seconds:.2f}")
    print("  " + slowest_pages(tally, limit=1.5))
    print(f"  browser sample (click → idle): n={len(result.browser)} p50={_ms(result.browser, .5)} ms "
          f"p95={_ms(result.browser, .95)} ms; errors {result.browser_errors[:2]}")
    print(f"  API: reads n={len(api.latencies['read'])} p50={_ms(api.latencies['read'], .5)} ms "
          f"p95={_ms(api.latencies['read'], .95)} ms; pushes n={len(api.latencies['push'])} "
          f"p50={_ms(api.latencies['push'], .5)} ms p95={_ms(api.latencies['push'], .95)} ms; "
          f"calls/s={len(api_all) / result.seconds:.1f}; retries {api.retries}; errors {dict(api.errors)}")
    print(f"  session errors: {errors} {dict(tally.errors.most_common(5))}")
    cores = ", ".join(f"{name} {value:.2f}" for name, value in result.cpu.items())
    print(f"  CPU (cores of 2): {cores}; machine {result.machine_busy:.2f}")
    print("  RSS: " + ", ".join(f"{name} {mb:,.0f} MB (+{result.rss_growth_per_session[name]:.1f} MB/session)"
                                for name, mb in result.rss.items()))


def slowest_pages(tally: SessionTally, limit: float, shown: int = 6) -> str:
    """Where the tail is: the pages with the most runs over ``limit`` seconds after the ramp, with their p50/p95."""
    over = sorted(((sum(t > limit for t in times), page, times) for page, times in tally.steady_by_page.items()),
                  key=lambda row: (-row[0], row[1]))
    parts = [f"{page} {count}/{len(times)} (p50 {_ms(times, .5)}, p95 {_ms(times, .95)} ms)"
             for count, page, times in over[:shown] if count]
    return f"runs over {limit:g} s after the ramp, by page: " + ("; ".join(parts) or "none")


def summary_table(results: list[LevelResult], p95_limit: float) -> str:
    """The README's table: one row per level."""
    lines = ["| sessions | page p50 / p95 ms | after the ramp p50 / p95 ms | open p50 / p95 ms | runs/s | "
             "browser p50 / p95 ms | API p50 / p95 ms | API calls/s | errors (sessions / API) | "
             "replicas' CPU (cores) | load generator CPU | machine CPU | RSS per replica MB | MB per session | held |",
             "|" + " --- |" * 15]
    for r in results:
        pages = r.tally.runs["page"] + r.tally.runs["widget"]
        api_all = r.api.latencies["read"] + r.api.latencies["push"]
        replicas = {name: value for name, value in r.cpu.items() if name.startswith("app-")}
        lines.append(
            f"| {r.sessions} | {_ms(pages, .5)} / {_ms(pages, .95)} | {_ms(r.tally.steady, .5)} / "
            f"{_ms(r.tally.steady, .95)} | {_ms(r.tally.runs['open'], .5)} / "
            f"{_ms(r.tally.runs['open'], .95)} | {r.tally.done_in_window / r.seconds:.2f} | "
            f"{_ms(r.browser, .5)} / {_ms(r.browser, .95)} | {_ms(api_all, .5)} / {_ms(api_all, .95)} | "
            f"{len(api_all) / r.seconds:.1f} | {sum(r.tally.errors.values()) + r.tally.unfinished} / "
            f"{sum(r.api.errors.values())} | {' + '.join(f'{v:.2f}' for v in replicas.values())} | "
            f"{r.cpu.get('bench', 0.0):.2f} | {r.machine_busy:.2f} | "
            f"{' / '.join(f'{v:,.0f}' for v in r.rss.values())} | "
            f"{' / '.join(f'{r.rss_growth_per_session[n]:.1f}' for n in r.rss)} | {held(r, p95_limit)} |")
    return "\n".join(lines)


def knee(results: list[LevelResult]) -> str:
    """Where more sessions stop bringing more runs per second, and what was saturated there."""
    rates = [r.tally.done_in_window / r.seconds for r in results]
    for previous, current, rate_before, rate in zip(results, results[1:], rates, rates[1:], strict=False):
        if rate < rate_before * 1.2:  # the sessions grew several times, the work done did not
            replicas = sum(v for n, v in current.cpu.items() if n.startswith("app-"))
            return (f"knee between {previous.sessions} and {current.sessions} sessions: runs/s {rate_before:.2f} → "
                    f"{rate:.2f} while sessions grew {current.sessions / previous.sessions:.0f}×; the replicas used "
                    f"{replicas:.2f} cores of 2 (machine {current.machine_busy:.2f}), page p95 "
                    f"{_ms(current.tally.runs['page'] + current.tally.runs['widget'], .95)} ms")
    return "no knee within these levels: runs/s grew with the sessions at every step"


def check_client(deployment: Deployment, cookies: dict[str, str]) -> str:
    """The same page switches by a real browser and by the websocket client, one after the other on one replica:
    their times, and the replicas' CPU each switch cost (the same server work, whoever asks)."""
    from playwright.sync_api import sync_playwright

    browser: dict[str, list[float]] = {path: [] for path in CHECK_PAGES}
    wire: dict[str, list[float]] = {path: [] for path in CHECK_PAGES}
    client: dict[str, list[float]] = {path: [] for path in CHECK_PAGES}
    cpu: dict[str, dict[str, float]] = {"browser": {}, "client": {}}
    replicas = [pid for name, pid in deployment.pids.items() if name.startswith("app-")]
    cookies = {**cookies, "perfdash_route": uuid.uuid4().hex}  # the browser and the client on one replica

    def spent(who: str, path: str, since: float) -> None:
        cpu[who][path] = cpu[who].get(path, 0.0) + sample(replicas).cpu_seconds - since

    with sync_playwright() as playwright:
        tab = BrowserTab(playwright, deployment.url, cookies)
        for _ in range(3):
            for path in CHECK_PAGES:
                before = sample(replicas).cpu_seconds
                to_idle, on_the_wire = tab.timed_switch(path)
                spent("browser", path, before)
                browser[path].append(to_idle)
                if on_the_wire == on_the_wire:  # not NaN: the frames were seen
                    wire[path].append(on_the_wire)
        tab.close()

    async def by_client() -> None:
        session = await StreamlitSession.open(deployment.url, cookies)
        await session.run()
        for _ in range(3):
            for path in CHECK_PAGES:
                page = session.page(path)
                if page is None:
                    raise SessionError(f"the leader has no page {path}")
                before = sample(replicas).cpu_seconds
                client[path].append((await session.run(page)).seconds)
                spent("client", path, before)
        await session.close()

    asyncio.run(by_client())
    rows = ["| page (leader) | browser: click → idle, median ms | browser: its rerun → script finished seen on its "
            "websocket, median ms | load client: rerun → script finished, median ms | replicas' CPU per switch, "
            "browser / client, ms |", "| --- | --- | --- | --- | --- |"]
    rows += [f"| {path} | {_ms(browser[path], .5)} | {_ms(wire[path], .5)} | {_ms(client[path], .5)} | "
             f"{cpu['browser'][path] / 3 * 1000:,.0f} / {cpu['client'][path] / 3 * 1000:,.0f} |"
             for path in CHECK_PAGES]
    return "\n".join(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", default="10,50,200", help="levels, e.g. 10,50,200")
    parser.add_argument("--seconds", type=float, default=60.0, help="each level's measured time after the ramp")
    parser.add_argument("--ramp", type=float, help="seconds over which a level's sessions arrive "
                                                   "(default: a quarter of --seconds, at most 10)")
    parser.add_argument("--api-clients", type=int, default=5)
    parser.add_argument("--api-think", type=float, default=0.5, help="mean seconds between an integrator's calls")
    parser.add_argument("--think", type=float, default=5.0, help="mean seconds between a session's actions")
    parser.add_argument("--accounts", choices=("own", "demo"), default="own",
                        help="own: every session a user of its own (load_0000 …, made in the deployment and logged "
                             "in with the cookie perfdash writes); demo: the demo's eight users shared by all")
    parser.add_argument("--hold-p95", type=float, default=1.5,
                        help="a level is held when every session opened, none failed, and the page p95 after "
                             "the ramp is within this many seconds")
    parser.add_argument("--browsers", type=int, default=1, help="real Chromium tabs per level (a sample)")
    parser.add_argument("--no-check", action="store_true", help="skip checking the client against a browser")
    parser.add_argument("--state-dir", type=Path, default=ROOT / "data" / "bench-load")
    parser.add_argument("--reuse", type=Path, help="a running deploy.local state directory to use instead")
    args = parser.parse_args()
    levels = [int(part) for part in args.sessions.split(",") if part.strip()]
    if args.reuse:
        return _bench(recorded_deployment(args.reuse), levels, args)
    with running_deployment(args.state_dir) as deployment:
        return _bench(deployment, levels, args)


def _bench(deployment: Deployment, levels: list[int], args: argparse.Namespace) -> int:
    began = time.monotonic()
    cookies = login_cookies(deployment.url, USERS) if not args.no_check or args.browsers else {}
    if cookies:
        print(f"logged in {len(USERS)} users through the form in {time.monotonic() - began:.0f} s", flush=True)
    if args.accounts == "own":
        began = time.monotonic()
        accounts = load_accounts(deployment, max(levels))
        minted = minted_cookies(deployment, accounts)
        sessions_cookies = [minted[name] for name in accounts]
        print(f"{len(accounts)} accounts of their own, logged in, in {time.monotonic() - began:.0f} s", flush=True)
    else:
        cookies = cookies or login_cookies(deployment.url, USERS)
        sessions_cookies = [cookies[user_of(i)] for i in range(max(levels))]
    if not args.no_check:
        print("\nThe websocket client against a real browser (no other load):\n" + check_client(
            deployment, cookies["leader"]), flush=True)
    tokens = (issue_token(deployment, "bench reads", ["read"]),
              issue_token(deployment, "bench pushes", ["write_observations"]))
    cells = push_cells(deployment, 20_000)
    random.Random(16).shuffle(cells)
    results = []
    for seed, sessions in enumerate(levels, start=1):
        ramp = args.ramp if args.ramp is not None else min(10.0, args.seconds / 4)
        result = run_level(deployment, sessions, ramp, args.seconds, sessions_cookies, cookies.get("leader", {}),
                           args.api_clients, args.api_think, tokens, cells, args.think, args.browsers, seed)
        print_level(result)
        print(f"  {held(result, args.hold_p95)}")
        results.append(result)
    print("\n" + summary_table(results, args.hold_p95))
    print("\n" + knee(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
