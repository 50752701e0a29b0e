"""What the Train page says (recsys.train_text), from real models, fits and searches."""

from __future__ import annotations

import pytest

from recsys import train_text
from recsys.data.demo import load_demo
from recsys.evaluation.tuning import search_space, tune_and_save
from recsys.models.registry import available_models, get_model_class
from recsys.store import Workspace
from recsys.training import train_and_save
from tests.models.conftest import subset


@pytest.fixture(scope="module")
def demo():
    return load_demo()


@pytest.fixture(scope="module")
def small(demo):
    return subset(demo, 300, 400)


def test_dataset_summary_and_preparing_text_give_the_sizes(demo):
    assert train_text.dataset_summary(demo) == (
        f"{demo.n_users:,} users · {demo.n_items:,} items · {demo.n_interactions:,} interactions"
    )
    assert f"Preparing {demo.n_interactions:,} interactions" in train_text.preparing_text(demo)


def test_notices_only_for_the_rating_model_and_ease():
    assert train_text.model_notices("mf") == [train_text.RATING_MODEL_NOTICE]
    assert "truncated SVD" in train_text.model_notices("ease")[0]
    for key in available_models():
        rating = not getattr(get_model_class(key), "ranks_items", True)
        assert (train_text.RATING_MODEL_NOTICE in train_text.model_notices(key)) == rating
        if key not in ("mf", "ease"):
            assert train_text.model_notices(key) == [], key


def test_a_finished_fit_is_summarised_with_its_name_time_and_loss(small, tmp_path):
    model, info = train_and_save(
        "als", {"factors": 8, "iterations": 4}, small, name="my als", workspace=Workspace(tmp_path)
    )
    run = train_text.run_record(model, info)
    assert run["name"] == info.name == "my als" and "tuning" not in run
    assert train_text.run_summary(run) == (
        f"Trained **{info.label}** in {model.fit_seconds_:.1f} s and saved it as **my als**."
    )
    assert train_text.history_caption(run) == "Training loss per iteration."
    popular, pinfo = train_and_save("popular", {}, small, workspace=Workspace(tmp_path))
    assert train_text.history_caption(train_text.run_record(popular, pinfo)) is None


def test_a_search_gives_a_best_first_table_and_a_summary_of_the_best(small, tmp_path):
    infos: list[dict] = []
    space = {"factors": search_space("svd")["factors"]}
    result, model, info = tune_and_save(
        "svd", small, name="svd tuned", seconds=120, trials=3, space=space,
        progress=lambda step, total, i: infos.append(i), workspace=Workspace(tmp_path),
    )  # fmt: skip
    rows = [r for r in (train_text.trial_row(i, "ndcg") for i in infos) if r is not None]
    assert [r["trial"] for r in rows] == [1, 2, 3]
    assert set(rows[0]) == {"trial", "factors", "ndcg", "fit_seconds"}
    table = train_text.trials_frame(rows, ["factors"], "ndcg")
    assert list(table.columns) == ["trial", "factors", "ndcg", "fit_seconds"]
    assert table["ndcg"].is_monotonic_decreasing and table["ndcg"].iloc[0] == max(
        r["ndcg"] for r in rows
    )
    assert train_text.trials_frame([], ["factors"], "ndcg").empty

    summary = train_text.run_summary(train_text.run_record(model, info, result.history()))
    best = result.history()["best_params"]["factors"]
    assert summary.startswith(f"Tuned **{info.label}**: 3 trials in ")
    assert f"best NDCG@10 on validation {result.best_value:.4f} with factors={best}." in summary
    assert summary.endswith("saved as **svd tuned**.")
