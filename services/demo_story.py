"""Move some demo warnings along their lifecycle so a newcomer sees a living rectification board.

    python -m services.demo_story     # what `make run` does before the hourly evaluation; once only

First, on a database without warnings, the evaluator is replayed as of 75, 45 and 20 days ago (at those days), then
today: the demo's warnings opened on different days ("days open" is a real number, not 0 for every row) and some
came and went, as if perfdash had been running for months.

Deterministic: alerts are picked by id. Of the open ones, about a third are acknowledged, a fifth get a
整改 task (some already overdue), a tenth are resolved with evidence and a few are verified and closed —
each step through the real lifecycle, so history, audit entries and inbox messages are all there.
Last, the analyst proposes the month's bonus allocation under the rule in force and the leader approves it.
"""
from __future__ import annotations

import datetime as dt
import sys

import pandas as pd
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from data_access import DataAccessError, Viewer, create_database_engine, list_regions, viewer_for
from data_access import alerts as store
from data_access import allocation as allocation_store
from data_access.models import Alert, AlertEvent, Region, User
from scoring.allocation import AllocationRules
from services import allocation
from services.alerts import evaluate

PLANS = ("增加施工班组并延长作业时间，两周内追回进度", "补齐资金拨付手续，压实支出计划", "倒排工期，逐项销号整改",
         "约谈施工单位，落实周报制度")
EVIDENCE = ("已提交监理日志和现场照片", "本月进度已追平计划", "资金拨付凭证已上传")


def _official_for(session: Session, region_path: str) -> str | None:
    """The username of the district official whose region contains ``region_path``."""
    rows = session.execute(select(User.username, Region.path).join(Region, Region.id == User.region_id)
                           .where(User.role == "district_official", User.is_active.is_(True))).all()
    return next((name for name, path in rows if region_path.startswith(path)), None)


HISTORY_DAYS = (75, 45, 20)  # the evaluator's replayed runs, in days before today


def replay_history(engine: Engine, today: dt.date | None = None) -> bool:
    """Evaluate the warnings as they stood ``HISTORY_DAYS`` ago, at those days, then today; only on a database
    without any warning (says whether it replayed)."""
    today = today or dt.date.today()
    with Session(engine) as session:
        if session.execute(select(func.count()).select_from(Alert)).scalar():
            return False
    for days in HISTORY_DAYS:
        day = today - dt.timedelta(days=days)
        evaluate(engine, as_of=day, now=dt.datetime.combine(day, dt.time(1), dt.UTC))
    evaluate(engine, as_of=today)
    return True


def tell(engine: Engine, today: dt.date | None = None) -> int:
    """Advance a deterministic share of the open alerts; returns how many were touched."""
    today = today or dt.date.today()
    with Session(engine) as session:
        if session.execute(select(func.count()).select_from(AlertEvent)
                           .where(AlertEvent.actor_id.is_not(None))).scalar():
            return 0  # the story has been told, or people are already working on the warnings
        admin = viewer_for(session, "admin")
    alerts = store.list_alerts(engine, admin, statuses=["open"]).sort_values("id")
    touched = 0
    for position, alert in enumerate(alerts.to_dict("records")):
        step = position % 10  # 0–2 stay open, 3–5 acknowledged, 6–7 rectifying, 8 resolved, 9 closed
        if step < 3:
            continue
        with Session(engine) as session:
            official = _official_for(session, alert["region_path"])
            manager = session.execute(select(User.username).where(User.id == alert["manager_id"])).scalar()
            handler = viewer_for(session, manager or "admin")
            supervisor = viewer_for(session, official or "admin")
        version = store.transition(engine, handler, int(alert["id"]), int(alert["version"]), "acknowledge")
        if step >= 6:
            # Step 7's task, on a warning open for over a month, was set a month ago with a due date last week:
            # overdue, as some always are (a younger warning's task starts today, so its history stays in order).
            opened = pd.Timestamp(alert["opened_at"]).date()
            overdue = step == 7 and opened <= today - dt.timedelta(days=30)
            started = dt.datetime.combine(today - dt.timedelta(days=30 if overdue else 0), dt.time(9), dt.UTC)
            due = today - dt.timedelta(days=5) if overdue else today + dt.timedelta(days=(position % 4) * 7 + 3)
            version = store.transition(engine, handler, int(alert["id"]), version, "rectify", owner_id=handler.user_id,
                                       plan=PLANS[position % len(PLANS)], due_date=due, now=started)
        if step >= 8:
            version = store.transition(engine, handler, int(alert["id"]), version, "resolve",
                                       note=EVIDENCE[position % len(EVIDENCE)])
        if step == 9 and supervisor.user_id != handler.user_id:
            store.transition(engine, supervisor, int(alert["id"]), version, "close", note="核验通过")
        touched += 1
    return touched


DEMO_PROPOSAL = "本月绩效奖励分配方案（演示）"


def approve_a_proposal(engine: Engine) -> bool:
    """On a database without allocation proposals: the analyst saves the month's allocation of the first city
    under the rule in force and the leader approves it, so a district official's 结果应用 shows their district's
    lines (an official never computes the city-wide pool). Says whether it did."""
    analyst, leader = (viewer_for_name(engine, name) for name in ("analyst", "leader"))
    if analyst is None or leader is None or not allocation_store.list_proposals(engine, analyst).empty:
        return False
    rules = allocation_store.rule_set_in_force(engine, analyst)
    if rules is None:
        return False
    regions = list_regions(engine, analyst)
    city = int(regions.loc[regions["level"] == "city", "id"].iloc[0])  # the city the page opens on
    projects = allocation.in_city(allocation.scored_projects(engine, analyst, None), city)
    result = allocation.compute(projects, regions, AllocationRules.from_params(rules.params))
    proposal_id = allocation_store.save_proposal(
        engine, analyst, name=DEMO_PROPOSAL, period=projects.attrs["period"], params=result.rules.to_params(),
        lines=result.lines, unallocated_fen=result.unallocated_fen, region_id=city)
    allocation_store.approve_proposal(engine, leader, proposal_id, expected_version=1)
    return True


def viewer_for_name(engine: Engine, username: str) -> Viewer | None:
    """The demo user as a viewer, or None where the demo has no such user."""
    with Session(engine) as session:
        try:
            return viewer_for(session, username)
        except DataAccessError:
            return None


def main() -> int:
    try:
        engine = create_database_engine()
        replay_history(engine)
        touched = tell(engine)
        approve_a_proposal(engine)
    except DataAccessError as exc:
        print(f"perfdash: {exc}", file=sys.stderr)
        return 2
    print(f"perfdash: demo story moved {touched} warnings along their lifecycle" if touched
          else "perfdash: demo story already told; nothing to do")
    return 0


if __name__ == "__main__":
    sys.exit(main())
