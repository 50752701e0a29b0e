"""From rows to a Dataset: ids, feedback, duplicates, filters, time window, metadata, warnings."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from recsys.data import BuildOptions, load_upload
from recsys.errors import DataError
from tests.data.conftest import zip_bytes


def _load(text: str, name: str = "x.csv", **options):
    return load_upload(
        name, text.encode("utf-8"), options=BuildOptions(**options) if options else None
    )


def test_ids_are_exact_strings_007_is_not_7():
    ds = _load("user,item\n001,007\n001,7\n1,7\n1,07\n")
    assert sorted(ds.item_ids.ids) == ["007", "07", "7"]
    assert sorted(ds.user_ids.ids) == ["001", "1"]
    assert ds.user_history("001")["item"].tolist().count("007") == 1


def test_huge_and_unicode_ids():
    big, bigger = str(2**63 - 1), str(2**63)
    ds = _load(f"user,item\n{big},東京\n{bigger},東京\n{big},Zürich 🎬\n")
    assert big in ds.user_ids and bigger in ds.user_ids
    assert ds.user_ids.index(big) != ds.user_ids.index(bigger)
    assert "Zürich 🎬" in ds.item_ids and "東京" in ds.item_ids


def test_explicit_ratings_scale_detected():
    ds = _load("user,item,rating\na,x,0.5\na,y,5\nb,x,3.5\n")
    assert ds.feedback == "explicit" and ds.rating_scale == (0.5, 5.0)


def test_counts_are_implicit():
    ds = _load("user,item,plays\na,x,120\na,y,3\nb,x,47\n")
    assert ds.feedback == "implicit" and ds.rating_scale is None
    ds = _load("user,item\na,x\na,y\nb,x\n")
    assert ds.feedback == "implicit" and np.all(ds.values == 1)


def test_feedback_can_be_forced():
    ds = _load("user,item,rating\na,x,1\na,y,5\nb,x,3\n", feedback="implicit")
    assert ds.feedback == "implicit"


def test_duplicates_keep_latest_rating_and_sum_counts():
    ds = _load("user,item,rating,timestamp\na,x,1,300\na,x,5,200\na,y,3,100\nb,x,2,100\n")
    assert ds.user_history("a").set_index("item").loc["x", "value"] == 1  # the latest (t=300)
    assert any("kept the latest rating" in s for s in ds.report["steps"])
    assert "latest" in ds.report["duplicates_policy"]
    ds = _load("user,item,clicks\na,x,1\na,x,2\na,y,3\nb,x,2\n")
    assert ds.user_history("a").set_index("item").loc["x", "value"] == 3  # summed
    assert any("added up" in s for s in ds.report["steps"])
    ds = _load(
        "user,item,rating,timestamp\na,x,1,300\na,x,5,200\na,y,3,100\nb,x,2,100\n",
        duplicates="first",
    )
    assert ds.user_history("a").set_index("item").loc["x", "value"] == 5  # the earliest (t=200)


def test_binarise_threshold():
    ds = _load("user,item,rating\na,x,5\na,y,2\nb,x,4\nb,z,4.5\n", binarize_threshold=4)
    assert ds.n_interactions == 3 and ds.feedback == "implicit" and np.all(ds.values == 1)
    assert any("Binarised" in s for s in ds.report["steps"])


def test_min_interactions_iterated_until_stable():
    # dropping item z (1 user) leaves user c with 1 item, which must then go too
    rows = "user,item\na,x\na,y\nb,x\nb,y\nc,x\nc,z\n"
    ds = _load(rows, min_user_interactions=2, min_item_interactions=2)
    assert sorted(ds.user_ids.ids) == ["a", "b"] and sorted(ds.item_ids.ids) == ["x", "y"]
    step = next(s for s in ds.report["steps"] if s.startswith("Minimum"))
    assert "until stable" in step and "dropped 1 user, 1 item" in step


def test_single_interaction_warning_in_plain_words():
    rows = (
        "user,item\n"
        + "".join(f"u{k},i{k % 3}\n" for k in range(212))
        + "".join(f"v{k},i1\nv{k},i2\n" for k in range(5))
    )
    ds = _load(rows)
    assert "212 users have one interaction" in " ".join(ds.report["warnings"])
    ds = _load(rows, min_user_interactions=2)
    assert "212 users have one interaction; the filter drops them." in ds.report["warnings"]
    assert ds.n_users == 5


def test_time_window_and_time_formats():
    rows = "user,item,when\na,x,2024-01-05\na,y,2024-03-01\nb,x,2024-02-10 12:00\nb,y,2024-06-01\n"
    ds = _load(rows, start="2024-02-01", end="2024-03-01")
    assert ds.n_interactions == 2 and ds.has_timestamps
    ms = _load("user,item,ts\na,x,1700000000000\nb,y,1700000100000\na,y,1700000200000\n")
    assert ms.timestamps.min() == 1700000000  # milliseconds become seconds


def test_text_in_time_column_is_an_error():
    with pytest.raises(DataError, match="not a time on line 2"):
        _load("user,item,timestamp\na,x,soon\nb,y,later\na,y,never\n")


def test_single_user_or_single_item_is_too_little():
    with pytest.raises(DataError, match="Only 1 user is left.*at least 2 users and 2 items"):
        _load("user,item\na,x\na,y\na,z\n")
    with pytest.raises(DataError, match="Only 1 item is left"):
        _load("user,item\na,x\nb,x\nc,x\n")
    with pytest.raises(DataError, match="after the filters"):
        _load("user,item\na,x\nb,y\n", min_user_interactions=2)


def test_empty_ids_are_skipped_and_counted():
    ds = _load("user,item\na,x\n,y\nb,\nb,x\na,y\n")
    assert ds.n_interactions == 3
    assert any("2 rows" in w and "skipped" in w for w in ds.report["warnings"])


def test_metadata_that_matches_nothing_is_reported():
    ratings = b"user_id,item_id,rating\nu1,1,5\nu1,2,3\nu2,1,4\n"
    items = b"item_id,title\n001,One\n002,Two\n"
    ds = load_upload("m.zip", zip_bytes({"ratings.csv": ratings, "items.csv": items}))
    warning = " ".join(ds.report["warnings"])
    assert "None of the 2 rows in items.csv" in warning and "'007' and '7' differ" in warning
    assert list(ds.titles) == ["1", "2"]  # ids stand in for titles
    assert len(ds.cold_items) == 2


def test_html_titles_stay_literal_text():
    ratings = b"user_id,item_id\nu1,a\nu1,b\nu2,a\n"
    items = b'item_id,title\na,<script>alert(1)</script>\nb,"<img src=x onerror=alert(1)>"\n'
    ds = load_upload("x.zip", zip_bytes({"ratings.csv": ratings, "items.csv": items}))
    assert dict(zip(ds.items["item_id"], ds.titles, strict=True)) == {
        "a": "<script>alert(1)</script>",
        "b": "<img src=x onerror=alert(1)>",
    }


def test_title_columns_in_the_interactions_file():
    ds = _load(
        "user,item,title,genres\na,x,Film X,Drama|War\nb,x,Film X,Drama|War\na,y,Film Y,Comedy\n"
    )
    by_id = ds.items.set_index("item_id")
    assert by_id.loc["x", "title"] == "Film X" and by_id.loc["x", "categories"] == ["Drama", "War"]


def test_fingerprint_is_stable_and_sensitive():
    rows = "user,item,rating\na,x,5\na,y,3\nb,x,4\n"
    assert _load(rows).fingerprint == _load(rows).fingerprint
    assert _load(rows).fingerprint != _load(rows.replace("b,x,4", "b,x,2")).fingerprint
    assert _load(rows).stats()["users"] == 2


def test_decimal_comma_ratings():
    ds = _load("user;item;rating\na;x;4,5\na;y;3,0\nb;x;2,5\n")
    assert sorted(ds.values.tolist()) == [2.5, 3.0, 4.5]


def test_bad_time_window_date_is_a_clear_error():
    with pytest.raises(DataError, match="YYYY-MM-DD"):
        _load("user,item,timestamp\na,x,1700000000\nb,y,1700000001\n", start="last tuesday")


def test_history_order_says_what_it_is():
    from recsys.data.dataset import Dataset

    frame = pd.DataFrame(
        {"user": ["a", "a", "a", "b"], "item": ["x", "y", "z", "x"], "value": [3.0, 5.0, 3.0, 1.0]}
    )
    by_value = Dataset.from_frame(frame)
    assert by_value.history_order.startswith("highest value first (no time column")
    assert by_value.user_history("a")["item"].tolist() == ["y", "x", "z"]  # ties: file order
    plain = Dataset.from_frame(frame.drop(columns="value"))
    assert plain.history_order == "in file order (no time column)"
    assert plain.user_history("a")["item"].tolist() == ["x", "y", "z"]
    timed = Dataset.from_frame(frame.assign(timestamp=[30, 10, 20, 5]))
    assert timed.history_order == "newest first"
    assert timed.user_history("a")["item"].tolist() == ["x", "z", "y"]
