"""`recsys evaluate` end to end on the demo (small models, few iterations)."""

from __future__ import annotations

import json

import pytest

from recsys.cli.main import main
from recsys.evaluation.runs import list_runs, load_run


def test_evaluate_prints_leaderboard_and_saves_the_run(tmp_path, capsys):
    code = main([
        "evaluate", "--data", "demo", "--split", "temporal", "--k", "10", "--models", "als,svd",
        "--param", "als.iterations=3", "--param", "svd.factors=8", "--workspace", str(tmp_path),
        "--by-activity",
    ])
    out = capsys.readouterr().out
    assert code == 0
    for name in ("ALS (implicit feedback)", "PureSVD", "Most popular (baseline)", "Random (baseline)"):
        assert name in out
    assert "NDCG@10" in out and "Saved run" in out and "< 20" in out
    infos, problems = list_runs(tmp_path)
    assert len(infos) == 1 and not problems
    run = load_run(infos[0].run_id, tmp_path)
    assert run.k == 10 and run.split.kind == "temporal"
    als = run.result("ALS (implicit feedback)")
    assert als.params["iterations"] == 3 and als.fit_seconds is not None


def test_evaluate_json_and_random_split(tmp_path, capsys):
    code = main([
        "evaluate", "--data", "demo", "--split", "random", "--seed", "3", "--k", "5",
        "--models", "popular", "--no-baselines", "--json", "--no-save", "--workspace", str(tmp_path),
    ])
    captured = capsys.readouterr()
    assert code == 0
    board = json.loads(captured.out)
    assert [row["key"] for row in board] == ["popular"]
    assert 0 < board[0]["ndcg"] < 1
    assert list_runs(tmp_path) == ([], [])


@pytest.mark.parametrize(
    "args, message",
    [
        (["--models", "als,nope"], "Unknown model"),
        (["--models", "als", "--param", "als.nope=1"], "no hyperparameter"),
        (["--models", "als", "--param", "svd.factors=1"], "not in --models"),
        (["--models", "als", "--param", "als.factors=x"], "not a number"),
        (["--models", "svd", "--split", "temporal", "--test-fraction", "2"], "between 0 and 1"),
    ],
)
def test_bad_arguments_give_clear_errors(tmp_path, capsys, args, message):
    code = main(["evaluate", "--data", "demo", "--no-save", "--workspace", str(tmp_path), *args])
    assert code == 2
    assert message in capsys.readouterr().err
