"""Serve the open API with uvicorn: ``python -m api [--host 127.0.0.1] [--port 8700] [--workers 2]``."""
from __future__ import annotations

import argparse

import uvicorn


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m api", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8700)
    parser.add_argument("--workers", type=int, default=1, help="worker processes (each has its own pool)")
    args = parser.parse_args(argv)
    uvicorn.run("api.app:create_app", factory=True, host=args.host, port=args.port, workers=args.workers,
                proxy_headers=True, server_header=False, log_level="info")


if __name__ == "__main__":
    main()
