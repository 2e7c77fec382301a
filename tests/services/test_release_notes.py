"""The release notes' format: the repository's CHANGELOG.md parses, and a file out of format names its line."""
from __future__ import annotations

import datetime as dt

import pytest

from services.release_notes import CHANGELOG, ChangelogError, parse, releases, unseen

GOOD = """# 更新公告

Anything before the first release is not shown.

## 2026-12-01 — v0.5
### 中文
- 第一条
  续行
- 第二条
### English
- First
  continued
- Second

## 2026-11-30 — v0.4
### 中文
- 旧的
### English
- Old
"""


def test_the_repositorys_changelog_parses_newest_first_with_both_languages_in_every_release():
    found = releases(CHANGELOG)
    assert found[0].version == "v0.4" and found[-1].version == "v0.1"
    assert [release.date for release in found] == sorted((release.date for release in found), reverse=True)
    assert all(release.changes_zh and len(release.changes_zh) == len(release.changes_en) for release in found)


def test_a_release_its_changes_and_continued_lines_are_read():
    first, second = parse(GOOD)
    assert (first.version, first.date, first.changes("zh"), first.changes("en")) == (
        "v0.5", dt.date(2026, 12, 1), ("第一条 续行", "第二条"), ("First continued", "Second"))
    assert (second.version, second.changes("en")) == ("v0.4", ("Old",))


@pytest.mark.parametrize(("text", "problem"), [
    ("## 2026-12-01 v0.5\n### 中文\n- a\n### English\n- b\n", "line 1: a release heading is"),
    ("## 2026-13-01 — v0.5\n### 中文\n- a\n### English\n- b\n", "line 1: 2026-13-01 is not a date"),
    ("## 2026-12-01 — v0.5\n### 中文\n- a\n", "release v0.5 has no en changes"),
    ("## 2026-12-01 — v0.5\n### 中文\n- a\n### English\n<b>b</b>\n", "line 5: expected '### 中文'"),
    ("## 2026-11-01 — v0.4\n### 中文\n- a\n### English\n- b\n## 2026-12-01 — v0.5\n### 中文\n- a\n### English\n"
     "- b\n", "release v0.5 is newer than the one above it"),
    ("# only a title\n", "no release found"),
])
def test_a_file_out_of_format_is_refused_naming_the_line(text, problem):
    with pytest.raises(ChangelogError) as caught:
        parse(text)
    assert problem in str(caught.value)


def test_unseen_releases_are_those_above_the_last_seen_one_or_all_of_them():
    found = parse(GOOD)
    assert [release.version for release in unseen(found, "v0.4")] == ["v0.5"]
    assert unseen(found, "v0.5") == ()
    assert unseen(found, None) == unseen(found, "v0.1") == found
