"""The feedback box's data layer on SQLite and PostgreSQL: who may read and change what, the sender's inbox,
the audit entries, and each user's last seen release."""
from __future__ import annotations

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from data_access import feedback
from data_access.audit import verify_chain
from data_access.errors import NotFound, PermissionDenied, ValidationError
from data_access.models import AuditEntry, Feedback, Notification, User
from tests.conftest import as_viewer


def _send(engine: Engine, username: str, message: str = "导出按钮找不到", page: str = "projects") -> int:
    return feedback.submit_feedback(engine, as_viewer(engine, username), page=page, message=message)


def _rows(engine: Engine) -> int:
    with Session(engine) as session:
        return session.execute(select(func.count()).select_from(Feedback)).scalar_one()


def _audit(engine: Engine, feedback_id: int) -> list[tuple[str, str | None, str | None]]:
    with Session(engine) as session:
        return [tuple(row) for row in session.execute(
            select(AuditEntry.action, AuditEntry.before, AuditEntry.after)
            .where(AuditEntry.entity == "feedback", AuditEntry.entity_id == str(feedback_id))
            .order_by(AuditEntry.id))]


def _answers_told(engine: Engine, username: str) -> list[tuple[str, str]]:
    with Session(engine) as session:
        return [tuple(row) for row in session.execute(
            select(Notification.topic, Notification.body_en).join(User, User.id == Notification.user_id)
            .where(User.username == username, Notification.kind == feedback.ANSWERED_KIND)
            .order_by(Notification.id))]


def test_feedback_is_stored_with_its_page_and_sender_and_audited(seeded_engine):
    sender = as_viewer(seeded_engine, "pm_kaifeng1")
    feedback_id = feedback.submit_feedback(seeded_engine, sender, page="report",
                                           message="  我想补报上个月的进度，但页面只显示本月。  ")
    with Session(seeded_engine) as session:
        row = session.get(Feedback, feedback_id)
        assert (row.user_id, row.page, row.message, row.status, row.tag, row.answers, row.screenshot_name) == (
            sender.user_id, "report", "我想补报上个月的进度，但页面只显示本月。", "open", None, 0, None)
    [(action, _, after)] = _audit(seeded_engine, feedback_id)
    assert action == "feedback.create"
    assert '"page":"report"' in after and "我想补报上个月的进度" in after
    assert verify_chain(seeded_engine).ok


@pytest.mark.parametrize(("message", "page", "words"), [
    ("   ", "report", "请填写您期望的结果和实际发生的情况"),
    ("长" * 2001, "report", "过长（2001 字），最多 2000 字"),
    ("ok", "../etc/passwd", "未知页面"),
    ("ok", "", "未知页面"),
])
def test_an_empty_or_too_long_text_or_a_page_that_is_none_is_refused_and_nothing_is_stored(
        seeded_engine, message, page, words):
    before = _rows(seeded_engine)
    with pytest.raises(ValidationError) as caught:
        _send(seeded_engine, "official_gulou", message=message, page=page)
    assert words in caught.value.message_zh
    assert _rows(seeded_engine) == before


def test_only_an_admin_lists_everyones_feedback_and_a_sender_reads_only_their_own(seeded_engine):
    mine = _send(seeded_engine, "pm_kaifeng1", "我的意见")
    _send(seeded_engine, "official_gulou", "别人的意见")
    for username in ("pm_kaifeng1", "official_gulou", "leader", "analyst", "auditor"):
        with pytest.raises(PermissionDenied):
            feedback.list_feedback(seeded_engine, as_viewer(seeded_engine, username))
    own = feedback.my_feedback(seeded_engine, as_viewer(seeded_engine, "pm_kaifeng1"))
    assert own["id"].tolist() == [mine] and own["message"].tolist() == ["我的意见"]
    everyone = feedback.list_feedback(seeded_engine, as_viewer(seeded_engine, "admin"))
    assert set(everyone["message"]) == {"我的意见", "别人的意见"}


def test_another_users_feedback_is_refused_like_an_unknown_one(seeded_engine):
    theirs = _send(seeded_engine, "official_gulou")
    manager = as_viewer(seeded_engine, "pm_kaifeng1")
    with pytest.raises(NotFound) as foreign:
        feedback.feedback_screenshot(seeded_engine, manager, theirs)
    with pytest.raises(NotFound) as unknown:
        feedback.feedback_screenshot(seeded_engine, manager, theirs + 1000)
    assert foreign.value.message_zh == unknown.value.message_zh == "意见不存在或您无权访问"
    assert feedback.feedback_screenshot(seeded_engine, as_viewer(seeded_engine, "official_gulou"), theirs) is None


@pytest.mark.parametrize("username", ["pm_kaifeng1", "official_gulou", "leader", "analyst", "auditor"])
def test_no_one_but_an_admin_answers_tags_or_closes_feedback_even_their_own(seeded_engine, username):
    feedback_id = _send(seeded_engine, username)
    viewer = as_viewer(seeded_engine, username)
    for attempt in (lambda: feedback.answer_feedback(seeded_engine, viewer, feedback_id, "好"),
                    lambda: feedback.tag_feedback(seeded_engine, viewer, feedback_id, "bug"),
                    lambda: feedback.set_closed(seeded_engine, viewer, feedback_id, closed=True)):
        with pytest.raises(PermissionDenied):
            attempt()
    assert _audit(seeded_engine, feedback_id)[1:] == []
    assert _answers_told(seeded_engine, username) == []


def test_an_answer_tells_the_sender_exactly_once_and_each_new_answer_once_more(seeded_engine):
    feedback_id = _send(seeded_engine, "pm_kaifeng1", "照片上传后看不到")
    admin = as_viewer(seeded_engine, "admin")
    feedback.answer_feedback(seeded_engine, admin, feedback_id, "已修复，请刷新页面")
    feedback.tag_feedback(seeded_engine, admin, feedback_id, "bug")  # neither tagging nor closing tells anyone
    feedback.set_closed(seeded_engine, admin, feedback_id, closed=True)
    assert _answers_told(seeded_engine, "pm_kaifeng1") == [
        (f"feedback.answered/{feedback_id}/1", "Your feedback: 照片上传后看不到\nAnswer: 已修复，请刷新页面")]
    assert _answers_told(seeded_engine, "official_gulou") == []
    feedback.set_closed(seeded_engine, admin, feedback_id, closed=False)
    feedback.answer_feedback(seeded_engine, admin, feedback_id, "补充：需要清除浏览器缓存")
    assert [topic for topic, _ in _answers_told(seeded_engine, "pm_kaifeng1")] == [
        f"feedback.answered/{feedback_id}/1", f"feedback.answered/{feedback_id}/2"]
    row = feedback.my_feedback(seeded_engine, as_viewer(seeded_engine, "pm_kaifeng1")).iloc[0]
    assert (row["status"], row["answer"], row["tag"], row["answered_by_name"]) == (
        "answered", "补充：需要清除浏览器缓存", "bug", "系统管理员")


def test_close_and_reopen_are_audited_and_a_closed_feedback_takes_no_answer(seeded_engine):
    admin = as_viewer(seeded_engine, "admin")
    unanswered, answered = _send(seeded_engine, "pm_kaifeng1"), _send(seeded_engine, "official_gulou")
    feedback.answer_feedback(seeded_engine, admin, answered, "收到")
    assert feedback.set_closed(seeded_engine, admin, unanswered, closed=True) == "closed"
    assert feedback.set_closed(seeded_engine, admin, answered, closed=True) == "closed"
    with pytest.raises(ValidationError) as caught:
        feedback.answer_feedback(seeded_engine, admin, unanswered, "迟到的回复")
    assert caught.value.message_zh == "该意见已关闭，请先重新打开再回复"
    with pytest.raises(ValidationError):
        feedback.set_closed(seeded_engine, admin, unanswered, closed=True)
    assert feedback.set_closed(seeded_engine, admin, unanswered, closed=False) == "open"
    assert feedback.set_closed(seeded_engine, admin, answered, closed=False) == "answered"
    assert [(action, before, after) for action, before, after in _audit(seeded_engine, unanswered)][1:] == [
        ("feedback.close", '{"status":"open"}', '{"status":"closed"}'),
        ("feedback.reopen", '{"status":"closed"}', '{"status":"open"}')]
    assert [action for action, _, _ in _audit(seeded_engine, answered)] == [
        "feedback.create", "feedback.answer", "feedback.close", "feedback.reopen"]
    assert verify_chain(seeded_engine).ok


def test_the_admins_list_filters_by_status_tag_and_page(seeded_engine):
    admin = as_viewer(seeded_engine, "admin")
    on_map = _send(seeded_engine, "pm_kaifeng1", "地图太慢", page="map")
    on_report = _send(seeded_engine, "official_gulou", "月报少一列", page="report")
    _send(seeded_engine, "official_gulou", "月报能否导出", page="report")
    feedback.tag_feedback(seeded_engine, admin, on_map, "usability")
    feedback.answer_feedback(seeded_engine, admin, on_report, "下个版本加上")

    def ids(**filters) -> list[int]:
        return sorted(feedback.list_feedback(seeded_engine, admin, **filters)["id"])

    assert ids(page="map") == [on_map]
    assert ids(tag="usability") == [on_map]
    assert ids(status="answered") == [on_report]
    assert len(ids(status="open", page="report")) == 1
    assert feedback.feedback_pages(seeded_engine, admin) == ["map", "report"]
    with pytest.raises(ValidationError):
        feedback.tag_feedback(seeded_engine, admin, on_map, "<b>urgent</b>")


def test_the_last_seen_release_is_remembered_per_user_and_audited_when_it_changes(seeded_engine):
    manager, official = as_viewer(seeded_engine, "pm_kaifeng1"), as_viewer(seeded_engine, "official_gulou")
    assert feedback.seen_release(seeded_engine, manager) is None
    feedback.mark_release_seen(seeded_engine, manager, "v0.4")
    feedback.mark_release_seen(seeded_engine, manager, "v0.4")
    assert (feedback.seen_release(seeded_engine, manager), feedback.seen_release(seeded_engine, official)) == (
        "v0.4", None)
    with Session(seeded_engine) as session:
        entries = session.execute(select(AuditEntry.before, AuditEntry.after).where(
            AuditEntry.action == "user.seen_release")).all()
    assert [tuple(entry) for entry in entries] == [('{"seen_release":null}', '{"seen_release":"v0.4"}')]
