import datetime as dt

from sqlalchemy import func, select

from data_access import alerts as store
from data_access.audit import verify_chain
from data_access.models import Alert
from services.demo_story import HISTORY_DAYS, replay_history, tell
from tests.conftest import EVALUATION_DAY, as_viewer


def test_the_demo_story_fills_every_column_of_the_board_once(seeded_engine):
    assert replay_history(seeded_engine, today=EVALUATION_DAY)
    assert not replay_history(seeded_engine, today=EVALUATION_DAY)  # once only
    with seeded_engine.connect() as connection:
        oldest = connection.execute(select(func.min(Alert.opened_at))).scalar_one()
    assert oldest.date() == EVALUATION_DAY - dt.timedelta(days=max(HISTORY_DAYS))  # opened 75 days before
    touched = tell(seeded_engine, today=EVALUATION_DAY)
    assert touched > 0
    with seeded_engine.connect() as connection:
        statuses = dict(connection.execute(select(Alert.status, func.count()).group_by(Alert.status)).all())
    assert set(statuses) == {"open", "acknowledged", "rectifying", "resolved", "closed"}
    board = store.list_alerts(seeded_engine, as_viewer(seeded_engine, "leader"), statuses=["rectifying"])
    assert (board["due_date"] < dt.date(2026, 11, 20)).any(), "some tasks are overdue"
    assert tell(seeded_engine) == 0  # told once only
    assert verify_chain(seeded_engine).ok


def test_the_demo_story_leaves_one_approved_allocation_whose_district_lines_an_official_sees(seeded_engine):
    from data_access import allocation as allocation_store
    from services.demo_story import DEMO_PROPOSAL, approve_a_proposal

    assert approve_a_proposal(seeded_engine)
    assert not approve_a_proposal(seeded_engine)  # once only
    official = as_viewer(seeded_engine, "official_longting")
    proposals = allocation_store.list_proposals(seeded_engine, official)
    assert proposals[["name", "status"]].values.tolist() == [[DEMO_PROPOSAL, "approved"]]
    lines = allocation_store.get_proposal(seeded_engine, official, int(proposals["id"].iloc[0])).lines
    everything = allocation_store.get_proposal(seeded_engine, as_viewer(seeded_engine, "leader"),
                                               int(proposals["id"].iloc[0])).lines
    assert 0 < len(lines) < len(everything)
    assert set(lines["district_id"]) == {official.region_id}  # 龙亭区's lines only
    assert verify_chain(seeded_engine).ok
