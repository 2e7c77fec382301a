"""The feedback box and the release notes in the app (AppTest over a private copy of the demo): sending from
a page's sidebar, the admin's 意见箱, the sender's 我的意见 and inbox, and the 更新公告 badge."""
from __future__ import annotations

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from components.formatting import date
from data_access.models import Feedback, Notification, User
from services.release_notes import releases
from tests.views.test_every_page_every_user import open_as

HOSTILE = "**粗体** [点我](http://evil.example) <img src=x onerror=alert(1)> :red[红]"


def _engine(app_env):
    return create_engine(f"sqlite:///{app_env}")


def _send_from_sidebar(at: AppTest, message: str) -> AppTest:
    at.sidebar.button(key="feedback_open").click().run()
    at.text_area(key="feedback_message").input(message)
    return at.button(key="FormSubmitter:feedback_form-提交意见").click().run()


def _navigation(at: AppTest) -> dict[str, str]:
    """The navigation's titles by url path, as the last run registered them."""
    return {info["url_pathname"]: info["page_name"] for info in at._registered_pages.values()}


def _texts(at: AppTest) -> list[str]:
    return [element.value for element in at.text]


def test_feedback_sent_from_a_pages_sidebar_is_stored_with_that_page_and_confirmed(app_env):
    at = open_as("official_gulou").switch_page("views/map.py").run()
    at = _send_from_sidebar(at, "地图上看不到鼓楼区的项目点")
    assert not at.exception
    with Session(_engine(app_env)) as session:
        row = session.execute(select(Feedback.page, Feedback.message, User.username)
                              .join(User, User.id == Feedback.user_id)).one()
        feedback_id = session.execute(select(Feedback.id)).scalar_one()
    assert tuple(row) == ("map", "地图上看不到鼓楼区的项目点", "official_gulou")
    assert [s.value for s in at.sidebar.success] == [f"意见已提交（编号 {feedback_id}），谢谢！管理员回复后会通知您。"]


def test_an_empty_feedback_is_refused_in_the_dialog_and_nothing_is_stored(app_env):
    at = _send_from_sidebar(open_as("pm_kaifeng1"), "   ")
    assert [e.value for e in at.error] == ["请填写您期望的结果和实际发生的情况"]
    with Session(_engine(app_env)) as session:
        assert session.execute(select(Feedback.id)).first() is None


def test_the_admin_answers_on_the_feedback_page_and_the_sender_sees_it_escaped_in_inbox_and_my_feedback(app_env):
    _send_from_sidebar(open_as("pm_kaifeng1").switch_page("views/report.py").run(), HOSTILE)
    with Session(_engine(app_env)) as session:
        feedback_id = session.execute(select(Feedback.id)).scalar_one()
    admin = open_as("admin").switch_page("views/feedback.py").run()
    assert not admin.exception
    assert HOSTILE in _texts(admin)  # shown as text, never as Markdown or HTML
    admin.query_params["feedback"] = str(feedback_id)
    admin.run()
    admin.text_area(key=f"feedback_answer_text_{feedback_id}").input("已收到：" + HOSTILE)
    admin.button(key=f"FormSubmitter:feedback_answer_{feedback_id}-发送回复").click().run()
    assert not admin.exception and not admin.error
    with Session(_engine(app_env)) as session:
        told = session.execute(select(Notification.topic).join(User, User.id == Notification.user_id)
                               .where(User.username == "pm_kaifeng1", Notification.kind == "feedback.answered")
                               ).scalars().all()
    assert told == [f"feedback.answered/{feedback_id}/1"]
    sender = open_as("pm_kaifeng1").switch_page("views/my_feedback.py").run()
    assert not sender.exception
    assert [HOSTILE, "已收到：" + HOSTILE] == [text for text in _texts(sender) if HOSTILE in text]
    inbox = sender.switch_page("views/inbox.py").run()
    assert "查看我的意见" in [link.label for link in inbox.get("page_link")]
    assert any(text.endswith("回复：已收到：" + HOSTILE) for text in _texts(inbox))


@pytest.mark.parametrize("username", ["pm_kaifeng1", "official_gulou", "leader"])
def test_no_one_but_an_admin_can_open_the_feedback_page_even_by_its_address(app_env, username):  # noqa: ARG001
    at = open_as(username)
    with pytest.raises(Exception, match="feedback"):
        at.switch_page("views/feedback.py").run()


def test_the_release_notes_badge_shows_until_the_user_opens_the_page(app_env):
    newest = releases()[0].version
    at = open_as("official_gulou")
    assert _navigation(at)["release-notes"] == "更新公告 · 新"
    at = at.switch_page("views/release_notes.py").run()
    assert not at.exception
    assert _navigation(at)["release-notes"] == "更新公告"  # the page reran the app without the badge
    with Session(_engine(app_env)) as session:
        assert session.execute(select(User.seen_release).where(User.username == "official_gulou")).scalar_one() \
            == newest
        assert session.execute(select(User.seen_release).where(User.username == "pm_kaifeng1")).scalar_one() is None
    headers = [header.value for header in at.subheader]
    assert headers[0].startswith(f"{newest} · ") and headers[0].endswith(":orange-badge[新]")
    assert _navigation(open_as("official_gulou"))["release-notes"] == "更新公告"  # a new session: from the database
    assert _navigation(open_as("pm_kaifeng1"))["release-notes"] == "更新公告 · 新"
    seen = open_as("official_gulou").switch_page("views/release_notes.py").run()  # nothing new: older ones folded
    assert [header.value for header in seen.main.subheader] == [f"{newest} · {date(releases()[0].date, 'zh')}"]
    assert [expander.label for expander in seen.expander] == [
        f"{release.version} · {date(release.date, 'zh')}" for release in releases()[1:]]
