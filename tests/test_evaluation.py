"""Splits, metrics (against hand-computed cases), the implicit cross-check, comparisons, search."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from recsys.data.dataset import FEEDBACK_EXPLICIT, Dataset
from recsys.data.demo import load_demo
from recsys.errors import DataError, ModelConfigError, RecsysError
from recsys.evaluation.comparison import ModelSpec, head_to_head, parse_model_list, run_comparison
from recsys.evaluation.metrics import (
    METRIC_DEFINITIONS,
    Split,
    available_split_kinds,
    bucket_table,
    default_split_kind,
    evaluate_model,
    make_split,
    random_split,
    ranking_metrics,
    split_unavailable_reason,
    temporal_split,
    time_cutoff_split,
)
from recsys.evaluation.tuning import grid_points, grid_search, parse_values, train_best
from recsys.linalg import top_k_rows
from recsys.models.registry import create_model


@pytest.fixture(scope="module")
def demo() -> Dataset:
    return load_demo()


@pytest.fixture(scope="module")
def demo_split(demo):
    return temporal_split(demo, 0.2).apply(demo)


class Fixed:
    """A model with given scores (users x items): enough for evaluate_model."""

    def __init__(self, scores, predict=False):
        self.scores = np.asarray(scores, dtype=np.float32)
        if predict:
            self.predict = lambda u, i: self.scores[u, i]

    def score_users(self, users):
        return self.scores[np.asarray(users)].copy()


def tiny() -> Dataset:
    """3 users, 6 items, timestamps in file order except a tie for user a."""
    rows = [
        ("a", "i0", 5, 10), ("a", "i1", 4, 20), ("a", "i2", 3, 30), ("a", "i3", 2, 30),
        ("a", "i4", 1, 40),
        ("b", "i0", 5, 10), ("b", "i5", 4, 50),
        ("c", "i1", 3, 5),
    ]
    frame = pd.DataFrame(rows, columns=["user", "item", "value", "timestamp"])
    return Dataset.from_frame(frame, name="tiny", feedback=FEEDBACK_EXPLICIT, rating_scale=(1, 5))


# ---------------------------------------------------------------------- metrics by hand
def test_ranking_metrics_match_hand_computed_values():
    hits = np.array([[1, 0, 1, 0, 0], [0, 0, 0, 1, 0], [0, 0, 0, 0, 0]], dtype=bool)
    n_rel = np.array([4, 1, 2])
    m = ranking_metrics(hits, n_rel, 5)
    l2 = math.log2
    assert m["hits"].tolist() == [2, 1, 0]
    assert m["precision"] == pytest.approx([2 / 5, 1 / 5, 0])
    assert m["recall"] == pytest.approx([2 / 4, 1 / 1, 0])
    idcg0 = 1 / l2(2) + 1 / l2(3) + 1 / l2(4) + 1 / l2(5)  # min(K=5, 4 test items) = 4
    assert m["ndcg"][0] == pytest.approx((1 / l2(2) + 1 / l2(4)) / idcg0)
    assert m["ndcg"][1] == pytest.approx((1 / l2(5)) / 1.0)
    assert m["ap"] == pytest.approx([(1 / 1 + 2 / 3) / 4, (1 / 4) / 1, 0])
    assert m["rr"] == pytest.approx([1.0, 1 / 4, 0.0])
    assert m["hit"].tolist() == [1, 1, 0]
    # implicit's variant divides by min(K, |test|)
    assert m["precision_min"] == pytest.approx([2 / 4, 1 / 1, 0])


def test_ndcg_ideal_uses_min_k_and_test_size():
    # 12 test items, K=3, all three recommended are hits -> perfect score
    m = ranking_metrics(np.ones((1, 3), dtype=bool), np.array([12]), 3)
    assert m["ndcg"][0] == pytest.approx(1.0)
    assert m["ap"][0] == pytest.approx(1.0)
    assert m["recall"][0] == pytest.approx(3 / 12)


def test_every_metric_has_one_definition():
    for key in ("precision", "recall", "ndcg", "map", "hit_rate", "mrr", "coverage", "novelty",
                "avg_popularity", "rmse", "mae"):
        label, text = METRIC_DEFINITIONS[key]
        assert label and len(text) > 20
    assert "min(K, |test items|)" in METRIC_DEFINITIONS["ndcg"][1]
    assert "|test items of the user|" in METRIC_DEFINITIONS["recall"][1]


def test_top_k_rows_is_exact_under_ties_and_nan():
    rng = np.random.default_rng(3)
    for trial in range(60):
        n, b, k = int(rng.integers(1, 3000)), int(rng.integers(1, 8)), int(rng.integers(1, 25))
        s = rng.integers(0, 6, (b, n)).astype(np.float32)
        s[rng.random((b, n)) < 0.3] = -np.inf
        if trial % 2:
            s[rng.random((b, n)) < 0.05] = np.nan
        got = top_k_rows(s, k)
        clean = np.where(np.isnan(s), -np.inf, s)
        expected = np.stack([np.lexsort((np.arange(n), -row))[: min(k, n)] for row in clean])
        np.testing.assert_array_equal(got, expected)


def test_evaluate_model_on_a_hand_made_case():
    frame = pd.DataFrame(
        {
            "user": ["a", "a", "a", "b", "b", "c", "c"],
            "item": ["p", "q", "r", "p", "s", "r", "q"],
            "timestamp": [1, 2, 3, 1, 2, 1, 2],
        }
    )
    ds = Dataset.from_frame(frame)
    data = temporal_split(ds, test_count=1).apply(ds)  # a: r, b: s, c: q held out
    # training popularity: p=2, q=1, r=1, s=0 -> s is not a candidate
    assert data.train_popularity.tolist() == [2, 1, 1, 0]
    p, q, r, s = range(4)
    scores = np.zeros((3, 4), dtype=np.float32)
    scores[0, [p, s, r]] = [10, 5, 1]  # a: p is a training item, s no candidate -> [r]
    scores[1, [q, r, s]] = [2, 1, 5]  # b: [q, r]; its test item s cannot be recommended
    scores[2, [p, q]] = [3, 2]  # c: r excluded -> [p, q], hit at rank 2
    res = evaluate_model(Fixed(scores), data, k=2)
    per = res.per_user.set_index("user")
    assert per["hits"].tolist() == [1, 0, 1]
    assert per["precision"].tolist() == pytest.approx([1 / 2, 0, 1 / 2])
    assert per["recall"].tolist() == pytest.approx([1, 0, 1])
    assert per["ndcg"].tolist() == pytest.approx([1.0, 0.0, 1 / math.log2(3)])
    assert per["ap"].tolist() == pytest.approx([1.0, 0.0, 0.5])
    assert per["rr"].tolist() == pytest.approx([1.0, 0.0, 0.5])
    assert res.metrics["ndcg"] == pytest.approx((1 + 1 / math.log2(3)) / 3)
    assert res.metrics["hit_rate"] == pytest.approx(2 / 3)
    # beyond accuracy: recommended r | q, r | p, q  (5 slots)
    assert res.metrics["coverage"] == pytest.approx(1.0)
    assert res.metrics["avg_popularity"] == pytest.approx(6 / 5)
    expected_novelty = (4 * math.log2(3) + math.log2(3 / 2)) / 5
    assert res.metrics["novelty"] == pytest.approx(expected_novelty)
    # candidates="all" also ranks s: a gets [s, r], b gets [s, q]
    res_all = evaluate_model(Fixed(scores), data, k=2, candidates="all")
    assert res_all.per_user["ndcg"].tolist() == pytest.approx([1 / math.log2(3), 1.0, 1 / math.log2(3)])


def test_novelty_coverage_popularity_by_hand():
    # 4 users, 4 items; every user has item 0 in training; one test item each
    frame = pd.DataFrame(
        {
            "user": ["u0", "u0", "u1", "u1", "u2", "u2", "u3", "u3", "u0", "u1", "u2", "u3"],
            "item": ["a", "b", "a", "b", "a", "c", "a", "c", "d", "d", "d", "b"],
            "timestamp": [1, 2, 1, 2, 1, 2, 1, 2, 9, 9, 9, 9],
        }
    )
    ds = Dataset.from_frame(frame)
    data = temporal_split(ds, test_count=1).apply(ds)
    pop = data.train_popularity  # a=4, b=2, c=2, d=0 (training users per item)
    assert pop.tolist() == [4, 2, 2, 0]
    scores = np.tile(np.array([0.0, 2.0, 1.0, 0.5], dtype=np.float32), (4, 1))
    res = evaluate_model(Fixed(scores), data, k=1)
    # u0, u1 get c (b, a seen); u2, u3 get b; d is not a candidate
    assert res.metrics["coverage"] == pytest.approx(2 / 3)
    assert res.metrics["avg_popularity"] == pytest.approx(2.0)
    assert res.metrics["novelty"] == pytest.approx(-math.log2(2 / 4))
    assert res.metrics["hit_rate"] == pytest.approx(1 / 4)  # only u3 (test item b) hits


def test_rating_errors_for_models_that_predict():
    ds = tiny()
    data = temporal_split(ds, test_count=1).apply(ds)
    scores = np.full((3, 6), 3.0, dtype=np.float32)
    res = evaluate_model(Fixed(scores, predict=True), data, k=2)
    # held-out with known user and item: none (i4, i5 have no training data) -> no rmse
    assert "rmse" not in res.metrics
    data2 = random_split(ds, 0.4, seed=0).apply(ds)
    res2 = evaluate_model(Fixed(scores, predict=True), data2, k=2)
    known = (data2.train.user_activity[data2.test.user_index] > 0) & (
        data2.train_popularity[data2.test.item_index] > 0
    )
    err = 3.0 - data2.test.values[known]
    if known.any():
        assert res2.metrics["rmse"] == pytest.approx(float(np.sqrt(np.mean(err**2))))
        assert res2.metrics["mae"] == pytest.approx(float(np.mean(np.abs(err))))
    assert "rmse" not in evaluate_model(Fixed(scores), data2, k=2).metrics


def test_rating_model_reports_rmse_on_demo(demo, demo_split):
    model = create_model("mf", epochs=3).fit(demo_split.train)
    res = evaluate_model(model, demo_split, 10)
    assert 0 < res.metrics["mae"] <= res.metrics["rmse"] < 2.0
    assert "rmse" not in evaluate_model(create_model("svd").fit(demo_split.train), demo_split).metrics


def test_bucket_table_counts_users(demo, demo_split):
    res = evaluate_model(create_model("popular").fit(demo_split.train), demo_split)
    table = bucket_table(res.per_user)
    assert list(table.index) == ["< 20", "20-100", "> 100"]
    assert table["users"].sum() == len(res.per_user)
    small = res.per_user[res.per_user["n_train"] < 20]
    assert table.loc["< 20", "ndcg"] == pytest.approx(small["ndcg"].mean())


# ---------------------------------------------------------------------- splits
def _keys(ds: Dataset) -> list[tuple]:
    return sorted(zip(ds.user_index.tolist(), ds.item_index.tolist(), ds.timestamps.tolist(), strict=True))


@pytest.mark.parametrize(
    "make",
    [
        lambda ds: temporal_split(ds, 0.2),
        lambda ds: temporal_split(ds, test_count=3),
        lambda ds: random_split(ds, 0.25, seed=5),
        lambda ds: time_cutoff_split(ds, test_fraction=0.2),
    ],
)
def test_splits_keep_every_interaction_exactly_once(demo, make):
    split = make(demo)
    data = split.apply(demo)
    assert data.train.n_interactions + data.test.n_interactions == demo.n_interactions
    assert sorted(_keys(data.train) + _keys(data.test)) == _keys(demo)
    assert data.train.user_ids is demo.user_ids and data.test.item_ids is demo.item_ids
    # nothing held out leaks into training: the two masks are disjoint
    train_rows = set(np.flatnonzero(~split.test_mask).tolist())
    assert not train_rows & set(np.flatnonzero(split.test_mask).tolist())
    assert data.train.n_interactions == split.n_train


def test_temporal_split_holds_out_each_users_latest(demo):
    split = temporal_split(demo, 0.2)
    counts = np.bincount(demo.user_index, minlength=demo.n_users)
    held = np.bincount(demo.user_index[split.test_mask], minlength=demo.n_users)
    expected = np.clip(np.floor(counts * 0.2 + 0.5), 1, counts - 1)
    np.testing.assert_array_equal(held, expected)
    ts, u = demo.timestamps, demo.user_index
    last_train = np.full(demo.n_users, -np.inf)
    np.maximum.at(last_train, u[~split.test_mask], ts[~split.test_mask])
    first_test = np.full(demo.n_users, np.inf)
    np.minimum.at(first_test, u[split.test_mask], ts[split.test_mask])
    assert (first_test >= last_train).all()  # never a held-out interaction before a training one


def test_temporal_ties_are_broken_by_file_order_and_small_users_stay_in_train():
    ds = tiny()
    split = temporal_split(ds, test_count=2)
    test_items = {
        (ds.user_ids[u], ds.item_ids[i])
        for u, i in zip(ds.user_index[split.test_mask], ds.item_index[split.test_mask], strict=True)
    }
    # a: i4 (t=40) and, of the tie at t=30, i3 (later row); b keeps one for training; c has 1
    assert test_items == {("a", "i4"), ("a", "i3"), ("b", "i5")}
    assert not ({("c", "i1")} & test_items)


def test_random_split_is_deterministic_with_seed(demo):
    a = random_split(demo, 0.2, seed=1)
    b = random_split(demo, 0.2, seed=1)
    c = random_split(demo, 0.2, seed=2)
    np.testing.assert_array_equal(a.test_mask, b.test_mask)
    assert (a.test_mask != c.test_mask).any()
    assert a.n_test == c.n_test  # the same number per user, different interactions


def test_min_interactions_rule(demo):
    split = random_split(demo, 0.2, seed=0, min_interactions=30)
    counts = np.bincount(demo.user_index, minlength=demo.n_users)
    held = np.bincount(demo.user_index[split.test_mask], minlength=demo.n_users)
    assert (held[counts < 30] == 0).all() and (held[counts >= 30] >= 1).all()
    data = split.apply(demo)
    assert set(data.eval_users.tolist()) <= set(np.flatnonzero(counts >= 30).tolist())


def test_time_cutoff_split_and_cold_users_not_evaluated():
    ds = tiny()
    split = time_cutoff_split(ds, cutoff=40)
    assert set(ds.timestamps[split.test_mask].tolist()) == {40, 50}
    assert (ds.timestamps[~split.test_mask] < 40).all()
    data = split.apply(ds)
    assert all(data.train.user_activity[data.eval_users] > 0)
    with pytest.raises(RecsysError, match="one side"):
        time_cutoff_split(ds, cutoff=10_000)


def test_split_round_trips_and_refuses_other_data(demo):
    split = temporal_split(demo, 0.2)
    again = Split.from_dict(split.to_dict())
    np.testing.assert_array_equal(again.test_mask, split.test_mask)
    assert again.kind == "temporal" and again.params == split.params
    with pytest.raises(DataError, match="different dataset"):
        split.apply(tiny())
    damaged = split.to_dict() | {"test_mask_bits": "not base64!"}
    with pytest.raises(DataError, match="damaged"):
        Split.from_dict(damaged)


def test_bad_split_settings_raise_clear_errors(demo):
    with pytest.raises(RecsysError, match="between 0 and 1"):
        temporal_split(demo, 1.5)
    with pytest.raises(RecsysError, match="Unknown split"):
        make_split(demo, "weekly")


# ---------------------------------------------------------------------- cross-check
def test_ndcg_and_map_equal_implicit_for_an_als_model(demo, demo_split):
    """Our NDCG@K equals implicit.evaluation.ndcg_at_k on the same split (within 1e-6)."""
    from implicit.cpu.als import AlternatingLeastSquares
    from implicit.evaluation import mean_average_precision_at_k, ndcg_at_k, precision_at_k

    data = demo_split
    model = create_model("als", factors=32, iterations=8).fit(data.train)
    ref = AlternatingLeastSquares(factors=32, random_state=0)
    ref.user_factors = np.ascontiguousarray(model.user_factors_, dtype=np.float32)
    ref.item_factors = np.ascontiguousarray(model.item_factors_, dtype=np.float32)
    train = data.train_matrix.astype(np.float32).tocsr()
    test = data.test_items.astype(np.float32).tocsr()
    assert data.train_popularity.min() > 0  # every item is a training item: same candidates
    for k in (5, 10):
        ours = evaluate_model(model, data, k)
        theirs = ndcg_at_k(ref, train, test, K=k, show_progress=False)
        assert abs(ours.metrics["ndcg"] - theirs) < 1e-6
        theirs_map = mean_average_precision_at_k(ref, train, test, K=k, show_progress=False)
        assert abs(ours.metrics["map"] - theirs_map) < 1e-6
        # implicit's "precision" = all hits / sum of min(K, |test|) over users (pooled)
        theirs_p = precision_at_k(ref, train, test, K=k, show_progress=False)
        assert abs(ours.metrics["pooled_precision"] - theirs_p) < 1e-6
        # ...which is neither our precision (hits / K, mean over users) nor its per-user mean
        assert ours.metrics["precision"] < theirs_p
        assert ours.metrics["precision_min"] != pytest.approx(theirs_p, abs=1e-6)


def test_als_beats_the_popularity_baseline_on_demo(demo):
    comparison = run_comparison(demo, temporal_split(demo, 0.2), [ModelSpec("als")], k=10)
    board = comparison.leaderboard().set_index("key")
    assert board.loc["als", "ndcg"] > board.loc["popular", "ndcg"] > board.loc["random", "ndcg"]
    assert board.loc["als", "recall"] > board.loc["popular", "recall"]


# ---------------------------------------------------------------------- comparison
def test_comparison_adds_baselines_and_reuses_models_trained_on_the_split(demo, demo_split):
    split = demo_split.split
    fitted = create_model("svd", factors=8).fit(demo_split.train)
    full = create_model("svd", factors=8).fit(demo)  # has seen the test data: must be retrained
    progress = []
    comparison = run_comparison(
        demo,
        split,
        [ModelSpec("svd", model=fitted, saved="mine"), ModelSpec("svd", model=full, saved="full")],
        k=5,
        progress=lambda s, t, info: progress.append(s / t),
    )
    names = [r.name for r in comparison.results]
    assert names[:2] == ["mine (PureSVD)", "full (PureSVD)"]
    assert {"Most popular (baseline)", "Random (baseline)"} <= set(names)
    assert comparison.results[0].extra["reused_saved_model"] is True
    assert comparison.results[1].extra["reused_saved_model"] is False
    assert comparison.results[1].metrics["ndcg"] == pytest.approx(comparison.results[0].metrics["ndcg"], abs=1e-4)
    assert progress[-1] == 1.0 and all(0 <= p <= 1 for p in progress)
    assert progress == sorted(progress)
    board = comparison.leaderboard()
    assert board["ndcg"].is_monotonic_decreasing
    text = comparison.format_leaderboard()
    assert "NDCG@5" in text and "Random (baseline)" in text
    h2h = head_to_head(comparison, names[0], "Most popular (baseline)")
    assert set(h2h["winner"]) <= {names[0], "Most popular (baseline)", "tie"}
    assert h2h["diff"].abs().is_monotonic_decreasing


def test_parse_model_list():
    assert [s.key for s in parse_model_list("als, svd,als,popular")] == ["als", "svd", "popular"]
    with pytest.raises(ModelConfigError, match="Unknown model"):
        parse_model_list("als,nope")


# ---------------------------------------------------------------------- search
def test_grid_search_uses_a_validation_split_of_the_training_data(demo, demo_split):
    seen = []
    result = grid_search(
        demo_split.train, "svd", {"factors": [4, 16], "normalize_items": [0.0]}, k=10,
        like=demo_split.split, progress=lambda done, total, msg: seen.append((done, total)),
    )
    assert result.validation.dataset_fingerprint == demo_split.train.fingerprint
    assert len(result.validation.test_mask) == demo_split.train.n_interactions
    assert list(result.table["factors"]) == [4, 16]
    assert type(result.best_params["normalize_items"]) is float
    assert result.best_params["factors"] == int(result.table.loc[result.table["ndcg"].idxmax(), "factors"])
    assert type(result.best_params["factors"]) is int
    assert seen[-1] == (2, 2)
    model = train_best(result, demo_split.train)
    assert model.factors == result.best_params["factors"]
    assert model.dataset_fingerprint_ == demo_split.train.fingerprint


def test_grid_helpers():
    assert grid_points({"a": [1, 2], "b": [3]}) == [{"a": 1, "b": 3}, {"a": 2, "b": 3}]
    with pytest.raises(ModelConfigError, match="at most"):
        grid_points({"a": list(range(10)), "b": list(range(10))})
    assert parse_values("16, 32,32 ;64", 8) == [16, 32, 64]
    assert parse_values("0.1,1", 0.5) == [0.1, 1.0]
    with pytest.raises(ModelConfigError, match="not a number"):
        parse_values("1, x", 1)


def test_empty_evaluation_says_what_to_do():
    frame = pd.DataFrame({"user": ["a", "b"], "item": ["x", "y"], "timestamp": [1, 2]})
    ds = Dataset.from_frame(frame)
    data = temporal_split(ds, 0.2).apply(ds)  # everybody has one interaction: nobody evaluated
    with pytest.raises(RecsysError, match="No user can be evaluated"):
        evaluate_model(Fixed(np.zeros((2, 2))), data)


def test_scores_of_wrong_shape_are_refused(demo_split):
    with pytest.raises(RecsysError, match="trained on different data"):
        evaluate_model(Fixed(np.zeros((demo_split.dataset.n_users, 3))), demo_split)


def test_sparse_helpers_are_consistent(demo_split):
    # test items never include a user's training items
    overlap = demo_split.test_items.multiply(demo_split.train_matrix)
    assert sp.csr_matrix(overlap).nnz == 0


# ---------------------------------------------------------------------- data-aware split default
def _no_times(demo: Dataset) -> Dataset:
    frame = pd.DataFrame(
        {
            "user": demo.user_ids.to_external(demo.user_index),
            "item": demo.item_ids.to_external(demo.item_index),
            "value": demo.values,
        }
    )
    return Dataset.from_frame(frame, name="no times")


def test_split_default_follows_the_data(demo):
    flat = _no_times(demo)
    assert not flat.has_timestamps and demo.has_timestamps
    assert default_split_kind(demo) == "temporal" and make_split(demo).kind == "temporal"
    assert default_split_kind(flat) == "random" and make_split(flat).kind == "random"
    assert available_split_kinds(demo) == ["temporal", "random", "time_cutoff"]
    assert available_split_kinds(flat) == ["random"]
    for kind in ("temporal", "time_cutoff"):
        assert "no time column" in split_unavailable_reason(flat, kind)
        assert split_unavailable_reason(demo, kind) is None
    assert split_unavailable_reason(flat, "random") is None


def test_cli_without_split_uses_the_data_aware_default(tmp_path, capsys):
    from recsys.cli.main import main

    path = tmp_path / "flat.csv"
    rng = np.random.default_rng(0)
    rows = {(f"u{u}", f"i{i}") for u, i in rng.integers(0, 30, size=(600, 2))}
    path.write_text("user,item\n" + "".join(f"{u},{i}\n" for u, i in sorted(rows)))
    args = ["evaluate", "--data", str(path), "--models", "popular", "--no-save"]
    assert main([*args, "--no-baselines"]) == 0
    out = capsys.readouterr().out
    assert "No --split given: using the random split (the data has no time column)." in out
    assert "Split: random: random (seed 42)" in out
    assert main([*args, "--no-baselines", "--split", "temporal"]) == 0
    assert "--split random is the meaningful choice" in capsys.readouterr().err
    assert main(["evaluate", "--data", "demo", "--models", "popular", "--no-save"]) == 0
    assert "using the temporal split (the data has times)" in capsys.readouterr().out
