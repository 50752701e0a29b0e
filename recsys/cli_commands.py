"""Subcommands of the `recsys` CLI. Each `add_*` registers one; handlers call the library."""

from __future__ import annotations


def add_subcommands(sub) -> None:
    """Register every available subcommand on the argparse sub-parser group."""
    for register in (_add_train, _add_models, _add_evaluate):
        register(sub)


def _add_train(sub) -> None:
    try:
        from recsys.training import add_train_command
    except ImportError:
        return
    add_train_command(sub)


def _add_models(sub) -> None:
    try:
        from recsys.store import add_models_command
    except ImportError:
        return
    add_models_command(sub)


def _add_evaluate(sub) -> None:
    try:
        from recsys.evaluation_cli import add_evaluate_command
    except ImportError:
        return
    add_evaluate_command(sub)
