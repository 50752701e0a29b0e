"""Commands: `recsys train`, `recsys models`, `recsys evaluate`, `recsys tune`, `recsys app`.

Argument parsing only: each subcommand module parses its flags and calls the same library
functions the pages call.
"""

from __future__ import annotations

import argparse
import sys

from recsys.cli.app import add_app_command
from recsys.cli.evaluate import add_evaluate_command
from recsys.cli.models import add_models_command
from recsys.cli.train import add_train_command
from recsys.cli.tune import add_tune_command
from recsys.errors import RecsysError

SUBCOMMANDS = (
    add_train_command,
    add_models_command,
    add_evaluate_command,
    add_tune_command,
    add_app_command,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="recsys", description="Recsys Embedding Explorer, headless.")
    sub = parser.add_subparsers(dest="command", required=True)
    for register in SUBCOMMANDS:
        register(sub)
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
