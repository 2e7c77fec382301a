"""The read endpoints: the pages' numbers for the same viewer, a district token kept to its district, refusals.

A token of 龙亭区 must read exactly what official_longting reads on the pages, and an admin's token (no region)
what the admin reads: the same projects, totals, ranks, contributions and rankings, computed by the same services.
"""
import datetime as dt
import itertools

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from api import create_app
from data_access import alerts as alert_store
from data_access import list_projects, list_regions, record_observation
from data_access.api_tokens import create_token
from services import api_reads
from services.portfolio import district_league, peer_standing, portfolio
from services.scores import period_scores
from tests.conftest import EVALUATED_AT, as_viewer, sqlite_only

LONGTING = "410202"
NOW = EVALUATED_AT  # when the warnings of evaluated_engine were raised
TOKEN_NUMBERS = itertools.count(1)


def _client(engine, region_code: str | None = None, scopes=("read",)) -> TestClient:
    """A client that sends a new token of ``region_code`` (None: every region) with ``scopes``."""
    admin = as_viewer(engine, "admin")
    regions = list_regions(engine, admin)
    region_id = None if region_code is None else int(regions.loc[regions["code"] == region_code, "id"].iloc[0])
    issued = create_token(engine, admin, name=f"test {next(TOKEN_NUMBERS)}", region_id=region_id,
                          scopes=scopes, rate_per_minute=10_000)
    return TestClient(create_app(engine), headers={"Authorization": f"Bearer {issued.secret}"})


def _get(client: TestClient, path: str, **params) -> dict:
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def _all_projects(client: TestClient, **filters) -> list[dict]:
    first = _get(client, "/api/v1/projects", limit=1000, **filters)
    assert first["total"] == len(first["items"])  # the demo has fewer than 1,000 in any scope
    return first["items"]


# -- the pages' numbers ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("username", "region_code"), [("admin", None), ("official_longting", LONGTING)])
def test_projects_scores_and_ranks_are_the_numbers_the_same_user_sees_on_the_pages(seeded_engine, username,
                                                                                  region_code):
    viewer = as_viewer(seeded_engine, username)
    client = _client(seeded_engine, region_code)

    projects = list_projects(seeded_engine, viewer)
    listed = _all_projects(client)
    assert [p["code"] for p in listed] == projects["code"].tolist()
    assert [p["budget"] for p in listed] == projects["budget"].tolist()

    expected = period_scores(seeded_engine, viewer)
    codes = list_projects(seeded_engine, viewer).set_index("id")["code"]
    answer = _get(client, "/api/v1/scores", limit=1000)
    assert answer["period"] == f"{expected.attrs['period']:%Y-%m}"
    assert answer["scored"] == int(expected["total"].notna().sum()) > 0
    assert [item["code"] for item in answer["items"]] == codes.reindex(expected.index).tolist()
    for item, (_, row) in zip(answer["items"], expected.iterrows(), strict=True):
        assert item["of"] == answer["scored"]
        if pd.isna(row["total"]):
            assert item["total"] is item["rank"] is item["grade"] is None
            continue
        assert (item["total"], item["rank"], item["grade"]) == (row["total"], row["rank"], row["grade"])
        points = {c["indicator_code"]: c["contribution"] for c in item["contributions"]}
        assert points == {code: row[code] for code in points}  # the scorecard's contribution columns, exactly
        assert sum(points.values()) == pytest.approx(item["total"], abs=1e-9)

    board = portfolio(seeded_engine, viewer)
    scored = board.dropna(subset=["total"]).sort_values("total", ascending=False, kind="stable")
    ranking = _get(client, "/api/v1/rankings", by="project", limit=1000)
    assert ranking["of"] == len(scored) == answer["scored"]
    assert [(r["code"], r["rank"], r["score"], r["grade"]) for r in ranking["items"]] == list(
        zip(scored["code"], scored["rank"].astype(int), scored["total"], scored["grade"].astype(str), strict=True))


def test_an_admin_token_ranks_the_districts_as_the_admins_overview_does(seeded_engine):
    admin = as_viewer(seeded_engine, "admin")
    regions = list_regions(seeded_engine, admin)
    board = portfolio(seeded_engine, admin)
    league = district_league(board, board.iloc[0:0], regions, "name_zh").merge(regions[["id", "code"]], on="id")
    ranking = _get(_client(seeded_engine), "/api/v1/rankings", by="district")
    shown = {d["code"]: (d["rank"], d["score"], d["projects"]) for d in ranking["items"]}
    assert shown == {code: (None if pd.isna(rank) else int(rank), None if pd.isna(score) else score, int(count))
                     for code, rank, score, count in league[["code", "rank", "mean_score", "projects"]].itertuples(
                         index=False)}
    ranks = [d["rank"] for d in ranking["items"]]
    ranked = [rank for rank in ranks if rank is not None]
    assert ranks == ranked + [None] * (len(ranks) - len(ranked)) and ranked == sorted(ranked)  # best first
    assert ranking["of"] == len(ranked) == int(league["rank"].notna().sum()) > 1


def test_a_district_token_is_ranked_among_its_citys_districts_as_its_official_is(seeded_engine):
    official = as_viewer(seeded_engine, "official_longting")
    standing = peer_standing(seeded_engine, official, None)
    ranking = _get(_client(seeded_engine, LONGTING), "/api/v1/rankings", by="district")
    assert [(d["code"], d["rank"], d["score"]) for d in ranking["items"]] == [
        (code, None if pd.isna(rank) else int(rank), None if pd.isna(score) else score)
        for code, rank, score in standing.peers[["code", "rank", "mean_score"]].itertuples(index=False)]
    assert next(d["rank"] for d in ranking["items"] if d["code"] == LONGTING) == standing.rank
    assert {d["projects"] for d in ranking["items"]} == {None}  # the peers' means only, nothing about their projects


def test_contributions_are_score_times_weight_over_coverage_and_the_weights_sum_to_one(seeded_engine):
    answer = _get(_client(seeded_engine, LONGTING), "/api/v1/scores", limit=1000)
    scored = [item for item in answer["items"] if item["total"] is not None]
    assert scored
    for item in scored:
        parts = item["contributions"]
        assert sum(part["weight"] for part in parts) == pytest.approx(1.0, abs=1e-12)
        for part in parts:
            expected = 0.0 if part["score"] is None else part["score"] * part["weight"] / item["coverage"]
            assert part["contribution"] == pytest.approx(expected, abs=1e-9)
            assert (part["value"] is None) == (part["score"] is None)


def test_an_earlier_period_is_scored_as_the_scorecard_scores_that_month(seeded_engine):
    viewer = as_viewer(seeded_engine, "official_longting")
    expected = period_scores(seeded_engine, viewer, dt.date(2026, 6, 1))
    client = _client(seeded_engine, LONGTING)
    answer = _get(client, "/api/v1/scores", period="2026-06", limit=1000)
    assert answer["period"] == "2026-06"
    assert [item["total"] for item in answer["items"]] == [None if pd.isna(t) else t for t in expected["total"]]
    assert _get(client, "/api/v1/scores", period="1999-01") == {
        "period": "1999-01", "scored": 0, "total": 0, "limit": 100, "offset": 0, "items": []}


# -- a district token stays in its district ---------------------------------------------------------------------
def test_a_longting_token_sees_only_longting_in_every_list(evaluated_engine):
    client = _client(evaluated_engine, LONGTING)
    admin = as_viewer(evaluated_engine, "admin")
    assert len(list_projects(evaluated_engine, admin)) > len(_all_projects(client)) > 0
    districts = [p["district"]["code"] for p in _all_projects(client)]
    districts += [s["district"]["code"] for s in _get(client, "/api/v1/scores", limit=1000)["items"]]
    districts += [r["district"]["code"] for r in _get(client, "/api/v1/rankings", limit=1000)["items"]]
    warnings = _get(client, "/api/v1/warnings", limit=1000)["items"]
    districts += [w["district"]["code"] for w in warnings]
    assert warnings and set(districts) == {LONGTING}
    official = as_viewer(evaluated_engine, "official_longting")
    assert [w["id"] for w in warnings] == alert_store.list_alerts(evaluated_engine, official)["id"].tolist()
    # another district as a filter is answered like a region that does not exist: with nothing
    assert len(_all_projects(client, region_code=LONGTING)) == len(_all_projects(client))
    for region_code in ("410203", "999999"):
        assert _get(client, "/api/v1/projects", region_code=region_code) == {
            "total": 0, "limit": 100, "offset": 0, "items": []}


def test_another_districts_project_and_warning_are_answered_like_missing_ones(evaluated_engine):
    client = _client(evaluated_engine, LONGTING)
    admin = as_viewer(evaluated_engine, "admin")
    projects = list_projects(evaluated_engine, admin)
    foreign_code = projects.loc[~projects["region_code"].str.startswith(LONGTING), "code"].iloc[0]
    own_code = projects.loc[projects["region_code"].str.startswith(LONGTING), "code"].iloc[0]
    alerts = alert_store.list_alerts(evaluated_engine, admin)
    regions = list_regions(evaluated_engine, admin).set_index("id")["code"]
    foreign_alert = int(alerts.loc[alerts["district_id"].map(regions) != LONGTING, "id"].iloc[0])

    own = client.get(f"/api/v1/projects/{own_code}")
    assert own.status_code == 200 and own.json()["code"] == own_code and own.json()["milestones"]
    for kind, foreign, missing in (("project", f"/api/v1/projects/{foreign_code}", "/api/v1/projects/P999999-99999"),
                                   ("warning", f"/api/v1/warnings/{foreign_alert}", f"/api/v1/warnings/{2**31 - 1}")):
        answers = [client.get(foreign), client.get(missing)]
        assert [a.status_code for a in answers] == [404, 404], kind
        assert answers[0].json() == answers[1].json()
    assert answers[0].json()["error"]["message_zh"] == "预警不存在或您无权访问"
    assert client.get(f"/api/v1/projects/{foreign_code}").json()["error"] == {
        "code": "not_found", "message": "No such project, or you may not access it",
        "message_zh": "项目不存在或您无权访问", "items": []}


def test_a_warning_shows_its_rectifications_stage_owner_and_due_date(evaluated_engine):
    official, admin = as_viewer(evaluated_engine, "official_longting"), as_viewer(evaluated_engine, "admin")
    alert = alert_store.list_alerts(evaluated_engine, official, statuses=["open"]).iloc[0]
    alert_id, due = int(alert["id"]), dt.date.today() + dt.timedelta(days=7)
    version = alert_store.transition(evaluated_engine, admin, alert_id, int(alert["version"]), "rectify",
                                     owner_id=official.user_id, plan="补报进度", due_date=due)
    client = _client(evaluated_engine, LONGTING)
    shown = _get(client, f"/api/v1/warnings/{alert_id}")
    assert shown["status"] == "rectifying" and shown["project"]["code"] == alert["project_code"]
    owner_name = alert_store.get_alert(evaluated_engine, official, alert_id)["owner_name"]
    assert shown["rectification"] == {"status": "in_progress", "owner_username": "official_longting",
                                      "owner_name": owner_name, "plan": "补报进度", "due_date": due.isoformat(),
                                      "submitted_at": None, "verified_at": None}
    listed = _get(client, "/api/v1/warnings", status="rectifying")["items"]
    assert [w["id"] for w in listed] == [alert_id] and listed[0] == shown
    opened = pd.Timestamp(shown["opened_at"])
    assert opened.tzinfo is not None and opened == pd.Timestamp(NOW)

    submitted, verified = NOW + dt.timedelta(days=1), NOW + dt.timedelta(days=2)
    version = alert_store.transition(evaluated_engine, official, alert_id, version, "resolve", note="已补报",
                                     now=submitted)
    stage = _get(client, f"/api/v1/warnings/{alert_id}")["rectification"]
    assert (stage["status"], pd.Timestamp(stage["submitted_at"])) == ("submitted", pd.Timestamp(submitted))
    alert_store.transition(evaluated_engine, admin, alert_id, version, "close", now=verified)
    closed = _get(client, f"/api/v1/warnings/{alert_id}")
    assert (closed["status"], closed["rectification"]["status"]) == ("closed", "verified")
    assert pd.Timestamp(closed["closed_at"]) == pd.Timestamp(closed["rectification"]["verified_at"]) == verified
    assert alert_id in [w["id"] for w in _get(client, "/api/v1/warnings", status="closed")["items"]]
    reds = _get(client, "/api/v1/warnings", severity="red")["items"]
    assert {w["severity"] for w in reds} <= {"red"} and len(reds) == len(
        alert_store.list_alerts(evaluated_engine, official, severities=["red"]))


# -- refusals ----------------------------------------------------------------------------------------------------
def test_a_token_without_read_is_403_and_no_token_is_401_with_bearer(seeded_engine):
    writer = _client(seeded_engine, scopes=("write_observations",))
    refused = writer.get("/api/v1/projects")
    assert refused.status_code == 403 and refused.json()["error"]["message_zh"] == "该令牌没有“读取”权限"
    anonymous = TestClient(create_app(seeded_engine))
    for path in ("/api/v1/projects?regioncode=1", "/api/v1/scores", "/api/v1/rankings", "/api/v1/warnings",
                 "/api/v1/warnings/1", "/api/v1/projects/P410202-00001"):
        answer = anonymous.get(path)
        assert answer.status_code == 401 and answer.headers["WWW-Authenticate"] == "Bearer", path
        assert answer.json()["error"]["code"] == "unauthenticated"


def test_a_token_over_its_calls_per_minute_is_429_with_retry_after(seeded_engine):
    admin = as_viewer(seeded_engine, "admin")
    issued = create_token(seeded_engine, admin, name="one a minute", region_id=None, scopes=["read"],
                          rate_per_minute=1)
    client = TestClient(create_app(seeded_engine), headers={"Authorization": f"Bearer {issued.secret}"})
    assert client.get("/api/v1/warnings").status_code == 200
    # of the next two calls, at least one falls in the first call's minute (should a minute begin between them)
    answers = [client.get("/api/v1/scores"), client.get("/api/v1/projects")]
    refused = next(answer for answer in answers if answer.status_code != 200)
    assert refused.status_code == 429 and 1 <= int(refused.headers["Retry-After"]) <= 60
    assert refused.json()["error"]["code"] == "rate_limited"


@sqlite_only  # refused by the query's validation, before any query
@pytest.mark.parametrize(("path", "params", "field", "chinese"), [
    ("/api/v1/scores", {"period": "2026-13"}, "query.period", "格式不正确"),
    ("/api/v1/rankings", {"period": "2026-1"}, "query.period", "格式不正确"),
    ("/api/v1/scores", {"period": "0000-01"}, "query.period", "格式不正确"),
    ("/api/v1/rankings", {"by": "city"}, "query.by", "须为 'project' or 'district' 之一"),
    ("/api/v1/projects", {"limit": 0}, "query.limit", "须不小于 1"),
    ("/api/v1/projects", {"limit": 1001}, "query.limit", "须不大于 1000"),
    ("/api/v1/projects", {"offset": -1}, "query.offset", "须不小于 0"),
    ("/api/v1/projects", {"limit": "ten"}, "query.limit", "须为整数"),
    ("/api/v1/projects", {"status": "archived"}, "query.status",
     "须为 'planned', 'active', 'suspended' or 'completed' 之一"),
    ("/api/v1/warnings", {"status": "done"}, "query.status",
     "须为 'open', 'acknowledged', 'rectifying', 'resolved' or 'closed' 之一"),
    ("/api/v1/warnings", {"severity": "purple"}, "query.severity", "须为 'red', 'orange' or 'yellow' 之一"),
    ("/api/v1/projects", {"regioncode": LONGTING}, "query.regioncode", "不是此接口的参数"),  # misspelt: not ignored
    ("/api/v1/warnings/1", {"status": "open"}, "query.status", "不是此接口的参数"),
    ("/api/v1/projects", {"region_code": ["\tX", LONGTING]}, "query.region_code", "只能出现一次"),  # not the last only
])
def test_bad_query_values_are_422_in_the_error_shape_in_both_languages(seeded_engine, path, params, field, chinese):
    answer = _client(seeded_engine).get(path, params=params)
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert (error["code"], error["message"], error["message_zh"]) == ("invalid", "The request is not valid",
                                                                      "请求内容无效")
    assert [item["field"] for item in error["items"]] == [field]
    assert error["items"][0]["message_zh"] == f"{field}：{chinese}"


def test_the_category_and_status_filters_keep_the_projects_that_have_them(seeded_engine):
    client = _client(seeded_engine)
    assert _get(client, "/api/v1/projects", category_code="no_such")["total"] == 0
    everything = _all_projects(client)
    category = everything[0]["category"]["code"]
    chosen = _all_projects(client, category_code=category, status="active")
    assert chosen and len(chosen) == sum(p["category"]["code"] == category and p["status"] == "active"
                                         for p in everything)


# -- pagination --------------------------------------------------------------------------------------------------
def test_pages_keep_the_total_do_not_overlap_and_the_last_is_short(seeded_engine):
    client = _client(seeded_engine)
    total = len(list_projects(seeded_engine, as_viewer(seeded_engine, "admin")))
    size = 30
    assert total % size  # the last page is short
    pages = [_get(client, "/api/v1/projects", limit=size, offset=offset) for offset in range(0, total, size)]
    assert {page["total"] for page in pages} == {total}
    assert [len(page["items"]) for page in pages] == [size] * (total // size) + [total % size]
    codes = [p["code"] for page in pages for p in page["items"]]
    assert len(codes) == len(set(codes)) == total and codes == sorted(codes)
    beyond = _get(client, "/api/v1/projects", limit=size, offset=total)
    assert beyond == {"total": total, "limit": size, "offset": total, "items": []}


def test_scores_rankings_and_warnings_come_a_page_at_a_time_and_the_pages_make_up_the_whole(evaluated_engine):
    client = _client(evaluated_engine)
    for path, extra in (("/api/v1/scores", {}), ("/api/v1/rankings", {"by": "project"}), ("/api/v1/warnings", {})):
        whole = _get(client, path, limit=1000, **extra)
        size = 7
        pages = [_get(client, path, limit=size, offset=offset, **extra) for offset in range(0, whole["total"], size)]
        assert whole["total"] > 2 * size and {page["total"] for page in pages} == {whole["total"]}
        assert [item for page in pages for item in page["items"]] == whole["items"], path
        assert len(pages[-1]["items"]) == whole["total"] - size * (len(pages) - 1)
        assert _get(client, path, limit=size, offset=whole["total"], **extra)["items"] == []
    first = _get(client, "/api/v1/scores")
    assert first["limit"] == 100 and len(first["items"]) == min(100, first["total"])  # the default page


def test_paging_through_the_scores_scores_the_period_once_until_a_write_moves_the_data_version(
        seeded_engine, monkeypatch):
    calls = []
    real_load_model = api_reads.load_model
    monkeypatch.setattr(api_reads, "load_model", lambda *args, **kwargs: calls.append(1) or real_load_model(
        *args, **kwargs))
    client = _client(seeded_engine)
    first = [_get(client, "/api/v1/scores", limit=10, offset=offset) for offset in (0, 10, 20)]
    _get(client, "/api/v1/rankings", limit=5)
    assert len(calls) == 1 and len({page["total"] for page in first}) == 1
    admin = as_viewer(seeded_engine, "admin")
    project_id = int(list_projects(seeded_engine, admin)["id"].iloc[0])
    record_observation(seeded_engine, admin, project_id=project_id, indicator_code="PROG_ACTUAL",
                       period=dt.date(2026, 11, 1), value=12.5)
    _get(client, "/api/v1/scores", limit=10)
    assert len(calls) == 2  # the write moved the data version on: scored afresh, never a stale answer
