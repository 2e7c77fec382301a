"""Site check-in (现场打卡): does a photo's EXIF say it was taken at the project's site, in the reporting window?

Pure rules over what a photo's metadata says, so the data layer and the pages only store and show the verdict.
A photo is never silently trusted nor silently refused: each gets one finding, checked in this order —
``no_metadata`` (no EXIF at all: stripped, or a screenshot), ``no_time``, ``no_position``, ``far`` (more than the
allowed distance from the site), ``outside_period`` (taken before the period began or after the report was
due), else ``ok``.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from scoring.geo import haversine_km
from scoring.periods import report_due_date

CHINA_TIME = dt.timezone(dt.timedelta(hours=8), "UTC+8")  # the reporting calendar's clock (and EXIF's default)
FINDINGS = ("ok", "far", "outside_period", "no_metadata", "no_time", "no_position")


@dataclass(frozen=True)
class PhotoFacts:
    """What a photo's EXIF says: whether it had any, when (aware) and where (degrees, north and east positive)."""

    has_exif: bool
    taken_at: dt.datetime | None = None
    lat: float | None = None
    lon: float | None = None


@dataclass(frozen=True)
class CheckIn:
    """The verdict: one of :data:`FINDINGS`, and the distance from the site when the photo has a position."""

    finding: str
    distance_m: float | None


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (:func:`scoring.geo.haversine_km`).

    >>> round(distance_m(34.797, 114.307, 34.824, 114.307), 1)
    3002.3
    """
    return 1000 * float(haversine_km(lat1, lon1, lat2, lon2))


def report_window(period: dt.date, due_day: int) -> tuple[dt.date, dt.date]:
    """The days a photo for ``period``'s report may be taken on: the period's first day to the report's due date
    (:func:`scoring.periods.report_due_date`), both included, in China time.

    >>> report_window(dt.date(2026, 12, 1), 5)
    (datetime.date(2026, 12, 1), datetime.date(2027, 1, 5))
    """
    return period, report_due_date(period, due_day)


def check_in(facts: PhotoFacts, *, site: tuple[float, float], window: tuple[dt.date, dt.date],
             max_distance_m: float) -> CheckIn:
    """The check-in finding for a photo of a project at ``site`` (lat, lon) reported for ``window``.

    >>> check_in(PhotoFacts(True, dt.datetime(2026, 12, 3, 9, tzinfo=CHINA_TIME), 34.797, 114.307),
    ...          site=(34.797, 114.307), window=(dt.date(2026, 12, 1), dt.date(2027, 1, 5)), max_distance_m=1000)
    CheckIn(finding='ok', distance_m=0.0)
    """
    distance = None if facts.lat is None or facts.lon is None else distance_m(facts.lat, facts.lon, *site)
    if not facts.has_exif:
        finding = "no_metadata"
    elif facts.taken_at is None:
        finding = "no_time"
    elif distance is None:
        finding = "no_position"
    elif distance > max_distance_m:
        finding = "far"
    elif not window[0] <= facts.taken_at.astimezone(CHINA_TIME).date() <= window[1]:
        finding = "outside_period"
    else:
        finding = "ok"
    return CheckIn(finding, distance)
