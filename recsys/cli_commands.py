"""Subcommands of the `recsys` CLI. Each lives in the module that owns its idea."""

from __future__ import annotations

from recsys.evaluation_cli import add_evaluate_command
from recsys.store import add_models_command
from recsys.training import add_train_command


def add_subcommands(sub) -> None:
    """Register `train`, `models` and `evaluate` on the argparse sub-parser group."""
    for register in (add_train_command, add_models_command, add_evaluate_command):
        register(sub)
