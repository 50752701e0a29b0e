"""Hyperparameter search (Optuna TPE): validation split, budget, saved best, cancel, CLI."""

from __future__ import annotations

import json

import numpy as np
import pytest

from recsys.cli.main import main
from recsys.cli.tune import parse_budget
from recsys.data.demo import load_demo
from recsys.errors import ModelConfigError, TrainingCancelled
from recsys.evaluation import tuning
from recsys.evaluation.metrics import make_split
from recsys.evaluation.tuning import (
    parse_values,
    search_space,
    train_best,
    tune,
    tune_and_save,
)
from recsys.store import Workspace
from tests.models.conftest import subset


@pytest.fixture(scope="module")
def small():
    return subset(load_demo(), 300, 400)


@pytest.fixture(scope="module")
def outer(small):
    split = make_split(small, "temporal", test_fraction=0.2)
    return split, split.apply(small)


def test_search_space_comes_from_params():
    space = search_space("als")
    assert "seed" not in space and "threads" not in space
    assert (space["factors"].low, space["factors"].high, space["factors"].integer) == (8, 128, True)
    reg = space["regularization"]
    assert reg.log and reg.low == pytest.approx(0.005) and reg.high == pytest.approx(0.5)
    assert space["binarize"].choices == (False, True)
    # "0 = chosen from the data" stays with the model unless a range is given
    assert "iterations" not in search_space("bpr")
    assert search_space("bpr", ["iterations"], {"iterations": (10, 50)})["iterations"].low == 10
    assert search_space("svd", overrides={"factors": [4, 16]})["factors"].choices == (4, 16)
    with pytest.raises(ModelConfigError, match="no hyperparameter"):
        search_space("svd", ["nope"])
    with pytest.raises(ModelConfigError, match="no hyperparameter to search"):
        search_space("popular")


def test_parse_values_and_budget():
    assert parse_values("16, 32,32 ;64", 8) == [16, 32, 64]
    assert parse_values("8..128", 8) == (8, 128)
    assert parse_values("0.1 .. 1", 0.5) == (0.1, 1.0)
    with pytest.raises(ModelConfigError, match="not a number"):
        parse_values("1, x", 1)
    assert parse_budget("60s") == 60 and parse_budget("2m") == 120 and parse_budget("90") == 90
    with pytest.raises(ModelConfigError, match="positive time"):
        parse_budget("soon")


def test_validation_split_never_touches_test_interactions(outer, monkeypatch):
    split, data = outer
    seen = []
    real = tuning.evaluate_model

    def spy(model, scored, k, name=""):
        seen.append((model.dataset_fingerprint_, scored))
        return real(model, scored, k, name=name)

    monkeypatch.setattr(tuning, "evaluate_model", spy)
    result = tune(data.train, "svd", like=split, trials=2, seconds=None)
    assert result.validation.dataset_fingerprint == data.train.fingerprint
    assert len(result.validation.test_mask) == data.train.n_interactions
    assert len(seen) == 2
    for fitted_on, scored in seen:
        # scored on a split of the training part; fitted on its sub-train, never on test rows
        assert scored.dataset.fingerprint == data.train.fingerprint
        assert fitted_on == scored.train.fingerprint
        assert scored.train.n_interactions + scored.split.n_test == data.train.n_interactions
        assert (
            scored.train.n_interactions
            < data.train.n_interactions
            < outer[1].dataset.n_interactions
        )


def test_trial_and_time_budgets(small):
    by_trials = tune(small, "svd", trials=3, seconds=None, seed=1)
    assert len(by_trials.table) == 3 and by_trials.stopped == "trials"
    # the defaults are the first trial, so tuning never ends below them on validation
    first = by_trials.table.iloc[0]
    assert first["factors"] == 20 and bool(first["binarize"]) is True
    assert by_trials.best_value == by_trials.table["ndcg"].max() >= first["ndcg"]
    # the same seed proposes the same settings
    again = tune(small, "svd", trials=3, seconds=None, seed=1)
    assert list(again.table["factors"]) == list(by_trials.table["factors"])
    # a time budget that the first trial already spends: one trial, stopped by the time
    timed = tune(small, "svd", seconds=1e-3)
    assert len(timed.table) == 1 and timed.stopped == "time"


def test_progress_reports_best_so_far(small):
    calls = []
    tune(small, "svd", trials=2, seconds=None, progress=lambda s, t, i: calls.append((s, t, i)))
    finished = [c for c in calls if "trial" in c[2]]
    assert [c[2]["trial"] for c in finished] == [1, 2]
    assert finished[-1][0] == finished[-1][1] == 2
    assert all(0.0 <= c[2]["fraction"] <= 1.0 for c in calls)
    assert finished[-1][2]["fraction"] == 1.0
    assert set(finished[-1][2]["best_params"]) == {"factors", "binarize", "normalize_items"}


def test_best_params_are_trained_and_saved_with_the_trials(small, tmp_path):
    ws = Workspace(tmp_path)
    result, model, info = tune_and_save(
        "svd", small, name="svd-best", trials=3, seconds=None, workspace=ws
    )
    assert model.get_params() == {**model.get_params(), **result.best_params}
    assert model.dataset_fingerprint_ == small.fingerprint
    meta = json.loads((info.path / "model.json").read_text(encoding="utf-8"))
    history = meta["tuning"]
    assert history["best_params"] == result.best_params
    assert len(history["trials"]) == 3 and history["metric"] == "ndcg"
    assert history["best_value"] == max(t["ndcg"] for t in history["trials"])
    loaded = ws.load_model("svd-best")
    assert loaded.get_params() == model.get_params()
    np.testing.assert_allclose(loaded.item_factors_, model.item_factors_)
    # the same result trained on another dataset
    assert train_best(result, small).factors == result.best_params["factors"]


def test_cancel_saves_nothing(small, tmp_path):
    def cancel(step, total, info):
        if step >= 1:
            raise TrainingCancelled()

    with pytest.raises(TrainingCancelled):
        tune_and_save(
            "svd", small, trials=5, seconds=None, progress=cancel, workspace=Workspace(tmp_path)
        )
    assert Workspace(tmp_path).list_models() == ([], [])


def test_bad_budget_is_a_clear_error(small):
    with pytest.raises(ModelConfigError, match="time budget"):
        tune(small, "svd", seconds=None, trials=None)
    with pytest.raises(ModelConfigError, match="at least one trial"):
        tune(small, "svd", seconds=None, trials=0)


def test_cli_tunes_the_demo_end_to_end(tmp_path, capsys):
    code = main(
        [
            "tune",
            "--data",
            "demo",
            "--model",
            "svd",
            "--budget",
            "60s",
            "--trials",
            "2",
            "--params",
            "factors",
            "--name",
            "svd-cli",
            "--workspace",
            str(tmp_path),
        ]
    )
    out = capsys.readouterr().out
    assert code == 0, out
    assert "Search space: factors in [5, 80] (log)" in out
    assert "2 trials" in out and "Saved 'svd-cli'" in out
    [info] = Workspace(tmp_path).list_models()[0]
    meta = json.loads((info.path / "model.json").read_text(encoding="utf-8"))
    assert set(meta["tuning"]["best_params"]) >= {"factors"}
    assert main(["tune", "--data", "demo", "--model", "svd", "--budget", "later"]) == 2
