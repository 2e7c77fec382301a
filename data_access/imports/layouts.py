"""The four kinds of spreadsheet perfdash imports, column by column.

Each column has a canonical name (what the code uses), the Chinese and English headers of the templates, other
names people write in its place (aliases; matched after trimming, ignoring case and full-width brackets), a type
that validation enforces, and whether it is required. ``key`` is what identifies a row: two rows of one file
with the same key are an error, and a row whose key exists in the database changes that row.

Money is in 万元 (10,000 CNY), as Chinese project registers write it; the database stores CNY.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from data_access.models import PROJECT_STATUSES


class ColumnType(StrEnum):
    TEXT = "text"  # free text, max_length characters
    CODE = "code"  # a reference by code (project, indicator, category, region, department)
    USER = "user"  # a username
    CHOICE = "choice"  # one of ``choices``
    NUMBER = "number"  # any finite number
    PERCENT = "percent"  # 0 … 100
    MONEY = "money"  # 万元, zero or more
    DATE = "date"  # a day: Excel date or serial, 2026-03-01, 2026/3/1, 2026年3月1日
    MONTH = "month"  # a month: 2026-03, 2026/3, 2026年3月, or any day of it (stored as the 1st)
    LATITUDE = "latitude"
    LONGITUDE = "longitude"


@dataclass(frozen=True)
class Column:
    name: str
    header_zh: str
    header_en: str
    type: ColumnType
    required: bool = False
    max_length: int | None = None
    choices: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()

    @property
    def headers(self) -> tuple[str, ...]:
        """Every name a header cell may carry for this column."""
        return (self.header_zh, self.header_en, self.name, *self.aliases)


@dataclass(frozen=True)
class Layout:
    kind: str
    title_zh: str
    title_en: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]

    def column(self, name: str) -> Column:
        return next(column for column in self.columns if column.name == name)


T = ColumnType
PROJECTS = Layout("projects", "项目", "Projects", (
    Column("code", "项目编码", "Project code", T.CODE, required=True, max_length=30, aliases=("编码", "项目编号")),
    Column("name_zh", "项目名称", "Project name (Chinese)", T.TEXT, required=True, max_length=120,
           aliases=("名称", "中文名称")),
    Column("name_en", "英文名称", "Project name (English)", T.TEXT, max_length=200, aliases=("Name",)),
    Column("category", "项目类别", "Category", T.CODE, required=True, aliases=("类别", "类型")),
    Column("region", "所属区域", "Region", T.CODE, required=True, aliases=("区县", "区域", "行政区划代码")),
    Column("department", "责任部门", "Department", T.CODE, aliases=("部门", "牵头单位")),
    Column("manager", "项目经理", "Manager (username)", T.USER, aliases=("负责人", "Manager")),
    Column("budget", "总投资（万元）", "Budget (10k CNY)", T.MONEY, required=True,
           aliases=("总投资", "预算", "Budget")),
    Column("planned_start", "计划开工日期", "Planned start", T.DATE, required=True, aliases=("开工日期", "计划开始")),
    Column("planned_end", "计划完工日期", "Planned end", T.DATE, required=True, aliases=("完工日期", "计划完成")),
    Column("status", "状态", "Status", T.CHOICE, choices=tuple(s for s in PROJECT_STATUSES if s != "archived")),
    Column("lat", "纬度", "Latitude", T.LATITUDE, aliases=("lat",)),
    Column("lon", "经度", "Longitude", T.LONGITUDE, aliases=("lon", "lng")),
    Column("description", "项目简介", "Description", T.TEXT, max_length=2000, aliases=("简介", "备注")),
), key=("code",))

MILESTONES = Layout("milestones", "里程碑", "Milestones", (
    Column("project_code", "项目编码", "Project code", T.CODE, required=True, aliases=("项目编号",)),
    Column("seq", "序号", "No.", T.NUMBER, required=True, aliases=("#", "顺序")),
    Column("name_zh", "里程碑名称", "Milestone (Chinese)", T.TEXT, required=True, max_length=120, aliases=("名称",)),
    Column("name_en", "英文名称", "Milestone (English)", T.TEXT, max_length=200),
    Column("planned_start", "计划开始日期", "Planned start", T.DATE, required=True, aliases=("计划开始",)),
    Column("planned_end", "计划完成日期", "Planned end", T.DATE, required=True, aliases=("计划完成",)),
    Column("actual_end", "实际完成日期", "Actual end", T.DATE, aliases=("实际完成",)),
    Column("percent_complete", "完成百分比", "Percent complete", T.PERCENT, aliases=("完成率", "进度（%）")),
    Column("owner", "负责人", "Owner (username)", T.USER),
), key=("project_code", "seq"))

TARGETS = Layout("targets", "项目目标", "Project targets", (
    Column("project_code", "项目编码", "Project code", T.CODE, required=True, aliases=("项目编号",)),
    Column("indicator_code", "指标编码", "Indicator code", T.CODE, required=True, aliases=("指标", "指标代码")),
    Column("target_value", "目标值", "Target", T.NUMBER, required=True, aliases=("目标",)),
    Column("baseline_value", "基期值", "Baseline", T.NUMBER, aliases=("基线值", "基准值")),
    Column("weight_override", "权重", "Weight", T.NUMBER),
), key=("project_code", "indicator_code"))

OBSERVATIONS = Layout("observations", "月度数据", "Monthly figures", (
    Column("project_code", "项目编码", "Project code", T.CODE, required=True, aliases=("项目编号",)),
    Column("indicator_code", "指标编码", "Indicator code", T.CODE, required=True, aliases=("指标", "指标代码")),
    Column("period", "月份", "Month", T.MONTH, required=True, aliases=("期间", "统计月份", "Period")),
    Column("value", "数值", "Value", T.NUMBER, required=True, aliases=("值", "实际值")),
), key=("project_code", "indicator_code", "period"))

LAYOUTS: dict[str, Layout] = {layout.kind: layout for layout in (PROJECTS, MILESTONES, TARGETS, OBSERVATIONS)}
