"""What a reviewer reads under a site photo: the check-in finding as a word and a colour, when and where.

Pure text builders (the gallery in ``webapp.photo_upload`` draws them): a photo that passed the check-in is
green with 现场核验通过; every other finding is amber and says why (距项目地点 3.2 公里, 照片无拍摄时间 …), so
nothing is silently trusted. Times are shown in China time, the reporting calendar's clock.
"""
from __future__ import annotations

import math
from collections.abc import Mapping

import pandas as pd

from components.colours import is_missing
from components.i18n import translate
from components.text import plain
from scoring.checkin import CHINA_TIME

# Each check-in finding's words (literal keys, so the catalog test sees them used).
FINDING_KEYS = {
    "ok": "photos.finding.ok",
    "far": "photos.finding.far",
    "outside_period": "photos.finding.outside_period",
    "no_metadata": "photos.finding.no_metadata",
    "no_time": "photos.finding.no_time",
    "no_position": "photos.finding.no_position",
}
PASSED, TO_CHECK = "green", "orange"  # st.badge colours: passed, and for the reviewer to look at


def distance_words(distance_m: float | None, lang: str) -> str:
    """A distance as a reviewer reads it: metres below a kilometre, else kilometres to one decimal.

    >>> distance_words(3240.0, "zh"), distance_words(149.6, "zh"), distance_words(999.7, "en")
    ('3.2 公里', '150 米', '1.0 km')
    """
    if distance_m is None or not math.isfinite(distance_m):
        return "?"
    if round(distance_m) < 1000:
        return translate("photos.metres", lang, m=round(distance_m))
    return translate("photos.kilometres", lang, km=f"{distance_m / 1000:.1f}")


def finding_badge(finding: str, distance_m: float | None, lang: str) -> tuple[str, str]:
    """(words, colour) for a photo's check-in finding.

    >>> finding_badge("far", 3240.0, "zh"), finding_badge("ok", 12.0, "en")
    (('距项目地点 3.2 公里', 'orange'), ('Site check-in passed', 'green'))
    """
    words = translate(FINDING_KEYS[finding], lang, distance=distance_words(distance_m, lang))
    return words, PASSED if finding == "ok" else TO_CHECK


def _china_time(moment: object) -> str:
    stamp = pd.Timestamp(moment)  # type: ignore[arg-type]  # a datetime or Timestamp from the attachments list
    if stamp.tzinfo is None:
        stamp = stamp.tz_localize("UTC")  # stored times are UTC
    return stamp.tz_convert(CHINA_TIME).strftime("%Y-%m-%d %H:%M")


def photo_details(attachment: Mapping[str, object], lang: str) -> list[str]:
    """Caption lines (Markdown-safe) under a photo or file: EXIF time, distance from the site, the file's name
    as the user gave it, who uploaded it and when."""
    lines = []
    if attachment.get("kind") == "photo":
        taken = attachment.get("taken_at")
        lines.append(translate("photos.taken", lang, when=_china_time(taken)) if not is_missing(taken)
                     else translate("photos.taken_unknown", lang))
        distance = attachment.get("distance_m")
        if not is_missing(distance) and attachment.get("finding") != "far":  # a far photo's badge says it
            lines.append(translate("photos.distance", lang,
                                   distance=distance_words(float(distance), lang)))  # type: ignore[arg-type]
    lines.append(plain(attachment.get("filename", "")))
    lines.append(translate("photos.uploaded", lang, name=plain(attachment.get("uploaded_by_name") or "—"),
                           when=_china_time(attachment.get("uploaded_at"))))
    return lines

