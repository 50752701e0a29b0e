"""The Data page's profile figures: built from a Dataset, titles escaped in hover text."""

from __future__ import annotations

import numpy as np

from recsys.data import load_upload
from recsys.data.demo import load_demo
from recsys.viz import data_profile


def test_demo_profile_figures():
    ds = load_demo()
    pop = data_profile.popularity_long_tail(ds)
    assert pop.layout.xaxis.type == "log" and pop.layout.yaxis.type == "log"
    assert list(pop.data[0].y) == sorted(pop.data[0].y, reverse=True)  # ranked, most popular first
    act = data_profile.user_activity_histogram(ds)
    assert sum(act.data[0].y) == ds.n_users
    ratings = data_profile.rating_distribution(ds)
    assert list(ratings.data[0].x) == ["1", "2", "3", "4", "5"]
    assert sum(ratings.data[0].y) == ds.n_interactions
    over_time = data_profile.interactions_over_time(ds)
    assert over_time is not None and sum(over_time.data[0].y) == ds.n_interactions
    cats = data_profile.category_counts(ds)
    assert cats is not None and len(cats.data[0].y) == 12


def test_titles_are_escaped_in_hover_and_missing_parts_are_none():
    rows = "user,item,title\n" + "".join(f"u{k},i{k % 4},<b>T{k % 4}</b>\n" for k in range(20))
    ds = load_upload("x.csv", rows.encode())
    pop = data_profile.popularity_long_tail(ds)
    assert all("<b>" not in t and "&lt;b&gt;" in t for t in pop.data[0].customdata)
    assert data_profile.interactions_over_time(ds) is None  # no time column
    assert data_profile.category_counts(ds) is None
    values = data_profile.rating_distribution(ds)
    assert list(values.data[0].y) == [20]  # implicit: every row counts once


def test_implicit_weights_histogram():
    rng = np.random.default_rng(0)
    rows = "user,item,plays\n" + "".join(
        f"u{k % 30},i{k % 17},{int(rng.integers(1, 5000))}\n" for k in range(300)
    )
    ds = load_upload("plays.csv", rows.encode())
    fig = data_profile.rating_distribution(ds)
    assert fig.layout.xaxis.type == "log" and sum(fig.data[0].y) == ds.n_interactions
