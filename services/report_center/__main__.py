"""Build a report, or deliver the subscribed ones, from the command line (for schedulers).

    python -m services.report_center build --kind monthly --scope 龙亭区 --period 2026-10 --out FILE
                                           [--xlsx FILE] [--lang zh|en] [--user NAME]
    python -m services.report_center deliver [--as-of 2026-12-01]

``build`` builds with the scope of ``--user`` (default: the scheduler, which sees everything), keeps the build
like the page does and writes the PDF (and the workbook). ``--scope`` is a region's name or division code, or a
city's; without it the report covers everything the user sees. ``deliver`` builds and e-mails (or puts in the
inbox) every subscription's last closed period; safe to run hourly. Messages are printed in Chinese, then
English. Exit status: 0 done, 1 refused or failed (a bad period, an unknown scope or one outside the user's, a
delivery that failed and will be retried), 2 usage error (no such user, a file that cannot be written).
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import TextIO

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from components.i18n import translate
from data_access import DataAccessError, Viewer, create_database_engine
from data_access.models import REPORT_KINDS, REPORT_LANGUAGES
from data_access.policy import SYSTEM
from data_access.report_builds import find_region
from data_access.scope import viewer_for
from scoring.report_periods import last_closed
from services.notify import SmtpSettings
from services.report_center.blocks import ReportRequest
from services.report_center.build import build_report
from services.report_center.delivery import deliver

SAID_IN = ("zh", "en")  # the command's own messages


def _say(key: str, stream: TextIO | None = None, /, **values: object) -> None:
    for lang in SAID_IN:
        print(translate(key, lang, **values), file=stream or sys.stdout)


def _refuse(error: DataAccessError) -> None:
    print(error.message_zh, file=sys.stderr)
    print(str(error), file=sys.stderr)


def _viewer(engine: Engine, username: str | None) -> Viewer:
    if username is None:
        return SYSTEM
    with Session(engine) as session:
        return viewer_for(session, username)


def _build(engine: Engine, args: argparse.Namespace) -> int:
    try:
        viewer = _viewer(engine, args.user)
    except DataAccessError as error:
        _refuse(error)
        return 2
    try:
        region_id = None if args.scope is None else find_region(engine, viewer, args.scope)
        period = args.period or last_closed(args.kind, dt.date.today()).label
        request = ReportRequest(args.kind, period, region_id=region_id, language=args.lang)
        record = build_report(engine, viewer, request)
    except DataAccessError as error:
        _refuse(error)
        return 1
    try:
        args.out.write_bytes(record.pdf)
        if args.xlsx is not None:
            args.xlsx.write_bytes(record.xlsx)
    except OSError as error:
        _say("report_center.cli_unwritable", sys.stderr, reason=error.strerror or error)
        return 2
    _say("report_center.cli_built", id=record.id, title=record.title, file=args.out,
         sha=record.pdf_sha256[:12], digest=record.content_digest[:12])
    return 0


def _deliver(engine: Engine, args: argparse.Namespace) -> int:
    summary = deliver(engine, SmtpSettings.from_environment(), as_of=args.as_of or dt.date.today())
    _say("report_center.cli_delivered", built=summary.built, emailed=summary.emailed, inbox=summary.in_inbox,
         failed=summary.failed)
    return 1 if summary.failed else 0


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date such as 2026-12-01: {text[:20]!r}") from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.report_center", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    build = commands.add_parser("build", help="build one report and write its PDF (and workbook)")
    build.add_argument("--kind", required=True, choices=REPORT_KINDS)
    build.add_argument("--period", help="2026-W44, 2026-10, 2026-Q3 or 2026 (default: the last closed period)")
    build.add_argument("--scope", help="a region's or city's name or division code (default: everything)")
    build.add_argument("--out", required=True, type=Path, help="where to write the PDF")
    build.add_argument("--xlsx", type=Path, help="where to write the workbook")
    build.add_argument("--lang", choices=REPORT_LANGUAGES, default="zh", help="the report's language")
    build.add_argument("--user", help="build with this user's scope (default: the scheduler's, everything)")
    delivery = commands.add_parser("deliver", help="deliver every subscription's last closed period")
    delivery.add_argument("--as-of", type=_day, help="the day to deliver as of (default: today)")
    args = parser.parse_args(argv)
    try:
        engine = create_database_engine()
    except DataAccessError as error:
        _refuse(error)
        return 2
    return _build(engine, args) if args.command == "build" else _deliver(engine, args)


if __name__ == "__main__":
    sys.exit(main())
