"""The site check-in rule: exact haversine distances, the reporting window's edges, and the order of findings."""
import datetime as dt

import pytest

from data_access.models import CHECKIN_FINDINGS
from scoring.checkin import CHINA_TIME, FINDINGS, CheckIn, PhotoFacts, check_in, distance_m, report_window

SITE = (34.797, 114.307)
DECEMBER = report_window(dt.date(2026, 12, 1), 5)  # 2026-12-01 … 2027-01-05


def _at(*parts: int, tz: dt.tzinfo = CHINA_TIME) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=tz)


def _check(facts: PhotoFacts, limit: float = 1000) -> CheckIn:
    return check_in(facts, site=SITE, window=DECEMBER, max_distance_m=limit)


def test_the_findings_are_the_ones_the_schema_allows() -> None:
    assert sorted(FINDINGS) == sorted(CHECKIN_FINDINGS)


def test_a_distance_along_a_meridian_is_the_earth_radius_times_the_angle() -> None:
    # 0.027° of latitude: 6,371,000 m × 0.027 × π / 180 = 3,002.2630 m
    assert distance_m(34.797, 114.307, 34.824, 114.307) == pytest.approx(3002.2630, abs=1e-3)


def test_a_distance_along_the_equator_is_the_same_and_along_a_parallel_shrinks_with_the_cosine() -> None:
    assert distance_m(0, 100, 0, 100.027) == pytest.approx(3002.2630, abs=1e-3)
    # at 60° north one degree of longitude: the parallel's arc is R·cos 60°·1° = 55,597.46 m, and the great
    # circle between its ends a little shorter
    assert distance_m(60, 10, 60, 11) == pytest.approx(55_596.93, abs=0.01)


def test_the_window_runs_from_the_periods_first_day_to_the_due_day_of_the_next_month() -> None:
    assert report_window(dt.date(2026, 12, 1), 5) == (dt.date(2026, 12, 1), dt.date(2027, 1, 5))
    assert report_window(dt.date(2026, 1, 1), 28) == (dt.date(2026, 1, 1), dt.date(2026, 2, 28))
    assert report_window(dt.date(2026, 1, 1), 31) == (dt.date(2026, 1, 1), dt.date(2026, 2, 28))  # month's end


def test_a_photo_at_the_site_in_the_window_passes() -> None:
    verdict = _check(PhotoFacts(True, _at(2026, 12, 3, 10), 34.798, 114.307))  # 0.001° north of the site
    assert (verdict.finding, round(verdict.distance_m or 0, 2)) == ("ok", 111.19)


def test_a_photo_three_kilometres_away_is_far_with_its_distance() -> None:
    verdict = _check(PhotoFacts(True, _at(2026, 12, 3, 10), 34.824, 114.307))
    assert verdict.finding == "far"
    assert verdict.distance_m == pytest.approx(3002.2630, abs=1e-3)


def test_the_distance_limit_is_a_setting() -> None:
    facts = PhotoFacts(True, _at(2026, 12, 3, 10), 34.824, 114.307)
    assert _check(facts, limit=3100).finding == "ok"
    assert _check(facts, limit=3000).finding == "far"


def test_a_photo_taken_a_month_before_the_period_is_outside_it() -> None:
    assert _check(PhotoFacts(True, _at(2026, 11, 3, 10), *SITE)).finding == "outside_period"


@pytest.mark.parametrize(("moment", "finding"), [
    (_at(2026, 12, 1, 0, 0), "ok"),                   # the first minute of the period
    (_at(2026, 11, 30, 23, 59), "outside_period"),    # the minute before
    (_at(2027, 1, 5, 23, 59), "ok"),                  # the due day, to its end
    (_at(2027, 1, 6, 0, 0), "outside_period"),
    # 2026-11-30 17:00 in UTC is 2026-12-01 01:00 in China: the window is China time
    (_at(2026, 11, 30, 17, 0, tz=dt.UTC), "ok"),
    (_at(2027, 1, 5, 16, 0, tz=dt.UTC), "outside_period"),  # 2027-01-06 00:00 in China
])
def test_the_window_edges_are_whole_days_in_china_time(moment: dt.datetime, finding: str) -> None:
    assert _check(PhotoFacts(True, moment, *SITE)).finding == finding


def test_findings_are_checked_in_order_metadata_time_position_distance_period() -> None:
    far_and_late = PhotoFacts(True, _at(2026, 10, 1, 9), 34.9, 114.307)
    assert _check(far_and_late).finding == "far"  # distance before the period
    assert _check(PhotoFacts(True, None, 34.9, 114.307)).finding == "no_time"
    assert _check(PhotoFacts(True, _at(2026, 12, 3, 10), None, None)) == CheckIn("no_position", None)
    assert _check(PhotoFacts(True, None, None, None)).finding == "no_time"
    assert _check(PhotoFacts(False)) == CheckIn("no_metadata", None)


def test_a_photo_without_time_still_gets_its_distance_for_the_reviewer() -> None:
    assert _check(PhotoFacts(True, None, 34.824, 114.307)).distance_m == pytest.approx(3002.2630, abs=1e-3)
