"""Hand-built report contents for the PDF tests: Chinese, English, Vietnamese and Thai words (names from the
database in English for the last two, as perfdash stores them), headline tiles, a chart, a table
long enough to span pages, a workbook-only ``*_all`` table, and a project named like an HTML attack."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import plotly.graph_objects as go

from services.report_center.blocks import (
    Figure,
    Highlight,
    Language,
    Provenance,
    ReportContent,
    ReportRequest,
    Section,
    Table,
)

HOSTILE_NAME = "<img src=x onerror=alert(1)>"
AUDIT_HASH = "9f2c4e1a" * 8
DISTRICTS = ("龙亭区", "顺河回族区", "鼓楼区", "禹王台区", "祥符区", "杞县", "通许县", "尉氏县", "兰考县")
DISTRICTS_EN = ("Longting", "Shunhe", "Gulou", "Yuwangtai", "Xiangfu", "Qi County", "Tongxu", "Weishi", "Lankao")
LONG_TABLE_ROWS = 45  # more than one A4 page of rows
SUBTITLES = {"zh": "2026年10月", "vi": "Tháng 10 năm 2026", "th": "ตุลาคม 2026"}


VIETNAMESE_WORDS = {
    "title": "Báo cáo hiệu quả hằng tháng", "overview": "Tổng quan", "ranking": "Xếp hạng dự án",
    "districts": "So sánh các quận huyện", "method": "Phụ lục: phương pháp", "score": "Điểm trung bình",
    "red": "Cảnh báo đỏ", "done": "Chỉnh sửa đã hoàn tất",
    "para": "Điểm trung bình tăng ở sáu trên chín quận huyện trong tháng này.", "project": "Dự án",
    "district": "Quận huyện", "score_col": "Điểm", "grade": "Xếp loại", "invest": "Vốn đầu tư (¥)",
    "chart": "Điểm trung bình theo quận huyện", "alt": "Biểu đồ cột: Longting có điểm trung bình cao nhất.",
    "method_para": "Các chỉ số được chuẩn hóa về thang 0–100 theo mục tiêu và tính trọng số theo phương án hiện hành.",
}
THAI_WORDS = {
    "title": "รายงานผลการดำเนินงานประจำเดือน", "overview": "ภาพรวม", "ranking": "การจัดอันดับโครงการ",
    "districts": "การเปรียบเทียบรายเขต", "method": "ภาคผนวก: วิธีการ", "score": "คะแนนเฉลี่ย",
    "red": "คำเตือนระดับแดง", "done": "การแก้ไขที่ปิดแล้ว",
    "para": "คะแนนเฉลี่ยเพิ่มขึ้นในหกจากเก้าเขตในเดือนนี้", "project": "โครงการ", "district": "เขต",
    "score_col": "คะแนน", "grade": "ระดับ", "invest": "เงินลงทุน (¥)", "chart": "คะแนนเฉลี่ยรายเขต",
    "alt": "แผนภูมิแท่ง: หลงถิงมีคะแนนเฉลี่ยสูงสุด",
    "method_para": "ตัวชี้วัดแต่ละตัวปรับเป็นคะแนน 0–100 เทียบกับเป้าหมาย แล้วถ่วงน้ำหนักตามแผนที่ใช้อยู่",
}


def _words(lang: Language) -> dict[str, str]:
    if lang in ("vi", "th"):
        english = _words("en")
        return {**english, **(VIETNAMESE_WORDS if lang == "vi" else THAI_WORDS)}
    if lang == "en":
        return {"title": "Monthly performance report", "scope": "Kaifeng", "overview": "Overview",
                "ranking": "Project ranking", "districts": "District comparison",
                "method": "Appendix: methodology", "score": "Average score", "red": "Red warnings",
                "done": "Rectifications closed", "para": "Scores rose in six of nine districts this month.",
                "project": "Project", "district": "District", "score_col": "Score", "grade": "Grade",
                "invest": "Investment (¥)", "chart": "Average score by district",
                "alt": "Bar chart: Longting has the highest average score, Lankao the lowest.",
                "method_para": "Indicators are normalised to 0–100 against their targets and weighted by the "
                               "scheme in force; a missing value scores nothing and is listed.",
                "publisher": "Kaifeng Municipal People's Government"}
    return {"title": "项目绩效月报", "scope": "开封市", "overview": "总体情况", "ranking": "项目排名",
            "districts": "各区对比", "method": "附录：方法说明", "score": "平均得分", "red": "红色预警",
            "done": "已销号整改", "para": "本月九个县区中有六个平均得分上升，城市更新类项目进度明显加快。",
            "project": "项目", "district": "县区", "score_col": "得分", "grade": "等级", "invest": "投资（万元）",
            "chart": "各县区平均得分", "alt": "柱状图：龙亭区平均得分最高，兰考县最低。",
            "method_para": "各指标按目标值归一化到 0–100 分，按现行权重方案加权汇总；缺失数据记 0 分并单独列示。",
            "publisher": "开封市人民政府"}


def _ranking(lang: Language, rows: int) -> pd.DataFrame:
    w = _words(lang)
    names = [HOSTILE_NAME] + [f"{'项目' if lang == 'zh' else 'Project'} {i:03d}" for i in range(2, rows + 1)]
    districts = DISTRICTS if lang == "zh" else DISTRICTS_EN
    grades = ("Excellent", "Good", "Pass", "Fail") if lang != "zh" else ("优秀", "良好", "合格", "不合格")
    return pd.DataFrame({
        "#": list(range(1, rows + 1)),
        w["project"]: names,
        w["district"]: [districts[i % len(districts)] for i in range(rows)],
        w["score_col"]: [round(98.5 - i * 0.71, 2) for i in range(rows)],
        w["grade"]: [grades[min(3, i // 18)] for i in range(rows)],
        w["invest"]: [1_234_567.8 + i * 10_000 for i in range(rows)],
    })


def district_chart(lang: Language) -> go.Figure:
    districts = DISTRICTS if lang == "zh" else DISTRICTS_EN
    scores = [88.2, 84.1, 83.0, 80.5, 79.9, 77.4, 75.0, 72.3, 70.1]
    figure = go.Figure(go.Bar(x=list(districts), y=scores, text=[f"{s:.1f}" for s in scores], textposition="outside"))
    figure.update_layout(title_text=_words(lang)["chart"], template="plotly_white", yaxis_range=[0, 100])
    return figure


def sample_content(lang: Language = "zh", kind: str = "monthly", rows: int = LONG_TABLE_ROWS) -> ReportContent:
    """A monthly report (or, with ``kind="white_paper_year"``, a white paper) for Kaifeng, 2026-10."""
    w = _words(lang)
    ranking = _ranking(lang, rows)
    overview = Section(
        key="overview", heading=w["overview"], paragraphs=(w["para"],),
        highlights=(Highlight(w["score"], "82.4", "▲ 1.3", "better"),
                    Highlight(w["red"], "7", "▲ 2", "worse"),
                    Highlight(w["done"], "15", "0", "same")))
    districts = Section(
        key="districts", heading=w["districts"],
        figures=(Figure(key="district_scores", caption=w["chart"], figure=district_chart(lang), alt=w["alt"]),))
    ranked = Section(
        key="ranking", heading=w["ranking"],
        tables=(Table(key="ranking", caption=w["ranking"], frame=ranking),
                Table(key="ranking_all", caption=w["ranking"], frame=ranking)))
    method = Section(key="methodology", heading=w["method"], paragraphs=(w["method_para"],))
    return ReportContent(
        request=ReportRequest(kind=kind, period="2026-10", language=lang),
        title=w["title"], subtitle=SUBTITLES.get(lang, "October 2026"), scope_name=w["scope"],
        period_label="2026-10", period_start=dt.date(2026, 10, 1), period_end=dt.date(2026, 10, 31),
        sections=(overview, districts, ranked, method),
        provenance=Provenance(scheme_id=3, scheme_name="2026 版权重" if lang == "zh" else "2026 weights",
                              data_version=41, data_as_of=dt.date(2026, 10, 31), software_version="perfdash 0.15",
                              audit_entry_id=1207, audit_entry_hash=AUDIT_HASH,
                              built_at=dt.datetime(2026, 11, 1, 6, 30)),
        publisher=w["publisher"])
