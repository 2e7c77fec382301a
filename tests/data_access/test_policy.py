"""The permission table: who may do what, declared once in ``data_access.policy``."""
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from data_access import Viewer as PackageViewer
from data_access import audit, transaction
from data_access.auth import check_password
from data_access.errors import NotFound, PermissionDenied, ValidationError
from data_access.models import ROLES as MODEL_ROLES
from data_access.policy import ALLOWED, ROLES, SYSTEM, Action, Role, Viewer, allowed, require
from data_access.scope import Viewer as ScopeViewer
from data_access.scope import viewer_for
from data_access.users import create_user
from tests.conftest import as_viewer


def _viewer(role: str) -> Viewer:
    return Viewer(user_id=7, username="someone", role=role)


def test_every_action_has_roles_and_words_in_both_languages():
    assert set(ALLOWED) == set(Action)
    for action in Action:
        assert ALLOWED[action], action
        assert set(ALLOWED[action]) <= set(Role), action
        assert action.english and action.chinese, action


def test_the_login_roles_are_every_role_but_system_and_integration_in_the_users_table_order():
    assert ROLES == ("admin", "leader", "analyst", "district_official", "project_manager", "auditor", "expert")
    assert MODEL_ROLES is ROLES


def test_viewer_is_the_same_class_wherever_it_is_imported_from():
    assert PackageViewer is Viewer and ScopeViewer is Viewer


@pytest.mark.parametrize(("action", "roles"), [
    (Action.READ_PORTFOLIO, {"admin", "leader", "analyst", "district_official", "project_manager", "auditor",
                             "expert", "integration"}),
    (Action.READ_ALL_REGIONS, {"admin", "leader", "analyst", "auditor", "system", "integration"}),
    (Action.REPORT_PROGRESS, {"admin", "analyst", "district_official", "project_manager", "integration"}),
    (Action.SET_PLAN, {"admin", "analyst", "district_official"}),
    (Action.EDIT_PROJECT, {"admin", "analyst", "district_official"}),  # analysts too since the register
    (Action.EDIT_MILESTONES, {"admin", "analyst", "district_official", "project_manager", "integration"}),
    (Action.OWN_MILESTONE, {"admin", "district_official", "project_manager"}),
    (Action.HANDLE_ALERT, {"admin", "district_official", "project_manager"}),
    (Action.OWN_RECTIFICATION, {"admin", "district_official", "project_manager"}),
    (Action.VERIFY_RECTIFICATION, {"admin", "district_official"}),
    (Action.MANAGE_RULES, {"admin"}),
    (Action.USE_WHATIF, {"admin", "leader", "analyst"}),
    (Action.SAVE_SCENARIO, {"admin", "leader", "analyst"}),
    (Action.MANAGE_ANY_SCENARIO, {"admin", "analyst"}),
    (Action.PROMOTE_SCHEME, {"admin", "analyst"}),
    (Action.MANAGE_USERS, {"admin"}),
    (Action.IMPORT_DATA, {"admin", "analyst", "district_official", "integration"}),
    (Action.MANAGE_INTEGRATIONS, {"admin"}),
    (Action.TRAIN_RISK, {"admin", "analyst", "system"}),
    (Action.READ_AUDIT, {"admin", "auditor"}),
    (Action.SEND_FEEDBACK, {"admin", "leader", "analyst", "district_official", "project_manager", "auditor",
                            "expert"}),
    (Action.TRIAGE_FEEDBACK, {"admin"}),
    (Action.RAISE_ALERTS, {"system"}),
    (Action.SEND_NOTIFICATIONS, {"system"}),
])
def test_each_action_is_allowed_to_exactly_its_roles(action, roles):
    assert {role for role in Role if allowed(_viewer(role), action)} == roles


def test_require_refuses_in_both_languages_with_the_actions_words():
    with pytest.raises(PermissionDenied) as caught:
        require(_viewer("leader"), Action.READ_AUDIT)
    assert str(caught.value) == "Role 'leader' may not read the audit log"
    assert caught.value.message_zh == "当前角色无权查看审计日志"


def test_require_lets_an_allowed_role_through():
    assert require(_viewer("auditor"), Action.READ_AUDIT) is None


def test_an_unknown_role_is_allowed_nothing():
    assert not any(allowed(_viewer("superuser"), action) for action in Action)


def test_the_system_actor_reads_every_region_raises_alerts_builds_reports_sends_mail_retrains_and_nothing_else():
    assert SYSTEM == Viewer(user_id=0, username="system", role="system")
    assert SYSTEM.sees_everything
    assert {action for action in Action if allowed(SYSTEM, action)} == {
        Action.READ_ALL_REGIONS, Action.RAISE_ALERTS, Action.SEND_NOTIFICATIONS, Action.BUILD_REPORTS,
        Action.TRAIN_RISK}


def test_the_system_role_is_no_login_role_so_no_user_can_hold_it():
    assert "system" not in ROLES


def test_no_person_may_raise_alerts_or_send_notifications():
    for role in ROLES:
        assert not allowed(_viewer(role), Action.RAISE_ALERTS)
        assert not allowed(_viewer(role), Action.SEND_NOTIFICATIONS)


@pytest.mark.parametrize(("role", "region_path", "sees_everything"), [
    ("leader", None, True), ("auditor", None, True), ("leader", "/1/", False),
    ("district_official", None, False), ("project_manager", None, False),
])
def test_sees_everything_means_every_region_allowed_and_no_region_scope(role, region_path, sees_everything):
    assert Viewer(1, "x", role, region_path=region_path).sees_everything is sees_everything


def test_the_system_actor_is_no_user_cannot_log_in_and_its_name_and_role_cannot_be_given_to_one(seeded_engine):
    assert not check_password(seeded_engine, "system", "Demo@2026")
    with Session(seeded_engine) as session, pytest.raises(NotFound):
        viewer_for(session, "system")
    admin = as_viewer(seeded_engine, "admin")
    with pytest.raises(ValidationError, match="reserved"):
        create_user(seeded_engine, admin, username="system", display_name="System", role="admin",
                    password="Strong@2026x")
    with pytest.raises(ValidationError, match="Unknown role"):
        create_user(seeded_engine, admin, username="robot", display_name="Robot", role="system",
                    password="Strong@2026x")


def test_an_audit_entry_by_the_system_actor_names_system_and_no_user(seeded_engine):
    with transaction(seeded_engine) as session:
        entry = audit.append(session, actor=SYSTEM, action="alert.escalated", entity="alert", entity_id=1)
        assert (entry.actor_id, entry.actor_name) == (None, "system")
    assert audit.verify_chain(seeded_engine).ok


README = Path(__file__).resolve().parents[2] / "README.md"
TABLE_START, TABLE_END = "<!-- roles-table:start -->", "<!-- roles-table:end -->"


def _roles_table() -> str:
    """The permission part of the README's roles table, one row per action, rendered from ``ALLOWED``."""
    roles = [*ROLES, Role.SYSTEM, Role.INTEGRATION]
    lines = ["| action | " + " | ".join(roles) + " |", "| --- |" + " :-: |" * len(roles)]
    for action in Action:
        marks = " | ".join("✓" if role in ALLOWED[action] else "" for role in roles)
        lines.append(f"| {action.chinese} {action.english} | {marks} |")
    return "\n".join(lines)


def test_the_readme_roles_table_is_the_permission_table():
    text = README.read_text(encoding="utf-8")
    documented = text.split(TABLE_START, 1)[-1].split(TABLE_END, 1)[0].strip()
    assert documented == _roles_table(), (
        f"README.md's roles table differs from data_access.policy.ALLOWED; put this between {TABLE_START} "
        f"and {TABLE_END}:\n\n{_roles_table()}\n")
