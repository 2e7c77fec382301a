"""The texts the alert data layer stores for people (inbox messages, which are also the e-mails), in both
languages, and the status and severity words it uses in them and in its refusals.

The pages label statuses and severities from ``components.i18n`` (``alert_status.*``, ``severity.*``); the
data layer cannot import ``components``, so its words live here, once, and
``tests/data_access/test_alert_statuses.py`` keeps them equal to the catalog's.
"""
from __future__ import annotations

from dataclasses import dataclass

from data_access.models import Alert, AlertRule, Project

STATUS_ZH = {"open": "待处理", "acknowledged": "已确认", "rectifying": "整改中", "resolved": "待核验",
             "closed": "已关闭"}
SEVERITY_ZH = {"red": "红色", "orange": "橙色", "yellow": "黄色"}

# What each notification asks of its reader: kind → (Chinese, English).
NOTICES = {
    "alert.opened": ("新预警，请及时确认并整改。", "A new warning: please acknowledge it and start rectification."),
    "alert.reopened": ("已关闭的预警再次触发，请重新整改。", "A closed warning fired again: please rectify it again."),
    "alert.escalated": ("红色预警超过期限未确认，已上报给您。",
                        "A red warning was not acknowledged in time and is escalated to you."),
    "alert.resolved": ("整改已提交，请核验。", "Rectification submitted: please verify it."),
    "alert.rejected": ("整改核验未通过，请继续整改。", "The rectification was not accepted: please continue."),
    "alert.closed": ("整改已核验，预警关闭。", "Rectification verified; the warning is closed."),
}
# The subject of an inbox message about a project the reader may no longer see: (English, Chinese).
WITHHELD = ("This message concerns a project that is no longer in your scope", "一条消息涉及的项目已不在您的权限范围内")


@dataclass(frozen=True)
class Message:
    subject_zh: str
    subject_en: str
    body_zh: str
    body_en: str


def compose(kind: str, alert: Alert, project: Project, rule: AlertRule) -> Message:
    """The inbox message (and e-mail) of one notification ``kind`` about ``alert``."""
    colour_zh, colour_en = SEVERITY_ZH[alert.severity], alert.severity.capitalize()
    head_zh = f"【{colour_zh}预警】{project.name_zh}：{rule.name_zh}"
    head_en = f"[{colour_en} warning] {project.name_en}: {rule.name_en}"
    value = "—" if alert.value is None else f"{alert.value:.1f}"
    threshold = "—" if alert.threshold is None else f"{alert.threshold:.1f}"
    what_zh, what_en = NOTICES[kind]
    return Message(
        subject_zh=head_zh, subject_en=head_en,
        body_zh=f"{what_zh}\n项目：{project.code} {project.name_zh}\n规则：{rule.name_zh}\n"
                f"数值：{value}（阈值 {threshold}）\n状态：{STATUS_ZH[alert.status]}\n查看：/alerts?alert={alert.id}",
        body_en=f"{what_en}\nProject: {project.code} {project.name_en}\nRule: {rule.name_en}\n"
                f"Value: {value} (threshold {threshold})\nStatus: {alert.status}\nOpen: /alerts?alert={alert.id}",
    )
