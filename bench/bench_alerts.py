"""End-to-end benchmark of alert evaluation on the large demo set (prints a table; not a test).

    python bench/bench_alerts.py [--projects 5000] [--months 36]

Times ``services.alerts.evaluate`` on SQLite with the five built-in rules: reading the months the rules
look at, scoring them (for the score-drop rule), running the pure rule engine and storing the alerts —
the first run opens alerts, the second (the steady state of a scheduler) only confirms them. The pure rule
engine alone is measured by ``bench/bench_rules.py``.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("PERFDASH_DEMO", "1")  # the demo audit key signs the entries the benchmark writes

from data_access.alerts import list_rules
from data_access.db import create_database_engine
from data_access.demo.generator import generate
from data_access.migrate import upgrade
from data_access.policy import SYSTEM
from scoring.rules import evaluate as evaluate_rules
from services.alerts import evaluate, load_inputs, rules_from

AS_OF = dt.date(2026, 11, 20)


def timed(action):
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=5000)
    parser.add_argument("--months", type=int, default=36)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        engine = create_database_engine(f"sqlite:///{Path(folder) / 'bench.sqlite3'}")
        upgrade(engine)
        generate(engine, projects=args.projects, months=args.months, seed=2026, until=dt.date(2026, 11, 1), dense=True)
        rules = rules_from(list_rules(engine, SYSTEM, enabled_only=True))
        read_s, inputs = timed(lambda: load_inputs(engine, rules, AS_OF))
        pure_s, findings = timed(lambda: evaluate_rules(rules, as_of=AS_OF, **inputs))
        first_s, first = timed(lambda: evaluate(engine, as_of=AS_OF))
        second_s, second = timed(lambda: evaluate(engine, as_of=AS_OF))
    rows = [
        ("read + score the months the rules need", read_s, f"{len(inputs['observations']):,} observations"),
        ("rule engine (scoring.rules.evaluate)", pure_s, f"{len(findings):,} findings"),
        ("evaluate + store, first run", first_s, f"opened {first.opened:,}"),
        ("evaluate + store, steady state", second_s, f"kept {second.kept:,}, opened {second.opened}"),
    ]
    print(f"perfdash alert benchmark (SQLite): {args.projects} projects × 30 indicators × {args.months} months, "
          f"{len(rules)} rules")
    print(f"{'step':<42} {'seconds':>8}  result")
    for name, seconds, note in rows:
        print(f"{name:<42} {seconds:>8.2f}  {note}")
    print("target: evaluating all rules < 2 s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
