from __future__ import annotations

import numpy as np
import pytest

from recsys.errors import DataError
from recsys.explain.filters import all_categories, allowed_mask, popularity_cap
from tests._rec_models import demo, fitted


def test_allowed_mask_include_exclude_and_cap():
    ds = demo()
    assert allowed_mask(ds) is None
    cats = ds.items["categories"]
    mask = allowed_mask(ds, ["Horror", "Western"], ["Comedy"], max_popularity=50)
    expected = np.array(
        [
            bool({"Horror", "Western"} & set(c)) and "Comedy" not in c and p <= 50
            for c, p in zip(cats, ds.item_popularity, strict=True)
        ]
    )
    assert mask.sum() > 0 and (mask == expected).all()
    assert "Horror" in all_categories(ds)
    with pytest.raises(DataError, match="Unknown category"):
        allowed_mask(ds, ["Nope"])


def test_popularity_cap_hides_the_top_share():
    ds = demo()
    cap = popularity_cap(ds, 0.1)
    share_hidden = np.mean(ds.item_popularity > cap)
    assert 0.05 <= share_hidden <= 0.1
    recs = fitted("popular").recommend(
        ds.user_ids[0], n=10, allowed=allowed_mask(ds, max_popularity=cap)
    )
    assert (ds.item_popularity[ds.item_ids.indices(recs["item"])] <= cap).all()
