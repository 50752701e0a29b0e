"""AppTest smoke tests of the Map page (chart selections and uploads are covered in Chromium)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from recsys.data.demo import load_demo
from recsys.models.registry import create_model
from recsys.store import Workspace

ROOT = Path(__file__).resolve().parents[2]
PAGE = str(ROOT / "app_pages" / "map.py")


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    root = tmp_path_factory.mktemp("map-workspace")
    ds = load_demo()
    Workspace(root).save_model(create_model("svd").fit(ds), "svd-demo", ds)
    return root


def _run(monkeypatch, workspace, **state) -> AppTest:
    monkeypatch.setenv("RECSYS_WORKSPACE", str(workspace))
    at = AppTest.from_file(PAGE, default_timeout=120)
    for key, value in state.items():
        at.session_state[key] = value
    return at.run()


def test_map_page_shows_a_map_with_faithfulness_and_clusters(monkeypatch, workspace):
    at = _run(monkeypatch, workspace, map_method="pca", map_cm="kmeans")
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert at.title[0].value == "Map"
    labels = [m.label for m in at.metric]
    assert "Trustworthiness" in labels and any(lbl.startswith("kNN recall@") for lbl in labels)
    trust = float(next(m.value for m in at.metric if m.label == "Trustworthiness"))
    assert 0.5 < trust <= 1.0
    frames = [df.value for df in at.dataframe]
    cluster_table = next(f for f in frames if "silhouette" in f.columns)
    assert len(cluster_table) == 12
    assert any("Comedy" in name for name in cluster_table["name"])


def test_default_clusters_are_islands_of_the_map_all_named_with_support(monkeypatch, workspace):
    at = _run(monkeypatch, workspace, map_method="pca")
    assert not at.exception, at.exception
    labels = [m.label for m in at.metric]
    assert "Coherence" in labels  # metadata coherence beside the faithfulness scores
    lift = float(next(m.value for m in at.metric if m.label == "Coherence").rstrip("×"))
    assert lift > 1.5
    frames = [df.value for df in at.dataframe]
    table = next(f for f in frames if "silhouette" in f.columns)
    assert {"support", "terms"} <= set(table.columns)
    named = table[table["name"] != "unclustered"]
    assert len(named) >= 2
    assert not named["name"].str.fullmatch(r"cluster \d+").any()
    captions = " ".join(c.value for c in at.caption)
    assert "Showing the 1,456 of 1,500 items with at least 15 interactions" in captions
    assert any(t.label.startswith("Show all points") for t in at.toggle)


def test_title_search_lists_the_neighbours(monkeypatch, workspace):
    at = _run(monkeypatch, workspace, map_method="pca")
    at.text_input(key="map_search").input("digital circuit").run()
    assert not at.exception, at.exception
    assert any("Nearest to" in md.value for md in at.markdown)


def test_umap_is_computed_in_the_background_with_pca_meanwhile(monkeypatch, workspace):
    from recsys.maps import background

    before = set(background._jobs)  # other tests' jobs (the process keeps them)
    at = _run(monkeypatch, workspace, map_method="umap")
    assert not at.exception, at.exception
    assert not at.error
    captions = " ".join(c.value for c in at.caption)
    jobs = [
        j
        for key, j in background._jobs.items()
        if key not in before
        and j.task == "map"
        and j.params.method == "umap"
        and j.key[0] == "items"
    ]
    assert len(jobs) == 1 and jobs[0].n_points == 1456
    if not jobs[0].finished:  # the PCA stand-in says what it waits for
        assert "UMAP 2-D map of 1,456 points" in captions and "PCA meanwhile" in captions
    assert background.wait(jobs[0], timeout=300)
    at.run()  # now the UMAP map itself, with its quality scores
    assert not at.exception, at.exception
    assert "Trustworthiness" in [m.label for m in at.metric]
    assert "PCA meanwhile" not in " ".join(c.value for c in at.caption)


def test_users_and_joint_maps_render(monkeypatch, workspace):
    for kind in ("users", "joint"):
        at = _run(monkeypatch, workspace, map_method="pca", map_kind=kind)
        assert not at.exception, at.exception
        assert not at.error, [e.value for e in at.error]


def test_big_maps_get_quality_and_clusters_from_the_background(monkeypatch, workspace):
    """Above INLINE_LIMIT points the panels come from background jobs, announced meanwhile."""
    from app_ui import maps as app_maps
    from recsys.maps import background

    monkeypatch.setattr(app_maps, "INLINE_LIMIT", 100)
    at = _run(monkeypatch, workspace, map_method="pca", map_cm="kmeans", map_seed=7)
    assert not at.exception, at.exception
    jobs = [
        j
        for j in background._jobs.values()
        if j.task in ("quality", "clusters") and getattr(j.params, "seed", None) == 7
    ]
    assert sorted(j.task for j in jobs) == ["clusters", "quality"]
    if not all(j.finished for j in jobs):
        captions = " ".join(c.value for c in at.caption)
        assert "quality check of the PCA 2-D map (1,456 points)" in captions
        assert "panels appear when they are ready" in captions
    for job in jobs:
        assert background.wait(job, timeout=300) and job.state == background.DONE
    at.run()
    assert not at.exception, at.exception
    assert "Trustworthiness" in [m.label for m in at.metric]
    table = next(df.value for df in at.dataframe if "silhouette" in df.value.columns)
    assert len(table) == 12  # KMeans k=12, computed by the clusters job
    assert "panels appear" not in " ".join(c.value for c in at.caption)


def test_colour_by_clusters_of_a_big_map_waits_for_the_clusters_job(monkeypatch, workspace):
    from app_ui import maps as app_maps
    from recsys.maps import background
    from recsys.viz import map_view as mv

    monkeypatch.setattr(app_maps, "INLINE_LIMIT", 100)
    state = {"map_method": "pca", "map_seed": 8, "map_colour_items": mv.CLUSTER}
    at = _run(monkeypatch, workspace, **state)
    assert not at.exception, at.exception
    job = next(
        j
        for j in background._jobs.values()
        if j.task == "clusters" and getattr(j.params, "seed", None) == 8
    )
    if not job.finished:
        assert any("until the cluster is ready" in c.value for c in at.caption)
    assert background.wait(job, timeout=300) and job.state == background.DONE
    at.run()
    assert not at.exception, at.exception
    assert not any("until the cluster is ready" in c.value for c in at.caption)


def test_clusters_of_data_without_categories_or_tags_say_they_are_numbered(monkeypatch, tmp_path):
    import numpy as np
    import pandas as pd

    from app_ui.common import DATASET_KEY
    from recsys.data.dataset import Dataset

    demo = load_demo()  # its interactions, without its titles' categories and tags
    frame = pd.DataFrame(
        {
            "user": demo.user_ids.to_external(demo.user_index),
            "item": demo.item_ids.to_external(demo.item_index),
            "value": np.asarray(demo.values),
        }
    )
    bare = Dataset.from_frame(frame, name="bare")
    assert bare.label_column is None
    Workspace(tmp_path).save_model(create_model("svd").fit(bare), "svd-bare", bare)
    at = _run(monkeypatch, tmp_path, map_method="pca", active_model="svd-bare",
              **{DATASET_KEY: bare})  # fmt: skip
    assert not at.exception, at.exception
    table = next(f.value for f in at.dataframe if "silhouette" in f.value.columns)
    assert "support" not in table.columns and "terms" not in table.columns
    assert any("no categories or tags to name them" in c.value for c in at.caption)


def test_clusters_of_data_with_titles_only_say_they_are_named_by_title_words(monkeypatch, tmp_path):
    import numpy as np
    import pandas as pd

    from app_ui.common import DATASET_KEY
    from recsys.data.dataset import Dataset

    demo = load_demo()  # its interactions and titles, without categories and tags
    frame = pd.DataFrame(
        {
            "user": demo.user_ids.to_external(demo.user_index),
            "item": demo.item_ids.to_external(demo.item_index),
            "value": np.asarray(demo.values),
        }
    )
    titled = Dataset.from_frame(
        frame,
        name="titled",
        items=demo.items[["item_id", "title"]].rename(columns={"item_id": "item"}),
    )
    assert titled.label_column is None
    Workspace(tmp_path).save_model(create_model("svd").fit(titled), "svd-titled", titled)
    at = _run(monkeypatch, tmp_path, map_method="pca", active_model="svd-titled",
              **{DATASET_KEY: titled})  # fmt: skip
    assert not at.exception, at.exception
    table = next(f.value for f in at.dataframe if "silhouette" in f.value.columns)
    assert "support" in table.columns
    assert any("named by distinctive words of their titles" in c.value for c in at.caption)
