"""Support-aware maps, metadata coherence, clusters of the map named with support, images."""

from __future__ import annotations

import re
import shutil

import numpy as np
import pandas as pd
import pytest

from recsys.maps.clusters import NOISE, cluster_embeddings, name_clusters
from recsys.maps.quality import main_labels, metadata_coherence, support_floor, support_of
from recsys.viz import map as vmap


def _blobs(n_per: int = 60, k: int = 4, seed: int = 0):
    rng = np.random.default_rng(seed)
    centres = rng.normal(scale=20, size=(k, 2))
    coords = np.vstack([c + rng.normal(size=(n_per, 2)) for c in centres])
    genre = np.repeat(np.arange(k), n_per)
    return coords, genre


# ---------------------------------------------------------------------- support
def test_floor_cuts_a_long_tail_and_hides_nothing_without_one():
    tail = np.concatenate([np.ones(7000), np.full(2000, 2), np.arange(5, 1005)])
    assert support_floor(tail, 5) == 5 and support_floor(tail) == 15
    s = support_of(tail)
    assert s.n_supported == 990 and not s.complete
    assert "Showing the 990 of 10,000 items with at least 15 interactions" in s.note(False)
    assert support_of(tail, "users").floor == 10
    assert "drawn small and faint" in s.note(True)
    no_tail = np.arange(20, 400)
    assert support_of(no_tail).complete
    assert "All 380 items" in support_of(no_tail).note(False)


def test_floor_is_lowered_to_keep_enough_points():
    few = np.concatenate([np.ones(1000), np.full(50, 3), np.full(10, 40)])
    assert support_floor(few, min_shown=300) == 1  # 60 points above 1 is not enough: show all
    assert support_floor(few, min_shown=60) == 3


# ---------------------------------------------------------------------- coherence
def test_coherence_lift_is_high_for_a_map_that_groups_categories_and_one_for_noise():
    coords, genre = _blobs()
    cats = [[f"g{g}"] for g in genre]
    good = metadata_coherence(coords, cats, k=10)
    assert good.share > 0.95 and good.baseline == pytest.approx(59 / 239)
    assert good.lift > 3.5 and good.label == "category"
    shuffled = np.random.default_rng(1).permutation(len(cats))
    noise = metadata_coherence(coords, [cats[i] for i in shuffled], k=10)
    assert 0.6 < noise.lift < 1.4


def test_main_label_is_the_rarest_category_else_the_first_tag():
    main, _, kind = main_labels([["Drama", "Film-Noir"], ["Drama"], ["Drama", "Comedy"]])
    assert kind == "category" and list(main) == ["Film-Noir", "Drama", "Comedy"]
    main, _, kind = main_labels([[], []], [["rock", "seen live"], []])
    assert kind == "tag" and list(main) == ["rock", None]
    assert main_labels([[]], [[]])[2] is None


def test_coherence_uses_tags_when_there_are_no_categories():
    coords, genre = _blobs()
    tags = [[f"t{g}", "favorites"] for g in genre]
    c = metadata_coherence(coords, [[] for _ in genre], tags)
    assert c.label == "tag" and c.lift > 3.5
    assert "main tag" in c.note


# ---------------------------------------------------------------------- clusters
def test_map_clusters_are_the_islands_named_from_tags_with_support():
    coords, genre = _blobs()
    vectors = np.random.default_rng(0).normal(size=(len(genre), 8))  # not used for map clusters
    items = pd.DataFrame(
        {
            "title": [f"a{i}" for i in range(len(genre))],
            "categories": [[] for _ in genre],
            "tags": [[f"t{g}", "seen live"] for g in genre],
        }
    )
    result = cluster_embeddings(vectors, items, "map", min_cluster_size=20, coords=coords)
    assert result.space == "map" and result.n_clusters == 4
    assert result.silhouette > 0.8  # measured where the clusters were made: on the map
    named = result.summary[result.summary.cluster != NOISE]
    assert sorted(named["name"]) == ["t0", "t1", "t2", "t3"]
    assert (named["support"] == 1.0).all()
    with pytest.raises(Exception, match="coordinates"):
        cluster_embeddings(vectors, items, "map")


def test_a_cluster_without_a_clear_term_is_named_by_its_best_supported_one():
    labels = np.array([0] * 10 + [1] * 10)
    tags = [["rock"] if i < 3 else [] for i in range(10)] + [["pop"]] * 10
    items = pd.DataFrame(
        {"title": [f"x{i}" for i in range(20)], "categories": [[]] * 20, "tags": tags}
    )
    names, terms, support = name_clusters(labels, items)
    assert names[1] == "pop" and support[1] == 1.0
    # 30% of cluster 0 carry "rock": above the tag threshold (15%), so a plain name
    assert names[0] == "rock" and support[0] == pytest.approx(0.3)
    tags[0:3] = [["rock"], [], []]
    items["tags"] = tags
    names, _, support = name_clusters(labels, items)
    assert names[0] == "mostly rock" and support[0] == pytest.approx(0.1)
    assert not any(re.fullmatch(r"cluster \d+", n) for n in names.values())


# ---------------------------------------------------------------------- figures
def test_low_support_points_are_drawn_smaller_and_fainter_not_dropped():
    coords, genre = _blobs()
    weak = np.zeros(len(genre), dtype=bool)
    weak[::3] = True
    colouring = vmap.colour_by_labels([f"g{g}" for g in genre], "genre")
    fig, _ = vmap.map_figure(
        coords, colouring, np.asarray(["x"] * len(genre), dtype=object), weak=weak, density=True
    )
    points = [t for t in fig.data if t.type in ("scatter", "scattergl")]
    assert sum(len(t.x) for t in points) == len(genre)
    opacity = np.concatenate([np.atleast_1d(t.marker.opacity) for t in points])
    size = np.concatenate([np.atleast_1d(t.marker.size) for t in points])
    assert opacity.min() == vmap.WEAK_OPACITY and opacity.max() == vmap.OPACITY
    assert size.min() < size.max()
    assert fig.data[0].type == "histogram2dcontour"  # density under the points


@pytest.mark.slow
@pytest.mark.skipif(
    not (shutil.which("chromium") or shutil.which("google-chrome")),
    reason="plotly's image export (kaleido) needs Chromium: apt-get install -y chromium",
)
def test_download_map_as_image_png_and_svg_hold_the_cluster_names(tmp_path):
    from PIL import Image

    coords, genre = _blobs(n_per=30)
    names = {g: f"Cluster <{g}> rock" for g in range(4)}
    fig, _ = vmap.map_figure(
        coords,
        vmap.colour_by_labels([names[g] for g in genre], "cluster"),
        np.asarray(["x"] * len(genre), dtype=object),
        labels_at=vmap.cluster_centres(coords, genre, names),
        title="ALS “als” on Last.fm-like · Items · UMAP 2-D",
    )
    static = vmap.static_figure(fig, "4 clusters")
    png = tmp_path / "map.png"
    png.write_bytes(vmap.export_image(static, "png", width=1000, height=700))
    with Image.open(png) as img:
        assert img.format == "PNG" and img.size == (2000, 1400)
    svg = vmap.export_image(static, "svg", width=1000, height=700).decode("utf-8")
    import xml.etree.ElementTree as ET

    root = ET.fromstring(svg)
    text = " ".join("".join(el.itertext()) for el in root.iter() if el.tag.endswith("text"))
    for name in names.values():
        assert name in text  # labelled clusters (escaped for plotly, shown literally)
    assert "Last.fm-like" in text and "4 clusters" in text
    assert "scattergl" not in svg  # real vector points in the SVG


# ---------------------------------------------------------------------- tags where categories are
def test_tags_stand_in_for_categories_in_selections_colours_and_favourites():
    import scipy.sparse as sp

    from recsys.data.dataset import IdMap
    from recsys.maps.embedding_set import EmbeddingSet
    from recsys.maps.selection import summarise_selection
    from recsys.viz import map_view as mv

    n = 6
    items = pd.DataFrame(
        {
            "item_id": [str(i) for i in range(n)],
            "title": [f"artist {i}" for i in range(n)],
            "categories": [[] for _ in range(n)],
            "tags": [["rock", "seen live"]] * 3 + [["jazz"]] * 3,
        }
    )
    user_items = sp.csr_matrix(np.array([[5, 3, 1, 0, 0, 0], [0, 0, 1, 4, 4, 9]], dtype=np.float32))
    es = EmbeddingSet(
        "tags",
        IdMap(items["item_id"].to_numpy(), "item"),
        np.random.default_rng(0).normal(size=(n, 4)).astype(np.float32),
        items,
        popularity=np.asarray((user_items > 0).sum(axis=0)).ravel(),
        user_ids=IdMap(np.array(["u1", "u2"]), "user"),
        user_vectors=np.random.default_rng(1).normal(size=(2, 4)).astype(np.float32),
        user_items=user_items,
    )
    assert es.label_kind == "tag"
    summary = summarise_selection(es, np.array([0, 1, 2]))
    assert summary.category_mix.columns[0] == "tag"
    assert summary.category_mix.iloc[0]["tag"] in ("rock", "seen live")
    assert not any("no categories" in note for note in summary.notes)
    assert mv.TAG in mv.colour_options(es, "items")
    assert list(mv.colouring_for(es, "items", mv.TAG).values[:4]) == ["rock"] * 3 + ["jazz"]
    assert list(es.favourite_categories) == ["rock", "jazz"]
    assert mv.CLUSTER in mv.colour_options(es, "users")
    frame = mv.cluster_frame(es, "users")
    assert list(frame["categories"]) == [["rock"], ["jazz"]]
    # hover labels: written for the drawn points only, with tags where categories would be
    hover = mv.hover_for(es, "items", np.array([4, 0]))
    assert len(hover) == 2 and "artist 4" in hover[0] and "jazz" in hover[0]
    assert "rock, seen live" in hover[1]
    joint = mv.hover_for(es, "joint", np.array([1, n + 1, 5]))  # items first, then users
    assert "artist 1" in joint[0] and "user u2" in joint[1] and "artist 5" in joint[2]
    assert "mostly jazz" in joint[1]


def test_an_items_hover_lists_at_most_a_few_tags():
    from recsys.data.dataset import IdMap
    from recsys.maps.embedding_set import EmbeddingSet
    from recsys.viz import map_view as mv

    tags = [f"tag{j}" for j in range(mv.HOVER_TAGS + 3)]
    items = pd.DataFrame({"item_id": ["a"], "title": ["A"], "categories": [[]], "tags": [tags]})
    es = EmbeddingSet("t", IdMap(np.array(["a"]), "item"), np.ones((1, 2), np.float32), items)
    (text,) = mv.hover_for(es, "items", np.array([0]))
    assert f"tag{mv.HOVER_TAGS - 1}" in text and f"tag{mv.HOVER_TAGS}" not in text


def test_a_users_map_draws_a_seeded_sample_above_the_cap_and_says_so(monkeypatch):
    from recsys.data.demo import load_demo
    from recsys.maps.embedding_set import EmbeddingSet
    from recsys.models.registry import create_model
    from recsys.viz import map_view as mv

    ds = load_demo()
    es = EmbeddingSet.from_model(create_model("svd", factors=8).fit(ds), ds, name="svd")
    full, _ = mv.shown_points(es, "users", show_all=False)
    assert not any("random sample" in n for n in mv.support_notes(es, "users", False))
    monkeypatch.setattr(mv, "MAX_MAP_USERS", 300)
    users, _ = mv.shown_points(es, "users", show_all=False)
    assert len(users) == 300 and set(users) <= set(full)
    again, _ = mv.shown_points(es, "users", show_all=False)
    assert np.array_equal(users, again)  # the same sample on every visit
    joint, weak = mv.shown_points(es, "joint", show_all=True)
    assert (joint < es.n_items).sum() == es.n_items and (joint >= es.n_items).sum() == 300
    assert len(weak) == len(joint)
    notes = mv.support_notes(es, "users", False)
    assert any(f"random sample of 300 of these {len(full):,} users" in n for n in notes)
    items, _ = mv.shown_points(es, "items", show_all=False)
    assert len(items) == 1456  # items are never sampled


def test_the_map_figure_marks_a_drawn_searched_item_and_its_drawn_neighbours():
    from recsys.data.demo import load_demo
    from recsys.maps.embedding_set import EmbeddingSet
    from recsys.models.registry import create_model
    from recsys.viz import map_view as mv

    ds = load_demo()
    es = EmbeddingSet.from_model(create_model("svd", factors=8).fit(ds), ds, name="svd")
    positions, weak = mv.shown_points(es, "items", show_all=False)
    coords = np.random.default_rng(0).normal(size=(len(positions), 2)).astype(np.float32)
    colouring = mv.map_colouring(es, "items", mv.colour_options(es, "items")[0], positions)
    item = int(positions[5])
    near = es.similar_items(item, 10)
    title = mv.map_title(es, "items", "UMAP 2-D", ds.name)
    assert title.startswith("UMAP 2-D · ")
    fig, _ = mv.shown_figure(
        es, "items", positions, coords, colouring, weak=weak, title=title, seed=0,
        density=False, highlight=item, neighbours=near,
    )  # fmt: skip
    names = [t.name for t in fig.data]
    assert "searched item" in names and "nearest in embedding" in names
    hidden = int(np.setdiff1d(np.arange(es.n_items), positions)[0])  # below the support floor
    fig, _ = mv.shown_figure(
        es, "items", positions, coords, colouring, weak=weak, title=title, seed=0,
        density=False, highlight=hidden, neighbours=near,
    )  # fmt: skip
    assert "searched item" not in [t.name for t in fig.data]


def test_a_colour_waits_for_the_clusters_or_faithfulness_it_needs():
    from recsys.data.demo import load_demo
    from recsys.maps.embedding_set import EmbeddingSet
    from recsys.maps.quality import MapQuality
    from recsys.models.registry import create_model
    from recsys.viz import map_view as mv

    ds = load_demo()
    es = EmbeddingSet.from_model(create_model("svd", factors=8).fit(ds), ds, name="svd")
    default = mv.colour_options(es, "items")[0]
    assert mv.shown_colour(es, "items", mv.CLUSTER, None, None) == default
    assert mv.shown_colour(es, "items", mv.FAITHFULNESS, None, None) == default
    quality = MapQuality(faithfulness=None, coherence=None)
    assert mv.shown_colour(es, "items", mv.FAITHFULNESS, None, quality) == mv.FAITHFULNESS
    assert mv.shown_colour(es, "items", default, None, None) == default
    assert mv.ready(quality) is quality and mv.ready("a job") is None and mv.ready(None) is None
