"""`recsys models`: list the saved models of the workspace."""

from __future__ import annotations

import sys
from typing import Any

from recsys.store import ENV_VAR, Workspace


def add_models_command(sub: Any) -> None:
    """Register ``recsys models``: list the saved models of the workspace."""
    p = sub.add_parser("models", help="list the models saved in the workspace")
    p.add_argument("--workspace", help=f"workspace folder (default: ${ENV_VAR} or ./workspace)")
    p.set_defaults(handler=_models_command)


def _models_command(args: Any) -> int:
    ws = Workspace(args.workspace)
    infos, problems = ws.list_models()
    print(f"Workspace: {ws.root}")
    if not infos:
        print("No saved models yet. Train one with: recsys train --data demo --model als")
    else:
        header = (
            f"{'name':<28} {'model':<10} {'dataset':<24} {'fingerprint':<16} {'fit s':>7}  created"
        )
        print(header)
        for i in infos:
            print(
                f"{i.name[:28]:<28} {i.model:<10} {i.dataset_name[:24]:<24} "
                f"{i.dataset_fingerprint:<16} {i.fit_seconds:>7.1f}  {i.created_at}"
            )
    for problem in problems:
        print(f"warning: {problem}", file=sys.stderr)
    return 0
