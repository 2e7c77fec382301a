"""Import a spreadsheet from the command line (for schedulers), with the same checks as the import page.

    python -m services.importer FILE --kind observations --user NAME [--dry-run] [--again] [--lang zh|en|both]

Prints the counts and every problem (sheet, row, column, message). Exit status: 0 when the file was committed
(with --dry-run: when nothing is wrong), 1 when it has problems or the import was refused (nothing written),
2 on a usage error (no such file, no such active user, a user who may not import).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from components.i18n import stored_text, translate
from data_access import DataAccessError, Viewer, create_database_engine
from data_access.imports import LAYOUTS
from data_access.policy import Action, require
from data_access.scope import viewer_for
from services.importing.pipeline import check_file, commit_file, refresh_warnings
from services.importing.report import batch_counts, counts, problem_line

LANGUAGES = {"zh": ("zh",), "en": ("en",), "both": ("zh", "en")}


def _actor(engine: Engine, username: str) -> Viewer:
    """The active user ``username``, who must be allowed to import."""
    with Session(engine) as session:
        actor = viewer_for(session, username)
    require(actor, Action.IMPORT_DATA)
    return actor


def _message(error: DataAccessError, lang: str) -> str:
    return stored_text(lang, error.message_zh, str(error))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.importer", description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path, help="an .xlsx or .csv file")
    parser.add_argument("--kind", required=True, choices=list(LAYOUTS), help="what the file holds")
    parser.add_argument("--user", required=True, help="the username the import is made as (audited)")
    parser.add_argument("--dry-run", action="store_true", help="check the file and report; write nothing")
    parser.add_argument("--again", action="store_true", help="import a file that was imported before once more")
    parser.add_argument("--lang", choices=list(LANGUAGES), default="both",
                        help="the report's language (default: Chinese, then English)")
    args = parser.parse_args(argv)
    languages = LANGUAGES[args.lang]

    def say(key: str, stream: TextIO = sys.stdout, /, **values: object) -> None:
        for lang in languages:
            print(translate(key, lang, **values), file=stream)

    def refuse(error: DataAccessError) -> None:
        for lang in languages:
            print(_message(error, lang), file=sys.stderr)

    try:
        content = args.file.read_bytes()
    except OSError as error:
        say("import.cli_unreadable", sys.stderr, file=args.file, reason=error.strerror or error)
        return 2
    try:
        engine = create_database_engine()
        actor = _actor(engine, args.user)
    except DataAccessError as error:
        refuse(error)
        return 2
    try:
        checked = check_file(engine, actor, args.file.name, content, args.kind)
        say("import.counts", **counts(checked))
        for problem in checked.problems:
            for lang in languages:
                print(problem_line(problem, args.kind, lang))
        if checked.table is not None and checked.table.unknown_columns:
            say("import.unknown_columns", columns="、".join(checked.table.unknown_columns))
        if checked.problems:
            say("import.cli_problems", sys.stderr, n=len(checked.problems))
            return 1
        if checked.duplicate_of is not None and not args.again:
            say("import.cli_duplicate", sys.stderr, batch=checked.duplicate_of["id"])
            return 1
        if args.dry_run:
            say("import.cli_dry_run")
            return 0
        result = commit_file(engine, actor, checked, source="cli", again=args.again)
        say("import.committed", batch=result.batch_id, **batch_counts(result))
    except DataAccessError as error:
        refuse(error)
        return 1
    try:
        refresh_warnings(engine, result.project_ids)
    except DataAccessError as error:  # the import is stored whatever happens here; say so
        say("import.warnings_not_evaluated", sys.stderr)
        refuse(error)
    return 0


if __name__ == "__main__":
    sys.exit(main())
