"""Spark ALS, run for real by Spark MLlib in local mode (``local[2]``) on ml-latest-small.

Skipped, with the message saying how to enable it, when pyspark or Java is missing
(``pip install -e ".[spark]"``; Debian ``openjdk-17-jre-headless``). One Spark fit on the
training part of a temporal split is shared by the tests; the CLI test fits once more, small.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from recsys.cli.main import main
from recsys.data import load_path
from recsys.data.demo import load_demo
from recsys.data.reference import ml_small_path
from recsys.errors import ModelConfigError
from recsys.evaluation.metrics import evaluate_model, make_split
from recsys.models import registry
from recsys.models.base import Recommender
from recsys.models.profile import Profile
from recsys.models.registry import create_model, unavailable_models
from recsys.store import Workspace

MISSING = unavailable_models().get("spark-als")
needs_spark = pytest.mark.skipif(MISSING is not None, reason=MISSING or "")
ML_SMALL = ml_small_path()


@pytest.fixture(scope="module")
def ml() -> object:
    if not (ML_SMALL / "ratings.csv").exists():
        pytest.skip(f"ml-latest-small not found at {ML_SMALL} (set RECSYS_ML_SMALL)")
    return load_path(ML_SMALL)


@pytest.fixture(scope="module")
def split(ml):
    return make_split(ml, "temporal").apply(ml)


@pytest.fixture(scope="module")
def spark_model(split):
    return create_model("spark-als", seed=7).fit(split.train)


@needs_spark
def test_ndcg_within_10_percent_of_our_als(split, spark_model):
    ours = create_model("als").fit(split.train)
    ndcg_ours = evaluate_model(ours, split, k=10).metrics["ndcg"]
    ndcg_spark = evaluate_model(spark_model, split, k=10).metrics["ndcg"]
    print(
        f"NDCG@10 on ml-latest-small, temporal split: ALS {ndcg_ours:.4f}, Spark {ndcg_spark:.4f}"
    )
    assert ndcg_spark >= 0.9 * ndcg_ours, (ndcg_spark, ndcg_ours)


@needs_spark
def test_fresh_user_solve_is_sparks_own_user_vector(split, spark_model):
    """Spark solves users last, with λ·n_u and confidence 1 + alpha·r: our hooks reproduce it."""
    train = split.train
    users = np.flatnonzero(train.user_activity > 0)[:: max(1, train.n_users // 40)]
    for u in users:
        fresh = spark_model.fold_in(Profile.of_user(spark_model, train, train.user_ids[u]))
        stored = spark_model.user_factors_[u]
        np.testing.assert_allclose(fresh, stored, rtol=2e-3, atol=2e-4 * np.abs(stored).max())


@needs_spark
def test_explanations_sum_to_the_score(split, spark_model):
    train = split.train
    user = train.user_ids[int(np.argmax(train.user_activity))]
    profile = Profile.of_user(spark_model, train, user)
    recs = spark_model.recommend(user, n=10)
    idx = spark_model.item_ids_.indices(list(recs["item"]))
    breakdown = spark_model.explain(profile, idx)
    fresh = spark_model.item_factors_[idx].astype(np.float64) @ spark_model.fold_in(profile)
    np.testing.assert_allclose(breakdown.contributions.sum(axis=0), fresh, rtol=1e-4, atol=1e-6)
    # ... and, the stored vector being that solve, to the score the list was ranked by
    np.testing.assert_allclose(breakdown.model_scores, recs["score"], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(breakdown.totals, recs["score"], rtol=2e-3, atol=1e-4)


@needs_spark
def test_hooks_are_sparks_formulas(spark_model):
    reg, alpha = spark_model.regularization, spark_model.alpha
    assert spark_model.user_regularization(25) == pytest.approx(25 * reg)
    # binary weighting: every positive interaction has c = 1 + alpha, a dislike -(1 + alpha)
    np.testing.assert_allclose(
        spark_model.confidence(np.array([4.0, 0.5, -2.0])), [1 + alpha, 1 + alpha, -(1 + alpha)]
    )


@needs_spark
def test_saved_spark_model_loads_and_scores_like_any_model(spark_model, split, tmp_path):
    info = Workspace(tmp_path).save_model(spark_model, "spark", split.train)
    assert info.model == "spark-als"
    loaded = Recommender.load(tmp_path / "models" / "spark")
    users = np.arange(0, split.train.n_users, 50)
    np.testing.assert_array_equal(loaded.score_users(users), spark_model.score_users(users))
    item = split.train.item_ids[0]
    assert list(loaded.similar_items(item)["item"]) == list(spark_model.similar_items(item)["item"])


@needs_spark
def test_cli_engine_spark_trains_a_normal_model(ml, tmp_path, capsys):
    rc = main(
        [
            "train",
            "--engine",
            "spark",
            "--spark-master",
            "local[2]",
            "--data",
            str(ML_SMALL),
            "--factors",
            "8",
            "--iterations",
            "3",
            "--name",
            "cli-spark",
            "--workspace",
            str(tmp_path),
        ]
    )
    out = capsys.readouterr()
    assert rc == 0, out.err
    assert "Spark fits on local[2]" in out.out and "Saved 'cli-spark'" in out.out
    info = Workspace(tmp_path).info("cli-spark")
    assert info.model == "spark-als" and info.params["factors"] == 8
    assert info.matches(ml.fingerprint)  # the app opens it with the same file


def test_engine_spark_trains_als_only(capsys):
    assert main(["train", "--engine", "spark", "--model", "bpr", "--data", "demo"]) == 2
    assert "ALS only" in capsys.readouterr().err


def test_without_pyspark_the_model_is_not_offered_and_says_how(monkeypatch, capsys):
    missing = "pyspark is not installed. pip install -e '.[spark]'"
    monkeypatch.setitem(
        registry.OPTIONAL_MODELS,
        "spark-als",
        (registry.OPTIONAL_MODELS["spark-als"][0], lambda: missing),
    )
    assert unavailable_models()["spark-als"] == missing
    assert main(["train", "--engine", "spark", "--data", "demo"]) == 2
    assert "pip install" in capsys.readouterr().err
    # a saved Spark model still loads without pyspark: scoring needs no Spark
    assert registry.get_model_class("spark-als").key == "spark-als"
    with pytest.raises(ModelConfigError, match="Unknown model"):
        registry.get_model_class("no-such-model")


@needs_spark
def test_cli_engine_spark_reads_any_uri_with_spark(tmp_path, capsys):
    """A URI (file:// here; hdfs://, s3a:// on a cluster) is read by Spark, not the app.

    The file is written here (the demo's interactions), so the test needs no shared dataset."""
    demo = load_demo()
    path = tmp_path / "ratings.csv"
    pd.DataFrame(
        {
            "userId": demo.user_ids.to_external(demo.user_index),
            "movieId": demo.item_ids.to_external(demo.item_index),
            "rating": demo.values,
        }
    ).to_csv(path, index=False)
    uri = path.resolve().as_uri()
    args = ["train", "--engine", "spark", "--data", uri, "--factors", "4", "--iterations", "2"]
    rc = main([*args, "--name", "uri", "--workspace", str(tmp_path / "ws")])
    out = capsys.readouterr()
    assert rc == 0, out.err
    assert f"Reading {uri} with Spark" in out.out
    info = Workspace(tmp_path / "ws").info("uri")
    assert info.model == "spark-als"
    assert (info.n_users, info.n_items) == (demo.n_users, demo.n_items)
    assert info.dataset_name == "ratings.csv"
