"""AppTest smoke tests of the Recommend and Neighbours pages (real models, real workspace)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from recsys.data.demo import load_demo
from recsys.models.registry import create_model
from recsys.store import Workspace

ROOT = Path(__file__).resolve().parents[2]
RECOMMEND = str(ROOT / "app_pages" / "recommend.py")
NEIGHBOURS = str(ROOT / "app_pages" / "neighbours.py")


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    root = tmp_path_factory.mktemp("rec-workspace")
    ds = load_demo()
    ws = Workspace(root)
    ws.save_model(create_model("als", factors=16, iterations=5).fit(ds), "als-demo", ds)
    ws.save_model(create_model("svd", factors=16).fit(ds), "svd-demo", ds)
    ws.save_model(create_model("popular").fit(ds), "popular-demo", ds)
    ws.save_model(create_model("ease", factors=8).fit(ds), "ease-demo", ds)
    return root


def _run(monkeypatch, workspace, page=RECOMMEND, **state) -> AppTest:
    monkeypatch.setenv("RECSYS_WORKSPACE", str(workspace))
    at = AppTest.from_file(page, default_timeout=120)
    for key, value in state.items():
        at.session_state[key] = value
    return at.run()


def _ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def test_user_recommendations_with_reasons(monkeypatch, workspace):
    at = _run(monkeypatch, workspace, active_model="als-demo", rec_user="u0017")
    _ok(at)
    assert at.title[0].value == "Recommend"
    reasons = [m.value for m in at.markdown if m.value.startswith("Because you rated")]
    assert len(reasons) == 10
    whys = [e.label for e in at.expander if e.label.endswith("why?")]
    assert len(whys) == 10
    history = at.dataframe[0].value
    assert "rating" in history.columns and len(history) > 0
    assert list(history["timestamp"]) == sorted(history["timestamp"], reverse=True)


def test_filters_and_random_user(monkeypatch, workspace):
    at = _run(monkeypatch, workspace, active_model="als-demo", rec_user="u0017")
    at.multiselect(key="rec_inc").set_value(["Horror"]).run()
    _ok(at)
    recs = next(d.value for d in at.dataframe if "score" in d.columns)
    assert recs["categories"].str.contains("Horror").all()
    at.button[0].click().run()  # "Random user"
    _ok(at)


def test_compare_two_models(monkeypatch, workspace):
    at = _run(monkeypatch, workspace, active_model="als-demo", rec_user="u0017", rec_compare=True)
    at.selectbox(key="rec_model_b_select").set_value("svd-demo").run()
    _ok(at)
    assert any(m.label.startswith("Items in both top-10") for m in at.metric)


def test_build_your_own_profile(monkeypatch, workspace):
    at = _run(
        monkeypatch,
        workspace,
        active_model="als-demo",
        profile_picks=[3, 40, 77],
        rec_tab="Build your own profile",
    )
    _ok(at)
    picked = [m.value for m in at.markdown if m.value.startswith("Because you picked")]
    assert len(picked) == 10


def test_cold_start_tab_with_held_out_items(monkeypatch, workspace):
    at = _run(
        monkeypatch,
        workspace,
        active_model="svd-demo",
        cold_holdout=[0, 1, 2],
        rec_tab="Cold-start items",
    )
    _ok(at)
    assert any("mean cosine" in i.value for i in at.info)
    assert any("cosine to learned" in d.value.columns for d in at.dataframe)


def test_neighbours_page_items_users_and_compare(monkeypatch, workspace):
    at = _run(monkeypatch, workspace, NEIGHBOURS, active_model="als-demo", nb_compare=True)
    _ok(at)
    table = at.dataframe[0].value
    assert len(table) == 10 and "co_users" in table.columns
    at.selectbox(key="nb_model_b_select").set_value("svd-demo").run()
    _ok(at)
    assert any(m.label.startswith("Neighbours in both") for m in at.metric)
    at.session_state["nb_kind"] = "Users"
    at.run()
    _ok(at)
    assert "shared_items" in at.dataframe[0].value.columns


@pytest.mark.parametrize("name", ["popular-demo", "ease-demo"])
def test_other_model_kinds_render_every_tab(monkeypatch, workspace, name):
    at = _run(monkeypatch, workspace, active_model=name, rec_user="u0017", profile_picks=[3, 40])
    _ok(at)
    reasons = [m.value for m in at.markdown if "Because" in m.value or "everyone alike" in m.value]
    assert len(reasons) >= 10


def _recs(at: AppTest) -> list[str]:
    return list(next(d.value for d in at.dataframe if "score" in d.columns)["title"])


def test_profile_ratings_are_offered_and_a_dislike_changes_the_list(monkeypatch, workspace):
    first = load_demo().item_ids[3]
    state = dict(profile_picks=[3, 40, 77], rec_tab="Build your own profile")
    at = _run(monkeypatch, workspace, active_model="als-demo", **state)
    _ok(at)
    assert len(at.select_slider) == 3  # one rating control per pick
    assert at.select_slider(key=f"profile_rate_{first}").options[1:] == [
        "1★",
        "2★",
        "3★",
        "4★",
        "5★",
    ]
    before = _recs(at)
    at.select_slider(key=f"profile_rate_{first}").set_value(1.0).run()
    _ok(at)
    assert _recs(at) != before
    # a model whose visitor vector ignores rating values says so instead
    at = _run(monkeypatch, workspace, active_model="svd-demo", **state)
    at.select_slider(key=f"profile_rate_{first}").set_value(1.0).run()
    _ok(at)
    assert any("does not use rating values" in c.value for c in at.caption)


def test_a_large_user_base_lists_the_most_active_and_takes_any_typed_id(monkeypatch, workspace):
    from app_ui import recommend_panels

    monkeypatch.setattr(recommend_panels, "MAX_USER_OPTIONS", 50)
    at = _run(monkeypatch, workspace, active_model="als-demo")
    _ok(at)
    picker = at.selectbox(key="rec_user")
    assert len(picker.options) == 50  # the 50 most active of 2,000 (plus nobody else yet)
    assert any("50 most active of 2,000 users" in c.value for c in at.caption)
    ds = load_demo()
    quiet = str(ds.user_ids.ids[int(ds.user_activity.argmin())])
    assert not any(o.startswith(f"{quiet} ·") for o in picker.options)
    at.text_input(key="rec_user_typed").input(quiet).run()
    _ok(at)
    assert at.selectbox(key="rec_user").value == quiet
    assert any(m.value.startswith("Because you rated") for m in at.markdown)
    at.text_input(key="rec_user_typed").input("no-such-user").run()
    assert any("no user 'no-such-user'" in w.value for w in at.warning)
    assert at.selectbox(key="rec_user").value == quiet  # nothing the user had is lost


def test_a_large_catalogue_lists_the_most_popular_items_and_searches_all_titles(
    monkeypatch, workspace
):
    from app_ui import neighbours_panels

    monkeypatch.setattr(neighbours_panels, "MAX_ITEM_OPTIONS", 40)
    at = _run(monkeypatch, workspace, NEIGHBOURS, active_model="als-demo")
    _ok(at)
    ds = load_demo()
    picker = at.selectbox(key="nb_item")
    assert len(picker.options) == 40
    assert any("40 most popular of" in c.value for c in at.caption)
    rare = int(ds.item_popularity.argmin())
    title = str(ds.titles[rare])
    assert title not in picker.options
    at.text_input(key="nb_title_query").input(title).run()
    _ok(at)
    matches = at.selectbox(key="nb_found")
    assert title in matches.options
    matches.set_value(rare).run()
    _ok(at)
    assert at.selectbox(key="nb_item").value == rare  # the found item is the item now
    assert len(at.dataframe[0].value) == 10  # and its neighbours are listed
    at.text_input(key="nb_title_query").input("zzz no such title").run()
    assert any("No title contains" in w.value for w in at.warning)
    assert at.selectbox(key="nb_item").value == rare  # nothing the user had is lost


def test_a_catalogue_with_tags_only_shows_tags_not_empty_categories(monkeypatch, tmp_path):
    from app_ui.common import DATASET_KEY
    from tests.lastfm_like import lastfm_like_dataset

    ds = lastfm_like_dataset()
    model = create_model("als", factors=8, iterations=3).fit(ds)
    Workspace(tmp_path).save_model(model, "als-lastfm", ds)
    user = str(model.user_ids_.ids[0])
    at = _run(monkeypatch, tmp_path, active_model="als-lastfm", rec_user=user, **{DATASET_KEY: ds})
    _ok(at)
    history, recs = at.dataframe[0].value, at.dataframe[1].value
    for table in (history, recs):
        assert "tags" in table.columns and "categories" not in table.columns
    assert history["tags"].str.len().gt(0).any()
    most_tagged = max(range(ds.n_items), key=lambda i: len(ds.items["tags"][i]))
    n_tags = len(ds.items["tags"][most_tagged])
    assert n_tags > 6
    nb = _run(monkeypatch, tmp_path, NEIGHBOURS, active_model="als-lastfm", nb_item=most_tagged,
              **{DATASET_KEY: ds})  # fmt: skip
    _ok(nb)
    assert "shared_categories" not in nb.dataframe[0].value.columns
    assert not any("no categories" in c.value for c in nb.caption)
    (caption,) = [c.value for c in nb.caption if c.value.startswith("tags: ")]
    named = caption.split(" · ")[0].removeprefix("tags: ").split(" +")[0].split(", ")
    assert len(named) == 6 and f"+{n_tags - 6} more" in caption
