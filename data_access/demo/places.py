"""Real places of the demo: Kaifeng, Xiangtan, Qinzhou and Nanjing's Xuanwu district with its streets.

Codes are the national administrative division codes (streets: the district code plus a 3-digit suffix);
centres are approximate WGS-84 coordinates and ``radius_km`` an approximate extent that project sites
are placed within. Each row: code, parent code, level, Chinese name, English name, lat, lon, radius_km.
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


PLACES: tuple[Place, ...] = (
    Place("410200", None, "city", "开封市", "Kaifeng", 34.797, 114.308, 45.0),
    Place("410202", "410200", "district", "龙亭区", "Longting District", 34.830, 114.335, 5.0),
    Place("410203", "410200", "district", "顺河回族区", "Shunhe Hui District", 34.795, 114.382, 4.0),
    Place("410204", "410200", "district", "鼓楼区", "Gulou District", 34.788, 114.348, 2.5),
    Place("410205", "410200", "district", "禹王台区", "Yuwangtai District", 34.770, 114.362, 4.0),
    Place("410212", "410200", "district", "祥符区", "Xiangfu District", 34.757, 114.441, 15.0),
    Place("410221", "410200", "district", "杞县", "Qi County", 34.550, 114.783, 18.0),
    Place("410222", "410200", "district", "通许县", "Tongxu County", 34.480, 114.467, 15.0),
    Place("410223", "410200", "district", "尉氏县", "Weishi County", 34.411, 114.193, 18.0),
    Place("410225", "410200", "district", "兰考县", "Lankao County", 34.822, 114.821, 18.0),
    Place("430300", None, "city", "湘潭市", "Xiangtan", 27.829, 112.944, 40.0),
    Place("430302", "430300", "district", "雨湖区", "Yuhu District", 27.856, 112.907, 6.0),
    Place("430304", "430300", "district", "岳塘区", "Yuetang District", 27.858, 112.970, 6.0),
    Place("430321", "430300", "district", "湘潭县", "Xiangtan County", 27.779, 112.951, 20.0),
    Place("430381", "430300", "district", "湘乡市", "Xiangxiang", 27.734, 112.535, 18.0),
    Place("430382", "430300", "district", "韶山市", "Shaoshan", 27.915, 112.526, 8.0),
    Place("450700", None, "city", "钦州市", "Qinzhou", 21.979, 108.654, 60.0),
    Place("450702", "450700", "district", "钦南区", "Qinnan District", 21.940, 108.660, 15.0),
    Place("450703", "450700", "district", "钦北区", "Qinbei District", 22.133, 108.449, 20.0),
    Place("450721", "450700", "district", "灵山县", "Lingshan County", 22.417, 109.291, 20.0),
    Place("450722", "450700", "district", "浦北县", "Pubei County", 22.271, 109.556, 18.0),
    Place("320100", None, "city", "南京市", "Nanjing", 32.060, 118.797, 40.0),
    Place("320102", "320100", "district", "玄武区", "Xuanwu District", 32.048, 118.798, 5.0),
    Place("320102001", "320102", "street", "梅园新村街道", "Meiyuanxincun Subdistrict", 32.044, 118.805, 1.2),
    Place("320102002", "320102", "street", "新街口街道", "Xinjiekou Subdistrict", 32.041, 118.783, 1.2),
    Place("320102003", "320102", "street", "玄武门街道", "Xuanwumen Subdistrict", 32.067, 118.791, 1.2),
    Place("320102004", "320102", "street", "锁金村街道", "Suojincun Subdistrict", 32.083, 118.815, 1.5),
    Place("320102005", "320102", "street", "红山街道", "Hongshan Subdistrict", 32.100, 118.797, 1.8),
    Place("320102006", "320102", "street", "孝陵卫街道", "Xiaolingwei Subdistrict", 32.030, 118.860, 2.5),
    Place("320102007", "320102", "street", "玄武湖街道", "Xuanwuhu Subdistrict", 32.072, 118.806, 1.5),
)

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
