"""Which pages each role has, grouped by purpose (总览 Overview, 分析 Analysis, 成果 Results, 数据 Data, 管理 Admin).

A page left out of a role's list cannot be reached by that role, not even by typing its URL.
"""
from __future__ import annotations

from typing import NamedTuple

import streamlit as st

from data_access.policy import ALLOWED, ROLES, Action
from webapp.i18n import t


class PageSpec(NamedTuple):
    """A page and the action that opens it: the roles allowed that action (``data_access.policy``) see it."""

    section: str
    path: str
    title: str
    icon: str
    url_path: str
    action: Action

    def open_to(self, role: str) -> bool:
        """Whether a user of ``role`` has the page; the system actor, which builds reports, is no user."""
        return role in ROLES and role in ALLOWED[self.action]


EVERYONE = Action.READ_PORTFOLIO
# The people who work from their to-do list land on it; everyone else on the overview.
STARTS_AT_MY_TASKS = frozenset({"district_official", "project_manager", "expert"})
PAGES = (
    PageSpec("section.work", "views/my_tasks.py", "page.my_tasks", ":material/task_alt:", "my-tasks", EVERYONE),
    PageSpec("section.work", "views/report.py", "page.report", ":material/edit_calendar:", "report",
             Action.REPORT_PROGRESS),
    PageSpec("section.work", "views/rate.py", "page.rate", ":material/star_rate:", "rate", Action.RATE_PROJECTS),
    PageSpec("section.overview", "views/overview.py", "page.overview", ":material/dashboard:", "overview", EVERYONE),
    PageSpec("section.overview", "views/big_screen.py", "page.big_screen", ":material/tv:", "big-screen", EVERYONE),
    PageSpec("section.overview", "views/map.py", "page.map", ":material/map:", "map", EVERYONE),
    PageSpec("section.overview", "views/alerts.py", "page.alerts", ":material/notifications_active:", "alerts",
             EVERYONE),
    PageSpec("section.overview", "views/rectification.py", "page.rectification", ":material/view_kanban:",
             "rectification", EVERYONE),
    PageSpec("section.analysis", "views/scorecards.py", "page.scorecards", ":material/leaderboard:", "scorecards",
             EVERYONE),
    PageSpec("section.analysis", "views/heatmaps.py", "page.heatmaps", ":material/grid_on:", "heatmaps", EVERYONE),
    PageSpec("section.analysis", "views/gantt.py", "page.gantt", ":material/view_timeline:", "gantt", EVERYONE),
    PageSpec("section.analysis", "views/whatif.py", "page.whatif", ":material/tune:", "whatif",
             Action.USE_WHATIF),
    PageSpec("section.analysis", "views/goals.py", "page.goals", ":material/account_tree:", "goals", EVERYONE),
    PageSpec("section.results", "views/report_center.py", "page.report_center", ":material/summarize:",
             "report-center", Action.BUILD_REPORTS),
    PageSpec("section.results", "views/allocation.py", "page.allocation", ":material/payments:", "allocation",
             Action.READ_ALLOCATION),
    PageSpec("section.results", "views/knowledge.py", "page.knowledge", ":material/lightbulb:", "knowledge",
             EVERYONE),
    PageSpec("section.data", "views/projects.py", "page.projects", ":material/table:", "projects", EVERYONE),
    PageSpec("section.data", "views/register.py", "page.register", ":material/edit_note:", "register",
             Action.EDIT_PROJECT),
    PageSpec("section.data", "views/data_import.py", "page.import", ":material/upload_file:", "import",
             Action.IMPORT_DATA),
    PageSpec("section.data", "views/indicators.py", "page.indicators", ":material/library_books:", "indicators",
             EVERYONE),
    PageSpec("section.data", "views/rating_rounds.py", "page.rating_rounds", ":material/reviews:", "rating-rounds",
             Action.MANAGE_RATING_ROUNDS),
    PageSpec("section.data", "views/inbox.py", "page.inbox", ":material/inbox:", "inbox", EVERYONE),
    PageSpec("section.help", "views/my_feedback.py", "page.my_feedback", ":material/forum:", "my-feedback",
             Action.SEND_FEEDBACK),
    PageSpec("section.help", "views/release_notes.py", "page.release_notes", ":material/campaign:",
             "release-notes", EVERYONE),
    PageSpec("section.admin", "views/rules.py", "page.rules", ":material/rule:", "rules", Action.MANAGE_RULES),
    PageSpec("section.admin", "views/users.py", "page.users", ":material/group:", "users", Action.MANAGE_USERS),
    PageSpec("section.admin", "views/integrations.py", "page.integrations", ":material/api:", "integrations",
             Action.MANAGE_INTEGRATIONS),
    PageSpec("section.admin", "views/audit.py", "page.audit", ":material/verified_user:", "audit",
             Action.READ_AUDIT),
    PageSpec("section.admin", "views/feedback.py", "page.feedback", ":material/rate_review:", "feedback",
             Action.TRIAGE_FEEDBACK),
)


def start_page(role: str | None) -> str:
    """The url path a role lands on when the address names no page.

    Logged out it is My tasks, not the overview: the page shown at the app's address is the one whose address
    Streamlit cannot tell from ``/``, and ``/my-tasks`` leads every role to the right place after login anyway
    (it is where its own users start), while ``/overview`` must stay a link that works.
    """
    return "my-tasks" if role is None or role in STARTS_AT_MY_TASKS else "overview"


def start_page_path(role: str | None) -> str:
    """The page file of the role's start page (for ``st.switch_page``)."""
    return next(spec.path for spec in PAGES if spec.url_path == start_page(role))


def lands_on_start_page(logged_out_page: str) -> bool:
    """Whether a user who just logged in goes to their role's start page rather than the page they opened:
    when ``logged_out_page``, the url path of the page shown with the login form, is ``""`` (the app's address).
    """
    return logged_out_page == ""


def page_title(url_path: str) -> str:
    """The page's title in the user's language with its address (进度填报 (report)); an unknown address as it is."""
    spec = next((spec for spec in PAGES if spec.url_path == url_path), None)
    return url_path if spec is None else f"{t(spec.title)} ({url_path})"


def navigation_for(role: str | None, badges: frozenset[str] = frozenset()) -> dict[str, list[st.Page]]:
    """The role's pages grouped by section; logged out, every page (hidden) so a deep link survives login.
    The pages whose url path is in ``badges`` are marked new (更新公告 with a release the user has not seen)."""
    sections: dict[str, list[st.Page]] = {}
    start = start_page(role)
    for spec in PAGES:
        if role is None or spec.open_to(role):
            title = t("nav.new", title=t(spec.title)) if spec.url_path in badges else t(spec.title)
            sections.setdefault(t(spec.section), []).append(
                st.Page(spec.path, title=title, icon=spec.icon, url_path=spec.url_path,
                        default=spec.url_path == start))
    return sections


def page_paths_for(role: str) -> list[str]:
    """The page files a role may open (for tests and documentation)."""
    return [spec.path for spec in PAGES if spec.open_to(role)]
