"""Headless commands: `recsys train`, `recsys models`, `recsys evaluate`.

Each subcommand lives in the module that owns its idea; this file only parses arguments.
"""

from __future__ import annotations

import argparse
import sys

from recsys.errors import RecsysError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="recsys", description="Recsys Embedding Explorer, headless.")
    sub = parser.add_subparsers(dest="command", required=True)

    from recsys import cli_commands

    cli_commands.add_subcommands(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except RecsysError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
