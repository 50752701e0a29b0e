"""Evaluation on large data: a seeded sample of test users (``max_test_users``), said in ``extra``."""

from __future__ import annotations

import numpy as np
import pytest

from recsys.errors import RecsysError
from recsys.evaluation.metrics import evaluate_model, make_split
from recsys.models.registry import create_model


@pytest.fixture(scope="module")
def setup():
    from recsys.data.demo import load_demo

    ds = load_demo()
    data = make_split(ds, "temporal").apply(ds)
    return data, create_model("popular").fit(data.train)


def test_sampled_users_are_a_seeded_subset(setup):
    data, model = setup
    full = evaluate_model(model, data, k=10)
    assert full.extra == {} and full.metrics["users"] == len(data.eval_users)
    a = evaluate_model(model, data, k=10, max_test_users=300, sample_seed=1)
    b = evaluate_model(model, data, k=10, max_test_users=300, sample_seed=1)
    c = evaluate_model(model, data, k=10, max_test_users=300, sample_seed=2)
    assert a.metrics["users"] == 300 and len(a.per_user) == 300
    assert a.extra == {"users_sampled": 300, "users_total": len(data.eval_users), "sample_seed": 1}
    assert set(a.per_user["user_index"]) <= set(data.eval_users)
    assert list(a.per_user["user_index"]) == list(b.per_user["user_index"])
    assert list(a.per_user["user_index"]) != list(c.per_user["user_index"])
    # a sample of users estimates the full mean
    assert a.metrics["ndcg"] == pytest.approx(full.metrics["ndcg"], abs=0.05)
    # a cap above the number of test users changes nothing
    same = evaluate_model(model, data, k=10, max_test_users=10**9)
    assert same.extra == {} and np.isclose(same.metrics["ndcg"], full.metrics["ndcg"])


def test_a_cap_below_one_is_refused(setup):
    data, model = setup
    with pytest.raises(RecsysError, match="at least 1"):
        evaluate_model(model, data, k=10, max_test_users=0)


def test_comparison_samples_the_same_users_for_every_model_and_the_run_keeps_it(tmp_path):
    from recsys.data.demo import load_demo
    from recsys.evaluation.comparison import ModelSpec, run_comparison
    from recsys.evaluation.metrics import sample_note
    from recsys.evaluation.runs import load_run, save_run

    ds = load_demo()
    split = make_split(ds, "temporal")
    total = len(split.apply(ds).eval_users)
    comparison = run_comparison(
        ds, split, [ModelSpec("svd", {"factors": 8})], k=10, max_test_users=120, sample_seed=4
    )
    users = [list(r.per_user["user_index"]) for r in comparison.results]
    assert len(users) == 3 and all(u == users[0] for u in users) and len(users[0]) == 120
    note = f"120 of {total:,} test users, sampled with seed 4"
    assert all(sample_note(r.extra) == note for r in comparison.results)
    save_run(comparison, tmp_path)
    again = load_run(comparison.run_id, tmp_path)
    assert sample_note(again.results[0].extra) == note
    assert sample_note({}) is None and sample_note(None) is None


def test_cli_says_when_it_samples(tmp_path, capsys):
    from recsys.cli.main import main

    args = ["evaluate", "--data", "demo", "--models", "popular", "--no-baselines", "--no-save"]
    assert main([*args, "--max-test-users", "50", "--workspace", str(tmp_path)]) == 0
    assert "Evaluated on 50 of " in capsys.readouterr().out
    assert main([*args, "--max-test-users", "0", "--workspace", str(tmp_path)]) == 0
    assert "sampled" not in capsys.readouterr().out
