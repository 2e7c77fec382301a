import datetime as dt

from sqlalchemy import func, select

from data_access import alerts as store
from data_access.audit import verify_chain
from data_access.models import Alert
from services.alerts import evaluate
from services.demo_story import tell
from tests.conftest import EVALUATION_DAY, as_viewer


def test_the_demo_story_fills_every_column_of_the_board_once(seeded_engine):
    evaluate(seeded_engine, as_of=EVALUATION_DAY)
    touched = tell(seeded_engine, today=dt.date(2026, 11, 20))
    assert touched > 0
    with seeded_engine.connect() as connection:
        statuses = dict(connection.execute(select(Alert.status, func.count()).group_by(Alert.status)).all())
    assert set(statuses) == {"open", "acknowledged", "rectifying", "resolved", "closed"}
    board = store.list_alerts(seeded_engine, as_viewer(seeded_engine, "leader"), statuses=["rectifying"])
    assert (board["due_date"] < dt.date(2026, 11, 20)).any(), "some tasks are overdue"
    assert tell(seeded_engine) == 0  # told once only
    assert verify_chain(seeded_engine).ok
