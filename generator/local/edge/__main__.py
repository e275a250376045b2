"""``python -m generator.local.edge serve --workdir DIR --endpoint URL [--port N]``: the background edge process."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .server import serve_forever


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m generator.local.edge")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve what is applied on the emulator until SIGTERM (SIGHUP reloads)")
    serve.add_argument("--workdir", type=Path, required=True)
    serve.add_argument("--endpoint", required=True)
    serve.add_argument("--port", type=int, default=None)
    args = parser.parse_args(argv)
    serve_forever(args.workdir, args.endpoint, lambda line: print(line, flush=True), args.port)


if __name__ == "__main__":
    sys.exit(main())
