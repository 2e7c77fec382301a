"""Write the open API's spec to ``docs/openapi.json``: ``python -m api.spec`` (or ``make openapi``).

The file is the app's own ``/openapi.json`` (sorted keys, two-space indent, Chinese left readable), so an
integrator can read the contract without a running server, and a review sees every change to it as a diff.
``tests/api/test_spec.py`` fails when the file and the app disagree.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from sqlalchemy import create_engine

from api.app import create_app

SPEC_PATH = Path(__file__).resolve().parents[1] / "docs" / "openapi.json"
REGENERATE = "python -m api.spec"


def spec_text() -> str:
    """The spec as the file holds it; building it needs no database (an unused in-memory engine stands in)."""
    spec = create_app(create_engine("sqlite://")).openapi()
    return json.dumps(spec, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog=REGENERATE, description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=SPEC_PATH, help=f"where to write it (default {SPEC_PATH})")
    args = parser.parse_args(argv)
    args.output.write_text(spec_text(), encoding="utf-8")
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
