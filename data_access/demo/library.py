"""Reference data of the demo: categories, departments, the 3-level indicator library, name parts.

The indicator library follows the examples in Chinese performance-evaluation practice: six first-level
dimensions, second-level groups, and 30 measurable third-level indicators (KPIs) with unit, direction,
default weight and how months roll up. ``kind`` and ``target`` drive the generator only.
"""
from __future__ import annotations

from typing import NamedTuple

CATEGORIES: tuple[tuple[str, str, str], ...] = (
    ("culture_tourism", "文旅融合", "Culture & tourism"),
    ("urban_renewal", "城市更新/老旧小区改造", "Urban renewal / old-neighbourhood retrofit"),
    ("industrial_park", "产业园区", "Industrial parks"),
    ("port_logistics", "港口物流", "Port & logistics"),
    ("smart_city", "智慧城市", "Smart city"),
    ("education", "智慧校园/教育", "Smart campus / education"),
    ("livelihood", "民生实事/养老", "Livelihood / elderly care"),
)

DEPARTMENTS: tuple[tuple[str, str, str], ...] = (
    ("fgw", "发改委", "Development and Reform Commission"),
    ("zjj", "住建局", "Housing and Urban-Rural Development Bureau"),
    ("wlj", "文旅局", "Culture, Radio, TV and Tourism Bureau"),
    ("jyj", "教育局", "Education Bureau"),
    ("gxj", "工信局", "Industry and Information Technology Bureau"),
    ("jtj", "交通运输局", "Transport Bureau"),
    ("dsj", "大数据局", "Big Data Bureau"),
    ("mzj", "民政局", "Civil Affairs Bureau"),
)

CATEGORY_DEPARTMENT = {
    "culture_tourism": "wlj", "urban_renewal": "zjj", "industrial_park": "gxj", "port_logistics": "jtj",
    "smart_city": "dsj", "education": "jyj", "livelihood": "mzj",
}

DIMENSIONS: tuple[tuple[str, str, str], ...] = (
    ("progress", "进度管理", "Progress"),
    ("finance", "资金管理", "Finance"),
    ("quality", "质量管理", "Quality"),
    ("safety", "安全管理", "Safety"),
    ("satisfaction", "满意度", "Satisfaction"),
    ("benefit", "综合效益", "Benefit"),
)

# Default dimension weights of the standard scheme (sum 1).
DIMENSION_WEIGHTS = {"progress": 0.25, "finance": 0.15, "quality": 0.20, "safety": 0.10, "satisfaction": 0.15,
                     "benefit": 0.15}

# Second level: code, dimension, Chinese, English.
GROUPS: tuple[tuple[str, str, str, str], ...] = (
    ("PRG_SCHED", "progress", "进度执行", "Schedule execution"),
    ("PRG_MS", "progress", "里程碑管理", "Milestone management"),
    ("FIN_EXEC", "finance", "预算执行", "Budget execution"),
    ("FIN_FUND", "finance", "资金保障", "Funding"),
    ("QLT_ENG", "quality", "工程质量", "Construction quality"),
    ("QLT_RECT", "quality", "问题整改", "Issue rectification"),
    ("SAF_INC", "safety", "安全生产", "Work safety"),
    ("SAT_PUB", "satisfaction", "群众评价", "Public opinion"),
    ("BEN_ECO", "benefit", "经济效益", "Economic benefit"),
    ("BEN_SOC", "benefit", "社会效益", "Social benefit"),
)


class IndicatorSpec(NamedTuple):
    code: str
    group: str
    name_zh: str
    name_en: str
    unit_zh: str
    unit_en: str
    direction: str  # higher / lower / band
    weight: float
    rollup: str  # last / sum / mean
    kind: str  # how the generator makes values
    target: float  # typical target (flows and stocks are scaled by project size)
    category: str | None = None  # None: every category
    scored: bool = True
    band: tuple[float, float] | None = None


INDICATORS: tuple[IndicatorSpec, ...] = (
    IndicatorSpec("PROG_RATIO", "PRG_SCHED", "进度计划完成率", "Progress against plan", "%", "%", "higher", 3, "last",
                  "progress_ratio", 100),
    IndicatorSpec("PROG_ACTUAL", "PRG_SCHED", "实际形象进度", "Actual progress", "%", "%", "higher", 0, "last",
                  "progress_actual", 100, scored=False),
    IndicatorSpec("PROG_PLAN", "PRG_SCHED", "计划形象进度", "Planned progress", "%", "%", "higher", 0, "last",
                  "progress_plan", 100, scored=False),
    IndicatorSpec("MS_ONTIME", "PRG_MS", "里程碑按时完成率", "On-time milestone rate", "%", "%", "higher", 2, "last",
                  "rate", 95),
    IndicatorSpec("SCHED_DELAY", "PRG_MS", "工期延误天数", "Schedule delay", "天", "days", "lower", 1, "last",
                  "delay_days", 10),
    IndicatorSpec("SPEND_CUM", "FIN_EXEC", "累计完成投资", "Cumulative spend", "万元", "10k CNY", "higher", 0, "last",
                  "spend_actual", 0, scored=False),
    IndicatorSpec("SPEND_PLAN", "FIN_EXEC", "计划累计投资", "Planned cumulative spend", "万元", "10k CNY", "higher", 0,
                  "last", "spend_plan", 0, scored=False),
    IndicatorSpec("BUDGET_EXEC", "FIN_EXEC", "预算执行率", "Budget execution rate", "%", "%", "band", 2, "last",
                  "budget_exec", 100, band=(90.0, 105.0)),
    IndicatorSpec("COST_VAR", "FIN_EXEC", "成本偏差率", "Cost variance", "%", "%", "lower", 1, "last", "cost_var", 3),
    IndicatorSpec("FUND_ARRIVAL", "FIN_FUND", "资金到位率", "Funds received rate", "%", "%", "higher", 1, "last",
                  "rate", 95),
    IndicatorSpec("QUALITY_PASS", "QLT_ENG", "工程质量合格率", "Quality pass rate", "%", "%", "higher", 2, "last",
                  "rate", 98),
    IndicatorSpec("FIRST_ACCEPT", "QLT_ENG", "一次验收合格率", "First-time acceptance rate", "%", "%", "higher", 1,
                  "last", "rate", 92),
    IndicatorSpec("RECTIFY_RATE", "QLT_RECT", "问题整改完成率", "Issues rectified", "%", "%", "higher", 1, "last",
                  "rate", 95),
    IndicatorSpec("SAFETY_INCIDENTS", "SAF_INC", "安全事故数", "Safety incidents", "起", "incidents", "lower", 2,
                  "sum", "incidents", 0.05),
    IndicatorSpec("HAZARD_FIX", "SAF_INC", "隐患整改率", "Hazards fixed", "%", "%", "higher", 1, "last", "rate", 96),
    IndicatorSpec("RESIDENT_SAT", "SAT_PUB", "群众满意度", "Resident satisfaction", "分", "points", "higher", 3,
                  "mean", "satisfaction", 90),
    IndicatorSpec("COMPLAINTS", "SAT_PUB", "投诉件数", "Complaints", "件", "complaints", "lower", 1, "sum",
                  "incidents", 0.6),
    IndicatorSpec("VISITOR_GROWTH", "BEN_ECO", "游客人次同比增长", "Visitor growth (YoY)", "%", "%", "higher", 2, "last",
                  "growth", 12, category="culture_tourism"),
    IndicatorSpec("TOURISM_REVENUE", "BEN_ECO", "旅游综合收入", "Tourism revenue", "万元", "10k CNY", "higher", 1,
                  "sum", "flow", 600, category="culture_tourism"),
    IndicatorSpec("ONLINE_PARTICIPANTS", "BEN_SOC", "线上活动参与人次", "Online campaign participants", "万人次",
                  "10k people", "higher", 1, "sum", "flow", 8, category="culture_tourism"),
    IndicatorSpec("FACILITY_UPGRADE", "BEN_SOC", "设施改造完成率", "Facility-upgrade completion rate", "%", "%",
                  "higher", 2, "last", "stock_rate", 100, category="urban_renewal"),
    IndicatorSpec("HOUSEHOLDS", "BEN_SOC", "惠及居民户数", "Households benefited", "户", "households", "higher", 1,
                  "last", "stock", 1500, category="urban_renewal"),
    IndicatorSpec("ENTERPRISES", "BEN_ECO", "入驻企业数", "Enterprises moved in", "家", "firms", "higher", 2, "last",
                  "stock", 40, category="industrial_park"),
    IndicatorSpec("INVESTMENT_ATTRACTED", "BEN_ECO", "招商引资到位额", "Investment attracted", "万元", "10k CNY",
                  "higher", 1, "sum", "flow", 3000, category="industrial_park"),
    IndicatorSpec("THROUGHPUT", "BEN_ECO", "货物吞吐量", "Cargo throughput", "万吨", "10k t", "higher", 2, "sum",
                  "flow", 120, category="port_logistics"),
    IndicatorSpec("CONTAINER_TEU", "BEN_ECO", "集装箱吞吐量", "Container throughput", "万标箱", "10k TEU", "higher",
                  1, "sum", "flow", 6, category="port_logistics"),
    IndicatorSpec("SYSTEM_UPTIME", "BEN_SOC", "系统可用率", "System availability", "%", "%", "band", 1, "mean",
                  "uptime", 99.9, category="smart_city", band=(99.5, 100.0)),
    IndicatorSpec("ONLINE_SERVICE", "BEN_SOC", "政务服务网办率", "Services handled online", "%", "%", "higher", 2,
                  "last", "stock_rate", 90, category="smart_city"),
    IndicatorSpec("SCHOOL_PLACES", "BEN_SOC", "新增学位数", "New school places", "个", "places", "higher", 2, "last",
                  "stock", 1200, category="education"),
    IndicatorSpec("ELDER_BEDS", "BEN_SOC", "新增养老床位", "New elderly-care beds", "张", "beds", "higher", 2, "last",
                  "stock", 300, category="livelihood"),
)

# Name parts per category: (Chinese, English) themes and project kinds.
NAME_THEMES: dict[str, tuple[tuple[str, str], ...]] = {
    "culture_tourism": (("古城墙", "Ancient city wall"), ("历史街区", "Historic quarter"), ("夜间文旅", "Night-time culture"),
                        ("非遗", "Intangible heritage"), ("滨水", "Waterfront"), ("红色旅游", "Red tourism"),
                        ("乡村旅游", "Rural tourism"), ("博物馆群", "Museum cluster")),
    "urban_renewal": (("老旧小区", "Old neighbourhood"), ("背街小巷", "Back-street"), ("城中村", "Urban village"),
                      ("棚户区", "Shanty-area"), ("雨污分流", "Storm/sewage separation"), ("口袋公园", "Pocket park")),
    "industrial_park": (("高新技术产业园", "High-tech park"), ("智能制造产业园", "Smart manufacturing park"),
                        ("新材料产业园", "New materials park"), ("电子信息产业园", "Electronics park"),
                        ("食品加工园", "Food processing park")),
    "port_logistics": (("集装箱码头", "Container terminal"), ("保税物流中心", "Bonded logistics centre"),
                       ("铁海联运", "Rail-sea intermodal"), ("冷链物流", "Cold-chain logistics"),
                       ("航道疏浚", "Channel dredging")),
    "smart_city": (("城市大脑", "City brain"), ("一网统管", "Unified city operations"), ("智慧交通", "Smart traffic"),
                   ("数字政务", "Digital government"), ("智慧社区", "Smart community")),
    "education": (("智慧校园", "Smart campus"), ("中小学扩容", "School expansion"), ("职业教育实训基地", "Vocational training base"),
                  ("幼儿园新建", "New kindergarten")),
    "livelihood": (("社区养老服务中心", "Community elderly-care centre"), ("长者食堂", "Seniors' canteen"),
                   ("便民服务", "Neighbourhood services"), ("适老化改造", "Age-friendly retrofit"),
                   ("社区卫生服务站", "Community health station")),
}
NAME_KINDS: dict[str, tuple[str, str]] = {
    "culture_tourism": ("提升工程", "upgrade"),
    "urban_renewal": ("改造工程", "retrofit"),
    "industrial_park": ("建设项目", "construction"),
    "port_logistics": ("建设工程", "works"),
    "smart_city": ("建设项目", "project"),
    "education": ("建设工程", "works"),
    "livelihood": ("建设项目", "project"),
}

MILESTONE_NAMES: tuple[tuple[str, str], ...] = (
    ("立项审批", "Approval"), ("方案设计", "Design"), ("招标采购", "Tendering"), ("主体施工", "Main construction"),
    ("竣工验收", "Acceptance"), ("交付运营", "Handover"),
)
