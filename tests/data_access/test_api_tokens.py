"""Open-API tokens: made once, stored hashed, scoped, refused when revoked or expired, counted per minute."""
import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from data_access import reads
from data_access.api_tokens import (
    TokenRefused,
    authenticate,
    create_token,
    list_pushes,
    list_tokens,
    revoke_token,
)
from data_access.errors import PermissionDenied, ValidationError
from data_access.models import ApiToken, AuditEntry, ImportBatch
from tests.conftest import as_viewer

NOW = dt.datetime(2026, 11, 30, 8, 30, 15, tzinfo=dt.UTC)


def _region_id(engine, code: str) -> int:
    regions = reads.list_regions(engine, as_viewer(engine, "admin"))
    return int(regions.loc[regions["code"] == code, "id"].iloc[0])


def test_a_token_is_shown_once_stored_hashed_and_acts_in_its_region(seeded_engine):
    admin = as_viewer(seeded_engine, "admin")
    issued = create_token(seeded_engine, admin, name="财政局 finance", region_id=_region_id(seeded_engine, "410202"),
                          scopes=["read", "write_observations"], expires_in_days=30, now=NOW)
    assert issued.secret.startswith("pdk_") and len(issued.secret) == 4 + 13 + 43
    with Session(seeded_engine) as session:
        stored = session.execute(select(ApiToken)).scalar_one()
    assert issued.secret.split("_", 2)[2] not in stored.secret_sha256 and len(stored.secret_sha256) == 64
    actor = authenticate(seeded_engine, issued.secret, now=NOW)
    assert actor.viewer.username == "api:财政局 finance" and actor.viewer.role == "integration"
    assert actor.scopes == {"read", "write_observations"} and actor.viewer.person_id is None
    longting = _region_id(seeded_engine, "410202")
    projects = reads.list_projects(seeded_engine, actor.viewer)
    assert len(projects) > 0 and set(projects["district_id"]) == {longting}
    assert len(projects) < len(reads.list_projects(seeded_engine, admin))


def test_calls_are_counted_per_minute_and_the_count_restarts_with_the_next_minute(seeded_engine):
    admin = as_viewer(seeded_engine, "admin")
    issued = create_token(seeded_engine, admin, name="site", region_id=None, scopes=["read"], rate_per_minute=2,
                          now=NOW)
    counts = [authenticate(seeded_engine, issued.secret, now=NOW + dt.timedelta(seconds=s)) for s in (0, 10, 20)]
    assert [actor.calls_this_minute for actor in counts] == [1, 2, 3]
    assert [actor.over_limit for actor in counts] == [False, False, True]
    later = authenticate(seeded_engine, issued.secret, now=NOW + dt.timedelta(seconds=60))
    assert later.calls_this_minute == 1
    assert list_tokens(seeded_engine, admin, now=NOW).loc[0, "last_used_at"] is not None


def test_wrong_revoked_and_expired_tokens_are_refused(seeded_engine):
    admin = as_viewer(seeded_engine, "admin")
    issued = create_token(seeded_engine, admin, name="oa", region_id=None, scopes=["read"], expires_in_days=1,
                          now=NOW)
    for presented in (None, "", "Bearer x", issued.secret[:-1] + ("A" if issued.secret[-1] != "A" else "B")):
        with pytest.raises(TokenRefused):
            authenticate(seeded_engine, presented, now=NOW)
    with pytest.raises(TokenRefused, match="expired") as caught:
        authenticate(seeded_engine, issued.secret, now=NOW + dt.timedelta(days=1))
    assert caught.value.message_zh == "该令牌已过期"
    revoke_token(seeded_engine, admin, issued.id, now=NOW)
    revoke_token(seeded_engine, admin, issued.id, now=NOW)  # twice: nothing more
    with pytest.raises(TokenRefused, match="revoked"):
        authenticate(seeded_engine, issued.secret, now=NOW)
    assert list(list_tokens(seeded_engine, admin, now=NOW)["state"]) == ["revoked"]
    with Session(seeded_engine) as session:
        actions = session.execute(select(AuditEntry.action).where(AuditEntry.entity == "api_token")).scalars().all()
    assert actions == ["api_token.create", "api_token.revoke"]


def test_only_admins_make_tokens_and_bad_fields_are_refused_in_both_languages(seeded_engine):
    with pytest.raises(PermissionDenied):
        create_token(seeded_engine, as_viewer(seeded_engine, "analyst"), name="x", region_id=None, scopes=["read"])
    admin = as_viewer(seeded_engine, "admin")
    for fields in ({"name": "", "scopes": ["read"]}, {"name": "a\x00b", "scopes": ["read"]},
                   {"name": "x", "scopes": []}, {"name": "x", "scopes": ["admin"]},
                   {"name": "x", "scopes": ["read"], "expires_in_days": 0},
                   {"name": "x", "scopes": ["read"], "rate_per_minute": True}):
        with pytest.raises(ValidationError) as caught:
            create_token(seeded_engine, admin, region_id=None, **fields)
        assert caught.value.message_zh != str(caught.value)
    create_token(seeded_engine, admin, name="dup", region_id=None, scopes=["read"])
    with pytest.raises(ValidationError, match="exists"):
        create_token(seeded_engine, admin, name="dup", region_id=None, scopes=["read"])


def test_the_pushes_list_holds_the_tokens_batches_of_the_last_30_days_newest_first_for_admins_only(seeded_engine):
    admin = as_viewer(seeded_engine, "admin")
    finance = create_token(seeded_engine, admin, name="财政局", region_id=None, scopes=["write_observations"], now=NOW)

    def batch(days_ago: float, token_id: int | None, key: str | None, new_rows: int) -> ImportBatch:
        return ImportBatch(filename="api", source="api", uploaded_at=NOW - dt.timedelta(days=days_ago),
                           api_token_id=token_id, idempotency_key=key, kind="observations", row_count=new_rows,
                           new_rows=new_rows, changed_rows=0, unchanged_rows=0, status="applied")

    with Session(seeded_engine) as session, session.begin():
        session.add_all([batch(31, finance.id, "2026-10-finance", 5), batch(2, finance.id, "2026-11-finance", 7),
                         batch(1, None, None, 9), batch(0.5, finance.id, "2026-11-fix", 1)])
    pushes = list_pushes(seeded_engine, admin, now=NOW)
    assert list(pushes["idempotency_key"]) == ["2026-11-fix", "2026-11-finance"]
    assert list(pushes["token_name"]) == ["财政局", "财政局"] and list(pushes["new_rows"]) == [1, 7]
    with pytest.raises(PermissionDenied):
        list_pushes(seeded_engine, as_viewer(seeded_engine, "analyst"), now=NOW)
