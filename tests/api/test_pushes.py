"""API pushes: a district's month in one idempotent call, all or nothing, in the token's region, audited per call."""
import datetime as dt
import json
import threading

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api import create_app
from data_access import data_version, reads
from data_access.api_tokens import create_token, revoke_token
from data_access.audit import verify_chain
from data_access.imports import rollback_batch
from data_access.models import (
    AuditEntry,
    ImportBatch,
    Indicator,
    Milestone,
    Observation,
    Project,
    ProjectTarget,
    Region,
)
from services import api_pushes
from tests.conftest import as_viewer, sqlite_only

LONGTING = "410202"
MONTH = "2026-12"  # after the demo's last month and inside every 龙亭区 project's reporting span


def _region_id(engine, code: str) -> int:
    regions = reads.list_regions(engine, as_viewer(engine, "admin"))
    return int(regions.loc[regions["code"] == code, "id"].iloc[0])


def _token(engine, name: str = "财政局 finance", *, region: str | None = LONGTING,
           scopes=("read", "write_observations", "write_milestones"), **options) -> str:
    region_id = None if region is None else _region_id(engine, region)
    return create_token(engine, as_viewer(engine, "admin"), name=name, region_id=region_id, scopes=scopes,
                        **options).secret


def _headers(token: str, key: str | None = "push-1") -> dict[str, str]:
    headers = {"Authorization": f"Bearer {token}"}
    if key is not None:
        headers["Idempotency-Key"] = key
    return headers


def _longting_month(engine) -> list[dict]:
    """Every KPI (project target) of every 龙亭区 project, with a value per item that differs item by item."""
    with Session(engine) as session:
        rows = session.execute(
            select(Project.code, Indicator.code).join(ProjectTarget, ProjectTarget.project_id == Project.id)
            .join(Indicator, Indicator.id == ProjectTarget.indicator_id).join(Region, Region.id == Project.region_id)
            .where(Region.code == LONGTING).order_by(Project.code, Indicator.code)).all()
    return [{"project_code": project, "indicator_code": indicator, "period": MONTH, "value": 10 + index * 0.5}
            for index, (project, indicator) in enumerate(rows)]


def _count(engine, model, *conditions) -> int:
    with Session(engine) as session:
        return session.execute(select(func.count()).select_from(model).where(*conditions)).scalar_one()


def _api_batches(engine) -> int:
    return _count(engine, ImportBatch, ImportBatch.source == "api")


def test_a_district_pushes_a_month_of_figures_in_one_call_and_a_retry_writes_nothing(seeded_engine):
    token = _token(seeded_engine)
    items = _longting_month(seeded_engine)
    projects = {item["project_code"] for item in items}
    assert len(items) > 50 and len(projects) >= 5
    client = TestClient(create_app(seeded_engine))

    first = client.post("/api/v1/observations/batch", json={"items": items}, headers=_headers(token))
    assert first.status_code == 201, first.text
    answer = first.json()
    assert answer == {"batch_id": answer["batch_id"], "kind": "observations", "new": len(items), "changed": 0,
                      "unchanged": 0, "projects": len(projects)}
    assert "Idempotent-Replayed" not in first.headers
    with Session(seeded_engine) as session:
        stored = session.execute(
            select(Project.code, Indicator.code, Observation.value, Observation.source, Observation.import_batch_id)
            .join(Project, Project.id == Observation.project_id)
            .join(Indicator, Indicator.id == Observation.indicator_id)
            .where(Observation.period == dt.date(2026, 12, 1))).all()
        batch = session.get(ImportBatch, answer["batch_id"])
    assert sorted((code, indicator, value) for code, indicator, value, _, _ in stored) == [
        (item["project_code"], item["indicator_code"], item["value"]) for item in items]
    assert {(source, batch_id) for *_, source, batch_id in stored} == {("api", answer["batch_id"])}
    assert (batch.source, batch.kind, batch.idempotency_key, batch.filename) == (
        "api", "observations", "push-1", "api:财政局 finance:push-1")
    assert len(batch.sha256) == 64 and batch.row_count == len(items)

    version = data_version(seeded_engine)
    retry = client.post("/api/v1/observations/batch", json={"items": items}, headers=_headers(token))
    assert retry.status_code == 200 and retry.json() == answer
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert _api_batches(seeded_engine) == 1
    assert _count(seeded_engine, Observation, Observation.period == dt.date(2026, 12, 1)) == len(items)
    assert data_version(seeded_engine) == version  # nothing written: no page's cache is emptied

    status = client.get(f"/api/v1/imports/{answer['batch_id']}", headers=_headers(token, None))
    assert status.status_code == 200
    assert {name: status.json()[name] for name in ("kind", "status", "items", "new", "changed", "idempotency_key",
                                                     "token")} == {
        "kind": "observations", "status": "applied", "items": len(items), "new": len(items), "changed": 0,
        "idempotency_key": "push-1", "token": "财政局 finance"}

    rollback_batch(seeded_engine, as_viewer(seeded_engine, "admin"), answer["batch_id"])  # on the import page
    assert _count(seeded_engine, Observation, Observation.period == dt.date(2026, 12, 1)) == 0
    undone = client.get(f"/api/v1/imports/{answer['batch_id']}", headers=_headers(token, None)).json()
    assert undone["status"] == "rolled_back" and undone["rolled_back_at"] is not None


def test_the_same_key_with_another_body_is_refused_and_writes_nothing(seeded_engine):
    token = _token(seeded_engine)
    client = TestClient(create_app(seeded_engine))
    item = {"project_code": "P410202-00007", "indicator_code": "BUDGET_EXEC", "period": MONTH, "value": 50}
    assert client.post("/api/v1/observations", json=item, headers=_headers(token)).status_code == 201
    reused = client.post("/api/v1/observations", json={**item, "value": 51}, headers=_headers(token))
    assert reused.status_code == 409
    assert reused.json()["error"]["code"] == "idempotency_key_reused"
    assert "Idempotency-Key" in reused.json()["error"]["message_zh"]
    # A body that only differs in its key order and spacing is the same body: a replay.
    reordered = client.post("/api/v1/observations", content='{"value": 50, "period": "2026-12", "indicator_code": '
                            '"BUDGET_EXEC", "project_code": "P410202-00007"}',
                            headers={**_headers(token), "Content-Type": "application/json"})
    assert reordered.status_code == 200
    with Session(seeded_engine) as session:
        assert session.execute(select(Observation.value).where(Observation.period == dt.date(2026, 12, 1))
                               ).scalars().all() == [50.0]
    assert _api_batches(seeded_engine) == 1


def test_two_concurrent_pushes_with_one_key_make_one_batch(seeded_engine):
    token = _token(seeded_engine)
    items = _longting_month(seeded_engine)
    app = create_app(seeded_engine)
    start = threading.Barrier(2)
    answers: list = []

    def push() -> None:
        with TestClient(app) as client:
            start.wait()
            answers.append(client.post("/api/v1/observations/batch", json={"items": items}, headers=_headers(token)))

    threads = [threading.Thread(target=push) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(answer.status_code for answer in answers) == [200, 201]
    assert answers[0].json() == answers[1].json()
    assert _api_batches(seeded_engine) == 1
    assert _count(seeded_engine, Observation, Observation.period == dt.date(2026, 12, 1)) == len(items)


def test_a_push_losing_the_race_inside_its_transaction_answers_the_winners_batch(seeded_engine, monkeypatch):
    """The check before the commit missed the other push (it had not committed yet): the batches' UNIQUE
    (token, key) refuses the second batch inside its transaction, and the push answers the first one."""
    token = _token(seeded_engine)
    client = TestClient(create_app(seeded_engine))
    item = {"project_code": "P410202-00007", "indicator_code": "BUDGET_EXEC", "period": MONTH, "value": 50}
    first = client.post("/api/v1/observations", json=item, headers=_headers(token)).json()
    real_lookup = api_pushes.api_batch
    lookups = []

    def late_lookup(engine, token_id, **where):
        lookups.append(where)
        return None if len(lookups) == 1 else real_lookup(engine, token_id, **where)

    monkeypatch.setattr(api_pushes, "api_batch", late_lookup)
    second = client.post("/api/v1/observations", json=item, headers=_headers(token))
    assert len(lookups) == 2  # missed before the commit, found after the refused insert
    assert second.status_code == 200 and second.json() == first
    assert second.headers["Idempotent-Replayed"] == "true"
    lookups.clear()  # the same race with another body: the winner's batch shows the key was used for it
    other = client.post("/api/v1/observations", json={**item, "value": 51}, headers=_headers(token))
    assert len(lookups) == 2 and other.status_code == 409
    assert other.json()["error"]["code"] == "idempotency_key_reused"
    assert _api_batches(seeded_engine) == 1


def test_a_district_token_cannot_write_or_read_outside_its_district(seeded_engine):
    token = _token(seeded_engine)
    client = TestClient(create_app(seeded_engine))
    with Session(seeded_engine) as session:
        elsewhere = session.execute(select(Project.code).join(Region, Region.id == Project.region_id)
                                    .where(Region.code == "410203").order_by(Project.code)).scalars().first()
    before = _count(seeded_engine, Observation)
    items = [{"project_code": "P410202-00007", "indicator_code": "BUDGET_EXEC", "period": MONTH, "value": 50},
             {"project_code": elsewhere, "indicator_code": "BUDGET_EXEC", "period": MONTH, "value": 50}]
    refused = client.post("/api/v1/observations/batch", json={"items": items}, headers=_headers(token))
    assert refused.status_code == 422
    assert refused.json()["error"]["items"] == [{
        "index": 1, "field": "project_code",
        "message": f"Project code {elsewhere} does not exist or is outside your area",
        "message_zh": f"项目编码 {elsewhere} 不存在或不在您的管辖范围内"}]
    assert _count(seeded_engine, Observation) == before and _api_batches(seeded_engine) == 0

    other = _token(seeded_engine, "OA 系统", region=None)
    theirs = client.post("/api/v1/observations", json=items[1], headers=_headers(other)).json()["batch_id"]
    read = client.get(f"/api/v1/imports/{theirs}", headers=_headers(token, None))
    missing = client.get("/api/v1/imports/999999", headers=_headers(token, None))
    assert read.status_code == missing.status_code == 404
    assert read.json() == missing.json()
    assert client.get(f"/api/v1/imports/{theirs}", headers=_headers(other, None)).status_code == 200


def test_every_bad_item_is_named_by_index_and_field_and_nothing_is_written(seeded_engine):
    token = _token(seeded_engine)
    client = TestClient(create_app(seeded_engine))
    before = _count(seeded_engine, Observation)
    items = [{"project_code": "P410202-00007", "indicator_code": "BUDGET_EXEC", "period": MONTH, "value": 50},
             {"project_code": "P410202-00007", "indicator_code": "NO_SUCH_KPI", "period": MONTH, "value": 1},
             {"project_code": "P410202-00007", "indicator_code": "COST_VAR", "period": "2031-01", "value": 1},
             {"project_code": "P410202-00007", "indicator_code": "BUDGET_EXEC", "period": MONTH, "value": 51}]
    refused = client.post("/api/v1/observations/batch", json={"items": items}, headers=_headers(token))
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert (error["code"], error["message_zh"]) == ("invalid_items", "数据项中有 3 处问题，未写入任何数据")
    assert [(item["index"], item["field"]) for item in error["items"]] == [
        (1, "indicator_code"), (2, "period"), (3, None)]
    assert error["items"][2]["message"] == "Same key (Project code / Indicator code / Month) as row 0."
    typed = client.post("/api/v1/observations/batch", headers=_headers(token, "push-2"), json={"items": [
        items[0], {**items[0], "value": "12"}, {**items[0], "extra": 1}, {**items[0], "project_code": "P\x00"},
        {**items[0], "period": "2026-13"}]})
    assert typed.status_code == 422
    assert [(item["index"], item["field"], item["message_zh"]) for item in typed.json()["error"]["items"]] == [
        (1, "value", "value：须为数字"), (2, "extra", "extra：不是可接受的字段"),
        (3, "project_code", "project_code：格式不正确"), (4, "period", "period：格式不正确")]
    unreadable = client.post("/api/v1/observations/batch", content=b'{"items": "\xff"}',
                             headers={**_headers(token, "push-3"), "Content-Type": "application/json"})
    assert unreadable.status_code == 400
    assert unreadable.json()["error"]["message_zh"] == "请求体无法按 JSON 读取（请发送 UTF-8 编码的 JSON）"
    assert _count(seeded_engine, Observation) == before and _api_batches(seeded_engine) == 0


def test_milestone_progress_changes_percent_and_actual_end_and_refuses_120_percent(seeded_engine):
    token = _token(seeded_engine)
    client = TestClient(create_app(seeded_engine))
    with Session(seeded_engine) as session:
        milestone = session.execute(
            select(Milestone).join(Project, Project.id == Milestone.project_id)
            .where(Project.code == "P410202-00007", Milestone.actual_end.is_(None)).order_by(Milestone.seq)
        ).scalars().first()
    seq, version, name = milestone.seq, milestone.version, milestone.name_zh
    pushed = client.post("/api/v1/milestones/progress/batch", headers=_headers(token), json={"items": [
        {"project_code": "P410202-00007", "seq": seq, "percent_complete": 100, "actual_end": "2026-11-20"}]})
    assert pushed.status_code == 201, pushed.text
    assert {name: pushed.json()[name] for name in ("kind", "new", "changed", "unchanged")} == {
        "kind": "milestones", "new": 0, "changed": 1, "unchanged": 0}
    with Session(seeded_engine) as session:
        stored = session.get(Milestone, milestone.id)
    assert (stored.percent_complete, stored.actual_end, stored.version, stored.name_zh) == (
        100.0, dt.date(2026, 11, 20), version + 1, name)

    refused = client.post("/api/v1/milestones/progress/batch", headers=_headers(token, "push-2"), json={"items": [
        {"project_code": "P410202-00007", "seq": seq, "percent_complete": 50},
        {"project_code": "P410202-00007", "seq": seq + 1, "percent_complete": 120, "actual_end": "9999-12-31"},
        {"project_code": "P410202-00007", "seq": 9999, "percent_complete": 10}]})
    assert refused.status_code == 422
    assert [(item["index"], item["field"], item["message_zh"]) for item in refused.json()["error"]["items"]] == [
        (1, "actual_end",
         "「实际完成日期」不是日期，此处为「9999-12-31」；请写成 2026-03-01、2026/3/1 或 2026年3月1日。"),
        (1, "percent_complete", "「完成百分比」须在 0 到 100 之间，此处为 120。"),
        (2, "seq", "项目 P410202-00007 没有第 9999 个里程碑，或不在您的管辖范围内")]
    with Session(seeded_engine) as session:
        assert session.get(Milestone, milestone.id).percent_complete == 100.0  # item 0 was not written either
    assert _api_batches(seeded_engine) == 1


def test_revoked_and_expired_tokens_are_refused_and_a_read_only_token_may_not_push(seeded_engine):
    client = TestClient(create_app(seeded_engine))
    item = {"project_code": "P410202-00007", "indicator_code": "BUDGET_EXEC", "period": MONTH, "value": 50}
    admin = as_viewer(seeded_engine, "admin")
    revoked = create_token(seeded_engine, admin, name="revoked", region_id=None, scopes=["write_observations"])
    revoke_token(seeded_engine, admin, revoked.id)
    expired = _token(seeded_engine, "expired", scopes=["write_observations"], expires_in_days=1,
                     now=dt.datetime.now(dt.UTC) - dt.timedelta(days=2))
    for secret, words in ((revoked.secret, "该令牌已被吊销"), (expired, "该令牌已过期")):
        answer = client.post("/api/v1/observations", json=item, headers=_headers(secret))
        assert answer.status_code == 401 and answer.json()["error"]["message_zh"] == words
    read_only = client.post("/api/v1/observations", json=item, headers=_headers(_token(seeded_engine, "read",
                                                                                         scopes=["read"])))
    assert read_only.status_code == 403 and read_only.json()["error"]["message_zh"] == "该令牌没有“写入月度数据”权限"
    milestones = client.post("/api/v1/milestones/progress", headers=_headers(_token(
        seeded_engine, "figures only", scopes=["write_observations"])), json={"project_code": "P410202-00007",
                                                                              "seq": 1, "percent_complete": 10})
    assert milestones.status_code == 403
    assert _api_batches(seeded_engine) == 0


def test_calls_over_the_tokens_rate_are_refused_with_retry_after(seeded_engine):
    token = _token(seeded_engine, rate_per_minute=1)
    client = TestClient(create_app(seeded_engine))
    answers = [client.get("/api/v1/imports/1", headers=_headers(token, None)) for _ in range(3)]
    # One call a minute: the second is over the rate, unless a new minute began between the first two.
    limited = [answer for answer in answers[1:] if answer.status_code == 429]
    assert limited, [answer.status_code for answer in answers]
    assert limited[0].json()["error"]["message_zh"] == "本分钟调用已超过 1 次，请稍后再试"
    assert 1 <= int(limited[0].headers["Retry-After"]) <= 60


@sqlite_only  # refused before any query
def test_a_body_over_the_limit_is_refused_with_413_declared_or_chunked(seeded_engine, monkeypatch):
    monkeypatch.setenv("PERFDASH_API_MAX_BODY_BYTES", "2000")
    token = _token(seeded_engine)
    client = TestClient(create_app(seeded_engine))
    item = {"project_code": "P410202-00007", "indicator_code": "BUDGET_EXEC", "period": MONTH, "value": 50}
    body = ('{"items": [' + ", ".join([str(item).replace("'", '"')] * 40) + "]}").encode()
    assert len(body) > 2000
    headers = {**_headers(token), "Content-Type": "application/json"}
    declared = client.post("/api/v1/observations/batch", content=body, headers=headers)
    assert declared.status_code == 413
    assert declared.json()["error"] == {"code": "too_large", "items": [],
                                        "message": "The request body is over the limit of 2,000 bytes; send fewer "
                                                   "items per call",
                                        "message_zh": "请求体超过 2,000 字节的上限，请分批发送"}

    def chunks():
        for start in range(0, len(body), 500):
            yield body[start:start + 500]

    chunked = client.post("/api/v1/observations/batch", content=chunks(), headers=headers)
    assert chunked.status_code == 413 and chunked.json()["error"]["code"] == "too_large"
    small = client.post("/api/v1/observations/batch", content=body[:200].rsplit(b"}", 1)[0] + b"}]}",
                        headers=headers)
    assert small.status_code == 201, small.text
    assert _api_batches(seeded_engine) == 1


@sqlite_only  # refused before any query
def test_a_batch_over_the_item_limit_is_refused(seeded_engine, monkeypatch):
    monkeypatch.setenv("PERFDASH_API_MAX_ITEMS", "2")
    token = _token(seeded_engine)
    items = _longting_month(seeded_engine)[:3]
    answer = TestClient(create_app(seeded_engine)).post("/api/v1/observations/batch", json={"items": items},
                                                        headers=_headers(token))
    assert answer.status_code == 422
    assert answer.json()["error"]["message_zh"] == "每次最多 2 项，本次有 3 项，请分批发送"
    assert _api_batches(seeded_engine) == 0


@sqlite_only  # refused before any query
def test_a_push_needs_a_printable_idempotency_key_of_at_most_100_characters(seeded_engine):
    client = TestClient(create_app(seeded_engine))
    token = _token(seeded_engine, scopes=["write_observations"])
    item = {"project_code": "P410202-00007", "indicator_code": "BUDGET_EXEC", "period": MONTH, "value": 50}
    missing = client.post("/api/v1/observations", json=item, headers=_headers(token, None)).json()["error"]
    assert (missing["message"], missing["message_zh"]) == ("The request is not valid", "请求内容无效")
    assert missing["items"] == [{"index": None, "field": "Idempotency-Key", "message": "Idempotency-Key: Field "
                                 "required", "message_zh": "Idempotency-Key：缺少必填项"}]
    for key, words in ((b"", "不能为空"), (b"x" * 101, "最多 100 个字符"), ("键".encode(), "格式不正确")):
        answer = client.post("/api/v1/observations", json=item, headers={**_headers(token, None),
                                                                          "Idempotency-Key": key})
        assert answer.status_code == 422
        assert [problem["message_zh"] for problem in answer.json()["error"]["items"]] == [
            f"Idempotency-Key：{words}"]
    assert _api_batches(seeded_engine) == 0


def test_every_authenticated_call_is_audited_with_the_tokens_name_and_the_chain_verifies(seeded_engine, caplog):
    token = _token(seeded_engine, "工地监测 site")
    client = TestClient(create_app(seeded_engine))
    item = {"project_code": "P410202-00007", "indicator_code": "BUDGET_EXEC", "period": MONTH, "value": 50}
    batch = client.post("/api/v1/observations", json=item, headers=_headers(token, "site-1")).json()["batch_id"]
    client.post("/api/v1/observations", json=item, headers=_headers(token, "site-1"))  # a retry
    version = data_version(seeded_engine)
    client.get(f"/api/v1/imports/{batch}", headers=_headers(token, None))
    assert data_version(seeded_engine) == version  # the call's own entry moves no data version
    with caplog.at_level("WARNING", logger="perfdash.api"):
        client.post("/api/v1/observations", json=item, headers=_headers("pdk_000000000000_" + "A" * 43))
    with Session(seeded_engine) as session:
        calls = session.execute(select(AuditEntry.actor_name, AuditEntry.actor_id, AuditEntry.after)
                                .where(AuditEntry.action == "api.call").order_by(AuditEntry.id)).all()
        commit = session.execute(select(AuditEntry.actor_name).where(AuditEntry.action == "import.commit")).scalar_one()
    assert [(name, actor_id) for name, actor_id, _ in calls] == [("api:工地监测 site", None)] * 3
    assert [json.loads(after) for *_, after in calls] == [
        {"method": "POST", "path": "/api/v1/observations", "status": 201, "idempotency_key": "site-1",
         "batch_id": batch, "items": 1},
        {"method": "POST", "path": "/api/v1/observations", "status": 200, "idempotency_key": "site-1",
         "batch_id": batch, "items": 1},
        {"method": "GET", "path": f"/api/v1/imports/{batch}", "status": 200, "idempotency_key": None,
         "batch_id": None, "items": None}]
    assert commit == "api:工地监测 site"
    assert "refused before authentication: POST /api/v1/observations -> 401" in caplog.text
    assert verify_chain(seeded_engine).ok
