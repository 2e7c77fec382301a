"""Who may do what: every permission in perfdash, declared once.

Writes, admin reads and the navigation ask :func:`allowed` or :func:`require` with an :class:`Action`;
:data:`ALLOWED` maps each action to the roles that may take it. Which *rows* a viewer may see or change is
scope, applied inside every SQL statement by :mod:`data_access.scope`; this module only says which roles.

A leaf module (standard library and ``data_access.errors`` only), so every other module may import it.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from data_access.errors import PermissionDenied


class Role(StrEnum):
    """The roles a user can hold, and ``system``: the background evaluator, never a user."""

    ADMIN = "admin"
    LEADER = "leader"
    ANALYST = "analyst"
    DISTRICT_OFFICIAL = "district_official"
    PROJECT_MANAGER = "project_manager"
    AUDITOR = "auditor"
    EXPERT = "expert"  # an outside reviewer: sees only the projects a rating round assigns them
    SYSTEM = "system"
    INTEGRATION = "integration"  # an open-API token: another system (finance, OA, site monitoring), never a user


NOT_PEOPLE = frozenset({Role.SYSTEM, Role.INTEGRATION})
ROLES = tuple(role.value for role in Role if role not in NOT_PEOPLE)  # login roles, in the users table's order


@dataclass(frozen=True)
class Viewer:
    """The current user as the data layer needs them; hashable so it can key caches.

    ``scope_key`` digests what the viewer may see (role, region, the projects a manager manages) and is
    rebuilt on every rerun: a changed scope is a different viewer, so no cache serves the old scope's rows.
    """

    user_id: int
    username: str
    role: str
    region_id: int | None = None
    region_path: str | None = None
    scope_key: str = ""

    @property
    def sees_everything(self) -> bool:
        return allowed(self, Action.READ_ALL_REGIONS) and self.region_path is None

    @property
    def person_id(self) -> int | None:
        """The ``users.id`` to record as the actor: None for the system actor and API tokens, which are no user."""
        return None if self.role in NOT_PEOPLE else self.user_id


class Action(StrEnum):
    """Something a role may be allowed to do; each carries the words a refusal uses (English, Chinese)."""

    english: str
    chinese: str

    def __new__(cls, value: str, english: str, chinese: str) -> Action:
        action = str.__new__(cls, value)
        action._value_ = value
        action.english, action.chinese = english, chinese
        return action

    READ_PORTFOLIO = "read_portfolio", "open the dashboard's pages", "查看看板页面"
    READ_ALL_REGIONS = "read_all_regions", "see the projects of every region", "查看所有地区的项目"
    REPORT_PROGRESS = "report_progress", "enter progress data", "填报进度数据"
    SET_PLAN = "set_plan", "enter plan values (PROG_PLAN, SPEND_PLAN)", "填报计划值"
    EDIT_PROJECT = "edit_project", "create, edit and archive projects", "新建、修改和归档项目"
    EDIT_MILESTONES = "edit_milestones", "edit milestones", "修改里程碑"
    OWN_MILESTONE = "own_milestone", "be a milestone's owner", "担任里程碑负责人"
    HANDLE_ALERT = "handle_alert", "handle warnings (acknowledge, rectify, submit evidence)", "处理预警"
    OWN_RECTIFICATION = "own_rectification", "be a rectification's owner", "担任整改责任人"
    VERIFY_RECTIFICATION = "verify_rectification", "verify or send back rectifications", "核验整改"
    MANAGE_RULES = "manage_rules", "configure warning rules", "配置预警规则"
    USE_WHATIF = "use_whatif", "use the what-if weight tuning", "使用权重调优"
    SAVE_SCENARIO = "save_scenario", "save, change or delete own weight scenarios", "保存、修改或删除自己的权重方案"
    MANAGE_ANY_SCENARIO = ("manage_any_scenario", "change or delete anyone's weight scenarios",
                           "修改或删除他人的权重方案")
    PROMOTE_SCHEME = "promote_scheme", "promote a weight scheme to the default", "将权重方案设为默认"
    MANAGE_USERS = "manage_users", "manage users", "管理用户"
    READ_AUDIT = "read_audit", "read the audit log", "查看审计日志"
    IMPORT_DATA = "import_data", "import spreadsheets and roll imports back", "导入数据表并回退导入"
    MANAGE_INDICATORS = ("manage_indicators", "edit the indicator library and category templates",
                         "维护指标库和类别模板")
    MANAGE_GOALS = "manage_goals", "edit the target tree and OKRs", "维护目标分解和 OKR"
    REVIEW_REPORTS = ("review_reports", "accept or send back monthly reports, remind reporters and set review",
                      "审核月报、催报并设置是否审核")
    MANAGE_RATING_ROUNDS = "manage_rating_rounds", "open, change and close rating rounds", "发起、修改和关闭评分"
    RATE_PROJECTS = "rate_projects", "rate projects a rating round assigns them", "为评分轮次分配的项目打分"
    RAISE_ALERTS = "raise_alerts", "open, reopen, clear and escalate warnings", "生成、重开、解除和升级预警"
    SEND_NOTIFICATIONS = "send_notifications", "send warning e-mail", "发送预警邮件"
    BUILD_REPORTS = ("build_reports", "build, download and subscribe to reports of their scope",
                     "生成、下载和订阅本辖区的报告")
    READ_ALLOCATION = "read_allocation", "see the result application (rewards and budget priority)", "查看结果应用"
    PROPOSE_ALLOCATION = ("propose_allocation", "try out, save and export allocation proposals",
                          "试算、保存和导出分配方案")
    APPROVE_ALLOCATION = "approve_allocation", "approve allocation proposals", "批准分配方案"
    MANAGE_ALLOCATION_RULES = "manage_allocation_rules", "configure the result-application rules", "配置结果应用规则"
    EDIT_KNOWLEDGE = "edit_knowledge", "write and edit knowledge-base cases", "编写和修改经验案例"
    MANAGE_INTEGRATIONS = ("manage_integrations", "create and revoke open-API tokens for other systems",
                           "创建和吊销开放接口令牌")
    TRAIN_RISK = "train_risk", "train the risk prediction models", "训练风险预测模型"
    SEND_FEEDBACK = "send_feedback", "send feedback and read their own feedback's answers", "提交意见并查看回复"
    TRIAGE_FEEDBACK = ("triage_feedback", "read, answer, tag, close and reopen everyone's feedback",
                       "查看、回复、标记、关闭和重开所有意见")


_EVERY_USER = frozenset(ROLES)
_HANDLERS = frozenset({Role.ADMIN, Role.DISTRICT_OFFICIAL, Role.PROJECT_MANAGER})
_SUPERVISORS = frozenset({Role.ADMIN, Role.DISTRICT_OFFICIAL})
_SCENARIO_USERS = frozenset({Role.ADMIN, Role.LEADER, Role.ANALYST})
_SCHEME_MANAGERS = frozenset({Role.ADMIN, Role.ANALYST})
_DATA_KEEPERS = frozenset({Role.ADMIN, Role.ANALYST, Role.DISTRICT_OFFICIAL})  # officials: their region only

ALLOWED: Mapping[Action, frozenset[str]] = MappingProxyType({
    # An API token reads like an analyst, narrowed to its region when it has one (region scope narrows every
    # role); what else it may do is the token's own scopes (read / write observations / write milestones).
    Action.READ_PORTFOLIO: _EVERY_USER | {Role.INTEGRATION},
    Action.READ_ALL_REGIONS: frozenset({Role.ADMIN, Role.LEADER, Role.ANALYST, Role.AUDITOR, Role.SYSTEM,
                                        Role.INTEGRATION}),
    Action.REPORT_PROGRESS: frozenset({Role.ADMIN, Role.ANALYST, Role.DISTRICT_OFFICIAL, Role.PROJECT_MANAGER,
                                       Role.INTEGRATION}),
    Action.SET_PLAN: frozenset({Role.ADMIN, Role.ANALYST, Role.DISTRICT_OFFICIAL}),  # never the one measured
    Action.EDIT_PROJECT: _DATA_KEEPERS,
    Action.EDIT_MILESTONES: _HANDLERS | {Role.ANALYST, Role.INTEGRATION},  # analysts keep the register's too
    Action.OWN_MILESTONE: _HANDLERS,
    Action.HANDLE_ALERT: _HANDLERS,
    Action.OWN_RECTIFICATION: _HANDLERS,
    Action.VERIFY_RECTIFICATION: _SUPERVISORS,  # and never the task's owner or submitter (checked per alert)
    Action.MANAGE_RULES: frozenset({Role.ADMIN}),
    Action.USE_WHATIF: _SCENARIO_USERS,
    Action.SAVE_SCENARIO: _SCENARIO_USERS,
    Action.MANAGE_ANY_SCENARIO: _SCHEME_MANAGERS,
    Action.PROMOTE_SCHEME: _SCHEME_MANAGERS,
    Action.MANAGE_USERS: frozenset({Role.ADMIN}),
    Action.READ_AUDIT: frozenset({Role.ADMIN, Role.AUDITOR}),
    Action.IMPORT_DATA: _DATA_KEEPERS | {Role.INTEGRATION},  # an API push is an import (same checks, a batch)
    Action.MANAGE_INDICATORS: frozenset({Role.ADMIN}),
    Action.MANAGE_GOALS: _DATA_KEEPERS,
    Action.REVIEW_REPORTS: _SUPERVISORS,
    Action.MANAGE_RATING_ROUNDS: _SCHEME_MANAGERS,
    Action.RATE_PROJECTS: _EVERY_USER - {Role.AUDITOR},  # which projects: the round's assignments say
    Action.RAISE_ALERTS: frozenset({Role.SYSTEM}),
    Action.SEND_NOTIFICATIONS: frozenset({Role.SYSTEM}),
    # reports, result application, knowledge base: which regions, scope says (an official: their own)
    Action.BUILD_REPORTS: frozenset({Role.ADMIN, Role.LEADER, Role.ANALYST, Role.DISTRICT_OFFICIAL, Role.AUDITOR,
                                     Role.SYSTEM}),
    Action.READ_ALLOCATION: frozenset({Role.ADMIN, Role.LEADER, Role.ANALYST, Role.DISTRICT_OFFICIAL, Role.AUDITOR}),
    Action.PROPOSE_ALLOCATION: _SCENARIO_USERS,
    Action.APPROVE_ALLOCATION: frozenset({Role.ADMIN, Role.LEADER}),
    Action.MANAGE_ALLOCATION_RULES: frozenset({Role.ADMIN}),
    Action.EDIT_KNOWLEDGE: _HANDLERS | {Role.ANALYST},
    Action.MANAGE_INTEGRATIONS: frozenset({Role.ADMIN}),
    Action.TRAIN_RISK: frozenset({Role.ADMIN, Role.ANALYST, Role.SYSTEM}),  # the scheduler retrains monthly
    Action.SEND_FEEDBACK: _EVERY_USER,
    Action.TRIAGE_FEEDBACK: frozenset({Role.ADMIN}),
})

# The background evaluator: reads every region, raises alerts and sends e-mail; the audit log names it
# "system". No user holds its role (the users table allows only ROLES), so it cannot log in or open a page.
SYSTEM = Viewer(user_id=0, username="system", role=Role.SYSTEM)


def allowed(viewer: Viewer, action: Action) -> bool:
    """Whether the viewer's role may take ``action`` (scope is checked separately, per row)."""
    return viewer.role in ALLOWED[action]


def require(viewer: Viewer, action: Action) -> None:
    """Raise :class:`PermissionDenied`, in both languages, unless the viewer's role may take ``action``."""
    if not allowed(viewer, action):
        raise PermissionDenied(f"Role {viewer.role!r} may not {action.english}",
                               message_zh=f"当前角色无权{action.chinese}")
