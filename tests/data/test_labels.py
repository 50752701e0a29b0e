"""What describes items in the Recommend tables: categories, else tags, else nothing (no empty
column). Real datasets: the demo (categories), a Last.fm-shaped log (tags only), a bare frame."""

from __future__ import annotations

import pandas as pd

from app_ui.recommend_panels import recommendation_table
from recsys.data.dataset import Dataset
from recsys.data.demo import load_demo
from recsys.models.registry import create_model
from tests.lastfm_like import lastfm_like_dataset


def test_categories_describe_the_demos_items():
    ds = load_demo()
    assert ds.label_column == "categories"
    first = list(ds.items["categories"].iloc[0])
    assert first and ds.label_texts([0]) == [", ".join(first)]


def test_a_log_with_tags_only_is_described_by_its_first_tags():
    ds = lastfm_like_dataset()
    assert not any(len(c) for c in ds.items["categories"])
    assert ds.label_column == "tags"
    tagged = next(i for i, t in enumerate(ds.items["tags"]) if len(t) > 3)
    (text,) = ds.label_texts([tagged])
    assert text == ", ".join(list(ds.items["tags"].iloc[tagged])[:3])


def test_bare_interactions_have_no_label_column():
    frame = pd.DataFrame({"user": ["a", "a", "b", "b"], "item": ["x", "y", "x", "z"]})
    ds = Dataset.from_frame(frame)
    assert ds.label_column is None
    assert ds.label_texts([0, 1]) == ["", ""]


def test_recommendation_table_shows_tags_or_nothing_instead_of_empty_categories():
    ds = lastfm_like_dataset()
    model = create_model("als", factors=8, iterations=3).fit(ds)
    user = str(model.user_ids_.ids[0])
    table = recommendation_table(ds, model, model.recommend(user, n=5))
    assert "tags" in table.columns and "categories" not in table.columns
    assert table["tags"].str.len().gt(0).any()
    bare = Dataset.from_frame(pd.DataFrame({"user": list("aabbcc"), "item": list("xyxzyz")}))
    pop = create_model("popular").fit(bare)
    table = recommendation_table(bare, pop, pop.recommend("a", n=2))
    assert list(table.columns) == ["rank", "title", "score", "users"]
