"""AppTest smoke tests of the Evaluate page: run, leaderboard, reload, per-user, search."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from recsys.evaluation.runs import list_runs
from recsys.store import Workspace

ROOT = Path(__file__).resolve().parents[2]
PAGE = str(ROOT / "app_pages" / "evaluate.py")


def _app(monkeypatch, tmp_path) -> AppTest:
    monkeypatch.setenv("RECSYS_WORKSPACE", str(tmp_path / "ws"))
    return AppTest.from_file(PAGE, default_timeout=180).run()


def _frame(at: AppTest, column: str):
    """The first dataframe that has ``column`` (AppTest does not expose dataframe keys)."""
    for df in at.dataframe:
        if column in df.value.columns:
            return df.value
    raise AssertionError(f"no dataframe with a {column!r} column")


def _ok(at: AppTest) -> None:
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]


def test_page_runs_an_evaluation_and_reloads_it(monkeypatch, tmp_path):
    at = _app(monkeypatch, tmp_path)
    _ok(at)
    assert at.title[0].value == "Evaluate and compare models"
    assert any("No evaluation yet" in i.value for i in at.info)
    at.multiselect(key="eval_fresh").set_value(["svd"]).run()
    at.number_input(key="eval_hp_svd_factors").set_value(8).run()
    at.button(key="eval_go").click().run()
    _ok(at)
    board = _frame(at, "NDCG@10")
    assert set(board["model"]) == {"PureSVD", "Most popular (baseline)", "Random (baseline)"}
    assert board["NDCG@10"].is_monotonic_decreasing
    assert len(at.get("plotly_chart")) >= 4
    runs, problems = list_runs(Workspace(tmp_path / "ws"))
    assert len(runs) == 1 and not problems

    # a new session (e.g. after a restart) finds the saved run
    again = AppTest.from_file(PAGE, default_timeout=180).run()
    _ok(again)
    assert set(_frame(again, "NDCG@10")["model"]) == set(board["model"])
    # per-user comparison of two models
    assert again.selectbox(key="eval_a").value != again.selectbox(key="eval_b").value
    assert any("wins" in m.label for m in again.metric)


def test_search_on_validation_and_save_best(monkeypatch, tmp_path):
    at = _app(monkeypatch, tmp_path)
    at.selectbox(key="search_model").set_value("svd").run()
    at.multiselect(key="search_params_svd").set_value(["factors"]).run()
    at.text_input(key="search_svd_factors").set_value("4, 16").run()
    at.button(key="search_go").click().run()
    _ok(at)
    table = _frame(at, "fit_seconds")
    assert list(table["factors"]) == [4, 16]
    at.text_input(key="search_name").set_value("svd-best").run()
    at.button(key="search_save").click().run()
    _ok(at)
    assert any("Saved 'svd-best'" in s.value for s in at.success)
    assert Workspace(tmp_path / "ws").exists("svd-best")


def test_definitions_are_shown(monkeypatch, tmp_path):
    at = _app(monkeypatch, tmp_path)
    from recsys.evaluation.metrics import METRIC_DEFINITIONS

    text = "\n".join(m.value for m in at.markdown)
    for label, definition in METRIC_DEFINITIONS.values():
        assert f"**{label}**: {definition}" in text


def _without_times():
    import pandas as pd

    from recsys.data.dataset import Dataset
    from recsys.data.demo import load_demo

    demo = load_demo()
    frame = pd.DataFrame(
        {
            "user": demo.user_ids.to_external(demo.user_index),
            "item": demo.item_ids.to_external(demo.item_index),
            "value": demo.values,
        }
    )
    return Dataset.from_frame(frame, name="no times", feedback="explicit", rating_scale=(1, 5))


def test_without_times_only_the_random_split_is_offered(monkeypatch, tmp_path):
    monkeypatch.setenv("RECSYS_WORKSPACE", str(tmp_path / "ws"))
    at = AppTest.from_file(PAGE, default_timeout=180)
    at.session_state["dataset"] = _without_times()
    at.session_state["eval_split_kind"] = "temporal"  # left over from data with times
    at.run()
    _ok(at)
    split = at.selectbox(key="eval_split_kind")
    assert split.value == "random" and split.options == [
        "Random: a random share of each user's interactions"
    ]
    assert any("no time column" in c.value for c in at.caption)
    assert any(c.value.startswith("random: random (seed 42)") for c in at.caption)


def test_with_times_temporal_is_the_default(monkeypatch, tmp_path):
    at = _app(monkeypatch, tmp_path)
    _ok(at)
    split = at.selectbox(key="eval_split_kind")
    assert split.value == "temporal" and len(split.options) == 3
