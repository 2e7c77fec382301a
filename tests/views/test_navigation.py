"""Each role's pages come from the permission table; the system actor has none."""
import pytest

from data_access.policy import ROLES
from webapp.navigation import page_paths_for

EVERY_USER = ["views/overview.py", "views/big_screen.py", "views/map.py", "views/alerts.py",
              "views/rectification.py", "views/scorecards.py", "views/heatmaps.py", "views/gantt.py",
              "views/projects.py", "views/inbox.py", "views/goals.py", "views/indicators.py", "views/my_tasks.py",
              "views/knowledge.py", "views/my_feedback.py", "views/release_notes.py"]
DATA_KEEPER = ["views/register.py", "views/data_import.py"]
RESULTS = ["views/report_center.py", "views/allocation.py"]  # 报告中心 and 结果应用: every role that oversees
REPORTER = ["views/report.py"]
RATER = ["views/rate.py"]
EXTRA = {
    "admin": ["views/whatif.py", "views/rules.py", "views/users.py", "views/integrations.py", "views/audit.py",
              "views/feedback.py", "views/rating_rounds.py", *DATA_KEEPER, *REPORTER, *RATER, *RESULTS],
    "leader": ["views/whatif.py", *RATER, *RESULTS],
    "analyst": ["views/whatif.py", "views/rating_rounds.py", *DATA_KEEPER, *REPORTER, *RATER, *RESULTS],
    "district_official": [*DATA_KEEPER, *REPORTER, *RATER, *RESULTS],
    "project_manager": [*REPORTER, *RATER],
    "auditor": ["views/audit.py", *RESULTS],
    "expert": RATER,
}


@pytest.mark.parametrize("role", ROLES)
def test_each_role_opens_the_pages_everyone_has_and_exactly_its_own(role):
    assert sorted(page_paths_for(role)) == sorted(EVERY_USER + EXTRA[role])


def test_the_system_actor_has_no_page_to_open():
    assert page_paths_for("system") == []


def test_pages_of_a_section_are_listed_together_so_the_sidebar_keeps_the_tables_order():
    from itertools import groupby

    from webapp.navigation import PAGES

    runs = [section for section, _ in groupby(spec.section for spec in PAGES)]
    assert len(runs) == len(set(runs)), runs


@pytest.mark.parametrize(("role", "start"), [("project_manager", "my-tasks"), ("district_official", "my-tasks"),
                                             ("expert", "my-tasks"), ("leader", "overview"), ("analyst", "overview"),
                                             ("admin", "overview"), ("auditor", "overview")])
def test_after_login_the_apps_address_leads_to_the_roles_start_page_and_a_deep_link_is_kept(role, start):
    from webapp.navigation import lands_on_start_page, start_page

    assert start_page(role) == start
    assert lands_on_start_page("")  # the app's address
    assert not lands_on_start_page("overview") and not lands_on_start_page("map")  # deep links are kept
