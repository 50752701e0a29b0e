"""`recsys train` and `recsys models`: same code path as the page, results visible in the app."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from recsys.cli.main import main
from recsys.store import Workspace

ROOT = Path(__file__).resolve().parents[1]


def test_train_prints_progress_and_saves(tmp_path, capsys):
    rc = main(
        [
            "train",
            "--data",
            "demo",
            "--model",
            "als",
            "--factors",
            "8",
            "--iterations",
            "3",
            "--name",
            "cli-als",
            "--workspace",
            str(tmp_path),
        ]
    )
    out = capsys.readouterr().out
    assert rc == 0, out
    assert "[  3/3]" in out and "loss" in out and "Saved 'cli-als'" in out
    info = Workspace(tmp_path).info("cli-als")
    assert info.model == "als" and info.params["factors"] == 8 and info.params["iterations"] == 3
    rc = main(["models", "--workspace", str(tmp_path)])
    assert rc == 0 and "cli-als" in capsys.readouterr().out


def test_boolean_and_float_flags(tmp_path, capsys):
    rc = main(
        [
            "train",
            "--data",
            "demo",
            "--model",
            "svd",
            "--factors",
            "4",
            "--no-binarize",
            "--normalize-items",
            "0.5",
            "--workspace",
            str(tmp_path),
        ]
    )
    assert rc == 0
    info = Workspace(tmp_path).list_models()[0][0]
    assert info.params["binarize"] is False and info.params["normalize_items"] == 0.5
    assert info.name.startswith("svd-demo-")


def test_bad_input_gives_a_message_not_a_traceback(tmp_path, capsys):
    assert (
        main(
            [
                "train",
                "--data",
                "demo",
                "--model",
                "svd",
                "--alpha",
                "3",
                "--workspace",
                str(tmp_path),
            ]
        )
        == 2
    )
    assert "does not use --alpha" in capsys.readouterr().err
    assert (
        main(
            [
                "train",
                "--data",
                "demo",
                "--model",
                "als",
                "--factors",
                "many",
                "--workspace",
                str(tmp_path),
            ]
        )
        == 2
    )
    assert "factors must be a number" in capsys.readouterr().err
    assert (
        main(["train", "--data", str(tmp_path / "missing.csv"), "--workspace", str(tmp_path)]) == 2
    )
    assert capsys.readouterr().err.startswith("error:")
    assert Workspace(tmp_path).list_models() == ([], [])


def test_console_script_and_env_workspace(tmp_path):
    env = {**os.environ, "RECSYS_WORKSPACE": str(tmp_path)}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "recsys.cli.main",
            "train",
            "--data",
            "demo",
            "--model",
            "popular",
            "--name",
            "pop",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    listed = subprocess.run(
        [sys.executable, "-m", "recsys.cli.main", "models"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "pop" in listed.stdout and str(tmp_path) in listed.stdout
    assert [i.name for i in Workspace(tmp_path).list_models()[0]] == ["pop"]
