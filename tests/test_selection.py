"""Selections: items table, category lift, top users, items recommended to them."""

from __future__ import annotations

import numpy as np
import pytest

from recsys.data.demo import load_demo
from recsys.maps.embedding_set import EmbeddingSet
from recsys.maps.embeddings_io import import_embeddings, projector_zip
from recsys.maps.selection import category_mix, summarise_selection
from recsys.models.registry import create_model


@pytest.fixture(scope="module")
def es():
    ds = load_demo()
    return EmbeddingSet.from_model(create_model("svd").fit(ds), ds)


def test_selecting_one_genre_gives_a_high_lift_for_it(es):
    genre = es.items["planted_genre"].to_numpy()
    chosen = np.flatnonzero(genre == "Western")[:40]
    mix = category_mix(es, chosen)
    top = mix.iloc[0]
    assert top["category"] == "Western"
    assert top["lift"] > 5
    assert top["share_selected"] == pytest.approx(1.0)


def test_summary_tables(es):
    chosen = np.flatnonzero(es.items["planted_genre"].to_numpy() == "Horror")[:30]
    s = summarise_selection(es, chosen)
    assert len(s.items) == 30 and set(s.items["item_id"]) == set(es.item_ids.to_external(chosen))
    assert s.items["popularity"].is_monotonic_decreasing
    assert len(s.top_users) == 20 and s.top_users["selected_items"].is_monotonic_decreasing
    # those users' histories really contain the selected items
    u = es.user_ids.index(s.top_users["user_id"].iloc[0])
    seen = set(es.user_items[u].indices)
    assert len(seen & set(chosen)) == s.top_users["selected_items"].iloc[0]
    # the recommendations exclude what each of those users has seen and lean to Horror
    assert len(s.recommended) > 0
    rec_idx = es.item_ids.indices(s.recommended["item_id"])
    genres = es.items["planted_genre"].to_numpy()[rec_idx]
    assert (genres == "Horror").mean() > 0.5
    assert not s.notes


def test_imported_embeddings_without_interactions_still_summarise(es):
    imported = import_embeddings([("e.zip", projector_zip(es))])
    s = summarise_selection(imported, np.arange(10))
    assert len(s.items) == 10 and len(s.category_mix) > 0
    assert s.notes  # says why users are missing
