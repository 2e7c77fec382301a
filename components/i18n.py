"""One catalog for every visible string: Chinese first, English second.

``t("key")`` returns the text in the current session's language (``st.session_state["lang"]``, default
Chinese); ``t("key", n=3)`` fills ``{n}``. Names that come from the database (regions, indicators,
categories) are not in the catalog: pick their ``name_zh`` / ``name_en`` column with :func:`name_column`.
"""
from __future__ import annotations

import streamlit as st

DEFAULT_LANGUAGE = "zh"
LANGUAGE_NAMES = {"zh": "中文", "en": "English"}

CATALOG: dict[str, tuple[str, str]] = {
    "app.title": ("项目绩效管理看板", "Project performance dashboard"),
    "section.overview": ("总览", "Overview"),
    "section.analysis": ("分析", "Analysis"),
    "section.data": ("数据", "Data"),
    "section.admin": ("管理", "Admin"),
    "page.overview": ("总览", "Overview"),
    "page.map": ("地图", "Map"),
    "page.projects": ("项目", "Projects"),
    "page.audit": ("审计日志", "Audit log"),
    "page.users": ("用户管理", "Users"),
    "login.form": ("登录 perfdash", "Sign in to perfdash"),
    "login.username": ("用户名", "Username"),
    "login.password": ("密码", "Password"),
    "login.submit": ("登录", "Sign in"),
    "login.failed": ("用户名或密码错误，或账户已被临时锁定。", "Wrong username or password, or the account is temporarily locked."),
    "login.session_ended": ("您的会话已结束，请重新登录。", "Your session has ended; please sign in again."),
    "login.demo_hint": ("演示账号见 README（如 leader / Demo@2026）。", "Demo accounts are listed in the README (e.g. leader / Demo@2026)."),
    "logout": ("退出登录", "Sign out"),
    "language": ("语言 Language", "Language 语言"),
    "role.admin": ("系统管理员", "Administrator"),
    "role.leader": ("领导", "Leader"),
    "role.analyst": ("分析师", "Analyst"),
    "role.district_official": ("区县专员", "District official"),
    "role.project_manager": ("项目经理", "Project manager"),
    "role.auditor": ("审计员", "Auditor"),
    "filter.title": ("筛选", "Filters"),
    "filter.period": ("期间", "Period"),
    "filter.region": ("区域", "Region"),
    "filter.category": ("类别", "Category"),
    "filter.all": ("全部", "All"),
    "status.planned": ("未开工", "Planned"),
    "status.active": ("在建", "Active"),
    "status.suspended": ("暂停", "Suspended"),
    "status.completed": ("已完工", "Completed"),
    "error.config": ("配置错误", "Configuration error"),
    "empty.projects": ("当前筛选条件下没有项目。", "No projects match the current filters."),
    "empty.database": ("数据库中还没有数据：请运行 `make run`（首次启动会写入演示数据）或导入数据。",
                       "The database has no data yet: run `make run` (it seeds demo data on first start) or import data."),
    "overview.projects": ("项目总数", "Projects"),
    "overview.active": ("在建", "Active"),
    "overview.completed": ("已完工", "Completed"),
    "overview.budget": ("总投资", "Total budget"),
    "overview.by_region": ("各区域项目数", "Projects by region"),
    "projects.count": ("{shown} / {total} 个项目", "{shown} of {total} projects"),
    "projects.status": ("状态", "Status"),
    "projects.download_csv": ("下载 CSV", "Download CSV"),
    "projects.download_xlsx": ("下载 Excel", "Download Excel"),
    "projects.detail": ("项目详情", "Project details"),
    "projects.choose": ("选择项目查看详情", "Choose a project to see its details"),
    "projects.none": ("（不选择）", "(none)"),
    "col.code": ("编号", "Code"),
    "col.name": ("项目名称", "Project"),
    "col.category": ("类别", "Category"),
    "col.region": ("区域", "Region"),
    "col.department": ("主管部门", "Department"),
    "col.manager": ("项目经理", "Manager"),
    "col.status": ("状态", "Status"),
    "col.planned_start": ("计划开工", "Planned start"),
    "col.planned_end": ("计划完工", "Planned end"),
    "col.actual_end": ("实际完成", "Actual end"),
    "col.budget": ("预算", "Budget"),
    "col.milestone": ("里程碑", "Milestone"),
    "col.percent": ("完成度", "Complete"),
    "audit.verify": ("校验审计链", "Verify the audit chain"),
    "audit.ok": ("审计链完整：已校验 {n} 条记录。", "The audit chain is intact: {n} entries checked."),
    "audit.broken": ("审计链在第 {id} 条记录处断开：{reason}", "The audit chain breaks at entry {id}: {reason}"),
    "audit.head": ("最新记录 #{id} 的哈希（可对外公布以锚定日志）：", "Hash of the newest entry #{id} (publish it to anchor the log):"),
    "audit.actor": ("操作人", "Actor"),
    "audit.action": ("操作类型", "Action"),
    "audit.days": ("日期范围", "Dates"),
    "audit.empty": ("没有符合条件的审计记录。", "No audit entries match."),
    "users.create": ("新建用户", "New user"),
    "users.edit": ("编辑用户", "Edit user"),
    "users.username": ("用户名", "Username"),
    "users.display_name": ("姓名", "Name"),
    "users.email": ("电子邮箱", "E-mail"),
    "users.role": ("角色", "Role"),
    "users.region": ("所辖区域", "Region scope"),
    "users.region_none": ("（全部区域）", "(all regions)"),
    "users.active": ("启用", "Active"),
    "users.password": ("初始密码", "Initial password"),
    "users.new_password": ("新密码", "New password"),
    "users.reset_password": ("重置密码", "Reset password"),
    "users.save": ("保存", "Save"),
    "users.created": ("已创建用户 {username}。", "User {username} created."),
    "users.saved": ("已保存。", "Saved."),
    "users.password_reset": ("密码已重置，该用户的现有会话已失效。", "Password reset; the user's existing sessions have ended."),
    "users.choose": ("选择用户", "Choose a user"),
    "users.locked": ("锁定至", "Locked until"),
    "users.failed": ("失败次数", "Failures"),
}


def language() -> str:
    return st.session_state.get("lang", DEFAULT_LANGUAGE)


def t(key: str, **values: object) -> str:
    """The catalog text for ``key`` in the session's language, with ``{placeholders}`` filled."""
    zh, en = CATALOG[key]
    text = en if language() == "en" else zh
    return text.format(**values) if values else text


def name_column(base: str = "name") -> str:
    """The column holding a database name in the session's language, e.g. ``name_zh`` / ``region_en``."""
    return f"{base}_{'en' if language() == 'en' else 'zh'}"
