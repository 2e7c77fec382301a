"""The wall's list of projects most likely to slip: rank, name, district, P(late) in its band's colour and a reason,
all escaped; why there is none in its place."""
from components.colours import GREY, ORANGE, RED
from components.wall_html import RiskLine, risk_list


def test_the_risk_list_shows_each_projects_rank_name_district_chance_in_its_colour_and_reason():
    html = risk_list([RiskLine(1, "<b>甲</b>", "龙亭区", "87%", "high", "进度连续3个月落后计划5个百分点以上"),
                      RiskLine(2, "乙", "鼓楼区 & 北区", "55%", "elevated", "近6个月有2个月未报进度")], "—")
    assert html.count("<li>") == 2
    assert ('<li><span class="rank">1</span><span class="name">&lt;b&gt;甲&lt;/b&gt;<span class="district">龙亭区'
            f'</span></span><span class="chance" style="color:{RED}">87%</span><span class="reason">进度连续3个月落后'
            '计划5个百分点以上</span></li>') in html
    assert f'style="color:{ORANGE}">55%<' in html and "鼓楼区 &amp; 北区" in html
    assert "<b>" not in html


def test_without_lines_the_risk_list_says_why_and_a_missing_band_is_grey():
    assert risk_list([], "尚未训练<模型>") == '<div class="wall-risk"><p class="none">尚未训练&lt;模型&gt;</p></div>'
    assert f'style="color:{GREY}"' in risk_list([RiskLine(1, "丙", "区", "—", None, "")], "")
