"""Release notes (更新公告) from ``CHANGELOG.md`` in the repository: parsed, checked and kept per file version.

The format, which :func:`parse` enforces line by line (a test parses the repository's file)::

    ## 2026-11-30 — v0.4          a release: ISO date, an em dash, a version; newest first
    ### 中文                       its changes in Chinese, one "- " line each
    - 意见箱：……
      continued on a line indented by two spaces
    ### English                    the same changes in English
    - Feedback box: …

Lines before the first release (the file's title and this description) are not shown. The text is shown as
plain text (never Markdown or HTML), so the file cannot put markup into the page.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from components.i18n import stored_text
from data_access.config import PROJECT_ROOT

CHANGELOG = PROJECT_ROOT / "CHANGELOG.md"
_RELEASE = re.compile(r"## (\d{4}-\d{2}-\d{2}) — (v\d+(?:\.\d+){1,2})")
_LANGUAGES = {"### 中文": "zh", "### English": "en"}


class ChangelogError(ValueError):
    """The file does not follow the format; the message names the line."""


@dataclass(frozen=True)
class Release:
    version: str
    date: dt.date
    changes_zh: tuple[str, ...]
    changes_en: tuple[str, ...]

    def changes(self, lang: str) -> tuple[str, ...]:
        return stored_text(lang, self.changes_zh, self.changes_en)


def _release(heading: re.Match[str], number: int) -> tuple[str, dt.date]:
    try:
        return heading.group(2), dt.date.fromisoformat(heading.group(1))
    except ValueError as exc:
        raise ChangelogError(f"line {number}: {heading.group(1)} is not a date") from exc


def parse(text: str) -> tuple[Release, ...]:
    """The releases in ``text``, newest first; :class:`ChangelogError` names the first line out of format."""
    releases: list[Release] = []
    current: tuple[str, dt.date] | None = None
    changes: dict[str, list[str]] = {}
    language: str | None = None

    def close(number: int) -> None:
        if current is None:
            return
        for lang in ("zh", "en"):
            if not changes.get(lang):
                raise ChangelogError(f"line {number}: release {current[0]} has no {lang} changes")
        if releases and not current[1] <= releases[-1].date:
            raise ChangelogError(f"line {number}: release {current[0]} is newer than the one above it")
        if any(release.version == current[0] for release in releases):
            raise ChangelogError(f"line {number}: release {current[0]} appears twice")
        releases.append(Release(current[0], current[1], tuple(changes["zh"]), tuple(changes["en"])))

    lines = text.splitlines()
    for number, line in enumerate(lines, start=1):
        if line.startswith("## "):
            heading = _RELEASE.fullmatch(line.rstrip())
            if heading is None:
                raise ChangelogError(f"line {number}: a release heading is '## YYYY-MM-DD — vX.Y', not {line!r}")
            close(number)
            current, changes, language = _release(heading, number), {}, None
        elif current is None or not line.strip():
            continue
        elif line.rstrip() in _LANGUAGES:
            language = _LANGUAGES[line.rstrip()]
            if language in changes:
                raise ChangelogError(f"line {number}: a second {line.strip()!r} in release {current[0]}")
            changes[language] = []
        elif language is not None and line.startswith("- ") and line[2:].strip():
            changes[language].append(line[2:].strip())
        elif language is not None and line.startswith("  ") and changes[language]:
            changes[language][-1] += " " + line.strip()
        else:
            raise ChangelogError(f"line {number}: expected '### 中文', '### English' or a '- ' change, not {line!r}")
    close(len(lines))
    if not releases:
        raise ChangelogError("no release found")
    return tuple(releases)


@lru_cache(maxsize=4)
def _parsed(path: Path, modified_ns: int) -> tuple[Release, ...]:  # noqa: ARG001 - the file's version keys it
    return parse(path.read_text(encoding="utf-8"))


def releases(path: Path = CHANGELOG) -> tuple[Release, ...]:
    """The releases of the changelog file, newest first, read again only when the file changes."""
    return _parsed(path, path.stat().st_mtime_ns)


def unseen(all_releases: tuple[Release, ...], seen_version: str | None) -> tuple[Release, ...]:
    """The releases newer than ``seen_version`` (all of them when it is None or no longer in the file)."""
    versions = [release.version for release in all_releases]
    if seen_version not in versions:
        return all_releases
    return all_releases[:versions.index(seen_version)]
