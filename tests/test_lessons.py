"""The Learn page's lesson computations (recsys.lessons) and figures (recsys.viz.lessons)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from threadpoolctl import threadpool_limits

from recsys import lessons
from recsys.data.dataset import Dataset
from recsys.data.demo import load_demo
from recsys.errors import DataError, ModelConfigError, UnknownIdError
from recsys.models.profile import Profile
from recsys.viz import lessons as viz


@pytest.fixture(scope="module")
def demo() -> Dataset:
    return load_demo()


@pytest.fixture(scope="module")
def model8(demo):
    return lessons.lesson_model(demo, factors=8)


@pytest.fixture(scope="module")
def space(demo):
    return lessons.two_factor_space(demo, regularization=1.0, iterations=15, seed=42)


def _tiny(title: str = "<script>alert('x')</script> & co", categories: bool = True) -> Dataset:
    rng = np.random.default_rng(0)
    n_users, n_items = 40, 30
    rows = [(f"u{u}", f"i{i}") for u in range(n_users)
            for i in rng.choice(n_items, 8, replace=False)]
    frame = pd.DataFrame(rows, columns=["user", "item"])
    items = pd.DataFrame({
        "item": [f"i{i}" for i in range(n_items)],
        "title": [title if i == 0 else f"Item {i}" for i in range(n_items)],
        "categories": [[f"<i>cat{i % 3}</i>"] if categories else [] for i in range(n_items)],
    })
    return Dataset.from_frame(frame, name="tiny", items=items)


# ---------------------------------------------------------------------------- labels
def test_reference_labels_prefer_planted_then_first_category_then_none(demo):
    labels, source = lessons.reference_labels(demo)
    assert source == lessons.PLANTED and lessons.has_planted_truth(demo)
    assert len(labels) == demo.n_items and len(set(labels)) == 12
    labels, source = lessons.reference_labels(_tiny())
    assert source == lessons.FIRST_CATEGORY
    assert set(labels) == {"<i>cat0</i>", "<i>cat1</i>", "<i>cat2</i>"}
    labels, source = lessons.reference_labels(_tiny(), max_labels=2)
    assert "other" in set(labels)
    labels, source = lessons.reference_labels(_tiny(categories=False))
    assert source is None and set(labels) == {"all items"}


def test_reference_labels_fall_back_to_the_most_used_tag_and_name_it():
    ds = _tiny(categories=False)
    ds.items["tags"] = [["loud", "fast"] if i % 2 else ["quiet"] for i in range(ds.n_items)]
    labels, source = lessons.reference_labels(ds)
    assert source == lessons.MOST_USED_TAG and set(labels) == {"loud", "quiet"}
    words = lessons.label_words(source)
    assert (words.one, words.many, words.labelled) == ("tag", "tags", True)
    assert "genre" not in words.reference
    assert lessons.label_words(lessons.PLANTED).many == "genres"
    assert not lessons.label_words(None).labelled


# ---------------------------------------------------------------------------- lesson 1
def test_two_factor_space_has_raw_coordinates_of_every_item_and_user(demo, space):
    assert space.items.shape[0] == demo.n_items and space.users.shape[0] == demo.n_users
    np.testing.assert_allclose(space.items[["x", "y"]].to_numpy(),
                               space.model.item_factors_, rtol=1e-6)
    np.testing.assert_allclose(space.users[["x", "y"]].to_numpy(),
                               space.model.user_factors_, rtol=1e-6)
    assert space.model.item_factors_.shape[1] == 2
    assert space.user_scale > 0
    user_len = np.median(np.hypot(space.users["x"], space.users["y"])) * space.user_scale
    item_len = np.median(np.hypot(space.items["x"], space.items["y"]))
    assert user_len == pytest.approx(item_len, rel=1e-6)


def test_a_big_factor_space_is_sampled_and_a_small_one_drawn_as_svg(demo, space):
    import plotly.graph_objects as go

    small = lessons.two_factor_space(demo, 1.0, 15, 42, max_points=300, model=space.model)
    assert len(small.items) == 300 and len(small.users) == 300
    assert small.items["item"].is_unique
    kinds = {type(t) for t in viz.factor_space_figure(small).data}
    assert go.Scatter in kinds and go.Scattergl not in kinds  # 600 points: SVG
    big = {type(t) for t in viz.factor_space_figure(space).data if t.name != "origin"}
    assert big == {go.Scattergl}  # the demo's 3,500 points: WebGL


def test_two_factor_space_is_seeded_and_moves_with_the_knobs(demo, space):
    again = lessons.two_factor_space(demo, regularization=1.0, iterations=15, seed=42)
    assert np.array_equal(again.items[["x", "y"]].to_numpy(), space.items[["x", "y"]].to_numpy())
    fewer = lessons.two_factor_space(demo, regularization=1.0, iterations=1, seed=42)
    assert not np.allclose(fewer.items[["x", "y"]].to_numpy(), space.items[["x", "y"]].to_numpy())
    other_seed = lessons.two_factor_space(demo, regularization=1.0, iterations=15, seed=7)
    assert not np.allclose(other_seed.items["x"], space.items["x"])


def test_two_factor_space_samples_large_data_and_rejects_other_sizes(demo, model8):
    small = lessons.two_factor_space(demo, iterations=2, max_points=100)
    assert len(small.items) == 100 and len(small.users) == 100
    with pytest.raises(ModelConfigError):
        lessons.two_factor_space(demo, model=model8)


def test_lesson_model_leaves_out_knobs_a_model_does_not_have(demo):
    svd = lessons.lesson_model(demo, factors=3, iterations=5, model="svd")
    assert svd.item_factors_.shape == (demo.n_items, 3)


# ---------------------------------------------------------------------------- lesson 2
def test_dot_product_breakdown_sums_to_the_model_score(demo, model8):
    for u, i in [(0, 0), (5, 100), (1999, 1499), (42, 7)]:
        user, item = demo.user_ids[u], demo.item_ids[i]
        dp = lessons.dot_product_breakdown(model8, user, item)
        np.testing.assert_allclose(dp.products, dp.user_vector * dp.item_vector)
        assert dp.total == pytest.approx(dp.model_score, rel=1e-5, abs=1e-6)
        assert dp.model_score == pytest.approx(float(model8.user_scores(user)[i]), rel=1e-6)
        assert -1.0 <= dp.cosine <= 1.0
        table = dp.table()
        assert list(table["term"]) == [f"factor {f}" for f in range(8)]
        assert table["product"].sum() == pytest.approx(dp.total, rel=1e-6)


def test_dot_product_breakdown_includes_bias_terms(demo):
    model = lessons.lesson_model(demo, factors=4, iterations=3)
    model.item_bias_ = np.linspace(-1, 1, demo.n_items).astype(np.float32)
    model.global_bias_ = 0.5
    dp = lessons.dot_product_breakdown(model, demo.user_ids[3], demo.item_ids[10])
    assert set(dp.biases) == {"item bias", "global mean"}
    assert dp.total == pytest.approx(dp.model_score, rel=1e-5)
    assert dp.total == pytest.approx(dp.products.sum() + sum(dp.biases.values()))
    with pytest.raises(UnknownIdError):
        lessons.dot_product_breakdown(model, "nobody", demo.item_ids[0])


def test_vector_length_tracks_popularity_and_dot_product_favours_it(demo, model8):
    user = demo.user_ids[0]
    effect = lessons.length_effect(model8, demo, user, n=10)
    assert effect.norm_popularity_corr > 0.5
    assert len(effect.by_dot) == 10 and len(effect.by_cosine) == 10
    assert effect.by_dot["popularity"].median() >= effect.by_cosine["popularity"].median()
    seen = set(demo.user_history(user)["item"])
    assert not seen & set(effect.by_dot["item"]) and not seen & set(effect.by_cosine["item"])
    assert list(effect.by_dot["item"]) == list(model8.recommend(user, 10)["item"])
    assert effect.by_cosine["score"].is_monotonic_decreasing


# ---------------------------------------------------------------------------- lesson 3
def test_factor_extremes_are_the_strongest_items_at_both_ends(demo, model8):
    ext = lessons.factor_extremes(model8, demo, n=5)
    assert len(ext) == 8 * 2 * 5
    for f in range(8):
        col = model8.item_factors_[:, f]
        high = ext[(ext["factor"] == f) & (ext["end"] == "high")]["value"].to_numpy()
        low = ext[(ext["factor"] == f) & (ext["end"] == "low")]["value"].to_numpy()
        assert high[0] == pytest.approx(col.max()) and low[0] == pytest.approx(col.min())
        assert np.all(np.diff(high) <= 0) and np.all(np.diff(low) >= 0)


def test_cluster_agreement_is_one_for_perfect_clusters_and_zero_when_shuffled():
    labels = np.repeat(np.array(["a", "b", "c", "d"]), 50)
    vectors = np.eye(4)[np.repeat(np.arange(4), 50)] + 0.01
    ari, shuffled = lessons.cluster_agreement(vectors, labels, seed=0)
    assert ari == pytest.approx(1.0)
    assert abs(shuffled) < 0.05
    with pytest.raises(DataError):
        lessons.cluster_agreement(vectors, np.array(["a"] * 200))


def test_genre_recovery_rises_from_the_shuffled_baseline_on_the_demo(demo):
    rec = lessons.genre_recovery(demo, factor_counts=(2, 16))
    assert list(rec["factors"]) == [2, 16]
    two, sixteen = rec.iloc[0], rec.iloc[1]
    assert sixteen["ari"] > two["ari"] + 0.3
    assert sixteen["ari"] > 0.8
    assert (rec["shuffled_ari"].abs() < 0.05).all()
    assert sixteen["ari"] > sixteen["shuffled_ari"] + 0.5


def test_genre_recovery_says_so_when_there_is_nothing_to_compare_with():
    with pytest.raises(DataError, match="no genres, categories or tags"):
        lessons.genre_recovery(_tiny(categories=False), factor_counts=(2,))


# ---------------------------------------------------------------------------- lesson 4
def test_cooccurrence_counts_match_a_count_by_hand(demo):
    item = lessons.example_item(demo)
    counts = lessons.cooccurrence_counts(demo, item)
    i = demo.item_ids.index(item)
    users_of = pd.Series(demo.user_index).groupby(demo.item_index).agg(set)
    mine = users_of[i]
    for j in (0, 10, 500, int(np.argmax(counts))):
        assert counts[j] == len(mine & users_of.get(j, set())) or j == i
    assert counts[i] == 0


def test_compare_neighbours_lines_up_cosine_and_cooccurrence(demo):
    model = lessons.lesson_model(demo, factors=32)
    item = lessons.example_item(demo)
    cmp = lessons.compare_neighbours(model, demo, item, n=10)
    table = cmp.table
    cos_list = table.dropna(subset=["cosine_rank"]).sort_values("cosine_rank")["item"]
    assert list(cos_list) == list(model.similar_items(item, 10)["item"])
    co = lessons.cooccurrence_counts(demo, item)
    co_list = table.dropna(subset=["cooccurrence_rank"]).sort_values("cooccurrence_rank")
    assert list(co_list["co_users"]) == sorted(co, reverse=True)[:10]
    both = table["found_by"] == "both"
    assert both.sum() == cmp.overlap
    assert (table["cosine_rank"].notna() & table["cooccurrence_rank"].notna()).sum() == cmp.overlap
    assert len(table) == 20 - cmp.overlap
    assert cmp.jaccard == pytest.approx(cmp.overlap / len(table))
    assert item not in set(table["item"])
    # why they differ: co-occurrence favours popular items
    assert cmp.median_popularity["co-occurrence"] > cmp.median_popularity["cosine"]


# ---------------------------------------------------------------------------- lesson 5
def test_projections_report_faithfulness_for_each_method(demo):
    model = lessons.lesson_model(demo, factors=16, iterations=5)
    idx = lessons.popular_items(demo, 300)
    assert len(idx) == 300 and np.all(np.diff(idx) > 0)
    pop = demo.item_popularity
    assert pop[idx].min() >= np.sort(pop)[-300]
    # one OpenMP thread: t-SNE's two threads crawl when the test suite shares the cores
    with threadpool_limits(1):
        maps = lessons.compare_projections(model.item_factors_[idx], methods=("pca", "tsne"))
    assert [m.method for m in maps] == ["pca", "tsne"]
    for m in maps:
        assert m.coords.shape == (300, 2)
        assert 0.0 <= m.trustworthiness <= 1.0 and 0.0 <= m.knn_recall <= 1.0
    # t-SNE keeps local neighbourhoods better than a linear shadow
    assert maps[1].knn_recall > maps[0].knn_recall


# ---------------------------------------------------------------------------- lesson 6
def test_sparsity_lowers_held_out_ndcg_and_genre_recovery(demo):
    full = lessons.sparsity_point(demo, 0.0, factors=16)
    sparse = lessons.sparsity_point(demo, 0.8, factors=16)
    assert sparse["train_interactions"] < 0.3 * full["train_interactions"]
    assert sparse["ndcg"] < full["ndcg"]
    assert sparse["ari"] < full["ari"]
    assert full["label_source"] == lessons.PLANTED
    again = lessons.sparsity_point(demo, 0.8, factors=16)
    assert again == sparse
    with pytest.raises(ModelConfigError):
        lessons.sparsity_point(demo, 1.0)


def test_sparsity_curve_has_a_row_per_share():
    curve = lessons.sparsity_curve(_tiny(), [0.0, 0.5], factors=2, iterations=2)
    assert list(curve["drop_share"]) == [0.0, 0.5]
    assert curve["train_interactions"].is_monotonic_decreasing


def test_fold_in_places_a_new_user_from_three_items(demo, model8):
    picks = lessons.default_fold_in_items(demo)
    labels, _ = lessons.reference_labels(demo)
    idx = demo.item_ids.indices(picks)
    assert len(picks) == 3 and len(set(labels[idx])) == 1
    fold = lessons.fold_in_user(model8, demo, picks, n=5)
    expected = model8.fold_in(Profile.of_items(model8, picks))
    np.testing.assert_allclose(fold.vector, expected, rtol=1e-6)
    assert len(fold.recommendations) == 5
    assert not set(picks) & set(fold.recommendations["item"])
    assert fold.nearest_label == labels[idx][0]
    with pytest.raises(ModelConfigError):
        lessons.fold_in_user(model8, demo, [])


# ---------------------------------------------------------------------------- figures
def _json(fig) -> str:
    return json.dumps(fig.to_plotly_json(), default=str)


def test_every_lesson_figure_builds_on_the_demo(demo, model8, space):
    user = demo.user_ids[0]
    figs = [
        viz.factor_space_figure(space),
        viz.factor_space_figure(space, show_users=False),
        viz.dot_product_figure(lessons.dot_product_breakdown(model8, user, demo.item_ids[1])),
        viz.length_figure(lessons.length_effect(model8, demo, user)),
        viz.factor_ends_figure(lessons.factor_extremes(model8, demo), 3),
        viz.recovery_figure(pd.DataFrame({"factors": [2, 8], "ari": [0.2, 0.9],
                                          "shuffled_ari": [0.0, 0.0]}), "planted genre", 8),
        viz.neighbours_figure(lessons.compare_neighbours(model8, demo, demo.item_ids[3]).table),
        viz.sparsity_figure(pd.DataFrame({"drop_share": [0.0, 0.5], "ndcg": [0.3, 0.2],
                                          "ari": [0.9, 0.5]}), 0.5),
        viz.fold_in_figure(space, lessons.fold_in_user(space.model, demo,
                                                       lessons.default_fold_in_items(demo))),
    ]
    for fig in figs:
        assert len(fig.data) >= 1
    users_trace = figs[0].data[0]
    assert users_trace.name.startswith("users")
    np.testing.assert_allclose(users_trace.x, space.users["x"] * space.user_scale)


def test_figures_escape_titles_and_labels():
    ds = _tiny()
    model = lessons.lesson_model(ds, factors=2, iterations=3)
    space = lessons.two_factor_space(ds, model=model)
    raw = "<script>"
    figs = [
        viz.factor_space_figure(space),
        viz.factor_ends_figure(lessons.factor_extremes(model, ds, n=15), 0),
        viz.neighbours_figure(lessons.compare_neighbours(model, ds, "i1", n=29).table),
        viz.length_figure(lessons.length_effect(model, ds, "u0", n=29)),
    ]
    for fig in figs:
        text = _json(fig)
        assert raw not in text and "<i>cat" not in text
        assert "&lt;script&gt;" in text or "&lt;i&gt;cat" in text
