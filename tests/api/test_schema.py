"""schemathesis over the whole open API: every operation, property-based, with a token holding every scope.

Inputs are generated from the spec (valid and invalid ones); whatever comes in, the API never answers 5xx, and
every answer has a status code, a content type and a body the spec documents. The run works on a private copy
of the seeded SQLite database (pushes write to it) and is bounded to a few examples per operation.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import create_engine

from api import create_app
from data_access import create_database_engine
from data_access.api_tokens import MAX_RATE_PER_MINUTE, create_token
from data_access.models import TOKEN_SCOPES
from tests.conftest import as_viewer

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(scope="module")
def api_engine(seeded_sqlite_file: Path, tmp_path_factory: pytest.TempPathFactory):
    path = tmp_path_factory.mktemp("schemathesis") / "api.sqlite3"
    shutil.copy(seeded_sqlite_file, path)
    engine = create_database_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def bearer(api_engine) -> dict[str, str]:
    """A token for every region with every scope, and a rate the run cannot reach."""
    issued = create_token(api_engine, as_viewer(api_engine, "admin"), name="schemathesis", region_id=None,
                          scopes=TOKEN_SCOPES, rate_per_minute=MAX_RATE_PER_MINUTE)
    return {"Authorization": f"Bearer {issued.secret}"}


# The app is built once, at collection, for schemathesis to read its spec and call it in-process; the fixture
# below points it at the database copy. (schemathesis.pytest.from_fixture, the lazy way, fails on pytest 9:
# it reads the test item's private ``_nodeid``.)
APP = create_app(create_engine("sqlite://"))
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@pytest.fixture(scope="module", autouse=True)
def _serving_the_copy(api_engine):
    unused, APP.state.engine = APP.state.engine, api_engine
    yield
    APP.state.engine = unused


@schema.parametrize()
# Bounded and repeatable: a few examples per operation, the same ones every run (no example database), and a
# failure reported as found, not shrunk (shrinking a failing push takes minutes). 15 examples take about 40 s on
# SQLite; 25 took 100 s once scores and rankings were paged (each such call scores the whole period anew).
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None,
          phases=(Phase.explicit, Phase.generate))
def test_every_operation_answers_as_documented_and_never_with_a_server_error(case, bearer):
    case.call_and_validate(headers=bearer, checks=CHECKS)


def test_a_month_outside_the_calendar_is_a_bad_item_not_a_server_error(bearer):
    response = TestClient(APP).post(
        "/api/v1/observations", headers={**bearer, "Idempotency-Key": "year-1000"},
        json={"project_code": "P410202-00001", "indicator_code": "PROG_ACTUAL", "period": "1000-01", "value": 1.0})
    assert response.status_code == 422
    assert "period" in {item["field"] for item in response.json()["error"]["items"]}
