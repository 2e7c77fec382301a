"""``python -m data_access.anchors write|verify``: anchor the audit chain's head now, or verify it against anchors."""
from __future__ import annotations

import sys

from data_access import anchors
from data_access.audit import anchor_head, verify_chain
from data_access.db import create_database_engine
from data_access.errors import DataAccessError


def main(argv: list[str] | None = None) -> int:
    """``python -m data_access.anchors write|verify``: anchor the head now, or verify the chain against anchors."""
    command = (argv if argv is not None else sys.argv[1:]) or ["verify"]
    if command[0] not in {"write", "verify"} or len(command) > 1:
        print("usage: python -m data_access.anchors write|verify", file=sys.stderr)
        return 2
    try:
        engine = create_database_engine()
        if command[0] == "write":
            anchor = anchor_head(engine)
            print(f"perfdash: anchored entry {anchor.entry_id} ({anchor.entry_hash}) in {anchors.anchor_path(engine)}")
            return 0
        verdict = verify_chain(engine)
    except DataAccessError as exc:
        print(f"perfdash: {exc}", file=sys.stderr)
        return 2
    if verdict.ok:
        print(f"perfdash: audit chain intact: {verdict.checked} entries, {verdict.anchors_checked} anchors")
        return 0
    print(f"perfdash: audit chain broken at entry {verdict.first_bad_id}: {verdict.reason}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
