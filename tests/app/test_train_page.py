"""AppTest smoke tests of the Train page: train, list, rename, delete, damaged entries."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from recsys.store import Workspace

ROOT = Path(__file__).resolve().parents[2]

# The page links to other pages (st.page_link), which needs st.navigation: run it inside one.
HARNESS = f"""
import sys
sys.path.insert(0, {str(ROOT)!r})
from pathlib import Path
import streamlit as st
root = Path({str(ROOT)!r}) / "app_pages"
others = [p for p in ("home", "data", "map", "recommend", "neighbours", "evaluate", "learn")
          if (root / f"{{p}}.py").exists()]
pages = [st.Page(str(root / "train.py"), default=True)] + [st.Page(str(root / f"{{p}}.py")) for p in others]
st.navigation(pages, position="hidden").run()
"""


def _app(monkeypatch, tmp_path) -> AppTest:
    monkeypatch.setenv("RECSYS_WORKSPACE", str(tmp_path))
    return AppTest.from_string(HARNESS, default_timeout=120)


def test_train_page_trains_saves_and_lists(monkeypatch, tmp_path):
    at = _app(monkeypatch, tmp_path).run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Train a model"
    at.selectbox(key="train_model_kind").set_value("svd").run()
    at.number_input(key="hp_svd_factors").set_value(8).run()
    at.text_input(key="train_name").input("tiny svd").run()
    at.button(key="train_go").click().run()
    assert not at.exception, at.exception
    assert any("tiny svd" in s.value for s in at.success)
    infos, problems = Workspace(tmp_path).list_models()
    assert [i.name for i in infos] == ["tiny svd"] and not problems
    assert infos[0].params["factors"] == 8
    table = at.dataframe[0].value
    assert list(table["name"]) == ["tiny svd"]


def test_rename_and_delete_from_the_page(monkeypatch, tmp_path):
    at = _app(monkeypatch, tmp_path).run()
    at.selectbox(key="train_model_kind").set_value("popular").run()
    at.button(key="train_go").click().run()
    assert not at.exception, at.exception
    old = Workspace(tmp_path).list_models()[0][0].name
    at.text_input(key="train_rename_to").input("baseline").run()
    at.button(key="train_rename").click().run()
    assert not at.exception, at.exception
    assert [i.name for i in Workspace(tmp_path).list_models()[0]] == ["baseline"]
    assert old != "baseline"
    at.checkbox(key="train_delete_confirm").check().run()
    at.button(key="train_delete").click().run()
    assert not at.exception, at.exception
    assert Workspace(tmp_path).list_models()[0] == []
    assert any("No saved model" in c.value for c in at.caption)


def test_damaged_entries_are_reported_not_fatal(monkeypatch, tmp_path):
    models = tmp_path / "models"
    (models / "broken").mkdir(parents=True)
    (models / "broken" / "model.json").write_text("{not json", encoding="utf-8")
    (models / "stray.txt").write_text("hello", encoding="utf-8")
    at = _app(monkeypatch, tmp_path).run()
    assert not at.exception, at.exception
    warnings = " ".join(w.value for w in at.warning)
    assert "broken" in warnings and "stray.txt" in warnings


def test_bad_hyperparameter_shows_an_error(monkeypatch, tmp_path):
    at = _app(monkeypatch, tmp_path).run()
    at.selectbox(key="train_model_kind").set_value("mf").run()
    # learning rate far too large: training diverges and the page says what to do
    at.number_input(key="hp_mf_learning_rate").set_value(0.5).run()
    at.number_input(key="hp_mf_epochs").set_value(30).run()
    at.button(key="train_go").click().run()
    assert not at.exception, at.exception
    errors = " ".join(e.value for e in at.error)
    assert "learning rate" in errors
    assert Workspace(tmp_path).list_models()[0] == []


PICKER = f"""
import sys
sys.path.insert(0, {str(ROOT)!r})
import streamlit as st
from app_ui.models import model_picker
picked = model_picker("Model", key="probe")
st.write("picked:", "none" if picked is None else picked[0] + " " + type(picked[1]).__name__)
"""


def test_model_picker_trains_the_demo_default_without_a_click(monkeypatch, tmp_path):
    monkeypatch.setenv("RECSYS_WORKSPACE", str(tmp_path))
    at = AppTest.from_string(PICKER, default_timeout=120).run()
    assert not at.exception, at.exception
    [info] = Workspace(tmp_path).list_models()[0]
    assert (info.model, info.name) == ("als", "als-demo")
    assert any("als-demo ALS" in m.value for m in at.markdown)
    assert at.session_state["active_model"] == "als-demo"


def test_model_picker_offers_quick_als_then_returns_it(monkeypatch, tmp_path):
    from recsys.data.demo import load_demo
    from tests.models.conftest import subset

    monkeypatch.setenv("RECSYS_WORKSPACE", str(tmp_path))
    at = AppTest.from_string(PICKER, default_timeout=120)
    at.session_state["dataset"] = subset(load_demo(), 300, 200, name="not the demo")
    at.run()
    assert not at.exception, at.exception
    assert any("No saved model" in i.value for i in at.info)
    assert Workspace(tmp_path).list_models()[0] == []  # other data: training is a click away
    at.button(key="probe_quick_train").click().run()
    assert not at.exception, at.exception
    [info] = Workspace(tmp_path).list_models()[0]
    assert info.model == "als"
    assert any(f"{info.name} ALS" in m.value for m in at.markdown)
    assert at.selectbox(key="probe_select").value == info.name


def test_model_picker_hides_models_of_other_datasets_and_baselines(monkeypatch, tmp_path):
    from recsys.data.demo import load_demo
    from recsys.models.registry import create_model
    from tests.models.conftest import subset

    demo = load_demo()
    ws = Workspace(tmp_path)
    ws.save_model(create_model("svd", factors=4).fit(demo), "svd-demo", demo)
    ws.save_model(create_model("popular").fit(demo), "pop-demo", demo)
    other = subset(demo, 50, 50)
    ws.save_model(create_model("svd", factors=2).fit(other), "svd-other", other)
    monkeypatch.setenv("RECSYS_WORKSPACE", str(tmp_path))
    at = AppTest.from_string(PICKER, default_timeout=120).run()
    assert not at.exception, at.exception
    assert at.selectbox(key="probe_select").options == ["svd-demo (PureSVD)"]
    assert any("svd-demo PureSVD" in m.value for m in at.markdown)


def test_models_of_other_datasets_are_listed_apart(monkeypatch, tmp_path):
    from recsys.data.demo import load_demo
    from recsys.models.registry import create_model
    from tests.models.conftest import subset

    other = subset(load_demo(), 40, 40, name="a slice")
    Workspace(tmp_path).save_model(create_model("popular").fit(other), "elsewhere", other)
    at = _app(monkeypatch, tmp_path).run()
    assert not at.exception, at.exception
    assert any("No saved model for this dataset" in c.value for c in at.caption)
    assert "1 saved model(s) need a different dataset" in at.expander[-1].label
    table = at.dataframe[-1].value
    assert list(table["name"]) == ["elsewhere"] and list(table["trained on"]) == ["a slice"]


def test_rename_to_a_taken_name_says_so_and_delete_resets_confirmation(monkeypatch, tmp_path):
    from recsys.data.demo import load_demo
    from recsys.models.registry import create_model

    demo = load_demo()
    ws = Workspace(tmp_path)
    ws.save_model(create_model("popular").fit(demo), "a", demo)
    ws.save_model(create_model("random").fit(demo), "b", demo)
    at = _app(monkeypatch, tmp_path).run()
    at.selectbox(key="train_saved_pick").set_value("a").run()
    at.text_input(key="train_rename_to").input("b").run()
    at.button(key="train_rename").click().run()
    assert not at.exception, at.exception
    assert any("already exists" in e.value for e in at.error)
    at.checkbox(key="train_delete_confirm").check().run()
    at.button(key="train_delete").click().run()
    assert not at.exception, at.exception
    assert [i.name for i in ws.list_models()[0]] == ["b"]
    assert at.checkbox(key="train_delete_confirm").value is False


def test_tune_on_the_page_saves_the_best_with_its_trials(monkeypatch, tmp_path):
    import json

    at = _app(monkeypatch, tmp_path).run()
    at.selectbox(key="train_model_kind").set_value("svd").run()
    at.number_input(key="tune_trials").set_value(2).run()
    at.multiselect(key="tune_params_svd").set_value(["factors"]).run()
    at.text_input(key="train_name").input("svd tuned").run()
    at.button(key="tune_go").click().run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert any("Tuned **PureSVD**: 2 trials" in s.value for s in at.success)
    [info] = Workspace(tmp_path).list_models()[0]
    assert info.name == "svd tuned"
    tuning = json.loads((info.path / "model.json").read_text(encoding="utf-8"))["tuning"]
    assert [t["trial"] for t in tuning["trials"]] == [1, 2]
    assert info.params["factors"] == tuning["best_params"]["factors"]
    trials = at.dataframe[0].value
    assert list(trials.columns[:2]) == ["trial", "factors"] and len(trials) == 2
    assert any("Active model on the other pages: **svd tuned**" in c.value for c in at.caption)


def test_rating_model_says_it_is_not_a_ranker(monkeypatch, tmp_path):
    at = _app(monkeypatch, tmp_path).run()
    at.selectbox(key="train_model_kind").set_value("mf").run()
    assert any("not as a top-N ranker" in c.value for c in at.caption)
    assert any("rating prediction (RMSE)" in i.value for i in at.info)


def test_active_model_caption_follows_the_click(monkeypatch, tmp_path):
    """Issue 14: the caption showed the previously used model until the next click."""
    from recsys.data.demo import load_demo
    from recsys.models.registry import create_model

    demo = load_demo()
    ws = Workspace(tmp_path)
    ws.save_model(create_model("popular").fit(demo), "a", demo)
    ws.save_model(create_model("random").fit(demo), "b", demo)
    at = _app(monkeypatch, tmp_path).run()
    for name in ("a", "b", "a"):
        at.selectbox(key="train_saved_pick").set_value(name).run()
        at.button(key="train_use").click().run()
        assert not at.exception, at.exception
        captions = [c.value for c in at.caption if "Active model" in c.value]
        assert captions == [f"Active model on the other pages: **{name}**"]
