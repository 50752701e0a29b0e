"""What the Learn page says (recsys.lesson_plan), checked against real lesson results: the
demo (planted genres), a music-like catalogue with tags only, and data with no item groups."""

from __future__ import annotations

import pandas as pd
import pytest

from benchmarks.synthetic import synthetic_dataset
from recsys import lesson_plan as plan
from recsys import lessons
from recsys.data.dataset import Dataset
from recsys.data.demo import load_demo


@pytest.fixture(scope="module")
def demo() -> Dataset:
    return load_demo()


@pytest.fixture(scope="module")
def tagged() -> Dataset:
    return synthetic_dataset(n_items=400, n_users=120, per_user=12, n_scenes=6, n_tags=30)


@pytest.fixture(scope="module")
def plain() -> Dataset:
    rows = [(f"u{u}", f"i{(u * 7 + k) % 40}") for u in range(60) for k in range(8)]
    return Dataset.from_frame(pd.DataFrame(rows, columns=["user", "item"]), name="plain")


def _words(ds: Dataset) -> lessons.LabelWords:
    return lessons.label_words(lessons.reference_labels(ds)[1])


def _all_text(texts) -> str:
    return " ".join(f"{t.title} {t.body} {t.prompt}" for t in texts)


def test_six_lessons_in_tab_order_each_with_a_paragraph_and_a_prompt(demo):
    texts = plan.lessons_for(_words(demo))
    assert [t.tab for t in texts] == [
        "1 Embeddings", "2 Dot products", "3 Factors", "4 Neighbours", "5 Projections",
        "6 Sparsity",
    ]  # fmt: skip
    assert all(t.title and len(t.body) > 100 and len(t.prompt) > 50 for t in texts)
    assert f"({plan.SHARED_FACTORS} here)" in texts[4].body


def test_prompts_name_the_groups_the_data_has(demo, tagged, plain):
    genres = plan.lessons_for(_words(demo))
    assert "watch the genres pull apart" in genres[0].prompt
    assert "the genres the demo secretly planted" in genres[2].body
    assert "(ARI)" in genres[5].body

    tags = plan.lessons_for(_words(tagged))
    assert "genre" not in _all_text(tags).lower()
    assert "watch the tags pull apart" in tags[0].prompt
    assert "each item's most used tag" in tags[2].body
    assert all("tag" in tags[i].prompt for i in (0, 1, 2, 5))

    bare = plan.lessons_for(_words(plain))
    prompts = " ".join(t.prompt for t in bare).lower()
    assert "genre" not in prompts and "tag" not in prompts and "colour" not in prompts
    assert "(ARI)" not in bare[5].body and "NDCG@10" in bare[5].body


def test_the_factors_paragraph_reads_whole_on_data_without_groups(plain):
    body = plan.lessons_for(_words(plain))[2].body
    assert body.startswith("Nobody names the factors")  # not a sentence cut in half
    assert "look at the items at its two ends" in body
    assert "needs genres, categories or tags" in body


def test_labels_note_says_where_colours_come_from(demo, tagged, plain):
    assert plan.labels_note(lessons.reference_labels(demo)[1]) is None
    assert "most used tag" in plan.labels_note(lessons.reference_labels(tagged)[1])
    assert "not coloured" in plan.labels_note(lessons.reference_labels(plain)[1])


def test_user_scale_note_only_when_users_are_drawn_rescaled(demo):
    space = lessons.two_factor_space(demo, *plan.FACTOR_SPACE_DEFAULTS, seed=plan.SEED)
    assert abs(space.user_scale - 1) >= plan.SCALE_TOLERANCE  # ALS puts users further out
    assert f"multiplied by {space.user_scale:.3g}" in plan.user_scale_note(space.user_scale)
    assert plan.user_scale_note(1.02) is None


def test_dot_product_and_popularity_notes_quote_the_real_numbers(demo):
    model = lessons.lesson_model(demo, factors=8, seed=plan.SEED)
    user = str(demo.user_ids.ids[0])
    effect = lessons.length_effect(model, demo, user)
    dp = lessons.dot_product_breakdown(model, user, str(effect.by_dot["item"].iloc[0]))
    note = plan.dot_product_note(dp)
    assert note.startswith("Sum of the 8 products: ")
    total, score = (float(part.split(":")[1].split()[0].rstrip(".")) for part in
                    note.split(". The model's score for this pair"))  # fmt: skip
    assert total == pytest.approx(score, abs=1e-4)  # "the same number" holds
    pop = plan.popularity_note(effect)
    dot, cos = (float(s.split()[0].replace(",", "")) for s in
                pop.removeprefix("Median popularity: ").split(" by dot product vs "))  # fmt: skip
    assert dot == effect.by_dot["popularity"].median()
    assert dot >= cos  # the lesson's point: plain dot products favour popular items


def test_neighbour_metrics_count_the_overlap(demo):
    model = lessons.lesson_model(demo, factors=16, seed=plan.SEED)
    cmp = lessons.compare_neighbours(model, demo, lessons.example_item(demo), 10)
    rows = dict(plan.neighbour_metrics(cmp))
    assert rows["In both lists"] == f"{cmp.overlap} of 10"
    assert list(rows) == [
        "In both lists", "Median popularity, cosine", "Median popularity, co-occurrence",
    ]  # fmt: skip


def test_projection_note_names_what_is_missing_or_sampled():
    assert "UMAP is warming up" in plan.projection_note(["pca", "tsne"], 500)
    assert plan.projection_note(["pca", "tsne", "umap"], 500) is None
    assert plan.projection_note(["pca", "tsne", "umap"], 18_596) == (
        f"The {plan.PROJECTION_POINTS:,} most popular items are shown."
    )


def test_drop_shares_add_the_chosen_share_once():
    assert plan.drop_shares(0.4) == plan.DROP_GRID
    assert plan.drop_shares(0.3) == [0.0, 0.2, 0.3, 0.4, 0.6, 0.8, 0.9]


def test_sparsity_metrics_report_the_loss_and_only_label_recovery_with_labels(demo, plain):
    words = _words(demo)
    curve = lessons.sparsity_curve(demo, [0.0, 0.8], factors=16, iterations=8, seed=plan.SEED)
    rows = plan.sparsity_metrics(curve, 0.8, words)
    assert [r[0] for r in rows] == ["Training interactions", "NDCG@10", "Genre recovery (ARI)"]
    assert rows[0][2] is None
    assert int(rows[0][1].replace(",", "")) < demo.n_interactions * 0.4
    assert rows[1][2].startswith("-")  # dropping 80% of the data costs ranking quality
    assert float(rows[2][1]) == pytest.approx(curve["ari"].iloc[1], abs=0.005)
    no_labels = plan.sparsity_metrics(curve, 0.8, _words(plain))
    assert [r[0] for r in no_labels] == ["Training interactions", "NDCG@10"]
