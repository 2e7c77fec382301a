"""The targets pivoted in the server (``load_target_matrix``) against the long form pivoted in pandas, which the
scoring read before: the same cells, rows and columns for every demo user, on SQLite and PostgreSQL."""
import pandas as pd
from sqlalchemy import select, update

from data_access import reads
from data_access.models import Indicator, Project, ProjectTarget, Region, User
from data_access.scope import ARCHIVED
from services.scores import load_model
from tests.conftest import as_viewer

CODES = ["PROG_RATIO", "RESIDENT_SAT", "PROG_ACTUAL", "NO_SUCH_KPI"]


def _long_form_pivoted(engine, viewer, codes):
    """The read this replaces: every target row of the scope, pivoted in pandas."""
    return (reads.list_project_targets(engine, viewer)
            .pivot(index="project_id", columns="indicator_code", values="target_value")
            .reindex(columns=pd.Index(codes, name="indicator_code")))


def test_every_demo_user_gets_the_cells_the_long_form_gives(shared_seeded_engine):
    with shared_seeded_engine.connect() as connection:
        usernames = list(connection.execute(select(User.username).where(User.is_active.is_(True))
                                            .order_by(User.username)).scalars())
        codes = list(connection.execute(select(Indicator.code).where(Indicator.level == 3)
                                        .order_by(Indicator.id)).scalars())
    leader = as_viewer(shared_seeded_engine, "leader")
    assert int(reads.load_target_matrix(shared_seeded_engine, leader, codes).notna().sum().sum()) == \
        len(reads.list_project_targets(shared_seeded_engine, leader)) > 0
    for username in usernames:
        viewer = as_viewer(shared_seeded_engine, username)
        expected = _long_form_pivoted(shared_seeded_engine, viewer, codes)
        pd.testing.assert_frame_equal(reads.load_target_matrix(shared_seeded_engine, viewer, codes), expected,
                                      check_dtype=not expected.empty, check_index_type=not expected.empty,
                                      obj=username)


def test_without_codes_the_columns_are_those_of_the_long_form_pivoted(shared_seeded_engine):
    with shared_seeded_engine.connect() as connection:
        usernames = list(connection.execute(select(User.username).where(User.is_active.is_(True))).scalars())
    for username in usernames:
        viewer = as_viewer(shared_seeded_engine, username)
        pd.testing.assert_frame_equal(
            reads.load_target_matrix(shared_seeded_engine, viewer),
            reads.list_project_targets(shared_seeded_engine, viewer)
            .pivot(index="project_id", columns="indicator_code", values="target_value"), obj=username)


def test_the_scoring_model_has_the_targets_it_had(shared_seeded_engine):
    for username in ("leader", "official_longting"):
        viewer = as_viewer(shared_seeded_engine, username)
        model = load_model(shared_seeded_engine, viewer)
        expected = _long_form_pivoted(shared_seeded_engine, viewer, list(model.specs.index)) \
            .reindex(columns=model.specs.index)
        pd.testing.assert_frame_equal(model.targets, expected)


def test_exact_values_an_unknown_code_and_the_scope(seeded_engine):
    with seeded_engine.begin() as connection:
        ids = dict(connection.execute(select(Indicator.code, Indicator.id)).all())
        longting, gulou = (connection.execute(
            select(Project.id).join(Region, Region.id == Project.region_id).where(Region.code == code)
            .order_by(Project.id).limit(1)).scalar_one() for code in ("410202", "410204"))
        connection.execute(update(ProjectTarget).where(ProjectTarget.project_id == longting,
                                                       ProjectTarget.indicator_id == ids["PROG_RATIO"])
                           .values(target_value=0.1 + 0.2))
        connection.execute(update(Project).where(Project.id == gulou).values(status=ARCHIVED))
    leader = reads.load_target_matrix(seeded_engine, as_viewer(seeded_engine, "leader"), CODES)
    assert list(leader.columns) == CODES and leader["NO_SUCH_KPI"].isna().all()
    assert leader.loc[longting, "PROG_RATIO"] == 0.30000000000000004  # every digit through COPY
    assert gulou not in leader.index  # archived: out of every dashboard read
    official = reads.load_target_matrix(seeded_engine, as_viewer(seeded_engine, "official_longting"), CODES)
    assert longting in official.index and official.index.isin(leader.index).all() and len(official) < len(leader)
