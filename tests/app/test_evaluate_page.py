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
